"""The scope of the selectors (and so of every page) per role. What every URL answers to every kind
of user is tests/test_permission_matrix.py."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from guardian.shortcuts import assign_perm

from bases.choices import OrganisationKind, OrganisationStatus, Role
from bases.models import Application
from bases.selectors import applications_for_user, organisations_for_user
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, county, form_data
from tests.helpers import link_texts

pytestmark = pytest.mark.django_db

# --- Scope --------------------------------------------------------------------------------------


@dataclass
class World:
    organisations: dict
    applications: dict
    users: dict


@pytest.fixture
def world():
    """Two counties, several organisations, one application each, and a user of every kind."""
    yc, kq = county("越城区"), county("柯桥区")
    organisations = {
        "a1": OrganisationFactory(county=yc, name="越城甲公司"),
        "a2": OrganisationFactory(county=yc, name="越城乙园区", kind=OrganisationKind.PARK),
        "pending": OrganisationFactory(county=yc, name="越城待确认公司", status=OrganisationStatus.PENDING),
        "rejected": OrganisationFactory(county=yc, name="越城未通过公司", status=OrganisationStatus.REJECTED),
        "b": OrganisationFactory(county=kq, name="柯桥丙公司"),
    }
    applications = {
        "a1": ApplicationFactory(organisation=organisations["a1"]),
        "a2": ApplicationFactory(organisation=organisations["a2"], base_type="zone", submitted=True),
        "pending": ApplicationFactory(organisation=organisations["pending"]),
        "rejected": ApplicationFactory(organisation=organisations["rejected"]),
        "b": ApplicationFactory(organisation=organisations["b"], submitted=True),
    }
    users = {
        "applicant_a1": UserFactory(role=Role.APPLICANT, organisation=organisations["a1"]),
        "applicant_a2": applications["a2"].created_by,
        "applicant_pending": UserFactory(role=Role.APPLICANT, organisation=organisations["pending"]),
        "applicant_rejected": UserFactory(role=Role.APPLICANT, organisation=organisations["rejected"]),
        "applicant_without_organisation": UserFactory(role=Role.APPLICANT),
        "county_yc": UserFactory(county_staff=True, county=yc),
        "county_kq": UserFactory(county_staff=True, county=kq),
        "city_reviewer": UserFactory(city_reviewer=True),
        "city_admin": UserFactory(city_admin=True),
        "inactive_applicant": UserFactory(role=Role.APPLICANT, organisation=organisations["a1"], is_active=False),
        "inactive_county": UserFactory(county_staff=True, county=yc, is_active=False),
        "inactive_city_admin": UserFactory(city_admin=True, is_active=False),
        "anonymous": AnonymousUser(),
        "granted": UserFactory(role=Role.APPLICANT),
        "county_kq_granted": UserFactory(county_staff=True, county=kq),
        "inactive_granted": UserFactory(role=Role.APPLICANT, is_active=False),
        "county_kq_model_wide_grant": UserFactory(county_staff=True, county=kq),
    }
    assign_perm("bases.view_application_granted", users["granted"], applications["b"])
    assign_perm("bases.view_application_granted", users["county_kq_granted"], applications["a1"])
    assign_perm("bases.view_application_granted", users["inactive_granted"], applications["a1"])
    # A model-wide permission (e.g. ticked by mistake in the admin) opens no application by itself.
    assign_perm("bases.view_application_granted", users["county_kq_model_wide_grant"])
    return World(organisations, applications, users)


EVERYTHING = {"a1", "a2", "pending", "rejected", "b"}
APPLICATION_SCOPE = {
    "applicant_a1": {"a1"},
    "applicant_a2": {"a2"},
    "applicant_pending": set(),
    "applicant_rejected": set(),
    "applicant_without_organisation": set(),
    "county_yc": {"a1", "a2", "pending", "rejected"},
    "county_kq": {"b"},
    "city_reviewer": EVERYTHING,
    "city_admin": EVERYTHING,
    "inactive_applicant": set(),
    "inactive_county": set(),
    "inactive_city_admin": set(),
    "anonymous": set(),
    "granted": {"b"},
    "county_kq_granted": {"b", "a1"},
    "inactive_granted": set(),
    "county_kq_model_wide_grant": {"b"},
}
ORGANISATION_SCOPE = APPLICATION_SCOPE | {
    "applicant_pending": {"pending"},
    "applicant_rejected": {"rejected"},
    "granted": set(),
    "county_kq_granted": {"b"},
}


@pytest.mark.parametrize("who, expected", sorted(APPLICATION_SCOPE.items()))
def test_applications_for_user_exactly_the_scope_of_the_role(world, who, expected):
    visible = applications_for_user(world.users[who])

    assert {a.pk for a in visible} == {world.applications[k].pk for k in expected}


@pytest.mark.parametrize("who, expected", sorted(ORGANISATION_SCOPE.items()))
def test_organisations_for_user_exactly_the_scope_of_the_role(world, who, expected):
    visible = organisations_for_user(world.users[who])

    assert {o.pk for o in visible} == {world.organisations[k].pk for k in expected}


LOGGED_IN = sorted(who for who in APPLICATION_SCOPE if who != "anonymous" and not who.startswith("inactive"))


@pytest.mark.parametrize("who", LOGGED_IN)
def test_application_list_page_shows_only_scoped_references(client, world, who):
    client.force_login(world.users[who])

    response = client.get(reverse("bases:application-list"))

    assert link_texts(response, r"/applications/\d+/") == {
        world.applications[k].reference for k in APPLICATION_SCOPE[who]
    }


@pytest.mark.parametrize("who", LOGGED_IN)
def test_home_page_recent_list_shows_only_scoped_references(client, world, who):
    client.force_login(world.users[who])

    response = client.get(reverse("home"))

    assert link_texts(response, r"/applications/\d+/") == {
        world.applications[k].reference for k in APPLICATION_SCOPE[who]
    }


@pytest.mark.parametrize("who", LOGGED_IN)
def test_application_detail_every_application_visible_only_in_scope(client, world, who):
    client.force_login(world.users[who])

    shown, hidden_leaks = set(), set()
    for key, application in world.applications.items():
        response = client.get(reverse("reviews:application-detail", args=[application.pk]))
        body = response.content.decode()
        if response.status_code == 200 and application.reference in body:
            shown.add(key)
        elif response.status_code == 404 and (application.reference in body or application.display_name in body):
            hidden_leaks.add(key)

    assert shown == APPLICATION_SCOPE[who]
    assert hidden_leaks == set()


@pytest.mark.parametrize(
    "who, expected",
    [
        ("county_yc", {"a1", "a2", "pending", "rejected"}),
        ("county_kq", {"b"}),
        ("city_admin", EVERYTHING),
        ("city_reviewer", EVERYTHING),
    ],
)
def test_organisation_list_page_shows_only_scoped_organisations(client, world, who, expected):
    client.force_login(world.users[who])

    response = client.get(reverse("bases:organisation-list"))

    assert link_texts(response, r"/organisations/\d+/") == {world.organisations[k].name for k in expected}


@pytest.mark.parametrize("who", ["applicant_a1", "applicant_pending", "applicant_without_organisation"])
def test_organisation_list_page_applicant_refused_403(client, world, who):
    client.force_login(world.users[who])

    response = client.get(reverse("bases:organisation-list"))

    assert response.status_code == 403
    assert link_texts(response, r"/organisations/\d+/") == set()


@pytest.mark.parametrize("who, target", [("county_yc", "b"), ("county_kq", "a1"), ("applicant_a1", "a2")])
def test_organisation_detail_out_of_scope_404(client, world, who, target):
    organisation = world.organisations[target]
    client.force_login(world.users[who])

    response = client.get(reverse("bases:organisation-detail", args=[organisation.pk]))

    assert response.status_code == 404
    assert organisation.name not in response.content.decode()
    assert organisation.credit_code not in response.content.decode()


def test_edit_submitted_application_own_applicant_refused_and_row_unchanged(client, world):
    application = world.applications["a2"]
    client.force_login(world.users["applicant_a2"])
    before = Application.objects.filter(pk=application.pk).values().get()
    url = reverse("bases:application-edit", args=[application.pk])

    opened = client.get(url)
    posted = client.post(url, form_data(application, intent="save", applicant_name="偷改的名称", narrative="改"))

    assert (opened.status_code, posted.status_code) == (403, 403)
    assert f"申报 {application.reference} 当前为“已申报”，不能修改。" in posted.content.decode()
    assert Application.objects.filter(pk=application.pk).values().get() == before
    assert list(application.log.all()) == []


def test_edit_draft_county_staff_in_scope_refused_and_row_unchanged(client, world):
    application = world.applications["a1"]
    client.force_login(world.users["county_yc"])
    before = Application.objects.filter(pk=application.pk).values().get()

    response = client.post(
        reverse("bases:application-edit", args=[application.pk]),
        form_data(application, intent="save", applicant_name="县局改的名称"),
    )

    assert response.status_code == 403
    assert Application.objects.filter(pk=application.pk).values().get() == before


# --- The admin site -----------------------------------------------------------------------------


def test_admin_city_admin_cannot_make_itself_superuser(client):
    # City administrators manage accounts in the admin (bases.backends.ROLE_PERMISSIONS), but the
    # role model is the whole permission system: granting is_superuser would escape it.
    city_admin = UserFactory(city_admin=True, username="city_admin_1")
    client.force_login(city_admin)

    client.post(
        reverse("admin:bases_user_change", args=[city_admin.pk]),
        {
            "username": "city_admin_1",
            "last_name": "测试",
            "role": Role.CITY_ADMIN,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
        },
    )

    city_admin.refresh_from_db()
    assert (city_admin.role, city_admin.is_superuser) == (Role.CITY_ADMIN, False)
