"""Writes of the review: the records around an application (guidance, acceptance, 公示,
objections, upward recommendations), the side effects of the transitions that write them,
and notifications read. Every state change goes through bases.services.application_transition."""

import contextlib
import contextvars
import dataclasses
import datetime
import hashlib
import logging
import tempfile
import unicodedata
import zipfile
from concurrent.futures import Future

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from bases import lookup_codes, permissions, printing, states
from bases.choices import (
    AttachmentPurpose,
    BaseStatus,
    BaseType,
    Level,
    LogAction,
    ObjectionOutcome,
    OrganisationStatus,
    RevocationGround,
    State,
)
from bases.dates import cn_date
from bases.models import Application, ApplicationLog, Base, Organisation, reapply_free_on
from bases.selectors import (
    CITY_BUREAU,
    applicant_users,
    applications_for_user,
    applications_submitted_before,
    applications_unsubmitted_at_deadline,
    bureau_staff,
    city_staff,
    county_staff,
    office_name,
    organisation_users,
    staff_holding,
    working_calendar,
)
from bases.services import (
    SECURITY_RETENTION_FLOOR_DAYS,
    application_lookup_code_issue,
    application_transition,
    attachment_store,
    base_revoke,
    declared_transition,
    log_barrier,
    log_write,
    new_application,
    queue_task,
    reference_next,
    security_events_expire,
    transition_effect,
)
from bases.signals import application_transitioned, organisation_decided, organisation_registered
from bases.storage import private_storage
from bases.validators import attachment_display_name, detect_attachment_kind
from bases.workflow import (
    Floor,
    acceptance_record_floor,
    current_publicity,
    date_problem,
    guidance_floor,
    open_revocation_case,
)

from . import disclosure, pdf
from .choices import (
    BUNDLE_KEEP_DAYS,
    BUNDLE_MAX_APPLICATIONS,
    DOCUMENT_STEMS,
    ISSUING_TRANSITIONS,
    MAIL_ATTEMPTS,
    UPWARD_OPEN,
    BundleStatus,
    DocumentKind,
    EmailStatus,
    NotificationKind,
    ObjectionChannel,
    ReportStatus,
    ReviewOutcome,
    RevocationStatus,
    UpwardDecision,
    UpwardOutcome,
    UpwardStatus,
)
from .models import (
    AcceptanceGroup,
    AcceptanceRecord,
    BaseService,
    BaseSupport,
    FormBundle,
    GuidanceVisit,
    IssuedDocument,
    LiaisonDesignation,
    Notification,
    Objection,
    Publicity,
    RevocationCase,
    UpwardDocument,
    UpwardRecommendation,
    UpwardRecommendationLog,
    YearlyReport,
    YearlyReportLog,
)
from .selectors import (
    applications_in_publicity,
    form_bundles_expired,
    issuing_steps,
    recognition_list_issued,
    recognition_list_key,
    report_years_open,
    reports_to_remind,
    revocation_decision,
    upward_base_refusal,
    upward_refusal,
    year_failed,
    yearly_report_deadline,
)

logger = logging.getLogger(__name__)


def _check_date(value, floor: Floor | None) -> None:
    """A procedural date lies between the date of the step before and today."""
    problem = date_problem(value, floor)
    if problem:
        raise ValidationError(problem, code="date")


# --- Side effects of the transitions that write review records ----------------------------------
# Registered with bases.services, which runs them inside the transition's transaction.


GROUP_GRANTS = ("view_application_granted", "record_acceptance")


@transition_effect("start_acceptance")
def _form_acceptance_group(*, application, user, leader, members, external_experts="") -> None:
    """Record the group and grant its members the application (django-guardian)."""
    group, created = AcceptanceGroup.objects.update_or_create(
        application=application,
        defaults={
            "leader": leader,
            "external_experts": external_experts,
            "formed_by": user,
            "formed_at": timezone.now(),
        },
    )
    people = {leader, *members}
    # The group's two grants, fetched once with their content type (guardian compares it with the
    # grant's on each save): two queries fewer for each grant than naming them.
    grants = list(
        Permission.objects.select_related("content_type").filter(
            content_type__app_label="bases", content_type__model="application", codename__in=GROUP_GRANTS
        )
    )
    if len(grants) != len(GROUP_GRANTS):
        raise ImproperlyConfigured(f"验收组授权缺失（{GROUP_GRANTS}）：请先执行 migrate。")
    former = set() if created else set(group.members.all()) - people
    for person in former:  # a group re-formed after a return: former members lose their grants
        for grant in grants:
            remove_perm(grant, person, application)
    group.members.set(people)
    for person in people:
        for grant in grants:
            assign_perm(grant, person, application)


@transition_effect("open_publicity")
def _add_to_publicity(*, application, user, publicity=None, title=None, starts_on=None) -> None:
    if publicity is None:
        publicity = publicity_create(application=application, user=user, title=title, starts_on=starts_on)
    publicity.applications.add(application)


@transition_effect("revoke")
def _decide_revocation(*, application, user, reasons: str = "", document_number: str, revoked_on) -> None:
    """第十五条: the decision after the notice and the statement. The ground and facts are those the
    notice served; reasons on a statement are required. Side effects: the Base revoked, the case closed."""
    case = RevocationCase.objects.select_for_update().get(application=application, status=RevocationStatus.OPEN)
    if case.statement_at is not None and not reasons.strip():
        raise ValidationError("申报单位已陈述申辩，请写明对其意见的采纳情况及理由。", code="reasons")
    base_revoke(
        application=application,
        ground=case.ground,
        details=case.facts,
        document_number=document_number,
        revoked_on=revoked_on,
    )
    case.status, case.decided_on, case.decided_by = RevocationStatus.REVOKED, revoked_on, user
    case.document_number, case.decision_reasons = document_number, reasons.strip()
    case.full_clean()
    case.save()


# --- Cultivation ----------------------------------------------------------------------------------


@transaction.atomic
def candidate_register(
    *, organisation: Organisation, base_type: str, level: str, batch, user, ip: str | None = None
) -> Application:
    """培育: the county bureau registers a candidate of its county (state 培育中).

    Side effects: one Application (培育中) and one log entry.
    """
    if not permissions.is_staff_of_county(organisation.county_id, user):
        raise PermissionDenied("只能登记本辖区的培育对象。")
    application = new_application(
        organisation=organisation, base_type=base_type, level=level, batch=batch, user=user, state=State.CULTIVATION
    )
    log_write(
        application=application,
        user=user,
        action=LogAction.CREATE,
        label="登记培育对象",
        ip=ip,
        to_state=application.state,
    )
    return application


@transaction.atomic
def guidance_add(
    *, application: Application, user, visited_on, officer: str, content: str, ip: str | None = None
) -> GuidanceVisit:
    """Log a 培育指导 visit. Side effects: one GuidanceVisit and one log entry."""
    if not permissions.can_log_guidance(application, user):
        raise PermissionDenied("只有所在地县局可以在申报提交前记录培育指导。")
    _check_date(visited_on, guidance_floor(application))
    visit = GuidanceVisit(
        application=application, visited_on=visited_on, officer=officer, content=content, recorded_by=user
    )
    visit.full_clean()
    visit.save()
    log_write(
        application=application,
        user=user,
        action=LogAction.GUIDANCE,
        label="培育指导",
        comment=f"{cn_date(visited_on)} {officer}：{content}",
        ip=ip,
    )
    return visit


# --- Acceptance -----------------------------------------------------------------------------------


@transaction.atomic
def acceptance_record_add(
    *, application: Application, user, kind: str, held_on, members: str, findings: str, ip: str | None = None
) -> AcceptanceRecord:
    """A member of the acceptance group records one check. Side effects: one record, one log entry."""
    if application.state != State.IN_ACCEPTANCE or not permissions.is_acceptance_member(application, user):
        raise PermissionDenied("只有验收组成员可以在验收期间记录验收情况。")
    _check_date(held_on, acceptance_record_floor(application))
    record = AcceptanceRecord(
        application=application, kind=kind, held_on=held_on, members=members, findings=findings, recorded_by=user
    )
    record.full_clean()
    record.save()
    log_write(
        application=application,
        user=user,
        action=LogAction.ACCEPTANCE_RECORD,
        label=record.get_kind_display(),
        comment=f"{cn_date(held_on)}，参加人员：{members}。{findings}",
        ip=ip,
    )
    return record


# --- Publicity --------------------------------------------------------------------------------------


def _publicity_scope(application: Application) -> tuple:
    """Which 公示 an application belongs in: its level, and its county for county-level bases."""
    return application.level, application.organisation.county if application.level == Level.COUNTY else None


PUBLICITY_LATEST_START_DAYS = 60  # a 公示 is opened for now, not for next season


def publicity_working_days(applications) -> int:
    """How many working days a 公示 of these applications lasts: what their rules say (the batch's,
    or a county's own for its county-level bases, 第十七条); the longest where they differ, so none
    is published for less than its rules ask."""
    return max(application.rules().publicity_working_days for application in applications)


def publicity_period(*, application: Application, starts_on, working_days: int | None = None) -> tuple:
    """第十一条（五）: a 公示 starts today or later and lasts the application's rules' number of working
    days (at least 5), counted with the holiday table; its end is computed, never typed."""
    today = timezone.localdate()
    if starts_on < today:
        raise ValidationError(f"公示开始日期不能早于今天（{cn_date(today)}）。", code="starts_on")
    if starts_on > today + datetime.timedelta(days=PUBLICITY_LATEST_START_DAYS):
        raise ValidationError(
            f"公示开始日期不能晚于{cn_date(today + datetime.timedelta(days=PUBLICITY_LATEST_START_DAYS))}。",
            code="starts_on",
        )
    days = working_days or publicity_working_days([application])
    return starts_on, working_calendar().add_working_days(starts_on, days)


def publicity_create(
    *, application: Application, user, title: str, starts_on, working_days: int | None = None
) -> Publicity:
    """A new 公示 at the application's level (and county, for county-level), its period computed."""
    level, county = _publicity_scope(application)
    starts_on, ends_on = publicity_period(application=application, starts_on=starts_on, working_days=working_days)
    publicity = Publicity(title=title, level=level, starts_on=starts_on, ends_on=ends_on, opened_by=user, county=county)
    publicity.full_clean()
    publicity.save()
    return publicity


@transaction.atomic
def publicity_open(
    *, applications: list[tuple[Application, int]], user, title: str, starts_on, ip: str | None = None
) -> Publicity:
    """Open one 公示 for the accepted applications chosen (all of the same level and, for county
    level, county).

    Each application goes through the declared `open_publicity` transition; if any
    is refused, nothing is opened. Side effects: one Publicity, the transitions.
    """
    if not applications:
        raise ValidationError("请至少选择一份已批准的申报。")
    first = applications[0][0]
    if any(_publicity_scope(a) != _publicity_scope(first) for a, _ in applications):
        raise ValidationError("同一公示中的申报须为同一级别（县级须为同一县）。")
    days = publicity_working_days([a for a, _ in applications])
    publicity = publicity_create(application=first, user=user, title=title, starts_on=starts_on, working_days=days)
    comment = f"{title}（{cn_date(publicity.starts_on)}至{cn_date(publicity.ends_on)}）"
    for application, version in applications:
        application_transition(
            application=application,
            action="open_publicity",
            user=user,
            version=version,
            comment=comment,
            effect_kwargs={"publicity": publicity},
            ip=ip,
        )
    return publicity


@receiver(application_transitioned)
def _close_finished_publicities(sender, entry: ApplicationLog, **kwargs) -> None:
    """A 公示 whose last application has left it (recognised, or not after an objection) is over."""
    if entry.from_state == State.IN_PUBLICITY:
        for publicity in Publicity.objects.filter(applications=entry.application, closed_at__isnull=True):
            if not applications_in_publicity(publicity).exists():
                Publicity.objects.filter(pk=publicity.pk).update(closed_at=timezone.now())


@transaction.atomic
def publicity_close(*, publicity: Publicity, user=None) -> Publicity:
    """End a 公示 (by hand, or by the daily job once its last day has passed)."""
    locked = Publicity.objects.select_for_update().get(pk=publicity.pk)
    if user is not None and not permissions.may_manage_publicity(locked, user):
        raise PermissionDenied("您无权结束该公示。")
    if locked.closed_at is None:
        if timezone.localdate() <= locked.ends_on and user is not None:
            raise ValidationError(f"公示期至{cn_date(locked.ends_on)}，期满后方可结束。")
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at"])
    return locked


@transaction.atomic
def objection_add(
    *,
    publicity: Publicity,
    application: Application,
    user,
    name: str,
    phone: str,
    reasons: str,
    received_on,
    organisation: str = "",
    email: str = "",
    ip: str | None = None,
) -> Objection:
    """Register an objection received by post, phone or in person (real name and contact; anonymous
    ones are refused by the form), as the staff who manage the 公示.

    Side effects: one Objection (channel 工作人员登记) with a reference number, one log entry on the
    application, the applicant's users notified (without the objector's identity).
    """
    locked = Publicity.objects.select_for_update().get(pk=publicity.pk)
    if not permissions.may_manage_publicity(locked, user):
        raise PermissionDenied("您无权登记该公示的异议。")
    objection = _objection_record(
        publicity=locked,
        application=application,
        name=name,
        organisation=organisation,
        phone=phone,
        email=email,
        reasons=reasons,
        received_on=received_on,
        recorded_by=user,
        channel=ObjectionChannel.REGISTERED,
    )
    log_write(
        application=application,
        user=user,
        action=LogAction.OBJECTION,
        label="登记公示异议",
        comment=f"{objection.reference}：{reasons}",  # who objected stays on the objection (erasable)
        ip=ip,
    )
    return objection


def new_objection_code() -> str:
    """The objector's random 查询码, shown once and kept only as its keyed digest (bases/lookup_codes.py)."""
    return lookup_codes.new_code(lookup_codes.OBJECTION_LENGTH)


@transaction.atomic
def objection_file_online(
    *,
    publicity: Publicity,
    application: Application,
    name: str,
    phone: str,
    reasons: str,
    organisation: str = "",
    email: str = "",
    evidence=None,
) -> tuple[Objection, str]:
    """第十一条（五）: anyone files an objection on the public 公示 page while it runs (real name and
    contact required). Returns the objection and its 查询码, which is shown to the objector once and
    kept only as its keyed digest, bound to the objection's number; with that number it opens the written
    reply.

    Side effects: one Objection (channel 网上提交, received today), its optional evidence file (checked
    by content as evidence of applications is) in the private storage, the applicant's users notified
    (without the objector's identity). Nothing is logged on the application now: the log names a
    signed-in person for each entry, and the objection's handling (the reply) is logged by the staff
    who write it.
    """
    locked = Publicity.objects.select_for_update().get(pk=publicity.pk)
    today = timezone.localdate()
    if locked.closed_at is not None or locked.has_ended(today) or locked.starts_on > today:
        raise ValidationError("该公示不在公示期内，不再受理异议。", code="period")
    kind = detect_attachment_kind(evidence) if evidence else ""
    code = new_objection_code()
    objection = _objection_record(
        publicity=locked,
        application=application,
        name=name,
        organisation=organisation,
        phone=phone,
        email=email,
        reasons=reasons,
        received_on=today,
        recorded_by=None,
        channel=ObjectionChannel.ONLINE,
        lookup_code=code,
        evidence=evidence,
        evidence_kind=kind,
    )
    return objection, code


def _objection_record(
    *,
    publicity: Publicity,
    application: Application,
    received_on,
    evidence=None,
    evidence_kind="",
    lookup_code="",
    **fields,
) -> Objection:
    """One objection to an application still in the (locked) 公示, received within its period, with
    its reference number and the date the applicant's written answer is due; the applicant told."""
    if not applications_in_publicity(publicity).filter(pk=application.pk).exists():
        raise ValidationError("该申报不在本次公示中，或已办结，不能再对其提出异议。", code="application")
    if received_on > publicity.ends_on or received_on < publicity.starts_on:
        raise ValidationError("异议须在公示期内提出，公示期外收到的不予受理。", code="received_on")
    if received_on > timezone.localdate():
        raise ValidationError("收到日期不能晚于今天。", code="received_on")
    objection = Objection(
        reference=reference_next(f"YY{publicity.starts_on.year}", taken=Objection.objects.all()),
        publicity=publicity,
        application=application,
        received_on=received_on,
        answer_due=statement_due(OBJECTION_ANSWER_DAYS),
        **fields,
    )
    if lookup_code:
        objection.lookup_code_hash = lookup_codes.digest(objection.reference, lookup_code)
    if evidence:
        digest = hashlib.sha256()
        for chunk in evidence.chunks():
            digest.update(chunk)
        evidence.seek(0)
        objection.evidence_kind, objection.evidence_size = evidence_kind, evidence.size
        objection.evidence_name, objection.evidence_sha256 = attachment_display_name(evidence.name), digest.hexdigest()
    objection.full_clean(exclude=["evidence"])
    if evidence:
        objection.evidence.save(evidence.name, evidence, save=False)
    objection.save()
    notify(
        users=applicant_users(application),
        application=application,
        kind=NotificationKind.OBJECTION,
        key=f"objection:{objection.pk}",
        message=f"申报 {application.reference} 在公示期间收到异议（编号 {objection.reference}），"
        f"请于{cn_date(objection.answer_due)}前登录平台查看并书面说明。",
    )
    return objection


OBJECTION_ANSWER_DAYS = 5  # working days the applicant has to answer an objection in writing


def statement_due(days: int, *, served_on=None):
    """The last day of a period of `days` working days that begins the day after `served_on`
    (default today): 民法典第二百零一条, the first day is not counted."""
    served_on = served_on or timezone.localdate()
    return working_calendar().add_working_days(served_on + datetime.timedelta(days=1), days)


@transaction.atomic
def objection_answer(*, objection: Objection, user, answer: str, ip: str | None = None) -> Objection:
    """The applicant's written answer to an objection put to it (without the objector's identity),
    until the bureau has replied. Side effects: the Objection, one log entry."""
    locked = Objection.objects.select_for_update().select_related("application").get(pk=objection.pk)
    if not permissions.is_applicant_of(locked.application, user):
        raise PermissionDenied("只有申报单位可以对异议作书面说明。")
    if not locked.answerable or locked.resolved:
        raise ValidationError("该异议已答复处理，不能再提交说明。", code="closed")
    if not answer.strip():
        raise ValidationError("请填写书面说明。", code="answer")
    locked.answer, locked.answered_at = answer.strip(), timezone.now()
    locked.full_clean()
    locked.save()
    log_write(
        application=locked.application,
        user=user,
        action=LogAction.OBJECTION,
        label="申报单位说明",
        comment=f"{locked.reference}：{locked.answer}",
        ip=ip,
    )
    return locked


@transaction.atomic
def objection_reply(*, objection: Objection, user, outcome: str, reply: str, ip: str | None = None) -> Objection:
    """Record the written reply and the outcome. Side effects: the Objection, one log entry."""
    locked = Objection.objects.select_for_update().select_related("publicity", "application").get(pk=objection.pk)
    if not permissions.may_manage_publicity(locked.publicity, user):
        raise PermissionDenied("您无权答复该异议。")
    if not locked.answerable:
        raise ValidationError("该申报已办结，异议处理结果不能再修改。")
    if outcome == ObjectionOutcome.PENDING or not reply.strip():
        raise ValidationError("请选择处理结果并填写书面答复。")
    if outcome == ObjectionOutcome.UPHELD and not locked.applicant_heard():
        raise ValidationError(
            f"认定异议成立前须听取申报单位的书面说明：请待其说明，或至{cn_date(locked.answer_due)}说明期满后再认定。",
            code="unheard",
        )
    locked.outcome, locked.reply, locked.replied_by, locked.replied_at = outcome, reply.strip(), user, timezone.now()
    locked.save()
    log_write(
        application=locked.application,
        user=user,
        action=LogAction.OBJECTION,
        label="答复公示异议",
        comment=f"{locked.reference}：{locked.get_outcome_display()}。{locked.reply}",
        ip=ip,
    )
    return locked


@transaction.atomic
def publicity_recognise(
    *, publicity: Publicity, user, document_number: str, recognised_on, ip: str | None = None
) -> list[Application]:
    """Recognise every application of a 公示 that is still 公示中, with one document.

    All or nothing: if one is refused (objection pending, period not over), none is recognised.
    """
    if not permissions.may_manage_publicity(publicity, user):
        raise PermissionDenied("您无权认定该公示的申报。")
    pending = list(applications_in_publicity(publicity))
    if not pending:
        raise ValidationError("该公示中没有待认定的申报。")
    refusal = document_number_refusal(pending[0], document_number)
    if refusal:
        raise ValidationError(refusal, code="document_number")
    data = {"document_number": document_number, "recognised_on": recognised_on}
    return [
        application_transition(
            application=a,
            action="recognise",
            user=user,
            version=a.version,
            effect_kwargs=data,
            comment=f"{document_number}，{cn_date(recognised_on)}",
            ip=ip,
        )
        for a in pending
    ]


# --- Revocation (第十五条): notice, statement, decision ---------------------------------------------------

REVOCATION_STATEMENT_DAYS = 5  # working days, from the day after the notice was served
REVIEW_RIGHTS = (
    "如不服本决定，可以自收到本决定之日起六十日内依法申请行政复议，"
    "或者自收到本决定之日起六个月内依法向人民法院提起行政诉讼。"
)


@transaction.atomic
def revocation_notice_serve(
    *,
    application: Application,
    user,
    ground: str,
    facts: str,
    served_on,
    statement_days: int = REVOCATION_STATEMENT_DAYS,
    ip: str | None = None,
) -> RevocationCase:
    """撤销告知: the acceptance authority tells a recognised base the ground it intends to revoke it on
    and the facts, and when the notice was served; the organisation may state its case until the
    computed due date. The base stays valid. Side effects: one RevocationCase, one log entry, the
    organisation's users notified."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("organisation", "base")
        .get(pk=application.pk)
    )
    if not permissions.is_acceptance_authority(locked, user):
        raise PermissionDenied("撤销认定由认定机关办理。")
    if locked.state != State.RECOGNISED:
        raise ValidationError("只能对已认定的基地送达撤销告知。", code="state")
    if open_revocation_case(locked) is not None:
        raise ValidationError("该基地已有一项正在办理的撤销程序。", code="duplicate")
    _check_date(served_on, Floor(locked.base.recognised_on, "认定日期"))
    case = RevocationCase(
        application=locked,
        ground=ground,
        facts=facts.strip(),
        served_on=served_on,
        statement_days=statement_days,
        statement_due=statement_due(statement_days, served_on=served_on),
        opened_by=user,
    )
    case.full_clean()
    case.save()
    _revocation_step(
        case,
        user=user,
        ip=ip,
        label="送达撤销告知",
        comment=f"{case.get_ground_display()}；{case.facts}（{cn_date(served_on)}送达，陈述申辩期至{cn_date(case.statement_due)}）",
        tell=applicant_users(locked),
        key="revocation-notice",
        message=f"{locked.organisation.name}：认定机关拟以“{case.get_ground_display()}”撤销贵单位商业秘密保护基地认定，"
        f"贵单位可于{cn_date(case.statement_due)}前登录平台提交书面陈述申辩意见和证据。",
    )
    return case


def _revocation_step(case: RevocationCase, *, user, ip, label: str, comment: str, tell, key: str, message: str):
    """A step of the revocation procedure is logged on the application and told to the other side
    (`tell`): the organisation of the authority's steps, the authority's staff of the statement."""
    log_write(application=case.application, user=user, action=LogAction.REVOCATION, label=label, comment=comment, ip=ip)
    notify(
        users=tell,
        application=case.application,
        kind=NotificationKind.REVOCATION,
        key=f"{key}:{case.pk}",
        message=message,
    )


@transaction.atomic
def revocation_statement_submit(
    *, case: RevocationCase, user, statement: str, files=(), ip: str | None = None
) -> RevocationCase:
    """陈述申辩: the organisation's written statement and evidence, within the period. Side effects:
    the case, the files stored (purpose 陈述申辩材料), one log entry, the authority's staff notified."""
    locked = RevocationCase.objects.select_for_update().select_related("application__organisation").get(pk=case.pk)
    application = locked.application
    if not permissions.is_applicant_of(application, user):
        raise PermissionDenied("只有该基地的申报单位可以陈述申辩。")
    if not locked.is_open or locked.statement_at is not None:
        raise ValidationError("陈述申辩已提交或该程序已办结。", code="closed")
    if timezone.localdate() > locked.statement_due:
        raise ValidationError(f"陈述申辩期已于{cn_date(locked.statement_due)}届满。", code="late")
    if not statement.strip():
        raise ValidationError("请填写陈述申辩意见。", code="statement")
    stored = [
        attachment_store(application=application, user=user, uploaded=f, purpose=AttachmentPurpose.STATEMENT)
        for f in files
    ]
    locked.statement, locked.statement_at = statement.strip(), timezone.now()
    locked.full_clean()
    locked.save()
    _revocation_step(
        locked,
        user=user,
        ip=ip,
        label="提交陈述申辩",
        comment=locked.statement + (f"（附材料{len(stored)}份）" if stored else ""),
        tell=staff_holding(application),
        key="revocation-statement",
        message=f"{application.organisation.name}已就撤销告知提交陈述申辩（申报 {application.reference}），"
        "请审查后作出决定。",
    )
    return locked


@transaction.atomic
def revocation_case_close(
    *, case: RevocationCase, user, reasons: str, decided_on, ip: str | None = None
) -> RevocationCase:
    """不予撤销: the authority ends the procedure without revoking, with its reasons (on the statement,
    where one was made). The base stays valid. Side effects: the case, one log entry, the organisation told."""
    locked = RevocationCase.objects.select_for_update().select_related("application__organisation").get(pk=case.pk)
    application = locked.application
    if not permissions.is_acceptance_authority(application, user):
        raise PermissionDenied("撤销认定由认定机关办理。")
    if not locked.is_open:
        raise ValidationError("该撤销程序已办结。", code="closed")
    if not reasons.strip():
        raise ValidationError("请写明不予撤销的理由。", code="reasons")
    _check_date(decided_on, Floor(locked.served_on, "告知送达日"))
    locked.status, locked.decided_on, locked.decided_by = RevocationStatus.CLOSED, decided_on, user
    locked.decision_reasons = reasons.strip()
    locked.full_clean()
    locked.save()
    _revocation_step(
        locked,
        user=user,
        ip=ip,
        label="决定不予撤销",
        comment=f"{locked.decision_reasons}（{cn_date(decided_on)}）",
        tell=applicant_users(application),
        key="revocation-closed",
        message=f"{application.organisation.name}：撤销程序已结束，决定不予撤销，贵单位商业秘密保护基地认定继续有效。",
    )
    return locked


# --- Upward recommendation (第三条（四）, 第十六条（三）): 初审推荐, 推荐上报 or 不予推荐, the outcome ------------


def _upward_files_checked(files) -> list[tuple]:
    """Every uploaded file checked by its content before any is kept (the same checks as evidence
    of applications: type by content, size, ZIP packages); the problems of all of them at once."""
    checked, problems = [], []
    for uploaded in files:
        try:
            kind = detect_attachment_kind(uploaded)
        except ValidationError as error:
            problems += error.messages
            continue
        digest = hashlib.sha256()
        for chunk in uploaded.chunks():
            digest.update(chunk)
        uploaded.seek(0)
        checked.append((uploaded, kind, digest.hexdigest()))
    if problems:
        raise ValidationError({"files": [*problems, "本次所选文件均未上传，请更换后重新选择。"]})
    return checked


def _upward_step(
    item: UpwardRecommendation,
    *,
    user,
    from_status: str,
    step_on,
    reason: str,
    files: list[tuple],
    label: str,
    tell,
    message: str,
) -> UpwardRecommendationLog:
    """A step of an upward recommendation: its log entry with the documents that came with it; a
    short entry in the base's application log (the stage and the date only: the opinions stay in the
    recommendation's own log, which only the bureaus read); the next office told."""
    entry = UpwardRecommendationLog(
        recommendation=item, from_status=from_status, to_status=item.status, step_on=step_on, actor=user, reason=reason
    )
    entry.full_clean()
    entry.save()
    stored = []
    try:
        for uploaded, kind, sha256 in files:
            document = UpwardDocument(
                recommendation=item,
                entry=entry,
                original_name=attachment_display_name(uploaded.name),
                kind=kind,
                size=uploaded.size,
                sha256=sha256,
                uploaded_by=user,
            )
            document.full_clean(exclude=["file"])
            document.file.save(uploaded.name, uploaded, save=False)
            stored.append(document.file.name)
            document.save()
    except Exception:
        for name in stored:  # no file stays behind a step not recorded
            private_storage.delete(name)
        raise
    log_write(
        application=item.base.application,
        user=user,
        action=LogAction.UPWARD,
        label=label,
        comment=f"推荐申报{item.get_level_display()}商业秘密保护基地：{item.get_status_display()}（{cn_date(step_on)}）",
    )
    notify(
        users=tell,
        application=item.base.application,
        kind=NotificationKind.UPWARD,
        key=f"upward:{item.pk}:{item.status}",
        message=shortened(message, MESSAGE_LENGTH),
    )
    return entry


@receiver(application_transitioned)
def _end_upward_on_revocation(sender, entry: ApplicationLog, **kwargs) -> None:
    """第十五条 with 第三条（四）: a base whose recognition is revoked is recommended no further. Its
    recommendations under way end with the decision (in its transaction, after its log entry), each
    step logged with the decision's number; the base's county and the city are told, the city asked
    to withdraw one it has already reported to the province or the nation."""
    if entry.transition != "revoke":
        return
    case = revocation_decision(entry.application_id)  # made by the transition's effect, just before
    items = UpwardRecommendation.objects.select_for_update().filter(
        base__application_id=entry.application_id, status__in=UPWARD_OPEN
    )
    for item in items.select_related("base__organisation", "base__application"):
        before = item.status
        item.status, item.version = UpwardStatus.ENDED, item.version + 1
        item.full_clean()
        item.save()
        last = item.log.order_by("-step_on").values_list("step_on", flat=True).first()
        step_on = max(case.decided_on, last) if last else case.decided_on  # never before the step it ends
        number = f"（{case.document_number}）"
        level = item.get_level_display()
        withdraw = "；该推荐已上报，请告知上级部门撤回" if before == UpwardStatus.CITY_RECOMMENDED else ""
        _upward_step(
            item,
            user=entry.actor,
            from_status=before,
            step_on=step_on,
            reason=f"基地认定已撤销{number}，向上推荐终止。",
            files=[],
            label="向上推荐：撤销认定，推荐终止",
            tell=[*city_staff(), *county_staff(item.base.organisation.county_id)],
            message=f"{item.base.name}的认定已撤销{number}，其{level}推荐终止{withdraw}。",
        )


@transaction.atomic
def upward_recommendation_open(
    *, base: Base, user, level: str, county_on, opinion: str, files=()
) -> UpwardRecommendation:
    """初审推荐 (第三条（四））: the base's county bureau recommends a valid base of its county to
    provincial or national level with its opinion, the date and optional documents. Refused for a
    revoked base, a base under a revocation procedure, an organisation within the 2-year ban after a
    revocation (第十五条), a base with a recommendation of that level under way or already 获评.

    Side effects: one UpwardRecommendation (县局已初审推荐), its first log entry and documents, one
    entry in the base's application log, the city's staff notified."""
    locked = (
        Base.objects.select_for_update(of=("self",))
        .select_related("organisation__county", "application")
        .get(pk=base.pk)
    )
    if not permissions.is_county_of_base(locked, user):
        raise PermissionDenied("向上推荐由基地所在地县局初审推荐。")
    if level not in (Level.PROVINCIAL, Level.NATIONAL):
        raise ValidationError({"level": "请选择推荐级别（省级或国家级）。"})
    refusal = upward_refusal(locked, level=level)
    if refusal:
        raise ValidationError(refusal, code="refused")
    opinion = opinion.strip()
    if not opinion:
        raise ValidationError({"opinion": "请填写县局初审意见。"})
    _check_date(county_on, Floor(locked.recognised_on, "认定日期"))
    checked = _upward_files_checked(files)
    item = UpwardRecommendation(
        base=locked,
        level=level,
        status=UpwardStatus.COUNTY_RECOMMENDED,
        county_on=county_on,
        county_opinion=opinion,
        opened_by=user,
    )
    item.full_clean()
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as error:  # a second post at the same moment, after the first committed
        raise ValidationError("该基地已有一项同级别的向上推荐正在办理。", code="duplicate") from error
    bureau = locked.organisation.county.bureau_name
    _upward_step(
        item,
        user=user,
        from_status="",
        step_on=county_on,
        reason=opinion,
        files=checked,
        label="向上推荐：县局初审推荐",
        tell=city_staff(),
        message=f"{bureau}已初审推荐{locked.name}申报{item.get_level_display()}商业秘密保护基地"
        f"（{cn_date(county_on)}），请在“向上推荐”页面审核是否推荐上报。",
    )
    return item


def _upward_locked(item: UpwardRecommendation, *, user, version, stage: str, leads_to: str | None) -> tuple:
    """The recommendation locked for a step of the city's; (the row, True) when this very step (one
    that led to `leads_to`) was just taken with the same version: a second click, which changes
    nothing. Another step taken meanwhile (in another tab) is refused."""
    if not permissions.is_city(user):
        raise PermissionDenied("推荐上报和评审结果由市局办理。")
    locked = (
        UpwardRecommendation.objects.select_for_update(of=("self",))
        .select_related("base__organisation__county", "base__application")
        .get(pk=item.pk)
    )
    if leads_to is not None and locked.status == leads_to and version == locked.version - 1:
        return locked, True
    if locked.status != stage:
        raise ValidationError(
            f"该推荐当前为“{locked.get_status_display()}”，不能办理此步骤。请刷新页面查看。", code="stage"
        )
    if version != locked.version:
        raise ValidationError("该推荐已在其他页面处理过，请刷新后重新办理。", code="version")
    return locked, False


@transaction.atomic
def upward_recommendation_decide(
    *, item: UpwardRecommendation, user, version: int | None, decision: str, city_on, opinion: str, files=()
) -> UpwardRecommendation:
    """The city on a county's 初审推荐: 推荐上报 (with its opinion; the base must still be valid and
    not under a revocation procedure) or 不予推荐 (with its reasons), dated between the county's date
    and today. Side effects: the recommendation (version + 1), one log entry and its documents, one
    entry in the base's application log, the county's staff notified."""
    leads_to = {
        UpwardDecision.RECOMMEND: UpwardStatus.CITY_RECOMMENDED,
        UpwardDecision.DECLINE: UpwardStatus.CITY_DECLINED,
    }.get(decision)
    locked, repeated = _upward_locked(
        item, user=user, version=version, stage=UpwardStatus.COUNTY_RECOMMENDED, leads_to=leads_to
    )
    if repeated:
        return locked
    opinion = opinion.strip()
    if decision == UpwardDecision.RECOMMEND:
        if not opinion:
            raise ValidationError({"opinion": "请填写市局推荐意见。"})
        refusal = upward_base_refusal(locked.base)
        if refusal:
            raise ValidationError(f"{refusal}可决定不予推荐。", code="refused")
        status = UpwardStatus.CITY_RECOMMENDED
    elif decision == UpwardDecision.DECLINE:
        if not opinion:
            raise ValidationError({"opinion": "请写明不予推荐的理由。"})
        status = UpwardStatus.CITY_DECLINED
    else:
        raise ValidationError({"decision": "请选择推荐上报或不予推荐。"})
    _check_date(city_on, Floor(locked.county_on, "县局初审推荐日期") if locked.county_on else None)
    checked = _upward_files_checked(files)
    before = locked.status
    locked.status, locked.city_on, locked.city_opinion = status, city_on, opinion
    locked.version += 1
    locked.full_clean()
    locked.save()
    level = locked.get_level_display()
    message = (
        f"市局已将{locked.base.name}推荐上报{level}商业秘密保护基地（{cn_date(city_on)}）。"
        if status == UpwardStatus.CITY_RECOMMENDED
        else f"市局决定不予推荐{locked.base.name}申报{level}商业秘密保护基地（{cn_date(city_on)}）：{opinion}"
    )
    _upward_step(
        locked,
        user=user,
        from_status=before,
        step_on=city_on,
        reason=opinion,
        files=checked,
        label=f"向上推荐：市局{UpwardDecision(decision).label}",
        tell=county_staff(locked.base.organisation.county_id),
        message=message,
    )
    return locked


@transaction.atomic
def upward_recommendation_outcome(
    *,
    item: UpwardRecommendation,
    user,
    version: int | None,
    outcome: str,
    outcome_on,
    document_number: str = "",
    note: str = "",
    files=(),
) -> UpwardRecommendation:
    """The outcome of a recommendation the city recommended on, recorded by the city: 获评 (with the
    number of the document that recognised the base) or 未获评, dated between the city's date and
    today. Side effects: the recommendation (version + 1), one log entry and its documents, one entry
    in the base's application log, the county's staff and the organisation's users notified."""
    leads_to = outcome if outcome in UpwardOutcome.values else None
    locked, repeated = _upward_locked(
        item, user=user, version=version, stage=UpwardStatus.CITY_RECOMMENDED, leads_to=leads_to
    )
    if repeated:
        return locked
    document_number, note = document_number.strip(), note.strip()
    if outcome == UpwardOutcome.RECOGNISED:
        if not document_number:
            raise ValidationError({"document_number": "获评的请填写评审结果文件的文号。"})
    elif outcome == UpwardOutcome.NOT_RECOGNISED:
        document_number = ""
    else:
        raise ValidationError({"outcome": "请选择获评或未获评。"})
    _check_date(outcome_on, Floor(locked.city_on, "市局推荐上报日期"))
    checked = _upward_files_checked(files)
    before = locked.status
    locked.status, locked.outcome_on = outcome, outcome_on
    locked.outcome_document, locked.outcome_note = document_number, note
    locked.version += 1
    locked.full_clean()
    locked.save()
    level = locked.get_level_display()
    result = f"已获评（{document_number}）" if outcome == UpwardOutcome.RECOGNISED else "未获评"
    _upward_step(
        locked,
        user=user,
        from_status=before,
        step_on=outcome_on,
        reason="；".join(part for part in (document_number, note) if part),
        files=checked,
        label="向上推荐：评审结果",
        tell=[*county_staff(locked.base.organisation.county_id), *applicant_users(locked.base.application)],
        message=f"{locked.base.name}申报{level}商业秘密保护基地：{result}（{cn_date(outcome_on)}）。",
    )
    return locked


# --- Notifications and the daily job ------------------------------------------------------------------
# Who is told what: after a transition, the applicant's users and the staff of the office that has the
# application now (the state table says which); reminders before the deadline and to waiting counties.

REMIND_DAYS_BEFORE_DEADLINE = (7, 1)
WAITING_DAYS = 10


def notify(*, users, application: Application | None, kind: str, key: str, message: str) -> int:
    """One in-app notification per user, and its e-mail queued (sent by a task once this commits,
    so a mail server that fails never undoes or breaks what was done); a key already used for a
    user is skipped, so a reminder job that runs twice does not remind twice. Returns how many."""
    created = []
    for user in users:
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user,
                        application=application,
                        kind=kind,
                        key=key,
                        message=message,
                        email_status=EmailStatus.PENDING if user.email else EmailStatus.NONE,
                    )
                )
        except IntegrityError:
            continue
    mailed = [n.pk for n in created if n.email_status == EmailStatus.PENDING]
    if mailed:
        queue_task("reviews.tasks.send_notification_emails", mailed)
    return len(created)


def mail_subject(message: str) -> str:
    """A subject line from the message: one line, whatever the message holds."""
    line = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in message)
    return f"【商业秘密保护基地】{shortened(' '.join(line.split()), 40)}"


def notification_emails_send(*, ids) -> list[int]:
    """Send the e-mails of these notifications that are still to go (pending, or failed fewer than
    MAIL_ATTEMPTS times). A failure of any kind (the server, the network, a header) is recorded on
    the notification, with the error, for the city admin, and never raised. Returns the ids that
    failed this time."""
    failed = []
    waiting = Notification.objects.select_related("user").filter(
        pk__in=ids, email_status__in=[EmailStatus.PENDING, EmailStatus.FAILED], email_attempts__lt=MAIL_ATTEMPTS
    )
    for notification in waiting:
        notification.email_attempts += 1
        try:
            EmailMessage(
                subject=mail_subject(notification.message), body=notification.message, to=[notification.user.email]
            ).send(fail_silently=False)
        except Exception as error:
            notification.email_status = EmailStatus.FAILED
            notification.email_error = shortened(f"{type(error).__name__}: {error}", 300)
            failed.append(notification.pk)
            logger.warning("e-mail of notification %s failed: %s", notification.pk, notification.email_error)
        else:
            notification.email_status, notification.email_error = EmailStatus.SENT, ""
            notification.emailed_at = timezone.now()
        notification.save(update_fields=["email_status", "email_attempts", "email_error", "emailed_at"])
    return failed


def failed_emails_retry() -> int:
    """The daily job's second chance for e-mails that failed (and were not sent by the worker's own
    retries): queued again while under MAIL_ATTEMPTS. Returns how many were queued."""
    ids = list(
        Notification.objects.filter(email_status=EmailStatus.FAILED, email_attempts__lt=MAIL_ATTEMPTS).values_list(
            "pk", flat=True
        )
    )
    if ids:
        queue_task("reviews.tasks.send_notification_emails", ids)
    return len(ids)


@receiver(application_transitioned)
def _queue_transition_notifications(sender, entry: ApplicationLog, **kwargs) -> None:
    queue_task("reviews.tasks.notify_transition", entry.pk)


MESSAGE_LENGTH = 300
COMMENT_LENGTH = 150


def shortened(text: str, limit: int) -> str:
    """The text whole, or cut at `limit` characters with an ellipsis that says so."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def transition_message(entry: ApplicationLog, *, for_applicant: bool) -> str:
    """What a transition's notification says: the step, the new state and the comment under its own
    name (推荐意见, 退回理由, 认定文号 …); the applicant's copy leaves out what stays with the bureaus."""
    application = entry.application
    message = (
        f"申报 {application.reference}（{application.display_name}）：{entry.label}，"
        f"状态变为“{states.label(entry.to_state)}”。"
    )
    comment = disclosure.applicant_comment(entry) if for_applicant else entry.comment
    if comment:
        declared = declared_transition(application, entry.transition)
        label = (declared.custom.get("comment_label") if declared else "") or "说明"
        message += f"{label}：{shortened(comment, COMMENT_LENGTH)}"
    return shortened(message, MESSAGE_LENGTH)


def receipt_message(application: Application, entry: ApplicationLog) -> str:
    """The notification of a submission: the reference, the day, what happens next and where, and where
    the receipt (申报回执, a PDF issued beside it) is: the 查询码 is printed there and nowhere else."""
    next_office = office_name(application, states.office_of(entry.to_state, application.level))
    return (
        f"申报回执：贵单位的{application.get_level_display()}{application.get_base_type_display()}申报"
        f"（编号 {application.reference}）已于{cn_date(timezone.localtime(entry.created_at).date())}提交。"
        f"下一步：{states.next_step(entry.to_state, application.level)}（{next_office}）。"
        "申报回执（含查询码）请在申报页面的“文书”中下载并妥善保存，凭申报编号和查询码可查询办理进度。"
    )


def transition_notify(*, log_id: int) -> int:
    """Tell the applicant and the office the transition handed the application to (not the person
    who made it), whenever the task runs; on submission the applicant's copy is the receipt (申报回执).
    Side effects: Notification rows, e-mails."""
    entry = ApplicationLog.objects.select_related("application__organisation__county").get(pk=log_id)
    application = entry.application
    applicants = [u for u in applicant_users(application) if u.pk != entry.actor_id]
    staff = [u for u in staff_holding(application, entry.to_state) if u.pk != entry.actor_id]
    staff_message = transition_message(entry, for_applicant=False)
    if not staff and states.held_by_leader(entry.to_state, application.level):
        # 报批 with no active 分管领导 at the bureau: nobody could approve, so its staff are told why it
        # waits (and the system administrator gives the role; the city's admins are staff too).
        bureau = states.holder(entry.to_state, application.level)
        staff = [u for u in bureau_staff(bureau, application.organisation.county_id) if u.pk != entry.actor_id]
        staff_message += " 本局尚无启用的分管领导账号，无人可以审批；请联系系统管理员开通（角色：分管领导）。"
    if entry.transition == "submit":
        receipt = receipt_message(application, entry)
        sent = notify(
            users=applicant_users(application),
            application=application,
            kind=NotificationKind.RECEIPT,
            key=f"receipt:{entry.pk}",
            message=receipt,
        )
    else:
        sent = notify(
            users=applicants,
            application=application,
            kind=NotificationKind.TRANSITION,
            key=f"log:{entry.pk}",
            message=transition_message(entry, for_applicant=True),
        )
    return sent + notify(
        users=staff,
        application=application,
        kind=NotificationKind.TRANSITION,
        key=f"log:{entry.pk}",
        message=staff_message,
    )


@receiver(organisation_registered)
def _notify_county_of_registration(sender, organisation: Organisation, **kwargs) -> None:
    """The county bureau's staff are told that an organisation registered and waits for them."""
    notify(
        users=county_staff(organisation.county_id),
        application=None,
        kind=NotificationKind.WAITING,
        key=f"registered:{organisation.pk}",
        message=f"{organisation.name}（统一社会信用代码 {organisation.credit_code}）已注册，所在地为"
        f"{organisation.county.name}，注册待确认：请在“申报单位”页面核对并确认。",
    )


@receiver(organisation_decided)
def _notify_organisation_decided(sender, organisation: Organisation, **kwargs) -> None:
    """The registered organisation's users are told the county's decision on their registration."""
    bureau = organisation.county.bureau_name
    day = cn_date(timezone.localtime(organisation.confirmed_at).date())
    if organisation.status == OrganisationStatus.CONFIRMED:
        message = (
            f"{organisation.name}（统一社会信用代码 {organisation.credit_code}）的注册已于{day}经{bureau}确认。"
            "下一步：登录平台“新建申报”，选择基地类型并填写申报表。"
        )
    else:
        message = (
            f"{organisation.name}的注册未通过{bureau}确认（{day}）：{organisation.status_note}。如有疑问请联系县局。"
        )
    notify(
        users=organisation_users(organisation).filter(is_active=True),
        application=None,
        kind=NotificationKind.RECEIPT,
        key=f"registration:{organisation.pk}:{organisation.status}",
        message=message,
    )


def publicities_close_ended(*, today=None) -> int:
    """Close every 公示 whose last day has passed. Returns how many."""
    today = today or timezone.localdate()
    ended = list(Publicity.objects.filter(closed_at__isnull=True, ends_on__lt=today))
    for publicity in ended:
        publicity_close(publicity=publicity)
    return len(ended)


def deadline_reminders_send(*, today=None) -> int:
    """Remind applicants 7 and 1 days before their batch closes of applications not yet submitted."""
    today = today or timezone.localdate()
    sent = 0
    for days in REMIND_DAYS_BEFORE_DEADLINE:
        for application in applications_unsubmitted_at_deadline(today + datetime.timedelta(days=days)):
            batch = application.batch
            sent += notify(
                users=applicant_users(application),
                application=application,
                kind=NotificationKind.DEADLINE,
                key=f"deadline:{application.pk}:{days}",
                message=f"{batch.name}将于{cn_date(application.rules().deadline)}截止（还有{days}天），"
                f"申报 {application.reference} 尚未提交，请抓紧完成。",
            )
    return sent


def waiting_reminders_send(*, today=None) -> int:
    """Remind county bureaus of submitted applications waiting for them over 10 days."""
    now = timezone.now() if today is None else timezone.make_aware(datetime.datetime.combine(today, datetime.time(8)))
    sent = 0
    for application in applications_submitted_before(now - datetime.timedelta(days=WAITING_DAYS)):
        days = (now - application.submitted_at).days
        sent += notify(
            users=staff_holding(application),
            application=application,
            kind=NotificationKind.WAITING,
            key=f"waiting:{application.pk}:{now:%Y%m%d}",
            message=f"申报 {application.reference}（{application.display_name}）已提交{days}天，"
            f"{states.next_step(application.state, application.level)}。",
        )
    return sent


def daily_housekeeping_run(*, today=None) -> dict:
    """Once a day: close ended 公示, remind applicants of the deadline and counties of what waits,
    retry failed e-mails, remove old zips of printed forms, remind bases of their yearly report and
    fail those whose 整改期限 has passed (第十四条), and let security events older than their retention
    period go."""
    return {
        "closed_publicities": publicities_close_ended(today=today),
        "deadline_reminders": deadline_reminders_send(today=today),
        "waiting_reminders": waiting_reminders_send(today=today),
        "emails_retried": failed_emails_retry(),
        "form_bundles": form_bundles_expire(today=today),
        "yearly_report_reminders": yearly_report_reminders_send(today=today),
        "yearly_reports_failed": yearly_reports_rectify_expire(today=today),
        **retention_apply(today=today),
    }


# --- 打包下载申报表: many printed forms in one zip, built by a worker ----------------------------------


@transaction.atomic
def form_bundle_request(*, user, applications=(), publicity: Publicity | None = None) -> FormBundle:
    """The city or a county asks for the printed forms of the applications it ticked, or of every
    application of a 公示 (`publicity`, read through the user's own selector), in one zip. Only what
    the user may see goes in, at most BUNDLE_MAX_APPLICATIONS.

    Side effects: one FormBundle row with its applications; after commit the task
    reviews.tasks.build_form_bundle queued (without REDIS_URL it runs at once in this process).
    """
    if not permissions.is_bureau_staff(user):
        raise PermissionDenied("申报表打包下载由县局和市局办理。")
    if publicity is not None:
        wanted = [a.pk for a in publicity.applications.all()]
        title = publicity.title
    else:
        wanted = [a.pk for a in applications]
        title = f"所选申报{len(wanted)}份"
    chosen = list(applications_for_user(user).filter(pk__in=wanted).order_by("reference").values_list("pk", flat=True))
    if not chosen:
        raise ValidationError("请至少勾选一份申报。", code="empty")
    if len(chosen) > BUNDLE_MAX_APPLICATIONS:
        raise ValidationError(
            "一次最多打包 %(max)d 份申报表，本次勾选了 %(count)d 份。",
            code="too_many",
            params={"max": BUNDLE_MAX_APPLICATIONS, "count": len(chosen)},
        )
    bundle = FormBundle(requested_by=user, title=title[:150], publicity=publicity, total=len(chosen))
    bundle.full_clean()
    bundle.save()
    bundle.applications.set(chosen)
    queue_task("reviews.tasks.build_form_bundle", bundle.pk)
    return bundle


def form_bundle_build(*, bundle_id: int) -> FormBundle:
    """Build the zip of a FormBundle: each application's form from bases.printing (a stored PDF when
    the application has not changed, else rendered and stored), the count of forms done written
    after each so the page shows the progress; only applications the requester may still see.
    Runs outside a transaction (a worker, or after the request's commit), so each step is visible.

    Side effects: the zip in the documents storage; the FormBundle's status, progress and file.
    """
    bundle = FormBundle.objects.select_related("requested_by").get(pk=bundle_id)
    if bundle.is_finished:
        return bundle
    FormBundle.objects.filter(pk=bundle.pk).update(status=BundleStatus.RUNNING, done=0)
    applications = (
        applications_for_user(bundle.requested_by).filter(pk__in=bundle.applications.values("pk")).order_by("reference")
    )
    try:
        with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as buffer:
            count = 0
            with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:  # PDFs are compressed
                for application in applications:
                    archive.writestr(
                        printing.form_filename(application), printing.application_form_pdf(application).content
                    )
                    count += 1
                    FormBundle.objects.filter(pk=bundle.pk).update(done=count)
            size = buffer.tell()
            buffer.seek(0)
            bundle.file.save(f"{bundle.public_id}.zip", File(buffer, name=f"{bundle.public_id}.zip"), save=False)
    except Exception as exc:  # recorded for the page; the worker's log has the traceback
        logger.exception("form bundle %s failed", bundle.pk)
        FormBundle.objects.filter(pk=bundle.pk).update(
            status=BundleStatus.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:300], finished_at=timezone.now()
        )
        bundle.refresh_from_db()
        return bundle
    FormBundle.objects.filter(pk=bundle.pk).update(
        status=BundleStatus.DONE, file=bundle.file.name, size=size, total=count, done=count, finished_at=timezone.now()
    )
    bundle.refresh_from_db()
    return bundle


def form_bundles_expire(*, today=None) -> int:
    """Remove the zips of printed forms (files and rows) older than BUNDLE_KEEP_DAYS. Returns how many."""
    expired = list(form_bundles_expired(today=today, days=BUNDLE_KEEP_DAYS))
    for bundle in expired:
        if bundle.file:
            bundle.file.delete(save=False)
        bundle.delete()
    return len(expired)


# --- Retention of personal data (个人信息保护法第十九条: 保存期限为实现处理目的所必要的最短时间) --------


@dataclasses.dataclass(frozen=True)
class RetentionRule:
    key: str
    record: str  # what kind of record, as the README and the command print it
    erased: str  # what goes
    when: str  # after what
    setting: str  # the settings name of the number of days
    floor: int = 0  # days it may never be shorter than


RETENTION_RULES = (
    RetentionRule(
        "objector_contacts",
        "公示异议",
        "异议人的联系电话和电子邮箱（姓名、理由和答复作为办理记录保留）",
        "异议已书面答复且所在公示结束后",
        "OBJECTOR_CONTACT_RETENTION_DAYS",
    ),
    RetentionRule(
        "notifications",
        "站内消息",
        "已读消息（含邮件发送记录）",
        "阅读后",
        "NOTIFICATION_RETENTION_DAYS",
    ),
    RetentionRule(
        "security_events",
        "安全事件与登录记录",
        "登录、失败、锁定、权限变更、个人信息导出等记录",
        "发生后",
        "SECURITY_EVENT_RETENTION_DAYS",
        floor=SECURITY_RETENTION_FLOOR_DAYS,  # 网络安全法第二十一条
    ),
)


def retention_days(rule: RetentionRule) -> int:
    return max(getattr(settings, rule.setting), rule.floor)


@transaction.atomic
def retention_apply(*, today=None, dry_run: bool = False) -> dict:
    """Erase what has outlived its rule (RETENTION_RULES); returns how many records each rule touched.
    With dry_run, counts only. Run by the daily job and by `manage.py retention_apply`."""
    today = today or timezone.localdate()
    now = timezone.now() if today == timezone.localdate() else _start_of(today)

    def before(rule):
        return now - datetime.timedelta(days=retention_days(rule))

    rules = {rule.key: rule for rule in RETENTION_RULES}
    contacts = Objection.objects.filter(
        contacts_erased_on__isnull=True,
        replied_at__isnull=False,
        publicity__closed_at__lt=before(rules["objector_contacts"]),
    ).exclude(outcome=ObjectionOutcome.PENDING)
    read = Notification.objects.filter(read_at__lt=before(rules["notifications"]))
    if dry_run:
        return {
            "objector_contacts": contacts.count(),
            "notifications": read.count(),
            "security_events": security_events_expire(now=now, dry_run=True),
        }
    return {
        "objector_contacts": contacts.update(phone="", email="", contacts_erased_on=today),
        "notifications": read.delete()[0],
        "security_events": security_events_expire(now=now),
    }


def _start_of(day) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def notifications_mark_read(*, user) -> int:
    """Mark all of the user's unread notifications read. Side effects: their read_at set; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


# --- Documents the procedure issues (申报回执, 公示公告, 认定名单, 认定证书, 撤销决定书) ------------------
# Each is issued once, by the step that calls for it, after that step has committed (the task
# reviews.tasks.issue_documents, queued below for every transition): the PDF made from its template,
# stored as made, numbered per kind and year, logged on every application it concerns. Issuing again
# returns the stored document: what was issued is never made again differently.

GUIDE = "《绍兴市商业秘密保护基地建设指南（试行）》"


def issuing_bureau(application: Application) -> str:
    """The bureau that issues the documents of an application's procedure: the city bureau for
    city-level bases, the county's bureau for county-level ones (第十七条)."""
    if application.level == Level.COUNTY:
        return application.county.bureau_name
    return CITY_BUREAU


def designation(application: Application) -> str:
    """What a recognised base is called, after the forms' titles: 绍兴市商业秘密保护基地（示范点）, or
    for a county-level one 嵊州市县级商业秘密保护基地（示范点）."""
    kind = BaseType(application.base_type).label
    if application.level == Level.COUNTY:
        return f"{application.county.name}县级商业秘密保护基地（{kind}）"
    return f"绍兴市商业秘密保护基地（{kind}）"


def _listed(applications) -> list[dict]:
    return [
        {
            "name": a.display_name,
            "kind": f"{a.get_level_display()}{a.get_base_type_display()}",
            "county": a.county.name,
            "reference": a.reference,
        }
        for a in applications
    ]


@transaction.atomic
def _document_issue(
    *,
    kind: str,
    key: str,
    title: str,
    applications: list[Application],
    user,
    facts: list[tuple[str, str]],
    context,
    publicity: Publicity | None = None,
    base: Base | None = None,
    document_number: str = "",
) -> IssuedDocument:
    """Issue the document `key` names, or return it if it was issued already.

    The number comes from the kind's counter for this year (locked until this commits, so concurrent
    issuers of one kind wait, and the second finds the first one's document); `context` is called
    with it only when the document is really made, so what has to be made once (a 查询码) is made
    then. Side effects: the PDF in the storage "documents", one IssuedDocument, one log entry on
    each application it concerns (_document_record). Within documents_rendered_aside the PDF is
    rendered in a worker and the rest done when it is needed; the document returned is then not
    saved yet."""
    aside = _rendered_aside.get()
    existing = IssuedDocument.objects.filter(key=key).first() or (aside and aside.pending_document(key))
    if existing:
        return existing
    issued_at = timezone.now()
    reference = reference_next(
        f"{DOCUMENT_STEMS[kind]}{timezone.localtime(issued_at).year}", taken=IssuedDocument.objects.all()
    )
    existing = IssuedDocument.objects.filter(key=key).first()  # issued meanwhile by another worker
    if existing is not None:
        return existing
    document = IssuedDocument(
        kind=kind,
        key=key,
        reference=reference,
        title=title,
        publicity=publicity,
        base=base,
        document_number=document_number,
        facts={"rows": [[label, value] for label, value in facts]},
        issued_at=issued_at,
        issued_by=user,
    )
    html = pdf.document_html(
        kind=kind,
        title=title,
        reference=reference,
        public_id=document.public_id,
        issued_at=issued_at,
        context=context(reference),
    )
    if aside is not None:
        return aside.add(document, html, applications)
    return _document_record(document, pdf.document_render(html, title), applications)


@transaction.atomic
def _document_record(document: IssuedDocument, made: bytes, applications: list[Application]) -> IssuedDocument:
    """Store an issued document's PDF, save it and write its entry (with the PDF's SHA-256) on the
    log of each application it concerns; no file stays behind a document that was not recorded."""
    document.size, document.sha256 = len(made), hashlib.sha256(made).hexdigest()
    document.file.save(f"{document.reference}.pdf", ContentFile(made), save=False)
    try:
        # Its three unique values are made unique by _document_issue (the key looked up, the number from the
        # locked counter, a random public id) and held by the database's constraints: not queried again.
        document.full_clean(validate_unique=False)
        document.save()
        document.applications.set(applications)
        for application in applications:
            log_write(
                application=application,
                user=document.issued_by,
                action=LogAction.DOCUMENT,
                label=f"出具{DocumentKind(document.kind).label}",
                comment=f"{document.reference}《{document.title}》（SHA-256 {document.sha256[:16]}…）",
            )
    except Exception:
        document.file.storage.delete(document.file.name)
        raise
    return document


@dataclasses.dataclass
class _Pending:
    document: IssuedDocument
    made: Future
    applications: list[Application]


class _RenderedAside:
    """The documents issued within documents_rendered_aside whose PDFs are still being rendered, in
    the order they were issued."""

    def __init__(self, submit, clock):
        self.submit, self.clock, self.pending, self.recording = submit, clock, [], False

    def pending_document(self, key: str) -> IssuedDocument | None:
        return next((p.document for p in self.pending if p.document.key == key), None)

    def add(self, document, html, applications) -> IssuedDocument:
        self.pending.append(_Pending(document, self.submit(pdf.document_render, html, document.title), applications))
        return document

    def settle(self, application_id: int | None = None) -> None:
        """Record the pending documents, in the order they were issued, up to the last one that concerns
        the application (all of them without one). The entries a document's record writes do not settle
        again: those issued after it come after it."""
        while not self.recording and (
            self.pending
            and (application_id is None or any(a.pk == application_id for p in self.pending for a in p.applications))
        ):
            item = self.pending.pop(0)
            made = item.made.result()
            self.recording = True
            try:
                with self.clock(item.document.issued_at):
                    _document_record(item.document, made, item.applications)
            finally:
                self.recording = False


_rendered_aside: contextvars.ContextVar[_RenderedAside | None] = contextvars.ContextVar("rendered_aside", default=None)


@contextlib.contextmanager
def documents_rendered_aside(submit, *, clock=lambda moment: contextlib.nullcontext()):
    """Issue documents with their PDFs rendered aside, for issuing dozens in one transaction (the demo's
    seeding): `submit(function, *args)` runs the render elsewhere and returns its Future (an executor's
    submit, a pool of worker processes); numbering, the 查询码 and the HTML happen as they would inline.
    The rest of a document (its file, its record, its log entries) is done when it is needed: before the
    next entry is written on the log of an application it concerns (bases.services.log_barrier, so every
    log stays in the order things happened), and for all that remain when this ends. Each is recorded
    under `clock(issued_at)`, so its entries carry the time it was issued."""
    aside = _RenderedAside(submit, clock)
    token = _rendered_aside.set(aside)
    try:
        with log_barrier(aside.settle):
            yield aside
            aside.settle()
    finally:
        _rendered_aside.reset(token)


def receipt_issue(*, entry: ApplicationLog) -> IssuedDocument | None:
    """申报回执 of a submission (第十一条（二））: the reference, when it was submitted, what happens next
    and which office has it, and a new 查询码, printed here and kept nowhere else (bases/lookup_codes.py).
    Only the latest submission of an application gets one (an earlier one's would be superseded at
    once, and its code would replace the newer)."""
    application = Application.objects.select_related("organisation", "county", "batch").get(pk=entry.application_id)
    latest = (
        ApplicationLog.objects.filter(application=application, transition="submit")
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None or latest.pk != entry.pk:
        return IssuedDocument.objects.filter(key=f"receipt:{entry.pk}").first()
    submitted = timezone.localtime(entry.created_at)
    office = office_name(application, states.office_of(entry.to_state, application.level))
    next_step = states.next_step(entry.to_state, application.level)
    kind_label = f"{application.get_level_display()}{application.get_base_type_display()}"

    def context(reference):
        code = application_lookup_code_issue(application=application)
        return {
            "application": application,
            "kind_label": kind_label,
            "submitted": submitted,
            "office": office,
            "next_step": next_step,
            "code": lookup_codes.shown(code),
            "resubmitted": ApplicationLog.objects.filter(application=application, transition="submit").count() > 1,
        }

    return _document_issue(
        kind=DocumentKind.RECEIPT,
        key=f"receipt:{entry.pk}",
        title=f"申报回执（{application.reference}）",
        applications=[application],
        user=entry.actor,
        facts=[
            ("申报编号", application.reference),
            ("申报单位", application.display_name),
            ("申报类型", f"{kind_label}（{application.batch.name}）"),
            ("提交时间", f"{cn_date(submitted.date())} {submitted:%H:%M}"),
            ("受理单位", office),
        ],
        context=context,
    )


def publicity_notice_issue(*, publicity: Publicity, user) -> IssuedDocument:
    """公示公告 (第十一条（五））: the bases to be recognised, the period, how to object."""
    applications = list(
        publicity.applications.select_related("organisation", "county", "batch").order_by("county__order", "reference")
    )
    first = applications[0]
    bureau = issuing_bureau(first)
    working_days = publicity_working_days(applications)
    period = f"{cn_date(publicity.starts_on)}至{cn_date(publicity.ends_on)}"
    listed = _listed(applications)
    return _document_issue(
        kind=DocumentKind.PUBLICITY_NOTICE,
        key=f"notice:{publicity.pk}",
        title=publicity.title,
        applications=applications,
        user=user,
        publicity=publicity,
        facts=[
            ("公示名称", publicity.title),
            ("发布机关", bureau),
            ("公示期", f"{period}（{working_days}个工作日）"),
            ("公示对象", "；".join(f"{item['name']}（{item['kind']}）" for item in listed)),
        ],
        context=lambda reference: {
            "publicity": publicity,
            "bureau": bureau,
            "county_level": first.level == Level.COUNTY,
            "level_label": first.get_level_display(),
            "period": period,
            "working_days": working_days,
            "listed": listed,
            "guide": GUIDE,
        },
    )


def recognition_list_issue(*, base: Base, user) -> IssuedDocument:
    """认定名单 (第十一条（六）, 发文认定): the document of the number the bureau's document system gave
    (entered at recognition), listing every base recognised under it by the same bureau, laid out
    after GB/T 9704 (发文机关标志, 发文字号, 标题, 正文, 落款, 成文日期)."""
    application = base.application
    bureau = issuing_bureau(application)
    same = Base.objects.filter(document_number=base.document_number, level=base.level)
    if application.level == Level.COUNTY:
        same = same.filter(application__county_id=application.county_id)
    bases = list(same.select_related("application__county").order_by("application__county__order", "name"))
    applications = [b.application for b in bases]
    title = f"{bureau}关于认定{base.year}年度{base.get_level_display()}商业秘密保护基地的通知"
    listed = [{**item, "name": b.name} for item, b in zip(_listed(applications), bases, strict=True)]
    return _document_issue(
        kind=DocumentKind.RECOGNITION_LIST,
        key=recognition_list_key(application, base.document_number),
        title=title,
        applications=applications,
        user=user,
        document_number=base.document_number,
        facts=[
            ("发文字号", base.document_number),
            ("标题", title),
            ("发文机关", bureau),
            ("成文日期", cn_date(base.recognised_on)),
            ("认定名单", "；".join(f"{item['name']}（{item['kind']}）" for item in listed)),
        ],
        context=lambda reference: {
            "bureau": bureau,
            "document_number": base.document_number,
            # 标题 broken where the words allow (GB/T 9704 7.3.1: 回行时词意完整).
            "heading_lines": [f"{bureau}关于认定{base.year}年度", f"{base.get_level_display()}商业秘密保护基地的通知"],
            "county_level": application.level == Level.COUNTY,
            "year": base.year,
            "level_label": base.get_level_display(),
            "listed": listed,
            "dated": base.recognised_on,
            "guide": GUIDE,
        },
    )


def certificate_issue(*, base: Base, user) -> IssuedDocument:
    """认定证书 of one recognised base: its name, type, level, year and the recognition's number."""
    application = base.application
    bureau = issuing_bureau(application)
    label = designation(application)
    return _document_issue(
        kind=DocumentKind.CERTIFICATE,
        key=f"certificate:{base.pk}",
        title=f"认定证书（{base.name}）",
        applications=[application],
        user=user,
        base=base,
        document_number=base.document_number,
        facts=[
            ("单位名称", base.name),
            ("基地类型", base.get_base_type_display()),
            ("级别", base.get_level_display()),
            ("认定年度", f"{base.year}年度"),
            ("认定文号", base.document_number),
            ("认定日期", cn_date(base.recognised_on)),
            ("认定机关", bureau),
        ],
        context=lambda reference: {"base": base, "bureau": bureau, "label": label},
    )


def revocation_decision_issue(*, case: RevocationCase, user) -> IssuedDocument:
    """撤销决定书 (第十五条): the ground and the facts the notice served, the organisation's statement
    (陈述申辩) and the reasons given on it, the decision, when the 2-year ban ends, and the right to
    行政复议 or 行政诉讼; laid out after GB/T 9704."""
    application = case.application
    base = Base.objects.get(application=application)
    organisation = application.organisation
    bureau = issuing_bureau(application)
    free_on = reapply_free_on(case.decided_on)
    title = f"{bureau}关于撤销{base.name}商业秘密保护基地认定的决定"
    return _document_issue(
        kind=DocumentKind.REVOCATION_DECISION,
        key=f"revocation:{case.pk}",
        title=title,
        applications=[application],
        user=user,
        base=base,
        document_number=case.document_number,
        facts=[
            ("发文字号", case.document_number),
            ("标题", title),
            ("被撤销单位", organisation.name),
            ("撤销的认定", f"{base.year}年度{designation(application)}，{base.document_number}"),
            ("撤销事由", f"第十五条{case.get_ground_display()}"),
            ("决定日期", cn_date(case.decided_on)),
            ("不得再次申报", f"至{cn_date(free_on - datetime.timedelta(days=1))}（{cn_date(free_on)}起可重新申报）"),
        ],
        context=lambda reference: {
            "bureau": bureau,
            "heading_lines": [bureau, f"关于撤销{base.name}", "商业秘密保护基地认定的决定"],
            "case": case,
            "base": base,
            "organisation": organisation,
            "label": designation(application),
            "facts": case.facts if case.facts.startswith("经查") else f"经查，{case.facts}",
            "statement_on": timezone.localtime(case.statement_at).date() if case.statement_at else None,
            "free_on": free_on,
            "ban_until": free_on - datetime.timedelta(days=1),
            "review_rights": REVIEW_RIGHTS,
            "guide": GUIDE,
        },
    )


def documents_issue_for_step(*, log_id: int) -> list[IssuedDocument]:
    """The documents a step of the procedure calls for, issued (or found, if they were already):
    submit → 申报回执; open_publicity → the 公示's 公告; recognise → 认定证书 and 认定名单; revoke →
    撤销决定书. Other steps issue nothing."""
    entry = ApplicationLog.objects.select_related("application", "actor").get(pk=log_id)
    application = entry.application
    if entry.transition == "submit":
        receipt = receipt_issue(entry=entry)
        return [receipt] if receipt else []
    if entry.transition == "open_publicity":
        publicity = current_publicity(application)
        return [publicity_notice_issue(publicity=publicity, user=entry.actor)] if publicity else []
    if entry.transition == "recognise":
        base = Base.objects.filter(application=application).first()
        if base is None:
            return []
        return [certificate_issue(base=base, user=entry.actor), recognition_list_issue(base=base, user=entry.actor)]
    if entry.transition == "revoke":
        case = revocation_decision(application.pk)
        return [revocation_decision_issue(case=case, user=entry.actor)] if case else []
    return []


@receiver(application_transitioned)
def _queue_documents(sender, entry: ApplicationLog, **kwargs) -> None:
    if entry.transition in ISSUING_TRANSITIONS:
        queue_task("reviews.tasks.issue_documents", entry.pk)


def documents_issue_missing() -> int:
    """Issue what the steps taken so far call for and lack: after a task that failed for good, or for
    the steps taken before documents were issued (`manage.py issue_documents`). A receipt is issued
    only for an application's latest submission, and not where a 查询码 was given before receipts
    existed: a new receipt would replace the code the applicant holds. Returns how many were issued."""
    before = IssuedDocument.objects.count()
    for entry in issuing_steps():
        application = entry.application
        if (
            entry.transition == "submit"
            and application.lookup_code_hash
            and not application.documents.filter(kind=DocumentKind.RECEIPT).exists()
        ):
            continue
        documents_issue_for_step(log_id=entry.pk)
    return IssuedDocument.objects.count() - before


def document_number_refusal(application: Application, document_number: str) -> str:
    """Why a recognition may not carry this number, or "": a number names one document, and once its
    认定名单 has been issued no further base can be added to it."""
    issued = recognition_list_issued(application, document_number)
    if issued is None:
        return ""
    return (
        f"文号 {document_number} 的认定名单已于{cn_date(timezone.localtime(issued.issued_at).date())}印发"
        f"（{issued.reference}），不能再以该文号认定其他基地；同一批认定请在公示页面一并办理。"
    )


# --- 第十四条: yearly reports (年度报告) ---------------------------------------------------------------------

REPORT_FIELDS = ("work_plan", "trainings", "all_staff_trainings", "services", "infringements", "changes")
REQUIRED_REPORT_FIELDS = ("work_plan", "trainings", "services", "infringements")
REPORT_REMIND_DAYS = (30, 7)
RECTIFY_LONGEST_DAYS = 90


def _report_log(report: YearlyReport, *, user, from_status: str, reason: str = "") -> None:
    entry = YearlyReportLog(report=report, from_status=from_status, to_status=report.status, actor=user, reason=reason)
    entry.full_clean()
    entry.save()


@transaction.atomic
def yearly_report_start(*, base: Base, user, year: int) -> YearlyReport:
    """The organisation opens (or reopens) its report on a past year. Side effects: at most one
    YearlyReport (草稿) and its first log entry; a second call returns the same report."""
    if not permissions.is_applicant_of_base(base, user):
        raise PermissionDenied("年度报告由基地所在单位填报。")
    if base.status != BaseStatus.VALID:
        raise ValidationError("已撤销的基地不再报送年度报告。", code="revoked")
    if year not in report_years_open(base, timezone.localdate()):
        raise ValidationError("只能填报认定当年至上一年度的年度报告。", code="year")
    report, created = YearlyReport.objects.get_or_create(base=base, year=year)
    if created:
        _report_log(report, user=user, from_status="", reason="开始填报")
    return report


@transaction.atomic
def yearly_report_file(*, base: Base, user, year: int, version: int | None, data: dict, submit: bool) -> YearlyReport:
    """The report page's save: the first one opens the report (a form rendered before it existed
    carries version 0); if the save is refused, the report it opened is not kept either."""
    report = YearlyReport.objects.filter(base=base, year=year).first()
    if report is None:
        if version:
            raise ValidationError("该报告已在其他页面修改过，请刷新后重新填写。", code="version")
        report = yearly_report_start(base=base, user=user, year=year)
        version = report.version
    return yearly_report_save(report=report, user=user, version=version, data=data, submit=submit)


def _report_problems(report: YearlyReport) -> dict:
    problems = {f: "提交前请填写此项。" for f in REQUIRED_REPORT_FIELDS if not str(getattr(report, f)).strip()}
    # 第十条（三）: a 示范点 trains all its staff at least once a year (全员轮训).
    if report.base.base_type == BaseType.POINT and report.all_staff_trainings < 1:
        problems["all_staff_trainings"] = (
            "示范点每年至少开展一次全员商业秘密保护轮训（第十条（三）），未开展的不能提交。"
        )
    return problems


@transaction.atomic
def yearly_report_save(
    *, report: YearlyReport, user, version: int | None, data: dict, submit: bool = False
) -> YearlyReport:
    """Save the organisation's report (草稿 or 限期整改) and, with `submit`, hand it to the county.

    Optimistic concurrency: `version` is the one the form was rendered with; a stale one is refused.
    A second submit of a report already submitted changes nothing. Side effects: the report
    (version + 1), on submit one log entry and the county's staff notified."""
    locked = YearlyReport.objects.select_for_update().select_related("base__organisation").get(pk=report.pk)
    if not permissions.is_applicant_of_base(locked.base, user):
        raise PermissionDenied("年度报告由基地所在单位填报。")
    if submit and locked.status in (ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED) and version == locked.version - 1:
        return locked  # the same submit posted twice
    if not locked.is_editable:
        raise ValidationError("该年度报告已提交，不能再修改。", code="closed")
    if version != locked.version:
        raise ValidationError("该报告已在其他页面修改过，请刷新后重新填写。", code="version")
    for name in REPORT_FIELDS:
        if name in data:
            value = data[name]
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
    before = locked.status
    if submit:
        problems = _report_problems(locked)
        if problems:
            raise ValidationError(problems)
        if before == ReportStatus.RECTIFY:
            locked.status, locked.resubmitted = ReportStatus.RESUBMITTED, True
        else:
            locked.status = ReportStatus.SUBMITTED
        locked.submitted_at, locked.submitted_by = timezone.now(), user
    locked.version += 1
    locked.full_clean()
    locked.save()
    if submit:
        # A resubmission is due by its 整改期限, not by the year's deadline (long past by then).
        due = locked.rectify_due if before == ReportStatus.RECTIFY else yearly_report_deadline(locked.year)
        late = timezone.localdate() > due
        _report_log(locked, user=user, from_status=before, reason="逾期提交" if late else "")
        notify(
            users=county_staff(locked.base.organisation.county_id),
            application=locked.base.application,
            kind=NotificationKind.YEARLY_REPORT,
            key=f"yearly-submitted:{locked.pk}:{locked.status}",
            message=f"{locked.base.name}已提交{locked.year}年度报告"
            f"{'（整改后重报）' if locked.resubmitted else ''}，请审核。",
        )
    return locked


@transaction.atomic
def yearly_report_review(
    *,
    report: YearlyReport,
    user,
    version: int | None,
    outcome: str,
    reasons: str = "",
    fix_items: list[str] = (),
    rectify_due=None,
    revocation_ground: str = "",
) -> YearlyReport:
    """The county reviews a submitted report: 合格, or 限期整改 with its reasons and the one-time list
    of what to fix and by when; a resubmitted report is 合格 or 不合格. A report that shows a ground
    of 第十五条, or a second failed year in a row, makes a revocation procedure due (opened at once
    when the reviewer is the acceptance authority, else flagged to the city). Side effects: the
    report, one log entry, the organisation notified, maybe a RevocationCase."""
    locked = YearlyReport.objects.select_for_update().select_related("base__organisation", "base__application")
    locked = locked.get(pk=report.pk)
    if not permissions.is_county_of_base(locked.base, user):
        raise PermissionDenied("年度报告由基地所在地县局审核。")
    if locked.status not in (ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED):
        raise ValidationError("该年度报告当前不在待审核状态。", code="state")
    if version != locked.version:
        raise ValidationError("该报告已在其他页面处理过，请刷新后重新审核。", code="version")
    reasons = reasons.strip()
    items = [i.strip() for i in fix_items if i.strip()]
    if outcome != ReviewOutcome.PASSED and not reasons:
        raise ValidationError({"reasons": "请写明理由。"})
    if outcome == ReviewOutcome.RECTIFY:
        if locked.resubmitted:
            raise ValidationError({"outcome": "整改后重报的报告只能审核为合格或不合格，不能再次限期整改。"})
        if not items:
            raise ValidationError({"fix_items": "请一次性列明需要整改的事项。"})
        today = timezone.localdate()
        if rectify_due is None or not today < rectify_due <= today + datetime.timedelta(days=RECTIFY_LONGEST_DAYS):
            raise ValidationError({"rectify_due": f"整改期限须在今天之后、{RECTIFY_LONGEST_DAYS}天以内。"})
        locked.status, locked.fix_items, locked.rectify_due = ReportStatus.RECTIFY, items, rectify_due
    elif outcome == ReviewOutcome.FAILED:
        if not locked.resubmitted:
            raise ValidationError({"outcome": "首次提交的报告请审核为合格或限期整改。"})
        locked.status = ReportStatus.FAILED
    elif outcome == ReviewOutcome.PASSED:
        locked.status = ReportStatus.PASSED
    else:
        raise ValidationError({"outcome": "请选择审核结果。"})
    before = ReportStatus.RESUBMITTED if locked.resubmitted else ReportStatus.SUBMITTED
    locked.review_reasons, locked.revocation_ground = reasons, revocation_ground
    locked.reviewed_at, locked.reviewed_by = timezone.now(), user
    locked.version += 1
    locked.full_clean()
    locked.save()
    reason = reasons + ("；整改事项：" + "；".join(items) if outcome == ReviewOutcome.RECTIFY else "")
    if revocation_ground:
        reason += f"；存在第十五条情形：{locked.get_revocation_ground_display()}"
    _report_log(locked, user=user, from_status=before, reason=reason)
    message = f"{locked.base.name}的{locked.year}年度报告经县局审核：{locked.get_status_display()}。"
    if outcome == ReviewOutcome.RECTIFY:
        message += f"请于{cn_date(locked.rectify_due)}前按整改事项修改后重新提交（仅一次）。"
    notify(
        users=applicant_users(locked.base.application),
        application=locked.base.application,
        kind=NotificationKind.YEARLY_REPORT,
        key=f"yearly-reviewed:{locked.pk}:{locked.status}",
        message=shortened(message, MESSAGE_LENGTH),
    )
    _revocation_if_due(locked, user=user)
    return locked


def yearly_report_revocation_ground(report: YearlyReport) -> str:
    """The ground a revocation on this report would be opened on ("" when none is due): the one the
    county found, else （五） for a second failed year in a row."""
    if report.revocation_case_id is not None:
        return ""
    if report.revocation_ground:
        return report.revocation_ground
    if report.status == ReportStatus.FAILED and year_failed(report.base, report.year - 1, timezone.localdate()):
        return RevocationGround.OTHER
    return ""


def _revocation_if_due(report: YearlyReport, *, user) -> None:
    ground = yearly_report_revocation_ground(report)
    if not ground:
        return
    if permissions.is_acceptance_authority(report.base.application, user):
        yearly_report_revocation_open(report=report, user=user, served_on=timezone.localdate())
        return
    notify(
        users=city_staff(),
        application=report.base.application,
        kind=NotificationKind.YEARLY_REPORT,
        key=f"yearly-revocation-due:{report.pk}",
        message=f"{report.base.name}的{report.year}年度报告：应启动撤销认定程序（第十五条），请在“年度报告”页面办理。",
    )


@transaction.atomic
def yearly_report_revocation_open(*, report: YearlyReport, user, served_on) -> RevocationCase:
    """Open the revocation procedure (告知, then 陈述申辩) on a report that calls for it, through
    revocation_notice_serve, the report named in the facts and linked to the case.
    Side effects: those of revocation_notice_serve, the report's link, one log entry."""
    locked = YearlyReport.objects.select_for_update().select_related("base__application").get(pk=report.pk)
    ground = yearly_report_revocation_ground(locked)
    if not ground:
        raise ValidationError("该年度报告不需要或已经启动撤销程序。", code="not_due")
    why = (
        f"县局审核{locked.year}年度报告认定存在该情形：{locked.review_reasons}"
        if locked.revocation_ground
        else f"{locked.year - 1}、{locked.year}连续两年年度报告不合格或逾期未报送"
        f"（{locked.year}年度：{locked.review_reasons}）"
    )
    case = revocation_notice_serve(
        application=locked.base.application,
        user=user,
        ground=ground,
        facts=f"依据{locked.base.name}{locked.year}年度报告（编号{locked.pk}）：{why}",
        served_on=served_on,
    )
    locked.revocation_case = case
    locked.save(update_fields=["revocation_case"])
    _report_log(locked, user=user, from_status=locked.status, reason=f"据此启动撤销认定程序（{case}）")
    return case


def yearly_report_reminders_send(*, today=None) -> int:
    """Remind each base that has not submitted its report 30 and 7 days before the deadline, once
    each (the key is per base, year and kind, so a job run twice or late reminds once)."""
    today = today or timezone.localdate()
    sent = 0
    for year in range(today.year - 2, today.year + 1):
        deadline = yearly_report_deadline(year)
        left = (deadline - today).days
        due = [d for d in REPORT_REMIND_DAYS if 0 <= left <= d]
        if not due:
            continue
        days = min(due)
        for base in reports_to_remind(year):
            sent += notify(
                users=applicant_users(base.application),
                application=base.application,
                kind=NotificationKind.DEADLINE,
                key=f"yearly-remind:{base.pk}:{year}:{days}",
                message=f"{base.name}的{year}年度报告须于{cn_date(deadline)}前报送（还有{left}天），请登录平台填报。",
            )
    return sent


@transaction.atomic
def yearly_reports_rectify_expire(*, today=None) -> int:
    """A report under 限期整改 not resubmitted by its due date fails. Returns how many."""
    today = today or timezone.localdate()
    expired = list(YearlyReport.objects.select_for_update().filter(status=ReportStatus.RECTIFY, rectify_due__lt=today))
    for report in expired:
        report.status = ReportStatus.FAILED
        report.version += 1
        report.save(update_fields=["status", "version"])
        _report_log(report, user=None, from_status=ReportStatus.RECTIFY, reason="整改期限届满未重新提交")
    return len(expired)


# --- 第十六条: incentives and services ---------------------------------------------------------------------


def _may_support(base: Base, user) -> None:
    if not permissions.may_record_support(base, user):
        raise PermissionDenied("由基地所在地县局或市局登记。")
    if base.status != BaseStatus.VALID:
        raise ValidationError("已撤销的基地不能再登记。", code="revoked")


@transaction.atomic
def base_support_add(*, base: Base, user, kind: str, year: int, amount, document: str) -> BaseSupport:
    """Record funding or an award. Side effects: one BaseSupport."""
    _may_support(base, user)
    if year > timezone.localdate().year or year < base.recognised_on.year:
        raise ValidationError({"year": "年度须在认定当年至今年之间。"})
    item = BaseSupport(base=base, kind=kind, year=year, amount=amount, document=document, recorded_by=user)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def liaison_designate(*, base: Base, user, officer_name: str, officer_phone: str, since) -> LiaisonDesignation:
    """Designate the base a 重点企业联系单位 with its liaison officer (one current per base).
    Side effects: one LiaisonDesignation."""
    _may_support(base, user)
    _check_date(since, Floor(base.recognised_on, "认定日期"))
    if LiaisonDesignation.objects.select_for_update().filter(base=base, ended_on__isnull=True).exists():
        raise ValidationError("该基地已是重点企业联系单位，请先结束当前的确定。", code="duplicate")
    item = LiaisonDesignation(
        base=base, officer_name=officer_name, officer_phone=officer_phone, since=since, recorded_by=user
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def liaison_end(*, item: LiaisonDesignation, user, ended_on) -> LiaisonDesignation:
    """End the current designation; the row stays as history."""
    locked = LiaisonDesignation.objects.select_for_update().select_related("base__organisation").get(pk=item.pk)
    if not permissions.may_record_support(locked.base, user):
        raise PermissionDenied("由基地所在地县局或市局登记。")
    if locked.ended_on is not None:
        raise ValidationError("该确定已结束。", code="ended")
    _check_date(ended_on, Floor(locked.since, "确定日期"))
    locked.ended_on = ended_on
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def base_service_add(*, base: Base, user, kind: str, served_on, provider: str, content: str) -> BaseService:
    """Record a service given to the base (精准指导, 快速维权, 应急服务). Side effects: one BaseService."""
    _may_support(base, user)
    _check_date(served_on, Floor(base.recognised_on, "认定日期"))
    item = BaseService(base=base, kind=kind, served_on=served_on, provider=provider, content=content, recorded_by=user)
    item.full_clean()
    item.save()
    return item
