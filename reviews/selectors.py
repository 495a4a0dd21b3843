"""Reads of the workflow: which actions a user may take now, the history, progress and work queues."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from bases import permissions
from bases.choices import Level
from bases.models import Application, Base
from bases.selectors import applications_for_user

from .choices import State
from .models import ApplicationLog, Notification, Objection, Publicity
from .workflow import FINAL_STATES, PROCEDURE


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    style: str
    confirm: str
    comment: str | None  # None | "optional" | "required"
    form: str | None  # key of reviews.forms.ACTION_FORMS
    bulk: bool = False

    @property
    def inline(self) -> bool:
        """Actions without a form of their own are a button (with a comment box) on the page."""
        return self.form is None


def action_from(transition) -> Action:
    custom = transition.custom
    return Action(
        name=transition.name,
        label=custom["label"],
        style=custom.get("style", "secondary"),
        confirm=custom.get("confirm", ""),
        comment=custom.get("comment"),
        form=custom.get("form"),
        bulk=bool(custom.get("bulk")),
    )


def available_actions(application, user) -> list[Action]:
    """The transitions the declaration allows this user now: the only source of action buttons."""
    return [action_from(t) for t in application.get_available_user_state_transitions(user)]


def all_transitions() -> list[dict]:
    """Every declared transition (one row per source state): for the diagram and the tests."""
    field = Application._meta.get_field("state")
    rows = []
    for transition in field.get_all_transitions(Application):
        rows.append(
            {
                "name": transition.name,
                "source": transition.source,
                "target": transition.target,
                "label": transition.custom.get("label", transition.name),
                "permission": getattr(transition.permission, "label", ""),
                "conditions": [c.label for c in transition.conditions],
            }
        )
    return rows


def application_log(application) -> QuerySet[ApplicationLog]:
    return ApplicationLog.objects.filter(application=application).select_related("actor")


# --- 办件进度查询 -------------------------------------------------------------------------------


@dataclass
class Step:
    label: str
    status: str  # "done" | "current" | "todo" | "skipped"
    finished_at: object = None
    office: str = ""


@dataclass
class Progress:
    steps: list[Step]
    current_office: str
    next_step: str
    requests: list[ApplicationLog] = field(default_factory=list)  # what the bureaus asked of the applicant
    final: bool = False


def _office(application, who: str) -> str:
    county = application.organisation.county
    if who == "applicant":
        return f"{application.organisation.name}（申报单位）"
    if who == "county" or application.level == Level.COUNTY:
        return county.bureau_name
    return "绍兴市市场监督管理局"


def application_progress(application, log: list[ApplicationLog]) -> Progress:
    """Where the application stands, from the declared procedure and its own log."""
    procedure = [step for step in PROCEDURE if not (application.level == Level.COUNTY and step[0] == "审核推荐")]
    if application.level == Level.COUNTY:
        procedure = [(label.replace("组织验收", "县局组织验收"), states, who) for label, states, who in procedure]
    index = next((i for i, (_, states, _) in enumerate(procedure) if application.state in states), None)
    left_at = {}
    for entry in log:
        if entry.from_state:
            for i, (_, states, _) in enumerate(procedure):
                if entry.from_state in states and entry.to_state not in states:
                    left_at[i] = entry.created_at
    steps = []
    for i, (label, _, who) in enumerate(procedure):
        if index is not None:
            status = "done" if i < index else "current" if i == index else "todo"
        else:
            status = "done" if i in left_at else "skipped"
        if status == "done" and i not in left_at and i == 0:
            status = "skipped"  # never in cultivation
        steps.append(
            Step(
                label=label,
                status=status,
                finished_at=left_at.get(i) if status == "done" else None,
                office=_office(application, who),
            )
        )
    final = application.state in FINAL_STATES
    if index is not None:
        current_office = _office(application, procedure[index][2])
        following = procedure[index + 1][0] if index + 1 < len(procedure) else ""
    else:
        current_office, following = "", ""
    next_step = {
        State.CULTIVATION: "县局培育指导；准备好后点击“开始填报”填写申报表",
        State.DRAFT: "填写申报表、上传证明材料并提交申报",
        State.RETURNED: "按退回意见修改后重新提交",
        State.SUBMITTED: "等待县局审核" + ("推荐" if application.level == Level.CITY else "并组织验收"),
        State.RECOMMENDED: "等待市局组织验收",
        State.IN_ACCEPTANCE: "验收组开展书面预审、重点抽查、会议验收和实地考察",
        State.ACCEPTED: "等待拟认定名单公示",
        State.IN_PUBLICITY: "公示期满且异议处理完毕后发文认定",
        State.RECOGNISED: "已认定为商业秘密保护基地，实行动态管理",
    }.get(application.state, following)
    requests = [e for e in log if e.transition in ("return_for_changes", "decline") or e.to_state == State.FAILED]
    return Progress(steps=steps, current_office=current_office, next_step=next_step, requests=requests, final=final)


# --- Work queues -------------------------------------------------------------------------------


# What waits for each office: (title, state, level or None for any). County-level bases are the
# county's to accept and publicise (第十七条), city-level ones the city's.
COUNTY_QUEUES = (
    ("已申报待审核推荐", State.SUBMITTED, None),
    ("培育中的对象", State.CULTIVATION, None),
    ("县级验收中", State.IN_ACCEPTANCE, Level.COUNTY),
    ("县级验收通过待公示", State.ACCEPTED, Level.COUNTY),
    ("县级公示中", State.IN_PUBLICITY, Level.COUNTY),
)
CITY_QUEUES = (
    ("已推荐待组织验收", State.RECOMMENDED, None),
    ("验收中", State.IN_ACCEPTANCE, Level.CITY),
    ("验收通过待公示", State.ACCEPTED, Level.CITY),
    ("公示中", State.IN_PUBLICITY, Level.CITY),
)


def work_queues(user) -> list[dict]:
    """What waits for the user, by role: each queue is a title, a state filter and a count (one query)."""
    queues = (COUNTY_QUEUES if permissions.is_county_staff(user) else ()) + (
        CITY_QUEUES if permissions.is_city(user) else ()
    )
    if not queues:
        return []

    def matches(state, level):
        return Q(state=state) & (Q(level=level) if level else Q())

    counts = applications_for_user(user).aggregate(
        **{f"q{i}": Count("pk", filter=matches(state, level)) for i, (_, state, level) in enumerate(queues)}
    )
    return [{"title": title, "state": state, "count": counts[f"q{i}"]} for i, (title, state, _) in enumerate(queues)]


def publicities_for_user(user) -> QuerySet[Publicity]:
    """公示 the user manages: city-level ones for the city, its own county's county-level ones for a county."""
    if permissions.is_city(user):
        qs = Publicity.objects.all()
    elif permissions.is_county_staff(user):
        qs = Publicity.objects.filter(level=Level.COUNTY, county_id=user.county_id)
    else:
        return Publicity.objects.none()
    return qs.select_related("county", "opened_by").prefetch_related(
        Prefetch("applications", queryset=Application.objects.select_related("organisation__county")),
        Prefetch("objections", queryset=Objection.objects.select_related("application")),
    )


def accepted_awaiting_publicity(user) -> QuerySet[Application]:
    return (
        applications_for_user(user).filter(state=State.ACCEPTED).order_by("level", "organisation__county__order", "pk")
    )


def bases_for_user(user) -> QuerySet[Base]:
    """Recognised bases: all for the city, the county's own for a county, the organisation's for an applicant."""
    return (
        Base.objects.filter(application__in=applications_for_user(user))
        .select_related("organisation__county", "application")
        .prefetch_related("upward_recommendations")
    )


def notifications_for_user(user) -> QuerySet[Notification]:
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).select_related("application")


def state_label(value: str) -> str:
    return State(value).label if value in State.values else value


def review_context(application, user) -> dict:
    """What the application page shows of the review: guidance, the acceptance group and
    its records, objections and the recognised base, plus the record forms the user may use."""
    from .forms import AcceptanceRecordForm, GuidanceVisitForm

    group = getattr(application, "acceptance_group", None)  # the reverse one-to-one raises when absent
    may_guide = permissions.can_log_guidance(application, user)
    may_record = application.state == State.IN_ACCEPTANCE and permissions.is_acceptance_member(application, user)
    base = Base.objects.filter(application=application).first()
    return {
        "guidance_visits": list(application.guidance_visits.select_related("recorded_by")),
        "guidance_form": GuidanceVisitForm(initial={"officer": user.display_name}) if may_guide else None,
        "acceptance_group": group,
        "acceptance_members": list(group.members.all()) if group else [],
        "acceptance_records": list(application.acceptance_records.select_related("recorded_by")),
        "acceptance_form": AcceptanceRecordForm() if may_record else None,
        "objections": list(application.objections.select_related("publicity")),
        "publicities": list(application.publicities.all()),
        "base": base,
    }
