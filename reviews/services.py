"""Writes of the workflow: the one way any application changes state, the records
around it (guidance, acceptance, publicity, objections) and the log."""

import inspect

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_fsm import ConcurrentTransition, has_transition_perm
from guardian.shortcuts import assign_perm, remove_perm

from bases import permissions
from bases.choices import BaseStatus, Level
from bases.dates import cn_date
from bases.models import Application, Base, Organisation

from .choices import LogAction, ObjectionOutcome, State, UpwardOutcome
from .models import (
    AcceptanceGroup,
    AcceptanceRecord,
    ApplicationLog,
    GuidanceVisit,
    Objection,
    Publicity,
    UpwardRecommendation,
)
from .workflow import refusal_message


class StaleApplication(ValidationError):
    """The page was rendered from an older version of the application."""


def check_version(*, application: Application, version: int | None) -> None:
    if version is None or int(version) != application.version:
        raise StaleApplication(
            "该申报已在其他页面或由他人更新（当前为第%(current)d版，您的页面为第%(yours)s版），本次操作未执行。"
            "请刷新页面核对后再操作。",
            code="stale",
            params={"current": application.version, "yours": version if version is not None else "?"},
        )


def log_write(
    *,
    application: Application,
    user,
    action: str,
    label: str,
    comment: str = "",
    ip: str | None = None,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    details: dict | None = None,
) -> ApplicationLog:
    """Append one entry to the application's log."""
    return ApplicationLog.objects.create(
        application=application,
        action=action,
        transition=transition,
        label=label,
        from_state=from_state,
        to_state=to_state,
        actor=user,
        actor_role=user.get_role_display(),
        comment=comment,
        details=details or {},
        ip_address=ip,
    )


def declared_transition(application: Application, action: str):
    """The declared transition named `action` from the current state (or any state), if any."""
    candidates = [t for t in application.get_all_state_transitions() if t.name == action]
    return next((t for t in candidates if t.source == application.state), None) or next(
        (t for t in candidates if t.source == "*"), candidates[0] if candidates else None
    )


@transaction.atomic
def application_transition(
    *,
    application: Application,
    action: str,
    user,
    version: int | None,
    comment: str = "",
    method_kwargs: dict | None = None,
    effect_kwargs: dict | None = None,
    details: dict | None = None,
    ip: str | None = None,
) -> Application:
    """Run the declared transition `action` on the application for `user`.

    Locks the row, refuses a stale version (so a double click or an old page does
    nothing twice), checks the declared permission, source state and conditions,
    runs the declared validation, calls the transition method with `method_kwargs`,
    saves with version + 1, runs the action's side effect with `effect_kwargs` and
    appends a log entry.

    Side effects: the Application row; the rows of the action's effect (acceptance
    group and object grants, 公示, Base); one ApplicationLog row; after commit, the
    notification task queued. Raises PermissionDenied, StaleApplication or
    ValidationError (the list of problems).
    """
    locked = Application.objects.select_for_update().select_related("organisation", "batch").get(pk=application.pk)
    check_version(application=locked, version=version)
    transition = declared_transition(locked, action)
    if transition is None or not transition.has_perm(locked, user):
        raise PermissionDenied("您无权执行该操作。")
    if transition.source not in (locked.state, "*"):
        raise ValidationError(
            "申报当前为“%(state)s”，不能执行“%(label)s”。",
            params={"state": locked.get_state_display(), "label": transition.custom["label"]},
            code="state",
        )
    refusals = [refusal_message(c, locked) for c in transition.conditions if not c(locked)]
    if refusals:
        raise ValidationError(refusals, code="condition")
    custom = transition.custom
    comment = (comment or "").strip()
    if custom.get("comment") == "required" and not comment:
        raise ValidationError("请填写%(label)s的意见或理由。", params={"label": custom["label"]}, code="comment")
    if custom.get("validate"):
        problems = getattr(locked, custom["validate"])()
        if problems:
            raise ValidationError(problems, code="incomplete")
    if not has_transition_perm(getattr(locked, action), user):  # the library's own check, last
        raise PermissionDenied("您无权执行该操作。")
    from_state = locked.state
    method = getattr(locked, action)
    accepted = set(inspect.signature(method).parameters)
    method(**{k: v for k, v in (method_kwargs or {}).items() if k in accepted})
    locked.version += 1
    try:
        locked.save()
    except ConcurrentTransition as exc:
        raise StaleApplication("该申报已被他人同时办理，本次操作未执行。请刷新页面。", code="stale") from exc
    effect = EFFECTS.get(action)
    if effect:
        effect(application=locked, user=user, **(effect_kwargs or {}))
    entry = log_write(
        application=locked,
        user=user,
        action=LogAction.TRANSITION,
        label=custom["label"],
        comment=comment,
        ip=ip,
        transition=action,
        from_state=from_state,
        to_state=locked.state,
        details=details,
    )
    from . import tasks

    transaction.on_commit(lambda: tasks.notify_transition.delay(entry.pk))
    return locked


# --- Side effects of transitions (called inside the transition's transaction) --------------------


def _form_acceptance_group(*, application, user, leader, members, external_experts=""):
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


def _add_to_publicity(*, application, user, publicity=None, title=None, starts_on=None, ends_on=None):
    if publicity is None:
        publicity = publicity_create(
            application=application, user=user, title=title, starts_on=starts_on, ends_on=ends_on
        )
    publicity.applications.add(application)


def _create_base(*, application, user, document_number, recognised_on):
    Base.objects.create(
        application=application,
        organisation=application.organisation,
        name=application.display_name,
        base_type=application.base_type,
        level=application.level,
        year=application.batch.year,
        document_number=document_number,
        recognised_on=recognised_on,
    )


def _revoke_base(*, application, user, ground, details, document_number, revoked_on):
    base = Base.objects.select_for_update().get(application=application)
    base.status, base.revoked_on = BaseStatus.REVOKED, revoked_on
    base.revocation_ground, base.revocation_details, base.revocation_document = ground, details, document_number
    base.full_clean()
    base.save()


EFFECTS = {
    "start_acceptance": _form_acceptance_group,
    "open_publicity": _add_to_publicity,
    "recognise": _create_base,
    "revoke": _revoke_base,
}


# --- Cultivation ----------------------------------------------------------------------------------


@transaction.atomic
def candidate_register(
    *, organisation: Organisation, base_type: str, level: str, batch, user, ip: str | None = None
) -> Application:
    """培育: the county bureau registers a candidate of its county (state 培育中).

    Side effects: one Application (培育中) and one log entry.
    """
    from bases.services import new_application

    if not (permissions.is_county_staff(user) and organisation.county_id == user.county_id):
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


def _may_manage(publicity: Publicity, user) -> bool:
    if publicity.level == Level.COUNTY:
        return permissions.is_county_staff(user) and user.county_id == publicity.county_id
    return permissions.is_city(user)


@transaction.atomic
def publicity_close(*, publicity: Publicity, user=None) -> Publicity:
    """End a 公示 (by hand, or by the daily job once its last day has passed)."""
    locked = Publicity.objects.select_for_update().get(pk=publicity.pk)
    if user is not None and not _may_manage(locked, user):
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
    if user is not None and not _may_manage(locked, user):
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
    if not _may_manage(locked.publicity, user):
        raise PermissionDenied("您无权答复该异议。")
    if locked.application.state != State.IN_PUBLICITY:
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
    if not _may_manage(publicity, user):
        raise PermissionDenied("您无权认定该公示的申报。")
    pending = list(publicity.applications.filter(state=State.IN_PUBLICITY))
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
