"""The application workflow, declared once (第十一条–第十七条).

The transitions live here and nowhere else, beside the model whose field they drive;
what each state means for whom is the table in states.py. The declaration drives:
enforcement (services.application_transition), the action buttons on a page
(selectors.available_actions), the labels in the history, the diagram page and the
state × role tests. Transition methods only set fields; side effects (rows in other
tables, object grants) live in the services.

The conditions read the records the reviews app keeps about an application (its
acceptance group and records, its 公示 and objections) through their related names,
so this app never imports that one.

`custom` keys understood by the service and the templates:
    label       button text and history label
    style       "primary" | "secondary" | "danger" (every transition has one)
    confirm     confirmation question shown before the POST
    comment     None | "optional" | "required": a free-text reason/opinion
    form        key of the action forms (reviews.forms.ACTION_FORMS) when the action needs more input
    validate    name of an Application method returning the problems that block the action
    bulk        the action is also offered for many applications at once
    date        the input (a method or effect argument) holding the step's date: between the date of
                the step before (earliest_date) and today
    comment_label  how notifications name the comment ("" keeps it from the applicant)
    internal    the comment stays with the bureaus (never shown to the applicant) under its comment_label
    then        "edit": after the action the applicant goes on to the form
    done        what the page says once the action is done, beside the new state
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from . import states
from .choices import AcceptanceKind, AttachmentPurpose, Level, ObjectionOutcome, State
from .dates import cn_date
from .paper import signing_form
from .permissions import (
    is_acceptance_authority,
    is_acceptance_member,
    is_applicant_of,
    is_approving_leader,
    is_county_of,
    is_current_handler,
)

# An acceptance opinion needs at least these records of the current round (第十一条（四））.
REQUIRED_ACCEPTANCE_KINDS = (AcceptanceKind.WRITTEN_REVIEW, AcceptanceKind.MEETING)


def describe(condition, *, label: str, refusal) -> None:
    """Give a condition its name on the diagram page and the message shown when it does not hold
    (a string, or a function of the application)."""
    condition.label, condition.refusal = label, refusal


def refusal_message(condition, application) -> str:
    message = getattr(condition, "refusal", "当前不满足办理条件。")
    if callable(message):
        return message(application)
    return message


# --- Conditions ---------------------------------------------------------------------------------
# Plain functions (the decorated transition methods below only name them), each described below.


def batch_is_open(application) -> bool:
    """第十一条（二）: applications close on the batch deadline (30 September by default); a county's
    rules set their own for its county-level applications (第十七条)."""
    return application.rules().is_open


def batch_closed_message(application) -> str:
    rules = application.rules()
    scope = f"{rules.county_name}县级基地" if rules.is_county_own else ""
    return f"本批次（{application.batch.name}）{scope}申报已于{cn_date(rules.deadline)}截止，不能再提交。"


def not_barred(application) -> bool:
    """第十五条: no new application within 2 years of a revocation."""
    return application.organisation.may_apply_again_on() is None


def barred_message(application) -> str:
    return application.organisation.reapply_ban_message()


def is_city_level(application) -> bool:
    return application.level == Level.CITY


def signed_form_received(application) -> bool:
    """第十一条（三）: the applicant hands its signed and sealed form to the county, which reviews it
    before recommending (a county-level application: before organising the acceptance). While the
    county waits for it (the state table's signed_form_due) this holds once a scan is uploaded whose
    校验码 is that of the form as printed for the current submission; after that step it holds."""
    if not states.signed_form_due(application.state):
        return True
    code = signing_form(application).code
    return any(
        a.purpose == AttachmentPurpose.SIGNED_FORM and a.form_code == code for a in application.attachments.all()
    )


def signed_form_missing_message(application) -> str:
    return (
        "申报单位尚未上传与当前申报内容一致的签章申报表扫描件（本次申报的申报表校验码为 "
        f"{signing_form(application).code}）。请申报单位打印申报表，经负责人签字、加盖单位公章后扫描上传。"
    )


def awaits_acceptance(application) -> bool:
    """City-level: after the county's recommendation. County-level: straight after submission (第十七条)."""
    if application.level == Level.CITY:
        return application.state == State.RECOMMENDED
    return application.state == State.SUBMITTED


def acceptance_recorded(application) -> bool:
    """Records of this round only: after a return and resubmission the group is formed anew
    and starts again, so records made before it was (re)formed do not count."""
    group = getattr(application, "acceptance_group", None)  # the reverse one-to-one raises when absent
    if group is None:
        return False
    kinds = {record.kind for record in application.acceptance_records.all() if record.created_at >= group.formed_at}
    return all(kind in kinds for kind in REQUIRED_ACCEPTANCE_KINDS)


def current_publicity(application):
    """The application's latest 公示 (a failed one may be followed by another), or None."""
    return max(application.publicities.all(), key=lambda p: (p.starts_on, p.pk), default=None)


def publicity_ended(application) -> bool:
    publicity = current_publicity(application)
    return publicity is not None and publicity.has_ended()


def publicity_running_message(application) -> str:
    publicity = current_publicity(application)
    if publicity is None:
        return "公示期尚未结束，不能认定。"
    return f"公示期尚未结束，不能认定。公示至{cn_date(publicity.ends_on)}。"


def objections_resolved(application) -> bool:
    return all(objection.resolved for objection in application.objections.all())


def no_upheld_objection(application) -> bool:
    return not any(objection.outcome == ObjectionOutcome.UPHELD for objection in application.objections.all())


def has_upheld_objection(application) -> bool:
    return not no_upheld_objection(application)


# --- Procedural dates --------------------------------------------------------------------------------
# Every date a step records lies between the date of the step before it and today (a backdated
# revocation must not shorten the 2-year ban, a 公示 cannot end before it began).


@dataclass(frozen=True)
class Floor:
    """The earliest date a step may carry, and what it is the date of."""

    day: datetime.date
    after: str  # e.g. "申报提交日"


def local_day(moment) -> datetime.date:
    return timezone.localtime(moment).date()


def submitted_floor(application) -> Floor | None:
    if application.submitted_at is None:
        return None
    return Floor(local_day(application.submitted_at), "申报提交日")


def acceptance_floor(application) -> Floor | None:
    """The acceptance opinion comes after the group's checks of this round (or its forming)."""
    group = getattr(application, "acceptance_group", None)
    if group is None:
        return None
    held = [r.held_on for r in application.acceptance_records.all() if r.created_at >= group.formed_at]
    if held:
        return Floor(max(held), "最近一次验收记录的日期")
    return Floor(local_day(group.formed_at), "验收组组建日")


def approval_floor(application) -> Floor | None:
    """报批 follows the acceptance opinion it approves."""
    if application.city_opinion_on is None:
        return None
    return Floor(application.city_opinion_on, "验收意见日期")


def recognition_floor(application) -> Floor | None:
    """Recognition follows the 公示: the day after its last day at the earliest."""
    publicity = current_publicity(application)
    if publicity is None:
        return None
    return Floor(publicity.ends_on + datetime.timedelta(days=1), "公示期满次日")


def revocation_floor(application) -> Floor | None:
    """The decision follows the statement, or the end of the period given for one (陈述申辩)."""
    case = open_revocation_case(application)
    if case is None:
        return None
    if case.statement_at is not None:
        return Floor(local_day(case.statement_at), "陈述申辩提交日")
    return Floor(case.statement_due + datetime.timedelta(days=1), "陈述申辩期满次日")


def guidance_floor(application) -> Floor:
    """培育指导 visits come after the candidate was registered (or the application created)."""
    return Floor(local_day(application.created_at), "登记日")


def acceptance_record_floor(application) -> Floor | None:
    """The group's checks come after it was formed."""
    group = getattr(application, "acceptance_group", None)
    if group is None:
        return None
    return Floor(local_day(group.formed_at), "验收组组建日")


DATE_FLOORS = {
    "recommend": submitted_floor,
    "pass_acceptance": acceptance_floor,
    "fail_acceptance": acceptance_floor,
    "approve": approval_floor,
    "recognise": recognition_floor,
    "revoke": revocation_floor,
}


def earliest_date(application, action: str) -> Floor | None:
    """The earliest date the dated input of `action` may carry (None: it has no dated input)."""
    floor = DATE_FLOORS.get(action)
    if floor is None:
        return None
    return floor(application)


def date_problem(value: datetime.date, floor: Floor | None, *, today: datetime.date | None = None) -> str:
    """Why a procedural date is refused, or "" when it lies between its floor and today."""
    today = today or timezone.localdate()
    if value > today:
        return f"日期不能晚于今天（{cn_date(today)}）。"
    if floor is not None and value < floor.day:
        return f"日期不能早于{floor.after}（{cn_date(floor.day)}）。"
    return ""


# --- Revocation (第十五条): 告知, 陈述申辩, then the decision -------------------------------------------


def open_revocation_case(application):
    """The revocation procedure under way for the application's base, if any."""
    return next((case for case in application.revocation_cases.all() if case.is_open), None)


def revocation_ripe(application) -> bool:
    """A notice (撤销告知) was served and the organisation has made its statement or let the period pass."""
    case = open_revocation_case(application)
    return case is not None and (case.statement_at is not None or timezone.localdate() > case.statement_due)


def revocation_not_ripe_message(application) -> str:
    case = open_revocation_case(application)
    if case is None:
        return "撤销认定前须先向该单位送达撤销告知（第十五条），听取其陈述申辩。"
    return f"申报单位可在{cn_date(case.statement_due)}前陈述申辩，期满或收到陈述申辩后方可作出决定。"


describe(batch_is_open, label="申报截止日前", refusal=batch_closed_message)
describe(not_barred, label="不在撤销后2年禁止申报期内", refusal=barred_message)
describe(is_city_level, label="市级申报", refusal="县级基地由县局直接组织验收，无需向市局推荐。")
describe(
    signed_form_received, label="已上传签章申报表扫描件（校验码与本次申报一致）", refusal=signed_form_missing_message
)
describe(awaits_acceptance, label="市级已推荐／县级已申报", refusal="市级基地须经县局审核推荐后，方可组织验收。")
describe(acceptance_recorded, label="已记录书面预审和会议验收", refusal="验收通过前须至少记录书面预审和会议验收情况。")
describe(publicity_ended, label="公示期已满", refusal=publicity_running_message)
describe(objections_resolved, label="异议均已书面答复", refusal="公示期间的异议尚未全部书面答复处理，不能认定。")
describe(no_upheld_objection, label="无成立的异议", refusal="存在成立的异议，不能认定；请执行“公示后不予认定”。")
describe(has_upheld_objection, label="有成立的异议", refusal="没有成立的异议，不能以异议为由不予认定。")
describe(revocation_ripe, label="已送达撤销告知且陈述申辩已提交或期满", refusal=revocation_not_ripe_message)


# --- The state machine --------------------------------------------------------------------------


class ApplicationWorkflow(ConcurrentTransitionMixin, models.Model):
    """Abstract base of bases.Application carrying the state and every transition.

    ConcurrentTransitionMixin makes the UPDATE conditional on the state the row was
    read in, so two concurrent transitions cannot both succeed even where the
    database ignores SELECT … FOR UPDATE (SQLite).
    """

    state = FSMField("状态", choices=State.choices, default=State.DRAFT, protected=True, db_index=True)
    submitted_at = models.DateTimeField("申报时间", null=True, blank=True)

    class Meta:
        abstract = True

    @transition(
        field=state,
        source=State.CULTIVATION,
        target=State.DRAFT,
        permission=is_applicant_of,
        custom={"label": "开始填报", "style": "primary", "then": "edit"},
    )
    def start(self):
        """The candidate begins its own application form."""

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.SUBMITTED,
        conditions=[batch_is_open, not_barred],
        permission=is_applicant_of,
        custom={
            "label": "提交申报",
            "style": "primary",
            "confirm": "提交后将不能修改，确定提交申报吗？",
            "validate": "submission_problems",
            "done": "申报回执（含查询码）列在本页“文书”中，可下载打印。",
        },
    )
    def submit(self):
        """The receipt (申报回执) with its 查询码 is issued by the review once this commits. A county-level
        application keeps the county's rules in force now (第十七条): it is judged by those."""
        self.submitted_at = timezone.now()
        self.county_rules_change = self.county_rules_in_force()

    @transition(
        field=state,
        source=[State.CULTIVATION, State.DRAFT, State.SUBMITTED, State.RETURNED],
        target=State.WITHDRAWN,
        permission=is_applicant_of,
        custom={
            "label": "撤回申报",
            "style": "danger",
            "comment": "optional",
            "comment_label": "说明",
            "confirm": "撤回后本批次的这份申报即告终止（可重新发起），确定撤回吗？",
        },
    )
    def withdraw(self):
        """Withdrawal by the applicant, possible until the county recommends."""

    @transition(
        field=state,
        source=[State.SUBMITTED, State.RECOMMENDED, State.IN_ACCEPTANCE],
        target=State.RETURNED,
        permission=is_current_handler,
        custom={
            "label": "退回修改",
            "style": "secondary",
            "form": "return",
            "comment": "required",
            "comment_label": "退回理由",
        },
    )
    def return_for_changes(self):
        """一次性告知: the reasons and the flagged items are in the log entry."""

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.DECLINED,
        permission=is_county_of,
        custom={
            "label": "不予推荐",
            "style": "danger",
            "comment": "required",
            "comment_label": "理由",
            "confirm": "不予推荐后本批次申报即告终止，确定吗？",
        },
    )
    def decline(self):
        """The county bureau declines to recommend, with reasons."""

    @transition(
        field=state,
        source=State.SUBMITTED,
        target=State.RECOMMENDED,
        conditions=[is_city_level, signed_form_received],
        permission=is_county_of,
        custom={
            "label": "审核推荐",
            "style": "primary",
            "form": "opinion",
            "date": "signed_on",
            "comment_label": "推荐意见",
        },
    )
    def recommend(self, *, opinion, signer, signed_on):
        """县市场监管局推荐意见 (第十一条（三））."""
        self.county_opinion, self.county_signer, self.county_opinion_on = opinion, signer, signed_on

    @transition(
        field=state,
        source=[State.SUBMITTED, State.RECOMMENDED],
        target=State.IN_ACCEPTANCE,
        conditions=[awaits_acceptance, signed_form_received],
        permission=is_acceptance_authority,
        custom={"label": "组织验收", "style": "primary", "form": "group", "comment_label": ""},
    )
    def start_acceptance(self):
        """An acceptance group is formed (by the service) and begins its checks (第十一条（四））."""

    @transition(
        field=state,
        source=State.IN_ACCEPTANCE,
        target=State.PENDING_APPROVAL,
        conditions=[acceptance_recorded],
        permission=is_acceptance_member,
        custom={
            "label": "验收通过",
            "style": "primary",
            "form": "opinion",
            "date": "signed_on",
            "comment_label": "验收意见",
        },
    )
    def pass_acceptance(self, *, opinion, signer, signed_on):
        """市局验收意见 (综合验收意见): passed; it goes for approval (报批) before any 公示."""
        self.city_opinion, self.city_signer, self.city_opinion_on = opinion, signer, signed_on

    @transition(
        field=state,
        source=State.PENDING_APPROVAL,
        target=State.ACCEPTED,
        permission=is_approving_leader,
        custom={
            "label": "批准",
            "style": "primary",
            "form": "approval",
            "comment": "optional",
            "comment_label": "审批意见",
            "internal": True,
            "date": "approved_on",
            "done": "验收认定机关可将其纳入拟认定名单公示。",
        },
    )
    def approve(self, *, approved_on, approved_by, opinion=""):
        """第十一条（四）“按规定程序报批”: the leader approves the acceptance opinion; only an approved
        application may enter a 公示 (open_publicity starts here)."""
        self.approval_opinion, self.approved_by, self.approved_on = opinion, approved_by, approved_on

    @transition(
        field=state,
        source=State.PENDING_APPROVAL,
        target=State.IN_ACCEPTANCE,
        permission=is_approving_leader,
        custom={
            "label": "退回验收组",
            "style": "secondary",
            "comment": "required",
            "comment_label": "退回理由",
            "internal": True,
            "confirm": "退回后验收组须重新出具验收意见，确定退回吗？",
        },
    )
    def send_back(self):
        """The leader does not approve: back to the acceptance group, with reasons (in the log entry).
        The group's records of this round stay; it records a new opinion (验收通过 or 不通过)."""

    @transition(
        field=state,
        source=State.IN_ACCEPTANCE,
        target=State.FAILED,
        permission=is_acceptance_member,
        custom={
            "label": "验收不通过",
            "style": "danger",
            "form": "opinion",
            "date": "signed_on",
            "comment_label": "验收意见",
        },
    )
    def fail_acceptance(self, *, opinion, signer, signed_on):
        """市局验收意见: not passed."""
        self.city_opinion, self.city_signer, self.city_opinion_on = opinion, signer, signed_on

    @transition(
        field=state,
        source=State.ACCEPTED,
        target=State.IN_PUBLICITY,
        permission=is_acceptance_authority,
        custom={"label": "发起公示", "style": "primary", "form": "publicity", "bulk": True, "comment_label": "公示"},
    )
    def open_publicity(self):
        """征求意见: the service adds the application to a 公示 (第十一条（五））."""

    @transition(
        field=state,
        source=State.IN_PUBLICITY,
        target=State.RECOGNISED,
        conditions=[publicity_ended, objections_resolved, no_upheld_objection],
        permission=is_acceptance_authority,
        custom={
            "label": "发文认定",
            "style": "primary",
            "form": "recognition",
            "bulk": True,
            "date": "recognised_on",
            "comment_label": "认定文号",
        },
    )
    def recognise(self):
        """发文认定: the service creates the Base with the document number (第十一条（六））."""

    @transition(
        field=state,
        source=State.IN_PUBLICITY,
        target=State.FAILED,
        conditions=[objections_resolved, has_upheld_objection],
        permission=is_acceptance_authority,
        custom={"label": "公示后不予认定", "style": "danger", "comment": "required", "comment_label": "理由"},
    )
    def reject_after_publicity(self):
        """An objection was upheld: the application ends without recognition."""

    @transition(
        field=state,
        source=State.RECOGNISED,
        target=State.REVOKED,
        conditions=[revocation_ripe],
        permission=is_acceptance_authority,
        custom={
            "label": "撤销认定",
            "style": "danger",
            "form": "revocation",
            "date": "revoked_on",
            "comment_label": "撤销决定",
            "confirm": "撤销后该单位2年内不得再次申报，确定作出撤销认定决定吗？",
        },
    )
    def revoke(self):
        """第十五条: after the 撤销告知 and the statement (陈述申辩), the decision; the service marks the
        Base revoked and closes the procedure; the 2-year ban runs from the decision's date."""
