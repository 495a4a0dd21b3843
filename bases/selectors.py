"""Reads. Every queryset a page shows comes from here, scoped to the user.

Each selector starts from nothing and adds rows per role (deny by default).
"""

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from reviews.choices import INACTIVE_STATES

from . import permissions
from .models import Application, Attachment, Batch, County, Industry, Organisation


def applications_for_user(user) -> QuerySet[Application]:
    """Applications the user may see: own organisation's, own county's, or all (city).

    Plus those granted one by one with django-guardian (e.g. an acceptance-group member).
    """
    if not (user and user.is_authenticated and user.is_active):
        return Application.objects.none()
    base = Application.objects.select_related("organisation", "organisation__county", "batch", "industry")
    if permissions.is_city(user):
        return base.all()
    scope = Q(pk__in=[])
    if permissions.is_county_staff(user):
        scope = Q(organisation__county_id=user.county_id)
    elif permissions.is_confirmed_applicant(user):
        scope = Q(organisation_id=user.organisation_id)
    granted = get_objects_for_user(
        user, "bases.view_application_granted", klass=Application, with_superuser=False, accept_global_perms=False
    )
    return base.filter(scope | Q(pk__in=granted.values("pk")))


def attachments_for_user(user) -> QuerySet[Attachment]:
    return Attachment.objects.select_related("application").filter(application__in=applications_for_user(user))


def organisations_for_user(user) -> QuerySet[Organisation]:
    if not (user and user.is_authenticated and user.is_active):
        return Organisation.objects.none()
    base = Organisation.objects.select_related("county", "industry")
    if permissions.is_city(user):
        return base.all()
    if permissions.is_county_staff(user):
        return base.filter(county_id=user.county_id)
    if user.role == "applicant" and user.organisation_id:
        return base.filter(pk=user.organisation_id)
    return Organisation.objects.none()


def current_batch() -> Batch | None:
    """The batch applicants file into now: the newest one still open, else the newest."""
    batches = list(Batch.objects.order_by("-year")[:3])
    return next((b for b in batches if b.is_open), batches[0] if batches else None)


def active_application(*, organisation, batch) -> Application | None:
    return Application.objects.filter(organisation=organisation, batch=batch).exclude(state__in=INACTIVE_STATES).first()


def counties() -> QuerySet[County]:
    return County.objects.all()


def industries() -> QuerySet[Industry]:
    return Industry.objects.filter(is_active=True)


def batches() -> QuerySet[Batch]:
    return Batch.objects.all()
