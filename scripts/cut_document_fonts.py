"""Cut the issued documents' fonts (static/fonts/) out of Debian's fonts-noto-cjk: Noto Serif CJK SC,
Regular and Bold, reduced to GB 2312 (its 6,763 汉字 and symbols), ASCII and the punctuation blocks
(BLOCKS), under a family name of their own so that nothing else asks fontconfig for them.

Why (docs/PDF-NOTES and docs/performance.md): WeasyPrint subsets each embedded face keeping the glyph
ids, and the full collection's ids run to 65,000, so every document spent about 60 ms a face in
HarfBuzz and as long again compressing the kept, empty glyphs; with the cut faces a document renders
in about two thirds of the time and weighs half as much. A character outside GB 2312 (a rare
surname) is drawn from the full Noto face, which follows in the documents' font-family list.

Run after upgrading fonts-noto-cjk: `python scripts/cut_document_fonts.py` (needs fontTools, which
WeasyPrint installs), then commit static/fonts/.
"""

import contextlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto")
TARGET = Path(__file__).resolve().parents[1] / "static" / "fonts"
FAMILY = "Noto Serif CJK SC GB2312"
FACES = {"Regular": "NotoSerifCJK-Regular.ttc", "Bold": "NotoSerifCJK-Bold.ttc"}
SC = 2  # the collection's simplified Chinese face (JP, KR, SC, TC, HK)


# Besides GB 2312: the punctuation, symbols and full-width forms a document may print that GB 2312
# lacks or that Python's codec maps elsewhere (the page numbers' "—" is U+2014, GB 2312's U+2015).
BLOCKS = [
    (0x00A0, 0x00FF),  # Latin-1 (×, ·, °)
    (0x2000, 0x206F),  # general punctuation (— – … ‰)
    (0x2100, 0x218F),  # letterlike symbols, number forms (№, Ⅻ)
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # enclosed numbers (①)
    (0x25A0, 0x25FF),  # geometric shapes (□ ● ◆)
    (0x3000, 0x303F),  # CJK symbols and punctuation (〔〕〇)
    (0xFF00, 0xFFEF),  # full-width forms
]


def gb2312() -> str:
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars.update(chr(c) for start, end in BLOCKS for c in range(start, end + 1))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([high, low]).decode("gb2312"))
    return "".join(sorted(chars))


def cut(style: str, collection: str) -> Path:
    font = TTCollection(SOURCE / collection).fonts[SC]
    if "SC" not in font["name"].getDebugName(1):
        sys.exit(f"{collection}: face {SC} is {font['name'].getDebugName(1)}, not the SC one")
    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=gb2312())
    subsetter.subset(font)
    postscript = f"{FAMILY.replace(' ', '')}-{style}"
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 4:
            record.string = f"{FAMILY} {style}" if style != "Regular" else FAMILY
        elif record.nameID in (3, 6):
            record.string = postscript
    if "CFF " in font:
        font["CFF "].cff.fontNames = [postscript]
    path = TARGET / f"{postscript}.otf"
    TARGET.mkdir(parents=True, exist_ok=True)
    font.save(path)
    return path


if __name__ == "__main__":
    for style, collection in FACES.items():
        path = cut(style, collection)
        print(f"{path}: {path.stat().st_size // 1024} KiB")
