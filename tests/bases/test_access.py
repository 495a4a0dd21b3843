"""Who may open what: every URL of the project for an anonymous visitor, and the scope of the
selectors (and so of every page) per role."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from guardian.shortcuts import assign_perm

from bases.choices import OrganisationKind, OrganisationStatus, Role
from bases.models import Application, ApplicationLog, Attachment
from bases.selectors import applications_for_user, organisations_for_user
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, add_evidence, county, form_data
from tests.helpers import link_texts, url_patterns

pytestmark = pytest.mark.django_db

LOGIN = "login"  # redirected to the login page, with ?next= the requested URL
# Every URL pattern outside the admin: route, then what an anonymous GET and POST get.
# A new pattern fails test_url_patterns_all_classified until it is added here.
ROUTES = {
    "home": ("", 200, 405),
    "conditions": ("conditions/", 200, 405),
    "healthz": ("healthz", 200, 405),
    "login": ("accounts/login/", 200, 200),
    "register": ("accounts/register/", 200, 400),  # an empty registration is refused
    "logout": ("accounts/logout/", 405, "/"),
    "password_change": ("accounts/password/", LOGIN, LOGIN),
    "password_change_done": ("accounts/password/done/", LOGIN, LOGIN),
    "bases:application-list": ("applications/", LOGIN, LOGIN),
    "bases:application-create": ("applications/new/", LOGIN, LOGIN),
    "reviews:application-detail": ("applications/<int:pk>/", LOGIN, LOGIN),
    "bases:application-edit": ("applications/<int:pk>/edit/", LOGIN, LOGIN),
    "reviews:attachment-upload": ("applications/<int:pk>/attachments/", LOGIN, LOGIN),
    "bases:attachment-download": ("attachments/<int:pk>/", LOGIN, LOGIN),
    "bases:attachment-delete": ("attachments/<int:pk>/delete/", LOGIN, LOGIN),
    "bases:organisation-list": ("organisations/", LOGIN, LOGIN),
    "bases:organisation-detail": ("organisations/<int:pk>/", LOGIN, LOGIN),
    "reviews:application-transition": ("applications/<int:pk>/actions/<slug:action>/", LOGIN, LOGIN),
    "reviews:guidance-add": ("applications/<int:pk>/guidance/", LOGIN, LOGIN),
    "reviews:acceptance-record-add": ("applications/<int:pk>/acceptance-records/", LOGIN, LOGIN),
    "reviews:revocation-notice": ("applications/<int:pk>/revocation/", LOGIN, LOGIN),
    "reviews:revocation-statement": ("revocations/<int:pk>/statement/", LOGIN, LOGIN),
    "reviews:revocation-close": ("revocations/<int:pk>/close/", LOGIN, LOGIN),
    "reviews:objection-answer": ("objections/<int:pk>/answer/", LOGIN, LOGIN),
    "reviews:candidate-create": ("candidates/new/", LOGIN, LOGIN),
    "reviews:publicity-list": ("publicities/", LOGIN, LOGIN),
    "reviews:publicity-open": ("publicities/new/", LOGIN, LOGIN),
    "reviews:publicity-detail": ("publicities/<int:pk>/", LOGIN, LOGIN),
    "reviews:publicity-close": ("publicities/<int:pk>/close/", LOGIN, LOGIN),
    "reviews:publicity-recognise": ("publicities/<int:pk>/recognise/", LOGIN, LOGIN),
    "reviews:objection-add": ("publicities/<int:pk>/objections/", LOGIN, LOGIN),
    "reviews:objection-reply": ("objections/<int:pk>/reply/", LOGIN, LOGIN),
    "reviews:base-list": ("bases/", LOGIN, LOGIN),
    "reviews:base-detail": ("bases/<int:pk>/", LOGIN, LOGIN),
    "reviews:upward-outcome": ("bases/<int:pk>/upward/<int:item_pk>/", LOGIN, LOGIN),
    "reviews:workflow": ("workflow/", 200, 405),
    "reviews:notification-list": ("notifications/", LOGIN, LOGIN),
}
PUBLIC = {name for name, (_, get, _) in ROUTES.items() if get == 200}


def test_url_patterns_all_classified():
    discovered = {(name, route) for name, route, _ in url_patterns() if not name.startswith("admin:")}

    assert discovered == {(name, route) for name, (route, _, _) in ROUTES.items()}
    assert {"home", "conditions", "healthz", "login", "register", "reviews:workflow"} == PUBLIC


@pytest.fixture
def draft():
    application = ApplicationFactory(complete=True)
    add_evidence(application)
    return application


def url_for(name, application):
    """The URL of a pattern, its int kwargs filled with the pk of a real object of the right kind."""
    route = ROUTES[name][0]
    kwargs = {"action": "submit"} if "<slug:action>" in route else {}
    if "<int:item_pk>" in route:
        kwargs["item_pk"] = 1
    if "<int:pk>" in route:
        kwargs["pk"] = {
            "applications": lambda: application.pk,
            "attachments": lambda: application.attachments.first().pk,
            "organisations": lambda: application.organisation_id,
            # Anonymous requests are turned away before any lookup: any pk will do.
            "publicities": lambda: 1,
            "objections": lambda: 1,
            "revocations": lambda: 1,
            "bases": lambda: 1,
        }[route.split("/")[0]]()
    return reverse(name, kwargs=kwargs)


def database_state():
    return (
        list(Application.objects.values_list("pk", "state", "version").order_by("pk")),
        Attachment.objects.count(),
        ApplicationLog.objects.count(),
    )


@pytest.mark.parametrize("name", sorted(ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_request_every_url_public_or_sent_to_login(client, draft, name, method):
    url = url_for(name, draft)
    before = database_state()
    expected = ROUTES[name][1 if method == "get" else 2]

    response = getattr(client, method)(url)

    body = response.content.decode() if not response.streaming else ""
    if expected == LOGIN:
        assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")
    elif isinstance(expected, str):
        assert (response.status_code, response["Location"]) == (302, expected)
    else:
        assert response.status_code == expected
    assert database_state() == before
    assert [s for s in (draft.reference, draft.organisation.name, draft.organisation.credit_code) if s in body] == []


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
