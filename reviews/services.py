"""Writes of the review: the records around an application (guidance, acceptance, 公示,
objections, upward recommendations), the side effects of the transitions that write them,
and notifications read. Every state change goes through bases.services.application_transition."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from bases import permissions, states
from bases.choices import BaseStatus, Level, LogAction, ObjectionOutcome, State
from bases.dates import cn_date
from bases.models import Application, ApplicationLog, Base, Organisation
from bases.selectors import (
    applicant_users,
    applications_submitted_before,
    applications_unsubmitted_at_deadline,
    staff_holding,
)
from bases.services import (
    after_transition,
    application_transition,
    log_write,
    new_application,
    queue_task,
    transition_effect,
)

from .choices import NotificationKind, UpwardOutcome
from .models import (
    AcceptanceGroup,
    AcceptanceRecord,
    GuidanceVisit,
    Notification,
    Objection,
    Publicity,
    UpwardRecommendation,
)
from .selectors import applications_in_publicity

# --- Side effects of the transitions that write review records ----------------------------------
# Registered with bases.services, which runs them inside the transition's transaction.


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
    former = set() if created else set(group.members.all()) - people
    for person in former:  # a group re-formed after a return: former members lose their grants
        remove_perm("bases.view_application_granted", person, application)
        remove_perm("bases.record_acceptance", person, application)
    group.members.set(people)
    for person in people:
        assign_perm("bases.view_application_granted", person, application)
        assign_perm("bases.record_acceptance", person, application)


@transition_effect("open_publicity")
def _add_to_publicity(*, application, user, publicity=None, title=None, starts_on=None, ends_on=None) -> None:
    if publicity is None:
        publicity = publicity_create(
            application=application, user=user, title=title, starts_on=starts_on, ends_on=ends_on
        )
    publicity.applications.add(application)


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
        comment=f"{visited_on:%Y-%m-%d} {officer}：{content}",
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
        comment=f"{held_on:%Y-%m-%d}，参加人员：{members}。{findings}",
        ip=ip,
    )
    return record


# --- Publicity --------------------------------------------------------------------------------------


def _publicity_scope(application: Application) -> tuple:
    """Which 公示 an application belongs in: its level, and its county for county-level bases."""
    return application.level, application.organisation.county if application.level == Level.COUNTY else None


def publicity_create(*, application: Application, user, title: str, starts_on, ends_on) -> Publicity:
    """A new 公示 at the application's level (and county, for county-level)."""
    level, county = _publicity_scope(application)
    publicity = Publicity(title=title, level=level, starts_on=starts_on, ends_on=ends_on, opened_by=user, county=county)
    publicity.full_clean()
    publicity.save()
    return publicity


@transaction.atomic
def publicity_open(
    *, applications: list[tuple[Application, int]], user, title: str, starts_on, ends_on, ip: str | None = None
) -> Publicity:
    """Open one 公示 for many accepted applications (all of the same level and, for county level, county).

    Each application goes through the declared `open_publicity` transition; if any
    is refused, nothing is opened. Side effects: one Publicity, the transitions.
    """
    if not applications:
        raise ValidationError("请至少选择一份验收通过的申报。")
    first = applications[0][0]
    if any(_publicity_scope(a) != _publicity_scope(first) for a, _ in applications):
        raise ValidationError("同一公示中的申报须为同一级别（县级须为同一县）。")
    publicity = publicity_create(application=first, user=user, title=title, starts_on=starts_on, ends_on=ends_on)
    comment = f"{title}（{starts_on:%Y-%m-%d} 至 {ends_on:%Y-%m-%d}）"
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


def _next_objection_reference(publicity: Publicity) -> str:
    stem = f"YY{publicity.starts_on.year}"
    last = Objection.objects.filter(reference__startswith=stem).aggregate(m=Max("reference"))["m"]
    return f"{stem}{(int(last[len(stem) :]) + 1 if last else 1):04d}"


@transaction.atomic
def objection_add(
    *,
    publicity: Publicity,
    application: Application,
    user=None,
    name: str,
    phone: str,
    reasons: str,
    received_on,
    organisation: str = "",
    email: str = "",
    ip: str | None = None,
) -> Objection:
    """Register an objection (real name and contact; anonymous ones are refused by the form).

    Side effects: one Objection with a reference number, one log entry on the application.
    """
    locked = Publicity.objects.select_for_update().get(pk=publicity.pk)
    if user is not None and not permissions.may_manage_publicity(locked, user):
        raise PermissionDenied("您无权登记该公示的异议。")
    if not locked.applications.filter(pk=application.pk).exists():
        raise ValidationError("该申报不在本次公示中。")
    if received_on > locked.ends_on or received_on < locked.starts_on:
        raise ValidationError("异议须在公示期内提出，公示期外收到的不予受理。")
    objection = Objection(
        reference=_next_objection_reference(locked),
        publicity=locked,
        application=application,
        name=name,
        organisation=organisation,
        phone=phone,
        email=email,
        reasons=reasons,
        received_on=received_on,
        recorded_by=user,
    )
    objection.full_clean()
    objection.save()
    if user is not None:
        log_write(
            application=application,
            user=user,
            action=LogAction.OBJECTION,
            label="登记公示异议",
            comment=f"{objection.reference}：{name}，{reasons}",
            ip=ip,
        )
    return objection


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
    data = {"document_number": document_number, "recognised_on": recognised_on}
    return [
        application_transition(
            application=a,
            action="recognise",
            user=user,
            version=a.version,
            effect_kwargs=data,
            comment=f"{document_number}，{recognised_on:%Y-%m-%d}",
            ip=ip,
        )
        for a in pending
    ]


# --- Upward recommendation ------------------------------------------------------------------------


@transaction.atomic
def upward_recommendation_add(*, base: Base, user, level: str, recommended_on, note: str = "") -> UpwardRecommendation:
    """The city records that a recognised base was recommended to provincial/national level."""
    if not permissions.is_city(user):
        raise PermissionDenied("向上推荐由市局登记。")
    if base.status != BaseStatus.VALID:
        raise ValidationError("已撤销的基地不能向上推荐。")
    item = UpwardRecommendation(base=base, level=level, recommended_on=recommended_on, note=note, recorded_by=user)
    item.full_clean()
    item.save()
    log_write(
        application=base.application,
        user=user,
        action=LogAction.UPWARD,
        label="向上推荐",
        comment=f"推荐申报{item.get_level_display()}商业秘密保护基地（{recommended_on:%Y-%m-%d}）。{note}",
    )
    return item


@transaction.atomic
def upward_recommendation_outcome(
    *, item: UpwardRecommendation, user, outcome: str, outcome_on
) -> UpwardRecommendation:
    if not permissions.is_city(user):
        raise PermissionDenied("向上推荐由市局登记。")
    locked = UpwardRecommendation.objects.select_for_update().get(pk=item.pk)
    locked.outcome, locked.outcome_on = outcome, outcome_on if outcome != UpwardOutcome.PENDING else None
    locked.save()
    log_write(
        application=locked.base.application,
        user=user,
        action=LogAction.UPWARD,
        label="向上推荐结果",
        comment=f"{locked.get_level_display()}：{locked.get_outcome_display()}",
    )
    return locked


# --- Notifications and the daily job ------------------------------------------------------------------
# Who is told what: after a transition, the applicant's users and the staff of the office that has the
# application now (the state table says which); reminders before the deadline and to waiting counties.

REMIND_DAYS_BEFORE_DEADLINE = (7, 1)
WAITING_DAYS = 10


def notify(*, users, application: Application | None, kind: str, key: str, message: str) -> int:
    """One in-app notification and one e-mail per user; a key already used for a user is skipped,
    so a reminder job that runs twice does not remind twice. Returns how many were sent."""
    sent = 0
    for user in users:
        try:
            with transaction.atomic():
                Notification.objects.create(user=user, application=application, kind=kind, key=key, message=message)
        except IntegrityError:
            continue
        if user.email:
            send_mail(
                subject=f"【商业秘密保护基地】{message[:40]}",
                message=message,
                from_email=None,
                recipient_list=[user.email],
                fail_silently=True,
            )
        sent += 1
    return sent


@after_transition
def _queue_transition_notifications(entry: ApplicationLog) -> None:
    queue_task("reviews.tasks.notify_transition", entry.pk)


def transition_notify(*, log_id: int) -> int:
    """Tell the applicant and the office the transition handed the application to (not the person
    who made it), whenever the task runs. Side effects: Notification rows, e-mails."""
    entry = ApplicationLog.objects.select_related("application__organisation__county").get(pk=log_id)
    application = entry.application
    people = {u.pk: u for u in [*applicant_users(application), *staff_holding(application, entry.to_state)]}
    people.pop(entry.actor_id, None)
    message = (
        f"申报 {application.reference}（{application.display_name}）：{entry.label}，"
        f"状态变为“{states.label(entry.to_state)}”。"
    )
    if entry.comment:
        message += f"意见：{entry.comment[:120]}"
    return notify(
        users=people.values(),
        application=application,
        kind=NotificationKind.TRANSITION,
        key=f"log:{entry.pk}",
        message=message[:300],
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
                message=f"{batch.name}将于{cn_date(batch.deadline)}截止（还有{days}天），"
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
    """Once a day: close ended 公示, remind applicants of the deadline and counties of what waits."""
    return {
        "closed_publicities": publicities_close_ended(today=today),
        "deadline_reminders": deadline_reminders_send(today=today),
        "waiting_reminders": waiting_reminders_send(today=today),
    }


def notifications_mark_read(*, user) -> int:
    """Mark all of the user's unread notifications read. Side effects: their read_at set; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
