"""The permission predicates (bases/permissions.py), each over every kind of user: who is allowed is
written out here, everyone else is refused, anonymous and inactive users included."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from guardian.shortcuts import assign_perm

from bases import permissions
from bases.choices import Level, OrganisationStatus, State
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, county

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    yuecheng, keqiao = county("越城区"), county("柯桥区")
    organisation = OrganisationFactory(county=yuecheng)
    return {
        "applicant": UserFactory(role="applicant", organisation=organisation),
        "other_applicant": UserFactory(applicant=True),
        "pending_applicant": UserFactory(
            role="applicant", organisation=OrganisationFactory(county=yuecheng, status=OrganisationStatus.PENDING)
        ),
        "county": UserFactory(county_staff=True, county=yuecheng),
        "other_county": UserFactory(county_staff=True, county=keqiao),
        "city_reviewer": UserFactory(city_reviewer=True),
        "city_admin": UserFactory(city_admin=True),
        "superuser": UserFactory(city_reviewer=True, is_superuser=True),
        "inactive_city": UserFactory(city_reviewer=True, is_active=False),
        "inactive_county": UserFactory(county_staff=True, county=yuecheng, is_active=False),
        "anonymous": AnonymousUser(),
    }


CITY = {"city_reviewer", "city_admin", "superuser"}


def allowed(predicate, obj, users) -> set[str]:
    return {name for name, user in users.items() if predicate(obj, user)}


def allowed_users(predicate, users) -> set[str]:
    return {name for name, user in users.items() if predicate(user)}


def application(users, *, state=State.DRAFT, level=Level.CITY):
    """Enough of an application for the predicates: its organisation, county, state and level."""
    organisation = users["applicant"].organisation
    return SimpleNamespace(organisation=organisation, organisation_id=organisation.pk, state=state, level=level)


# --- Roles -----------------------------------------------------------------------------------------------


def test_role_predicates_per_user(users):
    assert allowed_users(permissions.is_city, users) == CITY
    assert allowed_users(permissions.is_city_admin, users) == {"city_admin", "superuser"}
    assert allowed_users(permissions.is_county_staff, users) == {"county", "other_county"}
    assert allowed_users(permissions.is_confirmed_applicant, users) == {"applicant", "other_applicant"}
    assert allowed_users(permissions.is_applicant, users) == {"applicant", "other_applicant", "pending_applicant"}


def test_is_county_staff_needs_a_county(users):
    clerk = users["county"]
    clerk.county_id = None

    assert permissions.is_county_staff(clerk) is False


def test_is_staff_of_county_only_that_county(users):
    yuecheng = county("越城区").pk

    assert allowed(permissions.is_staff_of_county, yuecheng, users) == {"county"}


# --- An application ------------------------------------------------------------------------------------


def test_is_applicant_of_and_is_county_of_the_application(users):
    app = application(users)

    assert allowed(permissions.is_applicant_of, app, users) == {"applicant"}
    assert allowed(permissions.is_county_of, app, users) == {"county"}


@pytest.mark.parametrize(
    "state, editors",
    [
        (State.DRAFT, {"applicant"}),
        (State.RETURNED, {"applicant"}),
        (State.SUBMITTED, set()),
        (State.CULTIVATION, set()),
    ],
)
def test_can_edit_application_only_the_applicant_while_the_form_is_open(users, state, editors):
    assert allowed(permissions.can_edit_application, application(users, state=state), users) == editors


@pytest.mark.parametrize(
    "state, loggers",
    [
        (State.CULTIVATION, {"county"}),
        (State.DRAFT, {"county"}),
        (State.RETURNED, {"county"}),
        (State.SUBMITTED, set()),
        (State.RECOGNISED, set()),
    ],
)
def test_can_log_guidance_the_county_until_submission(users, state, loggers):
    assert allowed(permissions.can_log_guidance, application(users, state=state), users) == loggers


@pytest.mark.parametrize("level, authority", [(Level.CITY, CITY), (Level.COUNTY, {"county"})])
def test_is_acceptance_authority_city_for_city_level_county_for_county_level(users, level, authority):
    assert allowed(permissions.is_acceptance_authority, application(users, level=level), users) == authority


@pytest.mark.parametrize(
    "state, level, handlers",
    [
        (State.SUBMITTED, Level.CITY, {"county"}),
        (State.SUBMITTED, Level.COUNTY, {"county"}),
        (State.RECOMMENDED, Level.CITY, CITY),
        (State.IN_ACCEPTANCE, Level.CITY, CITY),
        (State.IN_ACCEPTANCE, Level.COUNTY, {"county"}),
        (State.DRAFT, Level.CITY, set()),  # on the applicant's desk
        (State.WITHDRAWN, Level.CITY, set()),  # on nobody's
    ],
)
def test_is_current_handler_is_the_office_holding_the_application(users, state, level, handlers):
    assert allowed(permissions.is_current_handler, application(users, state=state, level=level), users) == handlers


def test_is_acceptance_member_only_with_the_grant_on_that_application(users):
    member = UserFactory(city_reviewer=True)
    granted, other = ApplicationFactory(), ApplicationFactory()
    assign_perm("bases.record_acceptance", member, granted)
    users = {**users, "member": member}

    assert allowed(permissions.is_acceptance_member, granted, users) == {"member", "superuser"}
    assert allowed(permissions.is_acceptance_member, other, users) == {"superuser"}


# --- Organisations and 公示 --------------------------------------------------------------------------------


def test_can_confirm_organisation_its_county_or_a_city_admin_while_pending(users):
    pending = OrganisationFactory(county=county("越城区"), status=OrganisationStatus.PENDING)
    confirmed = OrganisationFactory(county=county("越城区"))

    assert allowed(permissions.can_confirm_organisation, pending, users) == {"county", "city_admin", "superuser"}
    assert allowed(permissions.can_confirm_organisation, confirmed, users) == set()


def test_may_manage_publicity_city_level_by_the_city_only(users):
    publicity = SimpleNamespace(level=Level.CITY, county_id=None)

    assert allowed(permissions.may_manage_publicity, publicity, users) == CITY


def test_may_manage_publicity_county_level_by_its_own_county_only(users):
    publicity = SimpleNamespace(level=Level.COUNTY, county_id=county("越城区").pk)

    assert allowed(permissions.may_manage_publicity, publicity, users) == {"county"}


def test_predicates_have_their_diagram_labels():
    assert {
        f.__name__: f.label
        for f in (
            permissions.is_applicant_of,
            permissions.is_county_of,
            permissions.is_acceptance_authority,
            permissions.is_acceptance_member,
            permissions.is_current_handler,
        )
    } == {
        "is_applicant_of": "申报单位",
        "is_county_of": "所在地县局",
        "is_acceptance_authority": "验收认定机关（市级：市局；县级：县局）",
        "is_acceptance_member": "验收组成员",
        "is_current_handler": "当前办理机关（县局或市局）",
    }
