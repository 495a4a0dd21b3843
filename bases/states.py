"""What each state of an application means, and for whom: one table.

Per state: its label (badges, history, filters), the wording the applicant and the
public see, the step of the procedure (第十一条) it belongs to, and through the step
the office that has the application now, the next step, the work queue it waits
in, and what it allows (editing the form, logging 培育指导). Where city-level and
county-level applications differ (第十七条: the county accepts county-level bases
itself, with no recommendation step), a value is given per level.

The transitions between the states are declared in workflow.py. Everything else that
asks what a state means reads this table: the 办件进度 block, the work queues, the
state badges, the notifications, the /workflow/ page and the permission predicates.
The functions below are its only readers.
"""

from dataclasses import dataclass

from .choices import APPLICATION_LEVELS, Level, Office, State


@dataclass(frozen=True)
class Step:
    """A step of the procedure of 第十一条, as the 办件进度 block shows it."""

    key: str
    label: str
    office: Office
    county_label: str = ""  # the county-level wording, where it differs
    city_only: bool = False  # 审核推荐: county-level applications have no recommendation (第十七条)


STEPS = (
    Step("cultivation", "培育指导", Office.COUNTY),
    Step("submission", "自主申报", Office.APPLICANT),
    Step("recommendation", "审核推荐", Office.COUNTY, city_only=True),
    Step("acceptance", "组织验收", Office.AUTHORITY, county_label="县局组织验收"),
    # 第十一条（四）: the comprehensive acceptance opinion is approved by the authority's leader (报批).
    Step("approval", "报批", Office.LEADER),
    Step("publicity", "公示", Office.AUTHORITY),
    Step("recognition", "发文认定", Office.AUTHORITY),
)


@dataclass(frozen=True)
class StateInfo:
    """One row of the table. A `dict` value is per level ({Level.CITY: …, Level.COUNTY: …})."""

    public: str  # what the applicant and the public read
    step: str | dict = ""  # key of its step; "" for an end off the main line
    next_step: str | dict = ""  # what happens next, as the applicant reads it
    queue: str | dict = ""  # title of the work queue it waits in, at the office holding it
    editable: bool = False  # the applicant may change the form
    unsubmitted: bool = False  # not yet submitted: 培育指导 visits logged (第十一条（一）), deadline reminders sent
    active: bool = True  # counts as the organisation's application in its batch
    final: bool = False  # the procedure has ended (办结): recognised, or ended without recognition
    explained: bool = False  # entering it carries the bureau's reasons to the applicant (一次性告知)
    # The county reviews the paper form the applicant signed and sealed: its scan is uploaded, and
    # required before the county moves the application on (workflow.signed_form_received).
    signed_form_due: bool = False
    # The bureaus' opinions on the form that stand in this state (forms_spec.OpinionCell.key): an
    # opinion of an earlier round, before a 退回修改, is not printed once the application is back.
    opinions: tuple[str, ...] = ()


CITY, COUNTY = Level.CITY, Level.COUNTY
BOTH_OPINIONS = ("recommendation", "acceptance")

# In the order of the procedure; the ends off the main line last.
STATES: dict[State, StateInfo] = {
    State.CULTIVATION: StateInfo(
        public="县局培育指导中",
        step="cultivation",
        next_step="县局培育指导；准备好后点击“开始填报”填写申报表",
        queue="培育中的对象",
        unsubmitted=True,
    ),
    State.DRAFT: StateInfo(
        public="申报表填写中",
        step="submission",
        next_step="填写申报表、上传证明材料并提交申报",
        editable=True,
        unsubmitted=True,
    ),
    State.RETURNED: StateInfo(
        public="已退回，请按意见修改后重新提交",
        step="submission",
        next_step="按退回意见修改后重新提交",
        editable=True,
        unsubmitted=True,
        explained=True,
    ),
    State.SUBMITTED: StateInfo(
        public="已提交，等待县局审核",
        step={CITY: "recommendation", COUNTY: "acceptance"},
        next_step={CITY: "等待县局审核推荐", COUNTY: "等待县局审核并组织验收"},
        queue="已申报待审核推荐",
        signed_form_due=True,
    ),
    State.RECOMMENDED: StateInfo(
        public="县局已推荐，等待市局组织验收",
        step="acceptance",
        next_step={CITY: "等待市局组织验收", COUNTY: "等待县局组织验收"},
        queue={CITY: "已推荐待组织验收"},  # county-level applications are not recommended (第十七条)
        opinions=("recommendation",),
    ),
    State.IN_ACCEPTANCE: StateInfo(
        public="验收组核查中",
        step="acceptance",
        next_step="验收组开展书面预审、重点抽查、会议验收和实地考察",
        queue={CITY: "验收中", COUNTY: "县级验收中"},
        opinions=("recommendation",),
    ),
    State.PENDING_APPROVAL: StateInfo(
        public="验收通过，报批中",
        step="approval",
        next_step={CITY: "等待市局分管领导审批", COUNTY: "等待县局分管领导审批"},
        queue={CITY: "待报批", COUNTY: "县级待报批"},
        opinions=BOTH_OPINIONS,
    ),
    State.ACCEPTED: StateInfo(
        public="已批准，等待公示",
        step="publicity",
        next_step="等待拟认定名单公示",
        queue={CITY: "已批准待公示", COUNTY: "县级已批准待公示"},
        opinions=BOTH_OPINIONS,
    ),
    State.IN_PUBLICITY: StateInfo(
        public="拟认定名单公示中",
        step="publicity",
        next_step="公示期满且异议处理完毕后发文认定",
        queue={CITY: "公示中", COUNTY: "县级公示中"},
        opinions=BOTH_OPINIONS,
    ),
    State.RECOGNISED: StateInfo(
        public="已认定为商业秘密保护基地",
        step="recognition",
        next_step="已认定为商业秘密保护基地，实行动态管理",
        final=True,  # 已办结: the procedure of 第十一条 is over (a revocation is a procedure of its own)
        opinions=BOTH_OPINIONS,
    ),
    State.DECLINED: StateInfo(public="县局不予推荐，本次申报终止", active=False, final=True, explained=True),
    State.FAILED: StateInfo(
        public="未通过验收或认定，本次申报终止", active=False, final=True, explained=True, opinions=BOTH_OPINIONS
    ),
    State.WITHDRAWN: StateInfo(public="申报单位已撤回", active=False, final=True),
    State.REVOKED: StateInfo(public="认定已撤销", final=True, opinions=BOTH_OPINIONS),
}


# --- Readers ---------------------------------------------------------------------------------------


def info(state) -> StateInfo:
    return STATES[State(state)]


def _per_level(value, level):
    """A table value for one level: per-level values are dicts, the others hold for both."""
    if isinstance(value, dict):
        return value.get(level, "")
    return value


LABELS = dict(State.choices)


def label(state) -> str:
    """The state's name on badges, in the history and in filters; an unknown value as it is."""
    return LABELS.get(state, state)


def public_label(state) -> str:
    return info(state).public


def procedure(level) -> list[Step]:
    """The steps an application of this level goes through, in order."""
    return [step for step in STEPS if level == CITY or not step.city_only]


def step_label(step: Step, level) -> str:
    if level == COUNTY and step.county_label:
        return step.county_label
    return step.label


def step_of(state, level) -> Step | None:
    """The procedure step the state belongs to at this level; None for an end off the main line."""
    key = _per_level(info(state).step, level)
    return next((step for step in STEPS if step.key == key), None)


def office_of(state, level) -> Office | None:
    """Which office has an application in this state now; None when nobody has (it has ended)."""
    step = step_of(state, level)
    if step is None:
        return None
    return step.office


def bureau_of(office, level) -> Level | None:
    """The bureau an office is at this level: the county, or the city; None for the applicant. The
    leader (分管领导) is the acceptance authority's."""
    if office == Office.COUNTY:
        return COUNTY
    if office in (Office.AUTHORITY, Office.LEADER):
        return level
    return None


def holder(state, level) -> Level | None:
    """The bureau whose desk an application in this state is on (None: the applicant's, or nobody's)."""
    return bureau_of(office_of(state, level), level)


def held_by_leader(state, level) -> bool:
    """The application waits for the bureau's leader (报批), not for its staff."""
    return office_of(state, level) == Office.LEADER


def next_step(state, level) -> str:
    return _per_level(info(state).next_step, level)


def queue_of(state, level) -> str:
    return _per_level(info(state).queue, level)


def is_editable(state) -> bool:
    """The applicant may change the form only in these states (草稿, 退回修改)."""
    return info(state).editable


def allows_guidance(state) -> bool:
    """The county logs 培育指导 visits until the application is submitted."""
    return info(state).unsubmitted


def is_unsubmitted(state) -> bool:
    """Not submitted (培育中, 草稿, 退回修改): a printout of the form is a draft (草稿)."""
    return info(state).unsubmitted


def signed_form_due(state) -> bool:
    """The county waits for the applicant's signed and sealed paper form (its scan) in this state."""
    return info(state).signed_form_due


def opinions_on_record(state) -> tuple[str, ...]:
    """The bureaus' opinions on the form that stand in this state (forms_spec.OpinionCell.key)."""
    return info(state).opinions


def is_final(state) -> bool:
    return info(state).final


def is_explained(state) -> bool:
    return info(state).explained


def states_where(flag: str, value: bool = True) -> frozenset:
    """The states whose row has `flag` set to `value` (e.g. the inactive ones, for the database constraint)."""
    return frozenset(state for state, row in STATES.items() if getattr(row, flag) == value)


@dataclass(frozen=True)
class Queue:
    """A work queue: a title, the state it holds and the levels it takes."""

    title: str
    state: State
    levels: tuple


def queues(bureau, *, leader: bool = False) -> list[Queue]:
    """The work queues of a bureau (Level.CITY or Level.COUNTY), in the order of the procedure: its
    staff's, or with `leader` its leader's (报批)."""
    found: dict[tuple, list] = {}
    for state in STATES:
        for level in APPLICATION_LEVELS:
            title = queue_of(state, level)
            if title and holder(state, level) == bureau and held_by_leader(state, level) == leader:
                found.setdefault((title, state), []).append(level)
    return [Queue(title=title, state=state, levels=tuple(levels)) for (title, state), levels in found.items()]
