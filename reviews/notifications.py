"""Who is told what. The people concerned by a transition are the applicant's users
plus everyone who can act on the application now: the same declaration that
draws the buttons decides the recipients."""

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from bases.choices import Role
from bases.models import Application, User

from .choices import NotificationKind
from .models import Notification


def staff_who_may_act(application: Application) -> list[User]:
    """Staff for whom the declaration offers an action on the application right now."""
    candidates = User.objects.filter(is_active=True).filter(
        role__in=[Role.CITY_REVIEWER, Role.CITY_ADMIN]
    ) | User.objects.filter(is_active=True, role=Role.COUNTY, county_id=application.organisation.county_id)
    return [u for u in candidates.distinct() if any(True for _ in application.get_available_user_state_transitions(u))]


def applicant_users(application: Application) -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.APPLICANT, organisation_id=application.organisation_id))


def notify(*, users, application: Application | None, kind: str, key: str, message: str) -> int:
    """One in-app notification and one e-mail per user; a key already used for a user is skipped,
    so a reminder job that runs twice does not remind twice."""
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


def notify_log_entry(entry) -> int:
    application = entry.application
    people = {u.pk: u for u in applicant_users(application) + staff_who_may_act(application)}
    people.pop(entry.actor_id, None)
    message = (
        f"申报 {application.reference}（{application.display_name}）：{entry.label}，"
        f"状态变为“{entry.get_to_state_display()}”。"
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
