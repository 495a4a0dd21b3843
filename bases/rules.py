"""The rules an application is handled by: its batch's deadline, the title printed on its form, the
thresholds of its conditions and the length of its 公示.

City-level applications follow the city's: the batch (deadline, 公示 length) and the notice's numbers
declared in forms_spec. 第十七条 lets each county bureau make its own rules for its county-level bases
("各县局可参照本指南制定本级商业秘密保护基地相关工作制度"): a county's rules (bases.models.CountyRules)
start as a copy of the city's and are then edited by its administrator, stricter only. Which rules
apply to one application is decided in one place, Application.rules(); this module holds the value
and what may be in it, and imports no model.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from .choices import Level
from .forms_spec import SPECS, all_thresholds

PUBLICITY_DAYS_MIN, PUBLICITY_DAYS_MAX = 5, 30  # 公示 of at least 5 working days (common practice)
TITLE_MAX_LENGTH = 60
CITY_SOURCE = "市级标准（《绍兴市商业秘密保护基地建设指南（试行）》）"


@dataclass(frozen=True)
class Rules:
    source: str  # what the page says the application follows
    titles: dict[str, str]  # base type -> the title printed on the form
    thresholds: dict[str, int] = field(default_factory=dict)  # forms_spec.Threshold.key -> value
    county_name: str = ""  # the county whose own rules these are; "" for the city's
    as_submitted: bool = False  # a county's rules kept from the application's submission
    # A county's own deadline and 公示 length; the city's are read from the batch when asked (so
    # reading a threshold needs no batch, and the batch as it stands is what counts).
    own_deadline: datetime.date | None = None
    own_publicity_working_days: int | None = None
    batch_of: Callable[[], Any] | None = None  # the batch, when asked

    @property
    def deadline(self) -> datetime.date:
        return self.own_deadline if self.own_deadline is not None else self.batch_of().deadline

    @property
    def publicity_working_days(self) -> int:
        if self.own_publicity_working_days is not None:
            return self.own_publicity_working_days
        return self.batch_of().publicity_working_days

    @property
    def is_county_own(self) -> bool:
        return bool(self.county_name)

    @property
    def is_open(self) -> bool:
        return timezone.localdate() <= self.deadline

    def title(self, base_type: str) -> str:
        return self.titles[base_type]


def city_rules(*, batch, level: str, county_name: str = "") -> Rules:
    """The city's rules for an application of `level` in `batch` (a Batch, or a function giving it
    when asked): the batch's deadline and 公示 length, the notice's thresholds, and the form's title at
    that level (a county-level form names the county)."""
    return Rules(
        source=CITY_SOURCE,
        batch_of=batch if callable(batch) else lambda: batch,
        titles={bt: spec.title_at(level, county_name) for bt, spec in SPECS.items()},
        thresholds={key: t.value for key, t in all_thresholds().items()},
    )


def rules_from_content(content: dict, *, source: str, county_name: str) -> Rules:
    """A county's rules from what is stored; a threshold or title it lacks (one declared since) is the
    city's."""
    city = {key: t.value for key, t in all_thresholds().items()}
    return Rules(
        source=source,
        own_deadline=datetime.date.fromisoformat(content["deadline"]),
        own_publicity_working_days=content["publicity_working_days"],
        titles={
            bt: content["titles"].get(bt) or spec.title_at(Level.COUNTY, county_name) for bt, spec in SPECS.items()
        },
        thresholds=city | {k: v for k, v in content["thresholds"].items() if k in city},
        county_name=county_name,
    )


def content_problems(*, thresholds: dict, titles: dict, publicity_working_days) -> dict[str, list[str]]:
    """What keeps a county's thresholds, titles and 公示 length from being rules, by field
    ("threshold:<key>", "title:<base type>", "publicity_working_days"). A county may ask more than
    the notice, never less (第十七条: its rules are made 参照本指南)."""
    problems: dict[str, list[str]] = {}
    declared = all_thresholds()
    unknown = set(thresholds) - set(declared)
    if unknown:
        problems.setdefault("thresholds", []).append(f"未定义的条件指标：{'、'.join(sorted(unknown))}。")
    for key, threshold in declared.items():
        value = thresholds.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            problems[f"threshold:{key}"] = [f"“{threshold.label}”须为整数。"]
        elif threshold.looser(value):
            problems[f"threshold:{key}"] = [
                f"县级规则可以严于、不能宽于市级标准：“{threshold.label}”应{threshold.words(threshold.value)}"
                f"或更严（填写了 {value}）。"
            ]
        elif value > threshold.maximum:
            problems[f"threshold:{key}"] = [f"“{threshold.label}”不能超过 {threshold.maximum}（填写了 {value}）。"]
    unknown = set(titles) - set(SPECS)
    if unknown:
        problems.setdefault("titles", []).append(f"未定义的基地类型：{'、'.join(sorted(unknown))}。")
    for base_type, spec in SPECS.items():
        title = (titles.get(base_type) or "").strip() if isinstance(titles.get(base_type), str) else ""
        if not title:
            problems[f"title:{base_type}"] = [f"请填写{spec.form_number}的表名。"]
        elif len(title) > TITLE_MAX_LENGTH:
            problems[f"title:{base_type}"] = [f"表名最多 {TITLE_MAX_LENGTH} 字（当前 {len(title)} 字）。"]
        elif not title.endswith("申报表"):
            problems[f"title:{base_type}"] = [f"表名应以“申报表”结尾（填写了“{title}”）。"]
    days = publicity_working_days
    if not isinstance(days, int) or not PUBLICITY_DAYS_MIN <= days <= PUBLICITY_DAYS_MAX:
        problems["publicity_working_days"] = [
            f"公示期应为 {PUBLICITY_DAYS_MIN}–{PUBLICITY_DAYS_MAX} 个工作日（不少于5个工作日）。"
        ]
    return problems


def deadline_problem(deadline: datetime.date, *, batch, changed: bool) -> str:
    """A county's deadline lies in its batch's year or the next (a batch may be extended past the new
    year), and a changed one not before today: a deadline typed into the past would close the round
    behind the applicants' backs."""
    if not batch.year <= deadline.year <= batch.year + 1:
        return f"截止日期应在{batch.year}年或{batch.year + 1}年内（填写了{deadline.year}年）。"
    today = timezone.localdate()
    if changed and deadline < today:
        return f"截止日期不能早于今天（{today.year}年{today.month}月{today.day}日）。"
    return ""
