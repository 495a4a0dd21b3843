"""Reads of the review records: what the application page shows of the review, the 公示 a
user manages, the recognised bases with their upward recommendations, notifications."""

import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from bases import permissions
from bases.choices import Level, State
from bases.models import Application, Base, User
from bases.selectors import application_log, applications_for_user, bases_for_user

from . import disclosure
from .models import AcceptanceGroup, FormBundle, Notification, Objection, Publicity, RevocationCase


def acceptance_group_members(group: AcceptanceGroup | None) -> list[User]:
    """The members of an acceptance group (its leader among them); nobody without a group."""
    if group is None:
        return []
    return list(group.members.order_by("last_name", "username"))


def review_context(application, user) -> dict:
    """What the application page shows of the review, as the user may read it (disclosure.py):
    guidance, the acceptance group and its records, 公示 and objections, the recognised base, the
    revocation procedure, and which records the user may add."""
    whole = disclosure.sees_whole(user)
    group = getattr(application, "acceptance_group", None)  # the reverse one-to-one raises when absent
    return {
        "internal": whole,
        "guidance_visits": list(application.guidance_visits.select_related("recorded_by")),
        "may_log_guidance": permissions.can_log_guidance(application, user),
        "acceptance_group": group if whole else None,
        "acceptance_members": acceptance_group_members(group) if whole else [],
        "acceptance_records": disclosure.for_reader(
            application.acceptance_records.select_related("recorded_by"), "acceptance_record", user
        ),
        "may_record_acceptance": permissions.can_record_acceptance(application, user),
        "objections": disclosure.for_reader(application.objections.select_related("publicity"), "objection", user),
        "publicities": list(application.publicities.all()),
        "base": Base.objects.filter(application=application).first(),
        "revocation_cases": list(application.revocation_cases.select_related("opened_by", "decided_by")),
    }


def application_log_for(application, user) -> list:
    """The application's history (办理记录) as the user may read it: each entry with `shown_comment`
    and `shown_actor`."""
    entries = list(application_log(application))
    for entry in entries:
        entry.shown_comment = disclosure.shown_comment(entry, user)
        entry.shown_actor = disclosure.shown_actor(entry, user, application)
    return entries


def _publicities_in_scope(user) -> QuerySet[Publicity]:
    if permissions.is_city(user):
        return Publicity.objects.all()
    if permissions.is_county_staff(user):
        return Publicity.objects.filter(level=Level.COUNTY, county_id=user.county_id)
    return Publicity.objects.none()


def publicities_for_user(user) -> QuerySet[Publicity]:
    """公示 the user may see: all for the city, its own county's county-level ones for a county.
    Who may act on one is permissions.may_manage_publicity."""
    return (
        _publicities_in_scope(user)
        .select_related("county", "opened_by")
        .prefetch_related(
            Prefetch("applications", queryset=Application.objects.select_related("organisation__county")),
            Prefetch("objections", queryset=Objection.objects.select_related("application")),
        )
    )


def publicities_listed(user) -> QuerySet[Publicity]:
    """The 公示 list: the user's 公示 with how many applications and objections each has, counted
    by the database (no application row is loaded)."""
    queryset = _publicities_in_scope(user)
    members = Publicity.applications.through.objects.filter(publicity=OuterRef("pk"))
    objections = Objection.objects.filter(publicity=OuterRef("pk"))
    return queryset.select_related("county").annotate(
        application_count=counted(members), objection_count=counted(objections)
    )


def counted(queryset: QuerySet) -> Coalesce:
    """The number of rows of a queryset correlated to one 公示 (filtered on OuterRef), as a subquery."""
    per_publicity = queryset.order_by().values("publicity").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(per_publicity), 0)


def objections_for_user(user) -> QuerySet[Objection]:
    """Objections to the 公示 the user may see (the staff who register and reply to them)."""
    return Objection.objects.filter(publicity__in=publicities_for_user(user)).select_related("publicity", "application")


def objections_put_to(user) -> QuerySet[Objection]:
    """Objections raised against the applications of the user's organisation, which it answers in
    writing (what it may read of one is reviews.disclosure's to say: never the objector)."""
    if not permissions.is_applicant(user):
        return Objection.objects.none()
    return Objection.objects.filter(application__in=applications_for_user(user)).select_related(
        "publicity", "application"
    )


def applications_in_publicity(publicity) -> QuerySet[Application]:
    """The applications of a 公示 still waiting in it (公示中)."""
    return publicity.applications.filter(state=State.IN_PUBLICITY)


def recognised_bases(user, *, q: str = "") -> QuerySet[Base]:
    """The recognised bases the user may see, with their upward recommendations; `q` searches
    the name and the document number."""
    queryset = bases_for_user(user).prefetch_related("upward_recommendations")
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(document_number__icontains=q))
    return queryset


def notifications_for_user(user) -> QuerySet[Notification]:
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).select_related("application")


UNREAD_BADGE_CAP = 100  # the header shows "99+" from here


def unread_notifications_count(user, *, cap: int = UNREAD_BADGE_CAP) -> int:
    """The user's unread notifications, counted up to `cap`: every page's header asks, so the count
    stops there (a LIMITed subquery on the partial index notification_unread_by_user) instead of
    walking an administrator's tens of thousands of rows."""
    if not (user and user.is_authenticated):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True)[:cap].count()


def revocation_cases_for_user(user) -> QuerySet[RevocationCase]:
    """Revocation procedures of the applications the user may see."""
    return RevocationCase.objects.select_related("application__organisation__county", "application__base").filter(
        application__in=applications_for_user(user)
    )


def form_bundles_for_user(user) -> QuerySet[FormBundle]:
    """The zips of printed forms the user asked for (nobody else's, not even the city's)."""
    if not permissions.is_bureau_staff(user):
        return FormBundle.objects.none()
    return FormBundle.objects.filter(requested_by=user)


def form_bundles_expired(*, today=None, days: int) -> QuerySet[FormBundle]:
    """Zips of printed forms asked for more than `days` days before `today`."""
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time()))
    return FormBundle.objects.filter(created_at__lt=cutoff)
