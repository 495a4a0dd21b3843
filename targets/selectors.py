"""Reads of the targets and the statistics, scoped to the user: the city's staff see every county,
a county's staff their own (deny by default: nobody else sees any). What counts as done against a
target is defined once, in `actuals`, and shown on the dashboard as ACTUAL_RULES says it.

Every figure is a grouped count (a handful of rows, never the rows counted), so the dashboard costs
the same few queries at 30 applications and at 20,000; its figures are kept together in the cache
(bases.cached.kept, one entry per year and scope) and counted again only when what they count
changes."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from bases import cached, states
from bases import permissions as base_permissions
from bases.choices import BaseStatus, Level, LogAction, State
from bases.models import ApplicationLog, Base, County
from bases.selectors import applications_for_user
from bases.spreadsheets import PERCENT, Column
from reviews.choices import UpwardStatus
from reviews.models import GuidanceVisit, UpwardRecommendation
from reviews.selectors import support_counts, upward_counts

from .choices import FIRST_YEAR, KINDS, TargetKind
from .models import PeriodGoal, StandardEnterprise, Target

# --- Scope and years ------------------------------------------------------------------------------


def counties_for_user(user) -> QuerySet[County]:
    """The counties whose figures the user sees: all for the city's staff, its own for a county's."""
    if base_permissions.is_city(user):
        return County.objects.all()
    if base_permissions.is_county_staff(user):
        return County.objects.filter(pk=user.county_id)
    return County.objects.none()


def target_years() -> list[int]:
    """The years targets are set and shown for: from the notice's to next year (第十二条: set ahead)."""
    return list(range(FIRST_YEAR, timezone.localdate().year + 2))


def register_years() -> list[int]:
    """The years a 贯标企业 may be counted in: from the notice's to this one."""
    return list(range(FIRST_YEAR, timezone.localdate().year + 1))


def counties() -> QuerySet[County]:
    return County.objects.all()


# --- What counts as done: defined here, once ------------------------------------------------------

ACTUAL_RULES = {
    TargetKind.PROVINCIAL: (
        "向上推荐（县局初审推荐、市局推荐上报）中省级评审结果为“获评”的基地，按结果日期计入当年（每个基地只计一次）"
    ),
    TargetKind.CITY: "市级基地，按认定日期计入当年",
    TargetKind.COUNTY: "县级基地，按认定日期计入当年",
    TargetKind.ENTERPRISES: "贯标企业名册中计入当年的企业（按统一社会信用代码，每家企业只计一次）",
}
REVOKED_RULE = "已被撤销认定的基地不计入完成数，在“已撤销”中单独列出；完成率超过100%的按实际显示。"


@dataclass
class Tally:
    done: int = 0  # counts towards the target
    revoked: int = 0  # would have, but the base's recognition has since been revoked


def actuals(county_ids, first_year: int, last_year: int) -> dict[tuple[int, int, str], Tally]:
    """What the counties did in the years first_year..last_year, per (year, county id, kind):

    - city- and county-level bases by the date of their recognition;
    - provincial bases by the date of an upward recommendation's outcome “获评” (第十六条（三）),
      each base once a year;
    - 贯标企业 by the year they are entered in the register (each enterprise once, by credit code);

    a base whose recognition was revoked since (第十五条) is counted apart, as `revoked`. Three
    grouped counts, whatever the number of rows."""
    county_ids = list(county_ids)
    start, end = datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31)
    found: dict[tuple[int, int, str], Tally] = {}

    def add(year, county, kind, status, n):
        tally = found.setdefault((year, county, kind), Tally())
        if status == BaseStatus.REVOKED:
            tally.revoked += n
        else:
            tally.done += n

    levels = {KINDS[kind].level: kind for kind in (TargetKind.CITY, TargetKind.COUNTY)}
    bases = (
        Base.objects.filter(
            level__in=list(levels), recognised_on__range=(start, end), organisation__county_id__in=county_ids
        )
        .order_by()
        .values("level", "status", in_year=ExtractYear("recognised_on"), county=F("organisation__county_id"))
        .annotate(n=Count("pk"))
    )
    for row in bases:
        add(row["in_year"], row["county"], levels[row["level"]], row["status"], row["n"])
    provincial = (
        UpwardRecommendation.objects.filter(
            level=Level.PROVINCIAL,
            status=UpwardStatus.RECOGNISED,
            outcome_on__range=(start, end),
            base__organisation__county_id__in=county_ids,
        )
        .order_by()
        .values(
            in_year=ExtractYear("outcome_on"), county=F("base__organisation__county_id"), base_status=F("base__status")
        )
        .annotate(n=Count("base", distinct=True))
    )
    for row in provincial:
        add(row["in_year"], row["county"], TargetKind.PROVINCIAL, row["base_status"], row["n"])
    enterprises = (
        StandardEnterprise.objects.filter(year__range=(first_year, last_year), county_id__in=county_ids)
        .order_by()
        .values("year", "county_id")
        .annotate(n=Count("pk"))
    )
    for row in enterprises:
        add(row["year"], row["county_id"], TargetKind.ENTERPRISES, "", row["n"])
    return found


# --- The dashboard --------------------------------------------------------------------------------


@dataclass
class Cell:
    kind: TargetKind
    target: int | None  # None: no target set
    done: int = 0
    revoked: int = 0

    @property
    def percent(self) -> float | None:
        """done / target in per cent, as it is (above 100 when the target was exceeded); None without a target."""
        if not self.target:
            return None
        return round(100 * self.done / self.target, 1)

    @property
    def ratio(self) -> float | None:
        return None if not self.target else self.done / self.target


@dataclass
class CountyRow:
    label: str
    county: County | None  # None: the 合计 row
    cells: list[Cell]


@dataclass
class FunnelStep:
    state: State
    label: str
    count: int


@dataclass
class GuidanceRow:
    county: County
    visits: int
    candidates: int


@dataclass
class GoalProgress:
    name: str
    first_year: int
    last_year: int
    through: int  # counted up to the end of this year
    cells: list[Cell]  # target: the goal; done: cumulative
    whole_city: bool


@dataclass
class Dashboard:
    year: int
    counties: list[County]
    kinds: list[TargetKind]
    rows: list[CountyRow]
    total: CountyRow | None  # None when the user sees one county only
    goals: GoalProgress | None
    funnel: list[FunnelStep]
    guidance: list[GuidanceRow]
    rules: list[tuple[str, str]] = field(default_factory=list)


def dashboard(user, year: int, *, county: County | None = None) -> Dashboard:
    """The figures of the dashboard (and of its charts and the 附件1 download) for the user's
    counties, or for one of them, in `year`: per county and kind the target, what was done and what
    was revoked; the goals of the planning period; the applications of the year's batch by state;
    the guidance visits. A constant number of grouped queries, their figures kept together in the
    cache until what they count changes."""
    scope = [c for c in counties_for_user(user) if county is None or c.pk == county.pk]
    ids = [each.pk for each in scope]
    whole_city = county is None and not user.county_id
    applications = _funnel_applications(user, year, ids)
    return cached.kept(
        "dashboard", (year, ids, whole_city, applications), lambda: _dashboard(scope, year, whole_city, applications)
    )


def _dashboard(scope: list[County], year: int, whole_city: bool, applications) -> Dashboard:
    ids = [each.pk for each in scope]
    kinds = list(TargetKind)
    period = period_goals(year)
    first = min(year, period["first_year"]) if period else year
    done = actuals(ids, first, year)
    targets = {
        (row["county_id"], row["kind"]): row["count"]
        for row in Target.objects.filter(year=year, county_id__in=ids).order_by().values("county_id", "kind", "count")
    }
    rows = []
    for each in scope:
        cells = []
        for kind in kinds:
            tally = done.get((year, each.pk, kind), Tally())
            cells.append(Cell(kind, targets.get((each.pk, kind)), tally.done, tally.revoked))
        rows.append(CountyRow(each.name, each, cells))
    total = CountyRow("合计", None, _summed(rows, kinds)) if len(rows) > 1 else None
    return Dashboard(
        year=year,
        counties=scope,
        kinds=kinds,
        rows=rows,
        total=total,
        goals=_goal_progress(period, done, ids, year, whole_city=whole_city) if period else None,
        funnel=funnel(applications),
        guidance=guidance(scope, year),
        rules=[(KINDS[kind].short, ACTUAL_RULES[kind]) for kind in kinds],
    )


def _summed(rows: list[CountyRow], kinds) -> list[Cell]:
    cells = []
    for index, kind in enumerate(kinds):
        column = [row.cells[index] for row in rows]
        targets = [cell.target for cell in column if cell.target is not None]
        cells.append(
            Cell(
                kind,
                sum(targets) if targets else None,
                sum(cell.done for cell in column),
                sum(cell.revoked for cell in column),
            )
        )
    return cells


def period_goals(year: int) -> dict | None:
    """The planning period shown with `year`: the one that covers it, else the last that ended before
    it; with its goal per kind ({"name", "first_year", "last_year", "goals": {kind: count}})."""
    periods: dict[str, dict] = {}
    for row in PeriodGoal.objects.order_by("first_year", "name").values(
        "name", "first_year", "last_year", "kind", "count"
    ):
        period = periods.setdefault(
            row["name"],
            {"name": row["name"], "first_year": row["first_year"], "last_year": row["last_year"], "goals": {}},
        )
        period["goals"][row["kind"]] = row["count"]
    covering = [p for p in periods.values() if p["first_year"] <= year <= p["last_year"]]
    ended = [p for p in periods.values() if p["last_year"] < year]
    if covering:
        return covering[-1]
    return max(ended, key=lambda p: p["last_year"]) if ended else None


def _goal_progress(period, done, ids, year, *, whole_city: bool) -> GoalProgress:
    through = min(year, period["last_year"])
    cells = []
    for kind in TargetKind:
        tallies = [
            done.get((y, county, kind), Tally()) for y in range(period["first_year"], through + 1) for county in ids
        ]
        cells.append(
            Cell(kind, period["goals"].get(kind), sum(t.done for t in tallies), sum(t.revoked for t in tallies))
        )
    return GoalProgress(period["name"], period["first_year"], period["last_year"], through, cells, whole_city)


def _funnel_applications(user, year: int, county_ids) -> QuerySet:
    """The applications of the year's batch the user sees in these counties."""
    return applications_for_user(user).filter(batch__year=year, county_id__in=list(county_ids))


def funnel(applications: QuerySet) -> list[FunnelStep]:
    """The applications by state, in the order of the state table (its labels), none left out."""
    counts = {row["state"]: row["n"] for row in applications.order_by().values("state").annotate(n=Count("pk"))}
    return [FunnelStep(state, states.label(state), counts.get(state, 0)) for state in states.STATES]


def guidance(scope: list[County], year: int) -> list[GuidanceRow]:
    """第十三条: the 培育指导 visits each county made in the year, and to how many candidates."""
    rows = {
        row["county"]: row
        for row in GuidanceVisit.objects.filter(
            visited_on__year=year, application__county_id__in=[county.pk for county in scope]
        )
        .order_by()
        .values(county=F("application__county_id"))
        .annotate(visits=Count("pk"), candidates=Count("application", distinct=True))
    }
    return [
        GuidanceRow(county, rows.get(county.pk, {}).get("visits", 0), rows.get(county.pk, {}).get("candidates", 0))
        for county in scope
    ]


def targets_of_year(year: int) -> dict[tuple[int, str], int]:
    """The targets set for a year: (county id, kind) -> count."""
    return {(t.county_id, t.kind): t.count for t in Target.objects.filter(year=year)}


# --- The 附件1 table as a spreadsheet ---------------------------------------------------------------


def annex_columns(kinds) -> list[Column]:
    """区、县（市）, then per kind: the target, what was done, the percentage and the revoked (apart)."""
    columns = [Column("区、县（市）", 14)]
    for kind in kinds:
        short = KINDS[kind].short
        columns += [Column(f"{short}任务数", 10), Column(f"{short}完成数", 10), Column(f"{short}完成率", 10, PERCENT)]
        if KINDS[kind].level is not None:
            columns.append(Column(f"{short}已撤销（不计入）", 12))
    return columns


def annex_row(row: CountyRow) -> list:
    values = [row.label]
    for cell in row.cells:
        values += [cell.target, cell.done, cell.ratio]
        if KINDS[cell.kind].level is not None:
            values.append(cell.revoked)
    return values


# --- A county's yearly summary (第三条（五）) --------------------------------------------------------

SUMMARY_COLUMNS = (Column("项目", 34), Column("数量", 10), Column("说明", 60))
BASES_OF_YEAR_COLUMNS = (
    Column("基地名称", 36),
    Column("基地类型", 11),
    Column("级别", 7),
    Column("认定文号", 22),
    Column("认定日期", 12),
    Column("状态", 8),
    Column("撤销日期", 12),
    Column("撤销文号", 22),
)


def county_summary(user, county: County, year: int) -> list[tuple]:
    """What a county did in a year, for its yearly summary (第三条（五）): candidates registered and
    coached, the applications of the year's batch by state, recommended to the city, recognised per
    level (as the dashboard counts them), revoked, and 贯标企业; each with what it counts."""
    board = dashboard(user, year, county=county)
    by_kind = {cell.kind: cell for cell in board.rows[0].cells}
    in_county = {"application__county_id": county.pk, "created_at__year": year}
    candidates = ApplicationLog.objects.filter(action=LogAction.CREATE, to_state=State.CULTIVATION, **in_county)
    recommended = (
        ApplicationLog.objects.filter(to_state=State.RECOMMENDED, **in_county).values("application").distinct().count()
    )
    visits = board.guidance[0]
    revoked = Base.objects.filter(organisation__county=county, status=BaseStatus.REVOKED, revoked_on__year=year)
    lines = [
        ("培育对象", candidates.count(), f"{year}年县局登记的培育对象"),
        ("培育指导次数", visits.visits, f"{year}年记录的培育指导"),
        ("接受培育指导的对象", visits.candidates, "当年至少接受一次培育指导的对象"),
    ]
    lines += [(f"申报：{step.label}", step.count, f"{year}年度批次中当前为该状态的申报") for step in board.funnel]
    lines += [
        ("审核推荐至市局", recommended, f"{year}年县局审核推荐的申报"),
        *(
            (
                f"{KINDS[kind].short}{'' if kind == TargetKind.ENTERPRISES else '基地'}：任务数",
                by_kind[kind].target,
                "市局下达的年度任务（附件1）" if by_kind[kind].target is not None else "未下达",
            )
            for kind in TargetKind
        ),
        *(
            (
                f"{KINDS[kind].short}{'' if kind == TargetKind.ENTERPRISES else '基地'}：完成数",
                by_kind[kind].done,
                ACTUAL_RULES[kind]
                + (f"；另有{by_kind[kind].revoked}个已撤销，不计入" if by_kind[kind].revoked else ""),
            )
            for kind in TargetKind
        ),
        ("撤销认定", revoked.count(), f"{year}年作出撤销决定的基地（第十五条）"),
        *upward_counts(county, year),
        *support_counts(county, year),
    ]
    return lines


def bases_of_year(county: County, year: int) -> Iterator[tuple]:
    """The county's bases recognised or revoked in the year, for the summary's second sheet."""
    queryset = Base.objects.filter(
        Q(recognised_on__year=year) | Q(revoked_on__year=year), organisation__county=county
    ).order_by("recognised_on", "name")
    for base in queryset:
        yield (
            base.name,
            base.get_base_type_display(),
            base.get_level_display(),
            base.document_number,
            base.recognised_on,
            base.get_status_display(),
            base.revoked_on,
            base.revocation_document,
        )


# --- The register of 贯标企业 ----------------------------------------------------------------------


def standard_enterprises_for_user(user) -> QuerySet[StandardEnterprise]:
    """The 贯标企业 of the user's counties."""
    return StandardEnterprise.objects.select_related("county", "recorded_by").filter(county__in=counties_for_user(user))


def standard_enterprises_search(user, *, year=None, county=None, q: str = "") -> QuerySet[StandardEnterprise]:
    queryset = standard_enterprises_for_user(user)
    if year:
        queryset = queryset.filter(year=year)
    if county:
        queryset = queryset.filter(county=county)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(credit_code=q.strip().upper()))
    return queryset


def standard_enterprise_by_code(credit_code: str) -> StandardEnterprise | None:
    """The register's entry of a credit code, whoever registered it (to say it is counted already)."""
    return StandardEnterprise.objects.select_related("county").filter(credit_code=credit_code).first()
