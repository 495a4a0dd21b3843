"""Predicates fn(obj, user) -> bool. False for anonymous users and unknown roles.

They read only attributes already on the objects; no queries beyond foreign keys.
What a state allows comes from the state table (states.py).
"""

from django.conf import settings

from . import states
from .choices import CITY_ROLES, EVERYDAY_ROLES, Level, Office, OrganisationStatus, Role, State


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_city(user) -> bool:
    return _active(user) and (user.role in CITY_ROLES or user.is_superuser)


def is_city_admin(user) -> bool:
    return _active(user) and (user.role == Role.CITY_ADMIN or user.is_superuser)


def is_security_admin(user) -> bool:
    return _active(user) and user.role == Role.SECURITY_ADMIN


def is_auditor(user) -> bool:
    return _active(user) and user.role == Role.AUDIT_ADMIN


def assignable_roles(user) -> frozenset:
    """三员分立: the system administrator gives everyday roles only; the administrators' roles are the
    security administrator's to give (and the superuser's, in an emergency)."""
    if _active(user) and (user.is_superuser or user.role == Role.SECURITY_ADMIN):
        return frozenset(Role)
    if _active(user) and user.role == Role.CITY_ADMIN:
        return EVERYDAY_ROLES
    return frozenset()


def may_change_account(user, account) -> bool:
    """Whose account an administrator may open for change: a superuser's only by a superuser, an
    administrator's only by the security administrator, everyday accounts by both."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if account.is_superuser:
        return False
    return account.role in assignable_roles(user)


def may_enable_accounts(user) -> bool:
    """Enabling, disabling and unlocking accounts: the security administrator's."""
    return _active(user) and (user.is_superuser or user.role == Role.SECURITY_ADMIN)


def two_factor_applies(user) -> bool:
    """Who signs in with a second factor when settings.TWO_FACTOR_REQUIRED: everyone but applicants."""
    return _active(user) and (user.is_superuser or user.role != Role.APPLICANT)


def two_factor_pending(user) -> bool:
    """Signed in with the password, the second factor still owed (settings.TWO_FACTOR_REQUIRED)."""
    verified = getattr(user, "is_verified", None)
    return bool(settings.TWO_FACTOR_REQUIRED and two_factor_applies(user) and not (verified is not None and verified()))


def is_county_staff(user) -> bool:
    return _active(user) and user.role == Role.COUNTY and user.county_id is not None


def is_confirmed_applicant(user) -> bool:
    return (
        _active(user)
        and user.role == Role.APPLICANT
        and user.organisation_id is not None
        and user.organisation.status == OrganisationStatus.CONFIRMED
    )


def is_applicant(user) -> bool:
    """Any applicant account, confirmed or still waiting for its county."""
    return _active(user) and user.role == Role.APPLICANT


def is_bureau_staff(user) -> bool:
    """Staff of the city bureau or of a county bureau: they see review records whole."""
    return is_city(user) or is_county_staff(user)


def is_leader(user) -> bool:
    """A bureau's 分管领导 (of the city without a county, of that county with one): reads its bureau's
    applications and approves their acceptance (报批); no other step is theirs."""
    return _active(user) and user.role == Role.LEADER


def is_city_leader(user) -> bool:
    return is_leader(user) and user.county_id is None


def is_county_leader(user) -> bool:
    return is_leader(user) and user.county_id is not None


def is_staff_of_county(county_id, user) -> bool:
    return is_county_staff(user) and user.county_id == county_id


def is_applicant_of(application, user) -> bool:
    return is_confirmed_applicant(user) and application.organisation_id == user.organisation_id


def is_county_of(application, user) -> bool:
    return is_staff_of_county(application.organisation.county_id, user)


def can_edit_application(application, user) -> bool:
    """Only the applicant, and only while the form is open (草稿 or 退回修改)."""
    return is_applicant_of(application, user) and states.is_editable(application.state)


EDIT_REFUSED = "该申报当前不能修改或上传材料（仅申报单位可在草稿或退回修改时办理）。"


def can_upload_signed_form(application, user) -> bool:
    """The applicant uploads the scan of its signed and sealed form while the county waits for it
    (已申报: the form printed after submission carries no 草稿 mark)."""
    return is_applicant_of(application, user) and states.signed_form_due(application.state)


SIGNED_FORM_REFUSED = "签章申报表扫描件在申报提交后、县局审核前由申报单位上传。"


def can_confirm_organisation(organisation, user) -> bool:
    """Self-registered organisations are confirmed by their own county bureau (or the city)."""
    return organisation.status == OrganisationStatus.PENDING and (
        is_staff_of_county(organisation.county_id, user) or is_city_admin(user)
    )


def is_authority_for(level, county_id, user) -> bool:
    """The acceptance authority of a level: the city bureau for city-level bases, the county
    bureau (of that county) for county-level ones (第十七条)."""
    if level == Level.COUNTY:
        return is_staff_of_county(county_id, user)
    return is_city(user)


def is_acceptance_authority(application, user) -> bool:
    """Who runs acceptance, publicity, recognition and revocation of this application."""
    return is_authority_for(application.level, application.organisation.county_id, user)


def is_leader_for(level, county_id, user) -> bool:
    """The leader who approves at a level: the city bureau's for city-level bases, that county
    bureau's for county-level ones (第十七条)."""
    if not is_leader(user):
        return False
    if level == Level.COUNTY:
        return user.county_id is not None and user.county_id == county_id
    return user.county_id is None


def is_approving_leader(application, user) -> bool:
    """Who approves the application's acceptance (报批): the acceptance authority's 分管领导."""
    return is_leader_for(application.level, application.organisation.county_id, user)


def may_manage_publicity(publicity, user) -> bool:
    """A 公示 is managed by the acceptance authority of its level (and county, for county-level)."""
    return is_authority_for(publicity.level, publicity.county_id, user)


def is_acceptance_member(application, user) -> bool:
    """A member of the application's acceptance group (a django-guardian grant on the object)."""
    return _active(user) and user.has_perm("bases.record_acceptance", application)


def is_current_handler(application, user) -> bool:
    """The office that has the application on its desk now, as the state table says: the
    county while it awaits recommendation, the acceptance authority after that."""
    office = states.office_of(application.state, application.level)
    if office == Office.COUNTY:
        return is_county_of(application, user)
    if office == Office.AUTHORITY:
        return is_acceptance_authority(application, user)
    if office == Office.LEADER:
        return is_approving_leader(application, user)
    return False


def can_record_acceptance(application, user) -> bool:
    """Acceptance records (书面预审, 会议验收, 实地考察) are added by the group while it checks."""
    return application.state == State.IN_ACCEPTANCE and is_acceptance_member(application, user)


def can_log_guidance(application, user) -> bool:
    """培育指导 is logged by the county bureau while the candidate prepares."""
    return is_county_of(application, user) and states.allows_guidance(application.state)


# How the diagram page names who may run a transition.
is_applicant_of.label = "申报单位"
is_county_of.label = "所在地县局"
is_acceptance_authority.label = "验收认定机关（市级：市局；县级：县局）"
is_acceptance_member.label = "验收组成员"
is_current_handler.label = "当前办理机关（县局或市局）"
is_approving_leader.label = "分管领导（市级：市局分管领导；县级：县局分管领导）"


# --- A recognised base after its recognition (第十四条, 第十六条) ---------------------------------------


def is_applicant_of_base(base, user) -> bool:
    """The organisation's users file the base's yearly report."""
    return is_confirmed_applicant(user) and base.organisation_id == user.organisation_id


def is_county_of_base(base, user) -> bool:
    """The base's county bureau reviews its yearly report."""
    return is_staff_of_county(base.organisation.county_id, user)


def may_record_support(base, user) -> bool:
    """Funding, awards, liaison designations and services are entered by the base's county or the city."""
    return is_county_of_base(base, user) or is_city(user)


# --- A county's rules for its county-level bases (第十七条) ------------------------------------------


def may_view_county_rules(county, user) -> bool:
    """The city's staff see every county's rules; a county's staff their own county's."""
    return is_city(user) or is_staff_of_county(county.pk, user)


def may_manage_county_rules(county, user) -> bool:
    """The county's administrator: staff of that county holding the permission the city's system
    administrator gives in the admin site (bases.manage_county_rules). Nobody else, the city included:
    the rules are the county bureau's own (第十七条)."""
    return is_staff_of_county(county.pk, user) and user.has_perm("bases.manage_county_rules")
