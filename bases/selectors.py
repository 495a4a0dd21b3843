"""Reads. Every queryset a page shows comes from here, scoped to the user, and so do the
application's actions, history, progress (办件进度) and the work queues.

Each scoped selector starts from nothing and adds rows per role (deny by default).
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Count, Exists, F, Func, OuterRef, Q, QuerySet, Sum, TextField, Value
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.models import GroupObjectPermission, UserObjectPermission

from . import cached, lookup_codes, permissions, states
from .calendar import WorkingCalendar
from .choices import (
    APPLICATION_LEVELS,
    CITY_ROLES,
    AttachmentPurpose,
    BaseType,
    Level,
    Office,
    OrganisationStatus,
    Role,
    State,
)
from .log_seal import digest_of, entry_digest
from .models import (
    Application,
    ApplicationLog,
    Attachment,
    Base,
    Batch,
    CalendarDay,
    CalendarYear,
    County,
    CountyRules,
    CountyRulesChange,
    Industry,
    LogHead,
    Organisation,
    SecurityEvent,
    User,
    rules_in_force,
)
from .paper import signing_form
from .public_fields import public_columns
from .spreadsheets import Column
from .workflow import refusal_message

CITY_BUREAU = "绍兴市市场监督管理局"


class NameGrams(Func):
    """PostgreSQL: the one- and two-character pieces of a name, in capitals (bases_name_grams,
    migration 0013); its GIN indexes answer `NameGrams(name) @> QueryGrams(q)`."""

    function = "bases_name_grams"
    output_field = ArrayField(TextField())


class QueryGrams(Func):
    """PostgreSQL: the two-character pieces of a query (the query itself when one character long),
    in capitals: all of them are among a name's pieces when the name contains the query."""

    function = "bases_query_grams"
    output_field = ArrayField(TextField())


def granted_application_ids(user) -> list[int]:
    """The applications granted to the user one by one with django-guardian (e.g. an acceptance-group
    member), directly or through a group: their ids, read from the grants alone (one query), so that
    a scope joins them on the integer key. Grants on single objects only: a model-wide
    "view_application_granted" would open every row."""
    content_type = ContentType.objects.get_for_model(Application)
    grants = {"permission__codename": "view_application_granted", "content_type": content_type}
    direct = UserObjectPermission.objects.filter(user=user, **grants).values_list("object_pk", flat=True)
    via_groups = GroupObjectPermission.objects.filter(group__user=user, **grants).values_list("object_pk", flat=True)
    return sorted({int(pk) for pk in direct.union(via_groups)})


def applications_for_user(user) -> QuerySet[Application]:
    """Applications the user may see: own organisation's, own county's, or all (city, and the city
    bureau's leader; a county bureau's leader sees its county's).

    Plus those granted one by one with django-guardian (granted_application_ids). Expressed so that
    PostgreSQL answers from indexes: the county is a column of the application, grants a list of ids.
    """
    if not (user and user.is_authenticated and user.is_active):
        return Application.objects.none()
    base = Application.objects.select_related("organisation__county", "batch", "industry")
    if permissions.is_city(user) or permissions.is_city_leader(user):
        return base.all()
    return base.filter(_scope(user, county="county_id", application="pk"))


def _scope(user, *, county: str, application: str) -> Q:
    """A county's rows (by the field `county`), an applicant's organisation's, and the applications
    granted to the user (by the field `application`); nothing for anyone else."""
    scope = Q(pk__in=[])
    if permissions.is_county_staff(user) or permissions.is_county_leader(user):
        scope = Q(**{county: user.county_id})
    elif permissions.is_confirmed_applicant(user):
        scope = Q(organisation_id=user.organisation_id)
    granted = granted_application_ids(user)
    return scope | Q(**{f"{application}__in": granted}) if granted else scope


def applications_listed(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """A list page's applications: without the long texts and the self-assessment it does not show."""
    return queryset.defer(*LONG_FIELDS)


LONG_FIELDS = (
    "narrative",
    "applicant_opinion",
    "county_opinion",
    "city_opinion",
    "approval_opinion",
    "self_assessment",
    "address",
    "leader_name",
    "contact_name",
    "contact_title",
    "contact_phone",
)


# The application list as a spreadsheet: its columns, and its rows read from the list's own queryset.
APPLICATION_EXPORT_COLUMNS = (
    Column("申报编号", 14),
    Column("单位名称", 36),
    Column("统一社会信用代码", 22),
    Column("基地类型", 11),
    Column("申报级别", 9),
    Column("所在区、县（市）", 15),
    Column("所属行业", 12),
    Column("批次年度", 9),
    Column("当前状态", 12),
    Column("当前办理", 14),
    Column("提交日期", 12),
    Column("更新时间", 18),
    Column("联系人", 10, personal=True),
    Column("联系电话", 16, personal=True),
)
_EXPORT_FIELDS = (
    "reference",
    "applicant_name",
    "organisation__name",
    "organisation__credit_code",
    "base_type",
    "level",
    "county__name",
    "industry__name",
    "batch__year",
    "state",
    "submitted_at",
    "updated_at",
    "contact_name",
    "contact_phone",
)


def application_export_rows(queryset: QuerySet[Application]) -> Iterator[tuple]:
    """The rows of APPLICATION_EXPORT_COLUMNS for the applications of `queryset` (the list page's,
    filtered and ordered as the page shows them: the spreadsheet is the screen), read in chunks
    without loading a model instance; dates as local dates and times."""
    base_types, levels = dict(BaseType.choices), dict(Level.choices)
    offices = {(state, level): office_label(state, level) for state in State for level in APPLICATION_LEVELS}
    local = timezone.get_current_timezone()
    for (
        reference,
        applicant_name,
        organisation_name,
        credit_code,
        base_type,
        level,
        county,
        industry,
        year,
        state,
        submitted_at,
        updated_at,
        contact_name,
        contact_phone,
    ) in queryset.values_list(*_EXPORT_FIELDS).iterator(chunk_size=2000):
        yield (
            reference,
            applicant_name or organisation_name,
            credit_code,
            base_types.get(base_type, base_type),
            levels.get(level, level),
            county,
            industry or "",
            year,
            states.label(state),
            offices.get((state, level), ""),
            submitted_at.astimezone(local).date() if submitted_at else None,
            updated_at.astimezone(local).replace(tzinfo=None),
            contact_name,
            contact_phone,
        )


def office_label(state, level) -> str:
    """Who has an application in this state now, in a word: 申报单位, 所在地县局, 市局 (or their
    分管领导), or 已办结."""
    office = states.office_of(state, level)
    if office is None or states.is_final(state):
        return "已办结"
    return holder_name(state, level)


def holder_name(state, level) -> str:
    """The office holding an application in this state, in a word (for the lists and /workflow/)."""
    office = states.office_of(state, level)
    if office == Office.APPLICANT or office is None:
        return BUREAU_NAMES[None]
    name = BUREAU_NAMES[states.bureau_of(office, level)]
    return f"{name}分管领导" if office == Office.LEADER else name


def applications_search(queryset: QuerySet[Application], q: str) -> QuerySet[Application]:
    """Applications whose reference number starts with `q`, whose organisation's credit code is `q`
    (both case-insensitive: they are stored in capitals), or whose name (as filed or the
    organisation's) contains `q`. On PostgreSQL each part is answered by an index (the names by
    the GIN index of their one- and two-character pieces, then checked as a contains-match)."""
    q = q.strip()
    if not q:
        return queryset
    code = q.upper()
    if connection.vendor != "postgresql":
        return queryset.filter(
            Q(reference__startswith=code)
            | Q(applicant_name__icontains=q)
            | Q(organisation__name__icontains=q)
            | Q(organisation__credit_code=code)
        )
    # Two parts, not one OR: an OR with the credit code keeps PostgreSQL from the GIN index, and it
    # then computes the pieces of every organisation's name (440 ms at 13,600 organisations).
    organisations = (
        Organisation.objects.alias(grams=NameGrams("name"))
        .filter(grams__contains=QueryGrams(Value(q)), name__icontains=q)
        .order_by()  # a set of keys: the organisations' list order would sort every match
        .values("pk")
        .union(Organisation.objects.filter(credit_code=code).order_by().values("pk"))
    )
    matching = (
        Application.objects.filter(reference__startswith=code)
        .order_by()
        .values("pk")
        .union(
            Application.objects.alias(grams=NameGrams("applicant_name"))
            .filter(grams__contains=QueryGrams(Value(q)), applicant_name__icontains=q)
            .order_by()
            .values("pk"),
            Application.objects.filter(organisation__in=organisations).order_by().values("pk"),
        )
    )
    return queryset.filter(pk__in=matching)


def attachments_for_user(user) -> QuerySet[Attachment]:
    return Attachment.objects.select_related("application").filter(application__in=applications_for_user(user))


def signed_form_scans(application: Application) -> QuerySet[Attachment]:
    """The scans of the signed and sealed form, the latest first."""
    return Attachment.objects.filter(application=application, purpose=AttachmentPurpose.SIGNED_FORM).order_by(
        "-uploaded_at", "-pk"
    )


@dataclass(frozen=True)
class SignedFormCheck:
    """What the application page says about the paper form: the 校验码 of the form printed for this
    submission, and each scan with whether its 校验码 is that one."""

    code: str
    scans: list  # (Attachment, matches)

    @property
    def received(self) -> bool:
        return any(matches for _, matches in self.scans)


def signed_form_check(application: Application, attachments) -> SignedFormCheck | None:
    """The signed form's scans among `attachments` (the page's own list), checked against the form
    printed for this submission; None before the application was submitted."""
    if application.submitted_at is None:
        return None
    code = signing_form(application).code
    scans = sorted(
        (a for a in attachments if a.purpose == AttachmentPurpose.SIGNED_FORM),
        key=lambda a: (a.uploaded_at, a.pk),
        reverse=True,
    )
    return SignedFormCheck(code=code, scans=[(a, a.form_code == code) for a in scans])


@dataclass(frozen=True)
class AttachmentUsage:
    """How much of an application's evidence quota (ATTACHMENT_MAX_FILES files, ATTACHMENT_MAX_TOTAL_BYTES
    in all) its files take."""

    files: int
    bytes: int
    max_files: int
    max_bytes: int

    @property
    def files_left(self) -> int:
        return max(self.max_files - self.files, 0)

    @property
    def bytes_left(self) -> int:
        return max(self.max_bytes - self.bytes, 0)


def attachment_usage(application: Application) -> AttachmentUsage:
    """The evidence files of one application against the quota. 陈述申辩 materials are not counted:
    they come once per revocation procedure, at most one post of files, and a full quota must not
    keep an organisation from answering."""
    totals = Attachment.objects.filter(application=application, purpose=AttachmentPurpose.EVIDENCE).aggregate(
        files=Count("pk"), bytes=Sum("size")
    )
    return AttachmentUsage(
        files=totals["files"],
        bytes=totals["bytes"] or 0,
        max_files=settings.ATTACHMENT_MAX_FILES,
        max_bytes=settings.ATTACHMENT_MAX_TOTAL_BYTES,
    )


def organisations_for_user(user) -> QuerySet[Organisation]:
    """Organisations the user may see: all (city), its county's (county), its own (applicant, even
    while its registration waits for the county). The predicates refuse inactive and anonymous users."""
    base = Organisation.objects.select_related("county", "industry")
    if permissions.is_city(user):
        return base.all()
    if permissions.is_county_staff(user):
        return base.filter(county_id=user.county_id)
    if permissions.is_applicant(user) and user.organisation_id:
        return base.filter(pk=user.organisation_id)
    return Organisation.objects.none()


def organisations_search(user, *, status: str = "", q: str = "") -> QuerySet[Organisation]:
    """The user's organisations, by confirmation status and by name (part of it) or exact credit code."""
    queryset = organisations_for_user(user)
    if status:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(credit_code__iexact=q))
    return queryset


def organisation_users(organisation) -> QuerySet[User]:
    return User.objects.filter(organisation=organisation).order_by("username")


def pending_organisations_count(user) -> int | None:
    """Self-registered organisations waiting for the user's confirmation; None for who confirms none."""
    if not (permissions.is_county_staff(user) or permissions.is_city_admin(user)):
        return None
    return organisations_for_user(user).filter(status=OrganisationStatus.PENDING).count()


def bases_for_user(user) -> QuerySet[Base]:
    """Recognised bases: all for the city (and its leader), the county's own for a county (and its
    leader), the organisation's for an applicant."""
    if not (user and user.is_authenticated and user.is_active):
        return Base.objects.none()
    base = Base.objects.select_related("organisation__county", "application")
    if permissions.is_city(user) or permissions.is_city_leader(user):
        return base.all()
    # As applications_for_user, without a join to the applications: a base's organisation is its
    # application's, whose county is the application's county.
    return base.filter(_scope(user, county="organisation__county_id", application="application_id"))


def current_batch() -> Batch | None:
    """The batch applicants file into now: the newest one still open, else the newest."""
    newest_first = Batch.objects.order_by("-year")
    return newest_first.filter(deadline__gte=timezone.localdate()).first() or newest_first.first()


def active_application(*, organisation, batch) -> Application | None:
    return (
        Application.objects.filter(organisation=organisation, batch=batch)
        .exclude(state__in=states.states_where("active", False))
        .first()
    )


def applications_unsubmitted_at_deadline(deadline) -> QuerySet[Application]:
    """Applications not yet submitted whose rules close on `deadline` (deadline reminders): the
    batch's, or for a county-level application its county's own deadline where the county has rules
    (Application.rules)."""
    own_rules = CountyRules.objects.filter(batch_id=OuterRef("batch_id"), county_id=OuterRef("county_id"))
    county_level = Q(level=Level.COUNTY)
    return (
        Application.objects.filter(state__in=states.states_where("unsubmitted"))
        .filter(
            (Q(batch__deadline=deadline) & ~(county_level & Exists(own_rules)))
            | (county_level & Exists(own_rules.filter(deadline=deadline)))
        )
        .select_related("organisation", "batch")
    )


def applications_submitted_before(moment) -> QuerySet[Application]:
    """Submitted applications that have waited at their county since before `moment`."""
    return Application.objects.filter(state=State.SUBMITTED, submitted_at__lt=moment).select_related(
        "organisation__county"
    )


def working_calendar() -> WorkingCalendar:
    """Working days as the holiday table (节假日安排) says; years not entered are refused."""
    days = list(CalendarDay.objects.values_list("day", "is_workday"))
    return WorkingCalendar(
        years=CalendarYear.objects.values_list("year", flat=True),
        days_off=[day for day, is_workday in days if not is_workday],
        days_on=[day for day, is_workday in days if is_workday],
    )


def counties() -> QuerySet[County]:
    return County.objects.all()


def industries() -> QuerySet[Industry]:
    """The industries an applicant may choose."""
    return Industry.objects.filter(is_active=True)


def all_industries() -> QuerySet[Industry]:
    """Every industry, retired ones included (filters over past applications)."""
    return Industry.objects.all()


def batches() -> QuerySet[Batch]:
    return Batch.objects.all()


# --- People -----------------------------------------------------------------------------------------


def county_staff(county_id) -> QuerySet[User]:
    """The active staff of a county bureau (its leader aside: see leaders())."""
    return User.objects.filter(is_active=True, role=Role.COUNTY, county_id=county_id)


def city_staff() -> QuerySet[User]:
    """The active staff of the city bureau."""
    return User.objects.filter(is_active=True, role__in=CITY_ROLES)


def bureau_staff(bureau, county_id) -> QuerySet[User]:
    """The staff of a bureau (Level.CITY, or Level.COUNTY with the county); nobody for None."""
    if bureau == Level.CITY:
        return city_staff()
    if bureau == Level.COUNTY:
        return county_staff(county_id)
    return User.objects.none()


def leaders(bureau, county_id) -> QuerySet[User]:
    """The active 分管领导 of a bureau (Level.CITY, or Level.COUNTY with the county); nobody for None."""
    if bureau == Level.CITY:
        return User.objects.filter(is_active=True, role=Role.LEADER, county__isnull=True)
    if bureau == Level.COUNTY:
        return User.objects.filter(is_active=True, role=Role.LEADER, county_id=county_id)
    return User.objects.none()


def acceptance_group_candidates(application) -> QuerySet[User]:
    """Who may sit in an application's acceptance group: the staff of its acceptance authority
    (the city for city-level bases, its county for county-level ones)."""
    bureau = states.bureau_of(Office.AUTHORITY, application.level)
    return bureau_staff(bureau, application.organisation.county_id).order_by("last_name", "username")


def staff_holding(application, state=None) -> QuerySet[User]:
    """The staff of the office that has the application on its desk in `state` (default: its state
    now), as the state table says: the bureau's leaders while it waits for approval (报批)."""
    state = state or application.state
    bureau = states.holder(state, application.level)
    if states.held_by_leader(state, application.level):
        return leaders(bureau, application.organisation.county_id)
    return bureau_staff(bureau, application.organisation.county_id)


def applicant_users(application) -> QuerySet[User]:
    """The active users of the applying organisation (only applicants have one: constraint user_role_scope)."""
    return User.objects.filter(is_active=True, organisation_id=application.organisation_id)


# --- The workflow as a user meets it ---------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    style: str
    confirm: str
    comment: str | None  # None | "optional" | "required"
    form: str | None  # key of the action forms
    bulk: bool = False
    problems: tuple = ()  # what the declared validation still finds (e.g. submission_problems)

    @property
    def apart(self) -> bool:
        """Destructive actions (撤回, 不予推荐, 撤销 …) stand apart, on a page of their own."""
        return self.style == "danger"

    @property
    def inline(self) -> bool:
        """Other actions without a form or a comment of their own are a button on the application page."""
        return self.form is None and self.comment is None and not self.apart


def action_from(transition, application=None) -> Action:
    custom = transition.custom
    problems = tuple(getattr(application, custom["validate"])()) if application and custom.get("validate") else ()
    return Action(
        name=transition.name,
        label=custom["label"],
        style=custom["style"],
        confirm=custom.get("confirm", ""),
        comment=custom.get("comment"),
        form=custom.get("form"),
        bulk=bool(custom.get("bulk")),
        problems=problems,
    )


def available_actions(application, user) -> list[Action]:
    """The transitions the declaration allows this user now: the only source of action buttons."""
    return [action_from(t, application) for t in application.get_available_user_state_transitions(user)]


@dataclass(frozen=True)
class RefusedAction:
    """An action the user may take in this state but not yet, and why (the conditions' refusals)."""

    action: Action
    reasons: tuple[str, ...]


def refused_actions(application, user) -> list[RefusedAction]:
    """Transitions out of the current state that the user may run but whose conditions do not hold
    now: the application page says what is missing instead of hiding them."""
    refused = []
    for transition in application.get_all_state_transitions():
        if transition.source != application.state or not transition.has_perm(application, user):
            continue
        reasons = tuple(refusal_message(c, application) for c in transition.conditions if not c(application))
        if reasons:
            refused.append(RefusedAction(action=action_from(transition), reasons=reasons))
    return refused


def all_transitions() -> list[dict]:
    """Every declared transition (one row per source state): for the diagram and the tests."""
    state_field = Application._meta.get_field("state")
    return [
        {
            "name": transition.name,
            "source": transition.source,
            "target": transition.target,
            "label": transition.custom["label"],
            "permission": transition.permission.label,
            "conditions": [condition.label for condition in transition.conditions],
        }
        for transition in state_field.get_all_transitions(Application)
    ]


BUREAU_NAMES = {Level.CITY: "市局", Level.COUNTY: "所在地县局", None: "申报单位"}


def workflow_states() -> list[dict]:
    """The /workflow/ page: each state of the table, in its order, with what it means per level
    (one row where both levels agree) and the declared transitions out of it."""
    outgoing: dict[str, list] = {}
    for row in all_transitions():
        outgoing.setdefault(row["source"], []).append({**row, "target_label": states.label(row["target"])})
    rows = []
    for state in states.STATES:
        per_level = {}
        for level in APPLICATION_LEVELS:
            step = states.step_of(state, level)
            if step is not None:
                per_level[level] = {
                    "step": states.step_label(step, level),
                    "office": holder_name(state, level),
                    "next_step": states.next_step(state, level),
                    "queue": states.queue_of(state, level),
                }
        if len(per_level) == 2 and per_level[Level.CITY] == per_level[Level.COUNTY]:
            levels = [{"level": "市级、县级", **per_level[Level.CITY]}]
        else:
            levels = [{"level": Level(level).label, **meaning} for level, meaning in per_level.items()]
        rows.append(
            {
                "value": state.value,
                "label": states.label(state),
                "public": states.public_label(state),
                "levels": levels,
                "out": outgoing.get(state.value, []),
            }
        )
    return rows


def procedure_steps() -> list[dict]:
    """The steps of the procedure with their wording per level, for the /workflow/ page."""
    return [
        {
            "label": step.label,
            "county_label": step.county_label,
            "city_only": step.city_only,
        }
        for step in states.STEPS
    ]


def latest_return(application) -> ApplicationLog | None:
    """The bureau's latest 退回修改 (its reasons and flagged items) while the application is back
    with the applicant; None otherwise."""
    if application.state != State.RETURNED:
        return None
    return (
        ApplicationLog.objects.filter(application=application, to_state=State.RETURNED)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def application_log(application) -> QuerySet[ApplicationLog]:
    return ApplicationLog.objects.filter(application=application).select_related("actor__county")


# --- 办件进度查询 -------------------------------------------------------------------------------------


@dataclass
class ProgressStep:
    label: str
    status: str  # "done" | "current" | "todo" | "skipped"
    finished_at: object = None
    office: str = ""


@dataclass
class Progress:
    steps: list[ProgressStep]
    current_office: str
    next_step: str
    requests: list[ApplicationLog] = field(default_factory=list)  # what the bureaus asked of the applicant
    final: bool = False


def office_name(application, office) -> str:
    """The name of the office that does a step of this application."""
    if office == Office.APPLICANT:
        return f"{application.organisation.name}（申报单位）"
    if states.bureau_of(office, application.level) == Level.COUNTY:
        return application.organisation.county.bureau_name
    return CITY_BUREAU


def application_progress(application, log: list[ApplicationLog]) -> Progress:
    """Where the application stands: the steps of its level's procedure, which it has left and
    when (from its own log), the office that has it now and what comes next (the state table)."""
    level, state = application.level, application.state
    procedure = states.procedure(level)
    current = states.step_of(state, level)
    index = procedure.index(current) if current in procedure else None
    left_at = {}
    for entry in log:
        if entry.from_state and entry.to_state:  # a transition; no transition leaves an ended state
            left = states.step_of(entry.from_state, level)
            if left != states.step_of(entry.to_state, level):
                left_at[left.key] = entry.created_at
    steps = []
    for i, step in enumerate(procedure):
        if index is None:
            status = "done" if step.key in left_at else "skipped"
        elif i < index:
            status = "done"
        elif i == index:
            status = "done" if states.is_final(state) else "current"
        else:
            status = "todo"
        if status == "done" and i == 0 and step.key not in left_at:
            status = "skipped"  # never in cultivation
        steps.append(
            ProgressStep(
                label=states.step_label(step, level),
                status=status,
                finished_at=left_at.get(step.key) if status == "done" else None,
                office=office_name(application, step.office),
            )
        )
    return Progress(
        steps=steps,
        current_office=office_name(application, current.office) if current is not None else "",
        next_step=states.next_step(state, level),
        requests=[entry for entry in log if entry.to_state and states.is_explained(entry.to_state)],
        final=states.is_final(state),
    )


# --- The public portal (no sign-in) --------------------------------------------------------------------


def public_bases() -> QuerySet:
    """第十四条: every recognised base, revoked ones included (已撤销), as the public may know it: one
    dict per base holding the public fields of bases.public_fields and the page key, nothing else
    (only those columns are selected), newest recognition first (the index base_recognised)."""
    columns = public_columns()
    plain = [name for name, source in columns.items() if name == source]
    joined = {name: F(source) for name, source in columns.items() if name != source}
    return Base.objects.order_by("-recognised_on", "name").values(*plain, **joined)


def public_base_search(queryset: QuerySet, q: str) -> QuerySet:
    """Public bases whose name or document number contains `q`."""
    q = q.strip()
    if not q:
        return queryset
    return queryset.filter(Q(name__icontains=q) | Q(document_number__icontains=q))


def public_base_years() -> list[int]:
    """The years bases were recognised in, newest first (the public list's year filter)."""
    return sorted(set(Base.objects.order_by().values_list("year", flat=True).distinct()), reverse=True)


def normalised_code(text: str) -> str:
    """A reference number or 查询码 as typed, in the stored form: capitals, no spaces or hyphens."""
    return "".join(str(text or "").split()).replace("-", "").upper()


def application_by_lookup(reference: str, code: str) -> Application | None:
    """办件进度查询: the application whose reference number and 查询码 (on the 申报回执) are both given.
    Reference numbers are sequential, so the reference alone opens nothing: an unknown reference and a
    wrong code give the same None, and the code is checked against the stored digest in constant time
    (against a digest of no code at all when the reference is unknown or has no receipt yet, so that
    it takes the same time)."""
    reference = normalised_code(reference)
    application = (
        Application.objects.select_related("organisation__county").filter(reference=reference).first()
        if reference and len(reference) <= 20
        else None
    )
    if application is None or not application.lookup_code_hash:
        lookup_codes.matches(reference, lookup_codes.digest(reference, ""), code)
        return None
    return application if check_query_code(application, code) else None


@dataclass(frozen=True)
class PublicProgress:
    """办件进度 as the lookup shows it: the state in public wording, the steps with the dates they
    were done, the office that has the application now and the next step; nothing else (no names of
    people, no opinions, no comments)."""

    status: str
    steps: list[ProgressStep]
    current_office: str
    next_step: str
    final: bool


def public_progress(application: Application) -> PublicProgress:
    progress = application_progress(application, list(application_log(application)))
    current = states.step_of(application.state, application.level)
    office = ""
    if current is not None and not progress.final:
        office = "申报单位" if current.office == Office.APPLICANT else progress.current_office
    return PublicProgress(
        status=states.public_label(application.state),
        steps=[ProgressStep(label=s.label, status=s.status, finished_at=s.finished_at) for s in progress.steps],
        current_office=office,
        next_step=progress.next_step,
        final=progress.final,
    )


# --- Work queues -----------------------------------------------------------------------------------


def application_counts(user) -> tuple[int, list[dict]]:
    """The start page's figures in one scan: how many applications the user sees, and what waits for
    the user's bureau (the state table's queues), each counted."""
    queues = work_queue_list(user)
    counts = cached.aggregate(
        applications_for_user(user),
        total=Count("state"),  # counted on state: the index of (state, level) answers alone
        **{
            f"q{i}": Count("state", filter=Q(state=queue.state, level__in=queue.levels))
            for i, queue in enumerate(queues)
        },
    )
    return counts["total"], [
        {"title": queue.title, "state": queue.state, "count": counts[f"q{i}"]} for i, queue in enumerate(queues)
    ]


def work_queue_list(user) -> list:
    """The state table's queues of the user's bureau (none for who has no bureau)."""
    bureaus = []
    if permissions.is_county_staff(user):
        bureaus.append(Level.COUNTY)
    if permissions.is_city(user):
        bureaus.append(Level.CITY)
    if permissions.is_leader(user):
        return states.queues(Level.COUNTY if user.county_id else Level.CITY, leader=True)
    return [queue for bureau in bureaus for queue in states.queues(bureau)]


def work_queues(user) -> list[dict]:
    """What waits for the user's bureau (the state table's queues), each counted (one query; none
    for who has no queue)."""
    return application_counts(user)[1] if work_queue_list(user) else []


def accepted_awaiting_publicity(user) -> QuerySet[Application]:
    """Accepted applications whose 公示 the user may open (the acceptance authority's)."""
    return (
        applications_for_user(user).filter(state=State.ACCEPTED).order_by("level", "organisation__county__order", "pk")
    )


# --- The sealed log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogBreak:
    application_id: int
    reference: str
    entry_id: int
    created_at: datetime.datetime | None
    problem: str


@dataclass(frozen=True)
class LogCheck:
    applications: int
    entries: int
    first_break: LogBreak | None
    heads: str  # SHA-256 over every chain's last digest: keep a copy elsewhere to detect a rewritten chain


def log_chain_check() -> LogCheck:
    """Walk every application's chain in the order it was written: each entry must follow the one
    before it (its previous_digest) and carry the digest of its own content. The first entry that
    does not is reported; an entry removed or inserted shows as the link after it."""
    expected: dict[int, str] = {}
    entries, first_break = 0, None
    rows = ApplicationLog.objects.order_by("application_id", "pk").select_related("application")
    for entry in rows.iterator(chunk_size=2000):
        entries += 1
        previous = expected.get(entry.application_id, "")
        problem = ""
        if entry.previous_digest != previous:
            problem = "与上一条记录的链接断开（记录被删除、插入或改动）"
        elif entry.digest != entry_digest(entry):
            problem = "记录内容与其摘要不符（记录被改动）"
        if problem and first_break is None:
            first_break = LogBreak(
                entry.application_id, entry.application.reference, entry.pk, entry.created_at, problem
            )
        expected[entry.application_id] = entry.digest
    if first_break is None:
        recorded = dict(LogHead.objects.values_list("application_id", "digest"))
        for application_id in sorted(set(recorded) | set(expected)):
            if recorded.get(application_id) != expected.get(application_id):
                reference = Application.objects.filter(pk=application_id).values_list("reference", flat=True).first()
                first_break = LogBreak(
                    application_id, reference or "?", 0, None, "链末端与最后一条记录不符（末尾的记录被删除或链被改动）"
                )
                break
    heads = digest_of("\n".join(f"{app}:{digest}" for app, digest in sorted(expected.items())).encode())
    return LogCheck(len(expected), entries, first_break, heads)


def two_factor_device(user, *, confirmed: bool = True):
    """The user's TOTP device (动态口令), confirmed or still being set up; None if there is none."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def check_query_code(application, code: str) -> bool:
    """Whether `code` is the 查询码 printed on the application's latest receipt (申报回执). The public
    progress lookup asks it together with the reference; only a digest is stored (lookup_codes)."""
    return lookup_codes.matches(application.reference, application.lookup_code_hash, code)


def latest_log_entry(application):
    """The application's last log entry, or None."""
    return ApplicationLog.objects.filter(application=application).order_by("-created_at", "-pk").first()


def personal_data_of(user) -> dict:
    """What the platform holds about a person (个人信息保护法第四十五条: 查阅、复制): the account, and
    for an applicant the contacts of its organisation it keeps; recent sign-ins."""
    data = {
        "账号": {
            "用户名": user.username,
            "姓名": user.display_name,
            "电子邮箱": user.email,
            "手机号码": user.phone,
            "角色": user.get_role_display(),
            "注册时间": timezone.localtime(user.date_joined).strftime("%Y-%m-%d %H:%M:%S"),
            "最近登录": timezone.localtime(user.last_login).strftime("%Y-%m-%d %H:%M:%S") if user.last_login else "",
        }
    }
    if user.organisation_id:
        organisation = user.organisation
        data["所属单位"] = {
            "单位名称": organisation.name,
            "联系人": organisation.contact_name,
            "联系人职务": organisation.contact_title,
            "联系电话": organisation.contact_phone,
            "联系人邮箱": organisation.contact_email,
        }
    data["最近30条安全记录"] = [
        {
            "时间": timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            "事件": e.get_kind_display(),
            "IP": e.ip_address or "",
        }
        for e in SecurityEvent.objects.filter(username=user.username)[:30]
    ]
    return data


# --- A county's rules for its county-level bases (第十七条) ------------------------------------------


def counties_with_rules(user, batch) -> list[tuple[County, CountyRules | None]]:
    """The counties whose rules the user may see (every county for the city's staff, its own for a
    county's), each with its own rules for `batch` or None where the city's apply."""
    if permissions.is_city(user):
        counties = list(County.objects.all())
    elif permissions.is_county_staff(user):
        counties = [user.county]
    else:
        return []
    own = {
        r.county_id: r for r in CountyRules.objects.filter(batch=batch, county__in=counties).select_related("county")
    }
    return [(county, own.get(county.pk)) for county in counties]


def county_level_rules(*, batch: Batch, county: County | None = None, county_id: int | None = None):
    """The rules a new county-level application from the county would follow now (models.rules_in_force)."""
    if county is None:
        county = County.objects.get(pk=county_id)
    return rules_in_force(batch=batch, county=county, level=Level.COUNTY)


def county_and_batch(*, county_id: int, year: int) -> tuple[County | None, Batch | None]:
    return County.objects.filter(pk=county_id).first(), Batch.objects.filter(year=year).first()


def county_rules_of(*, county: County, batch: Batch) -> CountyRules | None:
    return CountyRules.objects.filter(county=county, batch=batch).select_related("county", "batch").first()


def county_rules_history(county_rules: CountyRules) -> QuerySet[CountyRulesChange]:
    """Every change of a county's rules, newest first, with who made it."""
    return county_rules.changes.select_related("changed_by").order_by("-version")


def county_applications_under_rules(*, county: County, batch: Batch) -> dict[str, int]:
    """How many of the county's county-level applications in `batch` follow its current rules (not
    yet submitted) and how many keep the rules they were submitted under."""
    rows = Application.objects.filter(county=county, batch=batch, level=Level.COUNTY).exclude(
        state__in=states.states_where("active", False)
    )
    counts = rows.aggregate(
        drafts=Count("pk", filter=Q(state__in=states.states_where("unsubmitted"))),
        total=Count("pk"),
    )
    return {"drafts": counts["drafts"], "submitted": counts["total"] - counts["drafts"]}
