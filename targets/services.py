"""Writes of the targets: the city sets a year's targets (on the page or from an imported 附件1), the
bundled reference targets load, 贯标企业 are entered in the register and taken out of it."""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bases.models import County, User

from . import permissions, selectors
from .choices import StandardPractice, TargetKind
from .models import PeriodGoal, StandardEnterprise, Target

REFERENCE_FILE = "targets.json"


@transaction.atomic
def targets_set(*, year: int, figures: dict[tuple[int, str], int], user: User) -> int:
    """第十二条: set a year's targets, all of them at once (one per county and kind: the form's rows
    or an imported 附件1), or none: a figure the model refuses undoes the whole call.

    Side effects: Target rows created or changed (their 下达人 the user); the cached figures move on
    (bases.cached: every save of a Target).
    Returns how many rows were created or changed."""
    if not permissions.may_set_targets(user):
        raise PermissionDenied("年度建设任务由市局系统管理员下达。")
    existing = {(t.county_id, t.kind): t for t in Target.objects.select_for_update().filter(year=year)}
    changed = 0
    for (county_id, kind), count in sorted(figures.items()):
        target = existing.get((county_id, kind)) or Target(year=year, county_id=county_id, kind=TargetKind(kind))
        if target.pk is not None and target.count == count:
            continue
        target.count, target.updated_by = count, user
        target.full_clean()
        target.save()
        changed += 1
    return changed


@transaction.atomic
def reference_targets_load(*, fixtures_dir: Path) -> int:
    """The figures the notice itself sets (fixtures/targets.json): 附件1's targets for 2021 per county
    and the goals of 十四五 (二、工作目标). Only what is missing is created, matched by year, county
    code and kind (goals by period and kind): figures the city admin changed stay. Returns how many
    rows were created."""
    path = fixtures_dir / REFERENCE_FILE
    if not path.exists():
        return 0
    data = json.loads(path.read_text(encoding="utf-8"))
    counties = {county.code: county for county in County.objects.all()}
    created = 0
    for row in data["targets"]:
        county = counties.get(row["county_code"])
        if county is None:
            continue
        for kind in TargetKind:
            if not Target.objects.filter(year=row["year"], county=county, kind=kind).exists():
                _created(Target(year=row["year"], county=county, kind=kind, count=row[kind.value]))
                created += 1
    for row in data["goals"]:
        for kind in TargetKind:
            if not PeriodGoal.objects.filter(name=row["name"], kind=kind).exists():
                _created(
                    PeriodGoal(
                        name=row["name"],
                        kind=kind,
                        first_year=row["first_year"],
                        last_year=row["last_year"],
                        count=row[kind.value],
                    )
                )
                created += 1
    return created


def _created(row):
    row.full_clean()
    row.save()


def reference_targets_receiver(sender, *, fixtures_dir, **kwargs) -> int:
    """bases.signals.reference_data_loading: load_reference_data loads the targets too."""
    return reference_targets_load(fixtures_dir=Path(fixtures_dir))


@transaction.atomic
def standard_enterprise_add(
    *, user: User, credit_code: str, name: str, county: County, year: int, practice: str, note: str = ""
) -> StandardEnterprise:
    """附件1 备注: enter an enterprise that implements or tries out the provincial standard (or runs its
    own protection) in the register, in the county and year it counts for; once, by its credit code.

    Side effects: one StandardEnterprise; the cached figures move on (bases.cached)."""
    if not permissions.may_register_enterprise(county.pk, user):
        raise PermissionDenied("只能登记本辖区的贯标企业。")
    code = (credit_code or "").strip().upper()
    already = selectors.standard_enterprise_by_code(code)
    if already is not None:
        raise ValidationError(
            f"该企业已于{already.year}年登记为{already.county}的贯标企业（{already.name}），每家企业只计一次。",
            code="counted",
        )
    enterprise = StandardEnterprise(
        credit_code=code,
        name=name.strip(),
        county=county,
        year=year,
        practice=StandardPractice(practice),
        note=note.strip(),
        recorded_by=user,
    )
    enterprise.full_clean()
    enterprise.save()
    return enterprise


@transaction.atomic
def standard_enterprise_remove(*, user: User, enterprise: StandardEnterprise) -> None:
    """Take an enterprise entered in error out of the register. Side effects: the row deleted; the
    cached figures move on (bases.cached)."""
    if not permissions.may_register_enterprise(enterprise.county_id, user):
        raise PermissionDenied("只能移除本辖区的贯标企业。")
    enterprise.delete()
