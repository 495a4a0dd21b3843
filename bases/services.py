"""Writes of the bases app: one function per use case."""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviews.choices import LogAction, State
from reviews.services import check_version, log_write

from . import permissions, selectors, tasks
from .choices import OrganisationStatus, Role
from .dates import cn_date
from .forms_spec import spec_for
from .models import Application, Attachment, Batch, Organisation, User
from .validators import detect_attachment_kind


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
    transaction.on_commit(lambda: tasks.notify_county_of_registration.delay(organisation.pk))
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
    return locked


def _next_reference(*, batch: Batch, prefix: str) -> str:
    stem = f"SX{batch.year}{prefix}"
    last = (
        Application.objects.filter(reference__startswith=stem)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last[len(stem) :]) + 1 if last else 1
    return f"{stem}{number:04d}"


def new_application(
    *, organisation: Organisation, base_type: str, level: str, batch: Batch, user: User, state: str = State.DRAFT
) -> Application:
    """Create an application pre-filled from the organisation, after the rules every
    new application obeys: the organisation's kind fits the base type, it has no
    other active application in the batch (citing the first), and it is not barred
    after a revocation (第十五条). Call inside a transaction."""
    Batch.objects.select_for_update().get(pk=batch.pk)  # serialises reference numbers within a batch
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
        reference=_next_reference(batch=batch, prefix=spec_for(base_type).reference_prefix),
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
    if not batch.is_open:
        raise ValidationError(f"{batch.name}已于{cn_date(batch.deadline)}截止申报。", code="closed")
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
) -> Application:
    """Save the form as it is (a draft may be incomplete).

    Refuses when the page was rendered from an older version (concurrent edit).
    Side effects: the Application row updated (version + 1), one log entry written.
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
    log_write(application=locked, user=user, action=LogAction.EDIT, label=LogAction.EDIT.label, ip=ip)
    return locked


@transaction.atomic
def attachment_add(
    *, application: Application, user: User, uploaded, condition_code: str = "", ip: str | None = None
) -> Attachment:
    """Store one evidence file after checking its content type and size.

    Side effects: the file written to private storage, one Attachment row and one
    log entry written.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.can_edit_application(locked, user):
        raise PermissionDenied("该申报当前不能上传材料。")
    if condition_code and condition_code not in {c.code for c in locked.spec.conditions}:
        raise ValidationError("所选条件不存在。", code="condition")
    kind = detect_attachment_kind(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    attachment = Attachment(
        application=locked,
        condition_code=condition_code,
        original_name=uploaded.name[:200],
        kind=kind,
        size=uploaded.size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    attachment.save()
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
