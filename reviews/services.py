"""Writes of the workflow: the one way any application changes state, and the log."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_fsm import has_transition_perm

from bases.models import Application

from .choices import LogAction
from .workflow import refusal_message
from .models import ApplicationLog


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


def log_write(*, application: Application, user, action: str, label: str, comment: str = "", ip: str | None = None,
              transition: str = "", from_state: str = "", to_state: str = "") -> ApplicationLog:
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
        ip_address=ip,
    )


@transaction.atomic
def application_transition(*, application: Application, action: str, user, version: int | None,
                           comment: str = "", ip: str | None = None) -> Application:
    """Run the declared transition `action` on the application for `user`.

    Locks the row, refuses a stale version (so a double click or an old page does
    nothing twice), re-checks the declared permission and conditions, runs the
    declared validation, then saves with version + 1 and appends a log entry.

    Side effects: one Application row updated, one ApplicationLog row written.
    Raises PermissionDenied, StaleApplication or ValidationError (the list of problems).
    """
    locked = Application.objects.select_for_update().select_related("organisation", "batch").get(pk=application.pk)
    check_version(application=locked, version=version)
    transition = _declared(locked, action)
    if transition is None or not transition.has_perm(locked, user):
        raise PermissionDenied("您无权执行该操作。")
    if transition.source not in (locked.state, "*"):
        raise ValidationError(
            "申报当前为“%(state)s”，不能执行“%(label)s”。",
            params={"state": locked.get_state_display(), "label": transition.custom["label"]}, code="state",
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
    getattr(locked, action)()
    locked.version += 1
    locked.save()
    log_write(
        application=locked, user=user, action=LogAction.TRANSITION, label=custom["label"], comment=comment, ip=ip,
        transition=action, from_state=from_state, to_state=locked.state,
    )
    application.refresh_from_db()
    return locked


def _declared(application, action: str):
    """The declared transition named `action` from the current state (or any state), if any."""
    candidates = [t for t in application.get_all_state_transitions() if t.name == action]
    return next((t for t in candidates if t.source == application.state), None) or next(
        (t for t in candidates if t.source == "*"), candidates[0] if candidates else None
    )
