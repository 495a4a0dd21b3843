"""Predicates fn(obj, user) -> bool. False for anonymous users and unknown roles.

They read only attributes already on the objects; no queries beyond foreign keys.
"""
from reviews.choices import EDITABLE_STATES

from .choices import CITY_ROLES, OrganisationStatus, Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_city(user) -> bool:
    return _active(user) and (user.role in CITY_ROLES or user.is_superuser)


def is_city_admin(user) -> bool:
    return _active(user) and (user.role == Role.CITY_ADMIN or user.is_superuser)


def is_county_staff(user) -> bool:
    return _active(user) and user.role == Role.COUNTY and user.county_id is not None


def is_confirmed_applicant(user) -> bool:
    return (
        _active(user)
        and user.role == Role.APPLICANT
        and user.organisation_id is not None
        and user.organisation.status == OrganisationStatus.CONFIRMED
    )


def is_applicant_of(application, user) -> bool:
    return is_confirmed_applicant(user) and application.organisation_id == user.organisation_id


def is_county_of(application, user) -> bool:
    return is_county_staff(user) and application.organisation.county_id == user.county_id


def can_edit_application(application, user) -> bool:
    """Only the applicant, and only while the form is open (草稿 or 退回修改)."""
    return is_applicant_of(application, user) and application.state in EDITABLE_STATES


def can_confirm_organisation(organisation, user) -> bool:
    """Self-registered organisations are confirmed by their own county bureau (or the city)."""
    return organisation.status == OrganisationStatus.PENDING and (
        (is_county_staff(user) and organisation.county_id == user.county_id) or is_city_admin(user)
    )
