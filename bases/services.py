"""Writes of the bases app: one function per use case, and the one way an application changes state."""

import hashlib
import inspect
import json
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from axes.models import AccessFailureLog, AccessLog
from celery import signature
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django_fsm import ConcurrentTransition, has_transition_perm
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import lookup_codes, permissions, selectors, signals
from .choices import (
    AttachmentPurpose,
    BaseStatus,
    Level,
    LogAction,
    OrganisationStatus,
    Role,
    SecurityEventKind,
    State,
)
from .dates import cn_date
from .forms_spec import SPECS, all_thresholds, condition_of, spec_for
from .log_seal import entry_digest
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
    ReferenceCounter,
    SecurityEvent,
    User,
    rules_in_force,
)
from .paper import normalised_code, signing_form
from .rules import city_rules, content_problems, deadline_problem
from .validators import attachment_display_name, detect_attachment_kind
from .workflow import date_problem, earliest_date, refusal_message


@transaction.atomic
def reference_data_load(*, fixtures_dir: Path) -> int:
    """Create the counties (附件1) and industries (第三条（五）) of the fixtures that are missing,
    matched by natural key (county code, industry name), and the holiday arrangements of the years
    the `chinese-calendar` package knows; rows the administrators edited, and years already entered,
    are left as they are. The apps above load theirs through signals.reference_data_loading.
    Returns how many rows were created."""
    created = 0
    for model, key, filename in ((County, "code", "counties.json"), (Industry, "name", "industries.json")):
        for row in json.loads((fixtures_dir / filename).read_text(encoding="utf-8")):
            fields = dict(row["fields"])
            _, was_created = model.objects.get_or_create(**{key: fields.pop(key)}, defaults=fields)
            created += was_created
    created += calendar_years_load()
    # The apps above add theirs (the targets of 附件1), as idempotently.
    return created + sum(n for _, n in signals.reference_data_loading.send(sender=County, fixtures_dir=fixtures_dir))


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
FIRST_CALENDAR_YEAR = 2021  # the notice's year


def calendar_years_load() -> int:
    """Enter the holiday arrangements of the years the chinese-calendar package knows (from 2021),
    each year once: a year already entered (and perhaps corrected by the city admin) is left alone."""
    from chinese_calendar.constants import holidays, workdays

    known = {day.year for day in holidays} | {day.year for day in workdays}
    created = 0
    for year in sorted(y for y in known if y >= FIRST_CALENDAR_YEAR):
        calendar_year, was_created = CalendarYear.objects.get_or_create(
            year=year, defaults={"source": f"国务院办公厅关于{year}年部分节假日安排的通知（chinese-calendar 数据）"}
        )
        if not was_created:
            continue
        days = [
            CalendarDay(
                calendar_year=calendar_year,
                day=day,
                is_workday=is_workday,
                name=HOLIDAY_NAMES.get(str(name), str(name)),
            )
            for table, is_workday in ((holidays, False), (workdays, True))
            for day, name in table.items()
            if day.year == year
        ]
        CalendarDay.objects.bulk_create(days)
        created += 1 + len(days)
    return created


_held_tasks: ContextVar[list | None] = ContextVar("held_tasks", default=None)


def queue_task(name: str, *args) -> None:
    """Queue a Celery task by name once the transaction commits. Services never import tasks
    (tasks call services); without REDIS_URL the task runs at once in this process. Inside
    `tasks_run_at_end` the task is held and run there instead."""
    held = _held_tasks.get()
    if held is not None:
        held.append((name, args))
        return
    transaction.on_commit(lambda: signature(name, args=args).delay())


@contextmanager
def tasks_run_at_end():
    """Hold the tasks queued within, and run them in this process when the block ends, in the order they
    were queued (and those they queue in turn), inside the caller's transaction, whether or not a worker is
    configured. For a bulk job (seed_demo): its follow-up work (notifications, their e-mails) is then one
    transaction with the rest, not a commit per row after it. A block that raises runs none."""
    held = []
    token = _held_tasks.set(held)
    try:
        yield
        while held:
            name, args = held.pop(0)
            signature(name, args=args).apply()
    finally:
        _held_tasks.reset(token)


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


# Whoever holds entries still to be written on applications' logs (reviews.services.documents_rendered_aside):
# each is asked to write an application's before anything else is appended to it.
_log_barriers: ContextVar[tuple[Callable[[int], None], ...]] = ContextVar("log_barriers", default=())


@contextmanager
def log_barrier(settle: Callable[[int], None]):
    """While this holds, `settle(application_id)` runs before an entry is appended to an application's
    log, so that entries held back elsewhere are written first and every log stays in the order things
    happened."""
    token = _log_barriers.set((*_log_barriers.get(), settle))
    try:
        yield
    finally:
        _log_barriers.reset(token)


# No savepoint of its own: it is written within the step it records, and a failure here fails that step (an
# enclosing atomic block with a savepoint rolls back to it). Two queries fewer for each of the log's entries.
@transaction.atomic(savepoint=False)
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
    """Append one entry to the application's log, sealed onto its chain (bases/log_seal.py). The
    chain's head row is locked until the transaction ends, so the entries of one application are
    chained one after another while those of other applications never wait."""
    for settle in _log_barriers.get():
        settle(application.pk)
    head = LogHead.objects.select_for_update().filter(application_id=application.pk).first()
    if head is None:
        head = LogHead(application_id=application.pk, digest="")
    previous = head.digest
    entry = ApplicationLog(
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
        created_at=timezone.now(),
        previous_digest=previous,
    )
    entry.digest = entry_digest(entry)
    entry.save()
    head.digest = entry.digest
    head.save()
    return entry


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

    Side effects: the Application row; the rows of the action's registered effect
    (acceptance group and object grants, 公示, Base); one ApplicationLog row; whatever
    whatever the receivers of signals.application_transitioned do with it (the review queues its
    notifications).
    Raises PermissionDenied, StaleApplication or ValidationError (the list of problems).
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
    if custom.get("date"):
        dated = {**(method_kwargs or {}), **(effect_kwargs or {})}.get(custom["date"])
        problem = date_problem(dated, earliest_date(locked, action)) if dated else "请填写日期。"
        if problem:
            raise ValidationError(problem, code="date")
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
    effect = TRANSITION_EFFECTS.get(action)
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
    signals.application_transitioned.send(sender=Application, entry=entry)
    return locked


# --- Side effects of transitions ------------------------------------------------------------------
# Run inside the transition's transaction, with the effect_kwargs of the action's form. This app's
# own is registered below (the recognised Base); the reviews app registers those that write its
# records (the acceptance group and its grants, the 公示, the revocation decision).

TRANSITION_EFFECTS: dict[str, Callable] = {}


def transition_effect(action: str):
    """Register the side effect of the declared transition `action` (one per action)."""

    def register(effect: Callable) -> Callable:
        if TRANSITION_EFFECTS.setdefault(action, effect) is not effect:
            raise ImproperlyConfigured(f"The transition {action!r} has a side effect already.")
        return effect

    return register


@transition_effect("recognise")
def _create_base(*, application: Application, user, document_number: str, recognised_on) -> None:
    """发文认定: the recognised base (第十一条（六））."""
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


def application_lookup_code_issue(*, application: Application) -> str:
    """A new 查询码 for the application, for the receipt (申报回执) about to be issued: its digest
    replaces the one before (a code given with an earlier receipt stops working), the code itself is
    returned to be printed and is kept nowhere. Side effects: the application's lookup_code_hash
    (neither its version nor its update time: nothing of the application's content changed)."""
    code = lookup_codes.new_code()
    Application.objects.filter(pk=application.pk).update(
        lookup_code_hash=lookup_codes.digest(application.reference, code)
    )
    application.lookup_code_hash = lookup_codes.digest(application.reference, code)
    return code


def base_revoke(*, application: Application, ground: str, details: str, document_number: str, revoked_on) -> Base:
    """第十五条: the recognised base is marked revoked; the 2-year ban follows from its date. Called by
    the revocation decision (the side effect of the revoke transition). Side effects: the Base row."""
    base = Base.objects.select_for_update().get(application=application)
    base.status, base.revoked_on = BaseStatus.REVOKED, revoked_on
    base.revocation_ground, base.revocation_details, base.revocation_document = ground, details, document_number
    base.full_clean()
    base.save()
    return base


@transaction.atomic
def organisation_register(
    *, username: str, password: str, email: str, organisation: Organisation, first_name: str = "", last_name: str = ""
) -> User:
    """Self-registration of an applicant organisation and its first user.

    Side effects: one Organisation (pending its county's confirmation) and one User
    (role applicant) written; after commit, an e-mail to the county's staff queued.
    The user can log in but cannot apply until confirmed.
    """
    organisation.status = OrganisationStatus.PENDING
    organisation.full_clean()
    organisation.save()
    user = User(
        username=username,
        email=email,
        role=Role.APPLICANT,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    signals.organisation_registered.send(sender=Organisation, organisation=organisation)
    return user


@transaction.atomic
def organisation_confirm(*, organisation: Organisation, user: User, approve: bool, note: str = "") -> Organisation:
    """County bureau confirms (or rejects) a self-registered organisation.

    Side effects: the Organisation's status, confirmer and time updated.
    """
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not permissions.can_confirm_organisation(locked, user):
        raise PermissionDenied("您无权确认该单位，或该单位已处理。")
    if not approve and not note.strip():
        raise ValidationError("不予确认时请填写原因。", code="note")
    locked.status = OrganisationStatus.CONFIRMED if approve else OrganisationStatus.REJECTED
    locked.status_note = note.strip()
    locked.confirmed_by = user
    locked.confirmed_at = timezone.now()
    locked.save()
    signals.organisation_decided.send(sender=Organisation, organisation=locked)
    return locked


def reference_next(stem: str, *, taken) -> str:
    """The next reference under `stem` (SX2026P0001, YY20260001 …), from the stem's counter row,
    locked until the transaction ends: concurrent writers wait for each other instead of colliding,
    and a rolled-back one leaves a gap, never a duplicate. `taken` is a queryset of the references
    already issued under the stem, read once, when the counter is first made (existing data)."""
    counter = ReferenceCounter.objects.select_for_update().filter(stem=stem).first()
    if counter is None:
        last = taken.filter(reference__startswith=stem).aggregate(m=Max("reference"))["m"]
        try:
            with transaction.atomic():
                counter = ReferenceCounter.objects.create(stem=stem, last=int(last[len(stem) :]) if last else 0)
        except IntegrityError:  # made meanwhile by another writer: wait for it like everyone else
            pass
        counter = ReferenceCounter.objects.select_for_update().get(stem=stem)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{stem}{counter.last:04d}"


def new_application(
    *, organisation: Organisation, base_type: str, level: str, batch: Batch, user: User, state: str = State.DRAFT
) -> Application:
    """Create an application pre-filled from the organisation, after the rules every
    new application obeys: the organisation's kind fits the base type, it has no
    other active application in the batch (citing the first), and it is not barred
    after a revocation (第十五条). Call inside a transaction: the organisation's row stays locked
    until it ends, so a double click makes one application, not two."""
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    if base_type not in organisation.allowed_base_types:
        raise ValidationError("该单位的单位类型不能申报该类基地。", code="base_type")
    barred = organisation.reapply_ban_message()
    if barred:
        raise ValidationError(barred, code="barred")
    existing = selectors.active_application(organisation=organisation, batch=batch)
    if existing:
        raise ValidationError(
            f"该单位在{batch.name}已有一份申报（编号 {existing.reference}，{existing.get_state_display()}），"
            "同一批次只能有一份有效申报。",
            code="duplicate",
        )
    application = Application(
        reference=reference_next(
            f"SX{batch.year}{spec_for(base_type).reference_prefix}", taken=Application.objects.all()
        ),
        organisation=organisation,
        batch=batch,
        base_type=base_type,
        level=level,
        created_by=user,
        state=state,
        applicant_name=organisation.name,
        leader_name=organisation.legal_representative,
        address=organisation.address,
        postcode=organisation.postcode,
        industry=organisation.industry,
        contact_name=organisation.contact_name,
        contact_title=organisation.contact_title,
        contact_phone=organisation.contact_phone,
    )
    application.full_clean()
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:  # a concurrent create won the race
        raise ValidationError("该单位在本批次已有一份申报，请勿重复发起。", code="duplicate") from exc
    return application


@transaction.atomic
def application_create(
    *, organisation: Organisation, user: User, base_type: str, level: str, batch: Batch, ip: str | None = None
) -> Application:
    """The applicant starts a draft application, pre-filled from its registration.

    Refuses a closed batch and whatever new_application refuses.
    Side effects: one Application (草稿) and one log entry written.
    """
    if not (permissions.is_confirmed_applicant(user) and user.organisation_id == organisation.pk):
        raise PermissionDenied("只有已确认的申报单位用户可以发起申报。")
    rules = rules_in_force(batch=batch, county=organisation.county, level=level)
    if not rules.is_open:
        scope = f"{rules.county_name}县级基地" if rules.is_county_own else ""
        raise ValidationError(f"{batch.name}{scope}已于{cn_date(rules.deadline)}截止申报。", code="closed")
    application = new_application(organisation=organisation, base_type=base_type, level=level, batch=batch, user=user)
    log_write(
        application=application,
        user=user,
        action=LogAction.CREATE,
        label=LogAction.CREATE.label,
        ip=ip,
        to_state=application.state,
    )
    return application


@transaction.atomic
def application_save_draft(
    *,
    application: Application,
    user: User,
    values: dict,
    self_assessment: dict,
    version: int | None,
    ip: str | None = None,
    automatic: bool = False,
) -> Application:
    """Save the form as it is (a draft may be incomplete). `automatic`: saved by the page itself
    while the user types (static/js/site.js), so that a long narrative outlives the idle timeout.

    Refuses when the page was rendered from an older version (concurrent edit).
    Side effects: the Application row updated (version + 1), one log entry written; of a run of
    automatic saves by the same user, one entry per AUTOSAVE_LOG_MINUTES.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.can_edit_application(locked, user):
        raise PermissionDenied("该申报当前不能修改。")
    check_version(application=locked, version=version)
    for name in (*locked.spec.field_names, "narrative", "applicant_opinion"):
        if name in values:
            setattr(locked, name, values[name])
    locked.self_assessment = self_assessment
    locked.version += 1
    locked.full_clean(validate_constraints=False)
    locked.save()
    if not (automatic and _autosaved_lately(locked, user)):
        label = AUTOSAVE_LABEL if automatic else LogAction.EDIT.label
        log_write(application=locked, user=user, action=LogAction.EDIT, label=label, ip=ip)
    return locked


AUTOSAVE_LABEL = "自动保存草稿"
AUTOSAVE_LOG_MINUTES = 30


def _autosaved_lately(application: Application, user: User) -> bool:
    latest = selectors.latest_log_entry(application)
    return (
        latest is not None
        and latest.label == AUTOSAVE_LABEL
        and latest.actor_id == user.pk
        and timezone.now() - latest.created_at < timezone.timedelta(minutes=AUTOSAVE_LOG_MINUTES)
    )


def attachment_store(
    *, application: Application, user: User, uploaded, purpose: str, condition_code: str = "", form_code: str = ""
) -> Attachment:
    """Check one uploaded file's content type and size and store it under a random name with the
    extension of the detected type; the uploader's name, cleaned, is kept for display only.
    The caller checks who may upload and writes the log. Side effects: the file, one Attachment row."""
    kind = detect_attachment_kind(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    attachment = Attachment(
        application=application,
        purpose=purpose,
        condition_code=condition_code,
        original_name=attachment_display_name(uploaded.name),
        kind=kind,
        size=uploaded.size,
        sha256=digest.hexdigest(),
        form_code=form_code,
        uploaded_by=user,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    attachment.save()
    return attachment


def _attachment_quota_check(*, usage: selectors.AttachmentUsage, uploaded) -> None:
    """Refuse a file that would take the application past its number of files or total size."""
    name = attachment_display_name(uploaded.name)
    if usage.files_left < 1:
        raise ValidationError(
            "每份申报最多上传 %(max)d 个文件，已达上限，文件“%(name)s”未上传。可先删除不需要的文件。",
            code="quota_files",
            params={"max": usage.max_files, "name": name},
        )
    if uploaded.size > usage.bytes_left:
        raise ValidationError(
            "每份申报的文件合计不超过 %(max)s，现已用 %(used)s、还可上传 %(left)s，"
            "文件“%(name)s”（%(size)s）未上传。可先删除不需要的文件。",
            code="quota_bytes",
            params={
                "max": filesizeformat(usage.max_bytes),
                "used": filesizeformat(usage.bytes),
                "left": filesizeformat(usage.bytes_left),
                "name": name,
                "size": filesizeformat(uploaded.size),
            },
        )


@transaction.atomic
def attachment_add(
    *, application: Application, user: User, uploaded, condition_code: str = "", ip: str | None = None
) -> Attachment:
    """Store one evidence file of a condition (or other material) while the form is open, within
    the application's quota (ATTACHMENT_MAX_FILES files, ATTACHMENT_MAX_TOTAL_BYTES in all), which
    the row lock keeps for uploads at the same moment.

    Side effects: the file written to private storage, one Attachment row and one
    log entry written.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.can_edit_application(locked, user):
        raise PermissionDenied(permissions.EDIT_REFUSED)
    if condition_code and condition_code not in {c.code for c in locked.spec.conditions}:
        raise ValidationError("所选条件不存在。", code="condition")
    _attachment_quota_check(usage=selectors.attachment_usage(locked), uploaded=uploaded)
    attachment = attachment_store(
        application=locked,
        user=user,
        uploaded=uploaded,
        purpose=AttachmentPurpose.EVIDENCE,
        condition_code=condition_code,
    )
    label = locked.spec.condition(condition_code).article if condition_code else "其他材料"
    log_write(
        application=locked,
        user=user,
        action=LogAction.ATTACHMENT_ADD,
        label=LogAction.ATTACHMENT_ADD.label,
        comment=f"{label}：{attachment.original_name}",
        ip=ip,
    )
    return attachment


SIGNED_FORM_MAX_UPLOADS = 5  # scans of one application: a wrong one is replaced by uploading again
SIGNED_FORM_KINDS = ("pdf", "jpeg", "png")  # a scan, not an editable document


@transaction.atomic
def signed_form_add(*, application: Application, user: User, uploaded, code: str, ip: str | None = None) -> Attachment:
    """The scan of the form the applicant printed after submitting, signed by its 负责人 and sealed
    (第十一条（三）: the applicant hands the form to its county). Kept as an attachment of its own kind
    with the 校验码 the applicant read off the paper, which must be that of the form printed for this
    submission (paper.signing_form): a form printed as a draft, or before a resubmission, is refused
    here, and the county sees whether a scan matches what the application says now. The county's
    recommendation (a county-level application: its acceptance) waits for it
    (workflow.signed_form_received). The latest scan counts; up to SIGNED_FORM_MAX_UPLOADS.

    Side effects: the file in private storage, one Attachment row, one log entry.
    """
    locked = Application.objects.select_for_update().select_related("organisation__county").get(pk=application.pk)
    if not permissions.can_upload_signed_form(locked, user):
        raise PermissionDenied(permissions.SIGNED_FORM_REFUSED)
    expected = signing_form(locked).code
    if normalised_code(code) != expected:
        raise ValidationError(
            "填写的校验码与本次申报的申报表不一致。请打印提交后的申报表（不带“草稿”字样），经负责人签字、加盖单位公章后"
            "扫描上传，并照抄表上印的校验码。",
            code="form_code",
        )
    if selectors.signed_form_scans(locked).count() >= SIGNED_FORM_MAX_UPLOADS:
        raise ValidationError(
            "每份申报最多上传 %(max)d 次签章申报表扫描件。", code="quota_files", params={"max": SIGNED_FORM_MAX_UPLOADS}
        )
    if detect_attachment_kind(uploaded) not in SIGNED_FORM_KINDS:
        raise ValidationError(
            "签章申报表扫描件须为 PDF、JPG 或 PNG 文件，文件“%(name)s”未上传。",
            code="file_type",
            params={"name": attachment_display_name(uploaded.name)},
        )
    attachment = attachment_store(
        application=locked, user=user, uploaded=uploaded, purpose=AttachmentPurpose.SIGNED_FORM, form_code=expected
    )
    log_write(
        application=locked,
        user=user,
        action=LogAction.ATTACHMENT_ADD,
        label="上传签章申报表",
        comment=f"{attachment.original_name}（申报表校验码 {expected}）",
        ip=ip,
    )
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, user: User, ip: str | None = None) -> None:
    """Remove an evidence file from an application that is still editable.

    Side effects: the Attachment row and its stored file deleted (after commit), one
    log entry written naming the file and its SHA-256.
    """
    application = Application.objects.select_for_update().get(pk=attachment.application_id)
    if not permissions.can_edit_application(application, user):
        raise PermissionDenied("该申报当前不能删除材料。")
    storage, name = attachment.file.storage, attachment.file.name
    log_write(
        application=application,
        user=user,
        action=LogAction.ATTACHMENT_DELETE,
        label=LogAction.ATTACHMENT_DELETE.label,
        comment=f"{attachment.original_name}（SHA-256 {attachment.sha256[:12]}…）",
        ip=ip,
    )
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- Security events (安全事件) ------------------------------------------------------------------


def security_event_record(
    *, kind: SecurityEventKind, username: str = "", actor: User | None = None, ip: str | None = None, detail: str = ""
) -> SecurityEvent:
    """Append one security event. `username` is the account concerned (kept as text, so the event
    outlives the account and names what was typed at a failed sign-in); `actor` who did it."""
    return SecurityEvent.objects.create(
        kind=kind,
        username=_printable(username)[:150],
        actor=actor if actor is not None and actor.pk else None,
        ip_address=ip,
        detail=_printable(detail)[:500],
    )


def _printable(text: str) -> str:
    """What a client typed, made fit for the record: control characters (a username typed at a failed
    sign-in can hold anything) shown as U+FFFD instead of refused, since the event must be kept."""
    return "".join(c if c.isprintable() else "\ufffd" for c in str(text or ""))


def security_events_expire(*, now=None, dry_run: bool = False) -> int:
    """Remove security events, and the sign-in records of django-axes, older than the retention period
    (settings.SECURITY_EVENT_RETENTION_DAYS, never under 183 days). Returns how many rows went (with
    dry_run, how many would go; nothing is removed)."""
    cutoff = (now or timezone.now()) - timezone.timedelta(days=security_retention_days())
    expired = (
        SecurityEvent.objects.filter(created_at__lt=cutoff),
        AccessLog.objects.filter(attempt_time__lt=cutoff),
        AccessFailureLog.objects.filter(attempt_time__lt=cutoff),
    )
    return sum(rows.count() if dry_run else rows.delete()[0] for rows in expired)


SECURITY_RETENTION_FLOOR_DAYS = 183  # 网络安全法第二十一条: 不少于六个月


def security_retention_days() -> int:
    return max(settings.SECURITY_EVENT_RETENTION_DAYS, SECURITY_RETENTION_FLOOR_DAYS)


# --- Two-factor sign-in (动态口令, TOTP) ------------------------------------------------------------


@transaction.atomic
def two_factor_begin(*, user: User):
    """The device a user is setting up: a new secret, or the one of a setup begun before (so that
    reloading the page does not invalidate the code already scanned)."""
    device = selectors.two_factor_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=False)
    return device


def two_factor_check(*, user: User, token: str, ip: str | None = None):
    """Check a 6-digit code against the user's confirmed device or, when there is none, the one being
    set up (which a right code confirms). django-otp slows down repeated failures (verify_is_allowed).
    Returns the device on success, else None; both are security events."""
    with transaction.atomic():
        device = selectors.two_factor_device(user) or selectors.two_factor_device(user, confirmed=False)
        if device is None:
            return None
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            enrolling = not device.confirmed
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            security_event_record(
                kind=SecurityEventKind.TWO_FACTOR_ENROLLED if enrolling else SecurityEventKind.SIGN_IN,
                username=user.get_username(),
                actor=user,
                ip=ip,
                detail="绑定动态口令" if enrolling else "动态口令验证通过",
            )
            return device
    security_event_record(
        kind=SecurityEventKind.TWO_FACTOR_FAILED,
        username=user.get_username(),
        actor=user,
        ip=ip,
        detail="" if allowed else "失败次数过多，暂缓验证",
    )
    return None


def export_record(*, user: User, what: str, rows: int, ip: str | None = None) -> SecurityEvent:
    """A download of a table holding personal data (a spreadsheet whose columns say so, see
    bases.spreadsheets.Column.personal): who, when, from where, what and how many rows, as a security
    event (个人信息导出) the auditor reads."""
    return security_event_record(
        kind=SecurityEventKind.PERSONAL_DATA_EXPORTED,
        username=user.get_username(),
        actor=user,
        ip=ip,
        detail=f"{what}，共{rows}行",
    )


def personal_data_export(*, user: User, ip: str | None = None) -> dict:
    """The person's own data, to download; the export is a security event (个人信息导出)."""
    data = selectors.personal_data_of(user)
    security_event_record(
        kind=SecurityEventKind.PERSONAL_DATA_EXPORTED,
        username=user.get_username(),
        actor=user,
        ip=ip,
        detail="本人信息",
    )
    return data


# --- A county's rules for its county-level bases (第十七条) ------------------------------------------


@transaction.atomic
def county_rules_copy(*, county: County, batch: Batch, user: User, ip: str | None = None) -> CountyRules:
    """从市级标准复制: the county's own rules for `batch`, made as a copy of the city's (the batch's
    deadline and 公示 length, the notice's thresholds, the county-level titles), for its administrator
    to edit. A second call (a double click) returns the rules made by the first.
    Side effects: one CountyRules row and its first CountyRulesChange."""
    if not permissions.may_manage_county_rules(county, user):
        raise PermissionDenied("只有本县局的县级规则管理员可以制定县级基地规则。")
    existing = CountyRules.objects.filter(county=county, batch=batch).first()
    if existing is not None:
        return existing
    city = city_rules(batch=batch, level=Level.COUNTY, county_name=county.name)
    county_rules = CountyRules(
        county=county,
        batch=batch,
        deadline=city.deadline,
        publicity_working_days=city.publicity_working_days,
        titles=dict(city.titles),
        thresholds=dict(city.thresholds),
    )
    county_rules.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            county_rules.save()
    except IntegrityError:  # a concurrent copy won the race
        return CountyRules.objects.get(county=county, batch=batch)
    _county_rules_change_write(county_rules=county_rules, user=user, changes=[], reason="从市级标准复制", ip=ip)
    return county_rules


def _county_rules_change_write(*, county_rules: CountyRules, user: User, changes: list, reason: str, ip) -> None:
    change = CountyRulesChange(
        county_rules=county_rules,
        version=county_rules.version,
        content=county_rules.content(),
        changes=changes,
        reason=reason,
        changed_by=user,
        ip_address=ip,
    )
    change.full_clean()
    change.save()


@transaction.atomic
def county_rules_update(
    *,
    county_rules: CountyRules,
    user: User,
    version: int | None,
    deadline,
    publicity_working_days: int,
    titles: dict,
    thresholds: dict,
    reason: str,
    ip: str | None = None,
) -> CountyRules:
    """The county's administrator changes its rules. Every threshold as strict as the notice's or
    stricter, each title a 申报表, a 公示 of 5–30 working days, a deadline in the batch's year (or the
    next) and, when changed, not before today; a reason is required.

    Applications already submitted keep the rules they were submitted under (Application.rules);
    drafts and returned ones follow the new rules at once.
    Refuses a page rendered from an older version (two administrators at once, a double click).
    Side effects: the CountyRules row (version + 1), one CountyRulesChange with what changed."""
    locked = CountyRules.objects.select_for_update().select_related("county", "batch").get(pk=county_rules.pk)
    if not permissions.may_manage_county_rules(locked.county, user):
        raise PermissionDenied("只有本县局的县级规则管理员可以修改县级基地规则。")
    if version is None or int(version) != locked.version:
        raise ValidationError(
            "县级基地规则已由他人修改（当前为第%(current)d版），本次修改未保存。请刷新页面核对后再修改。",
            code="stale",
            params={"current": locked.version},
        )
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["请填写修改说明（为什么修改）。"]
    problem = deadline_problem(deadline, batch=locked.batch, changed=deadline != locked.deadline)
    if problem:
        errors["deadline"] = [problem]
    errors |= content_problems(thresholds=thresholds, titles=titles, publicity_working_days=publicity_working_days)
    if errors:
        raise ValidationError(errors)
    titles = {bt: title.strip() for bt, title in titles.items()}
    changes = county_rules_differences(
        before=locked.rules(),
        deadline=deadline,
        publicity_working_days=publicity_working_days,
        titles=titles,
        thresholds=thresholds,
    )
    if not changes:
        raise ValidationError("规则没有任何改动，未保存。", code="unchanged")
    locked.deadline, locked.publicity_working_days = deadline, publicity_working_days
    locked.titles, locked.thresholds = titles, dict(thresholds)
    locked.version += 1
    locked.full_clean(validate_constraints=False)
    locked.save()
    _county_rules_change_write(county_rules=locked, user=user, changes=changes, reason=reason, ip=ip)
    return locked


def county_rules_differences(*, before, deadline, publicity_working_days, titles, thresholds) -> list[dict]:
    """What a change of a county's rules changes, in words: [{"label", "old", "new"}]."""
    changes = []
    if deadline != before.deadline:
        changes.append({"label": "县级申报截止日期", "old": cn_date(before.deadline), "new": cn_date(deadline)})
    if publicity_working_days != before.publicity_working_days:
        changes.append(
            {
                "label": "公示期",
                "old": f"{before.publicity_working_days}个工作日",
                "new": f"{publicity_working_days}个工作日",
            }
        )
    for base_type, spec in SPECS.items():
        if titles[base_type] != before.title(base_type):
            changes.append(
                {"label": f"{spec.form_number}表名", "old": before.title(base_type), "new": titles[base_type]}
            )
    for key, threshold in all_thresholds().items():
        old, new = before.thresholds.get(key, threshold.value), thresholds[key]
        if old != new:
            article = condition_of(threshold.condition_code).article
            changes.append(
                {"label": f"{article}{threshold.label}", "old": threshold.words(old), "new": threshold.words(new)}
            )
    return changes


def manages_county_rules(account: User) -> bool:
    """Whether the account holds the county rules administrator's permission itself (not through a
    superuser's all-powers)."""
    return account.user_permissions.filter(codename="manage_county_rules", content_type__app_label="bases").exists()


@transaction.atomic
def county_rules_manager_set(*, account: User, granted: bool, user: User) -> None:
    """Give or take the county rules administrator's permission (bases.manage_county_rules): the city's
    administrators do, in the admin site, for a county's staff member. Side effects: the account's
    user_permissions; the security event of that change (bases.security_events)."""
    if not permissions.may_change_account(user, account) or account.pk == user.pk:
        raise PermissionDenied("您无权更改该账号的权限。")
    if granted and account.role != Role.COUNTY:
        raise ValidationError("只有县局工作人员可以担任县级规则管理员。")
    permission = Permission.objects.get(codename="manage_county_rules", content_type__app_label="bases")
    account._changed_by = user
    if granted:
        account.user_permissions.add(permission)
    else:
        account.user_permissions.remove(permission)
