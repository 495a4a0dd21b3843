"""Bar charts drawn on the server as SVG, for <img> elements: no script, no CDN, no style attribute
or element (the Content-Security-Policy allows none; the drawing uses SVG's presentation attributes),
the same on every browser and in print. Every chart's numbers are also in a table beside it on the
page, and its <img> carries a text alternative: the picture adds nothing a screen reader misses.

Horizontal bars, in groups (a county and its four kinds of target, say), each with its label on the
left and its figure written at its end; optionally a vertical reference line (100 %, a goal).
Colours have at least 3:1 contrast with white (WCAG 1.4.11), and every bar is named in words as
well, so colour is never the only cue. Imports nothing from the app."""

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

WIDTH = 760
LABELS = 150  # the label column
PLOT_RIGHT = 600  # bars end here at the scale's maximum; their figures are written to the right
ROW = 22
GROUP_GAP = 10
TOP = 40
FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
INK = "#1f2933"
GRID = "#7b8794"
# Dark enough for 3:1 against white and apart from each other (blue, green, brown, red).
TONES = ("#0b3d91", "#1b6e3a", "#7a4b00", "#8a1c14")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # written at the bar's end: the figure as the table shows it
    tone: int = 0


@dataclass(frozen=True)
class Group:
    label: str  # "" for bars without a group
    bars: list[Bar] = field(default_factory=list)


def bar_chart(
    *, title: str, groups: list[Group], reference: float | None = None, reference_label: str = "", unit: float = 0
) -> str:
    """The SVG document of a grouped horizontal bar chart. The scale runs from 0 to the largest of
    the values, the reference and `unit` (so that 40 % is not drawn full length)."""
    values = [bar.value for group in groups for bar in group.bars]
    top = max([*values, reference or 0, unit, 1])
    span = PLOT_RIGHT - LABELS

    def x(value: float) -> float:
        return LABELS + span * max(value, 0) / top

    parts, y = [], TOP
    for group in groups:
        if group.label:
            parts.append(_text(8, y + 15, group.label, weight="bold"))
            y += ROW
        for bar in group.bars:
            parts.append(_text(22 if group.label else 8, y + 15, bar.label))
            width = x(bar.value) - LABELS
            if width > 0:
                parts.append(
                    f'<rect x="{LABELS}" y="{y + 4}" width="{width:.1f}" height="{ROW - 8}" '
                    f'fill="{TONES[bar.tone % len(TONES)]}"/>'
                )
            parts.append(_text(x(bar.value) + 6, y + 15, bar.text))
            y += ROW
        y += GROUP_GAP
    height = y + 8
    axis = (
        f'<line x1="{LABELS}" y1="{TOP - 4}" x2="{LABELS}" y2="{y - GROUP_GAP + 2}" stroke="{GRID}" stroke-width="1"/>'
    )
    if reference is not None:
        rx = x(reference)
        parts.append(
            f'<line x1="{rx:.1f}" y1="{TOP - 8}" x2="{rx:.1f}" y2="{y - GROUP_GAP + 2}" stroke="{INK}" '
            'stroke-width="1" stroke-dasharray="4 3"/>'
        )
        parts.append(_text(rx, TOP - 12, reference_label, anchor="middle"))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="chart-title">'
        f'<title id="chart-title">{escape(title)}</title>'
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        f'<g font-family={quoteattr(FONT)} font-size="13" fill="{INK}">'
    )
    return head + axis + "".join(parts) + "</g></svg>"


def _text(x: float, y: float, content: str, *, anchor: str = "", weight: str = "") -> str:
    extra = (f' text-anchor="{anchor}"' if anchor else "") + (f' font-weight="{weight}"' if weight else "")
    return f'<text x="{x:.1f}" y="{y}"{extra}>{escape(content)}</text>'
