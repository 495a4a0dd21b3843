"""bases.services: application_transition, the one way an application changes state, and
application_create's refusals. The log itself is tested in test_log.py."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bases import services
from bases.choices import LogAction, OrganisationKind, Role, State
from bases.models import Application
from bases.services import StaleApplication, application_transition
from tests.factories import ApplicationFactory, BatchFactory, OrganisationFactory, UserFactory, add_evidence, county
from tests.helpers import messages_shown

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready():
    """A complete draft with evidence for every condition: submittable."""
    application = ApplicationFactory(complete=True)
    add_evidence(application)
    return application


def snapshot(application):
    return Application.objects.filter(pk=application.pk).values("state", "version", "submitted_at").get()


@pytest.mark.parametrize("version", [0, 2, None])
def test_transition_stale_version_raises_and_changes_nothing(ready, version):
    before = snapshot(ready)

    with pytest.raises(StaleApplication) as raised:
        application_transition(application=ready, action="submit", user=ready.created_by, version=version)

    assert raised.value.code == "stale"
    assert "本次操作未执行" in raised.value.messages[0]
    assert snapshot(ready) == before
    assert list(ready.log.all()) == []


def test_transition_submit_current_version_submits_and_logs(ready):
    submitted = application_transition(
        application=ready, action="submit", user=ready.created_by, version=1, ip="10.0.0.8"
    )

    assert (submitted.state, submitted.version) == (State.SUBMITTED, 2)
    assert submitted.submitted_at is not None
    assert [
        (e.action, e.transition, e.label, e.from_state, e.to_state, e.actor, e.actor_role, e.ip_address)
        for e in ready.log.all()
    ] == [
        (
            LogAction.TRANSITION,
            "submit",
            "提交申报",
            State.DRAFT,
            State.SUBMITTED,
            ready.created_by,
            "申报单位",
            "10.0.0.8",
        )
    ]


def test_transition_double_click_same_version_changes_nothing_the_second_time(client, ready):
    client.force_login(ready.created_by)
    url = reverse("reviews:application-transition", args=[ready.pk, "submit"])

    client.post(url, {"version": 1}, follow=True)
    after_first = snapshot(ready)
    second = client.post(url, {"version": 1}, follow=True)

    assert after_first["state"] == State.SUBMITTED
    assert snapshot(ready) == after_first
    assert [e.transition for e in ready.log.all()] == ["submit"]
    assert messages_shown(second) == [
        "该申报已在其他页面或由他人更新（当前为第2版，您的页面为第1版），本次操作未执行。请刷新页面核对后再操作。"
    ]


def test_transition_submit_after_deadline_refused_with_date(ready):
    deadline = timezone.localdate() - datetime.timedelta(days=1)
    closed = BatchFactory(closed=True, year=deadline.year - 1)
    Application.objects.filter(pk=ready.pk).update(batch=closed)
    ready.refresh_from_db()

    with pytest.raises(ValidationError) as raised:
        application_transition(application=ready, action="submit", user=ready.created_by, version=1)

    assert raised.value.messages == [
        f"本批次（{closed.name}）申报已于{deadline.year}年{deadline.month}月{deadline.day}日截止，不能再提交。"
    ]
    assert snapshot(ready)["state"] == State.DRAFT
    assert list(ready.log.all()) == []


@pytest.mark.parametrize(
    "make_user",
    [
        lambda app: UserFactory(county_staff=True, county=app.organisation.county),
        lambda app: UserFactory(city_reviewer=True),
        lambda app: UserFactory(city_admin=True),
        lambda app: UserFactory(applicant=True),  # another organisation's applicant
        lambda app: UserFactory(role=Role.APPLICANT, organisation=app.organisation, is_active=False),
    ],
    ids=["county_staff", "city_reviewer", "city_admin", "other_applicant", "inactive_own_applicant"],
)
def test_transition_submit_by_anyone_but_own_applicant_permission_denied(ready, make_user):
    user = make_user(ready)
    before = snapshot(ready)

    with pytest.raises(PermissionDenied):
        application_transition(application=ready, action="submit", user=user, version=1)

    assert snapshot(ready) == before
    assert list(ready.log.all()) == []


def test_transition_submit_county_staff_via_http_403_nothing_changed(client, ready):
    client.force_login(UserFactory(county_staff=True, county=ready.organisation.county))

    response = client.post(reverse("reviews:application-transition", args=[ready.pk, "submit"]), {"version": 1})

    assert response.status_code == 403
    assert snapshot(ready)["state"] == State.DRAFT
    assert list(ready.log.all()) == []


def test_transition_unknown_action_permission_denied(ready):
    with pytest.raises(PermissionDenied):
        application_transition(application=ready, action="delete", user=ready.created_by, version=1)

    assert snapshot(ready)["state"] == State.DRAFT


# --- application_create ---------------------------------------------------------------------------


@pytest.fixture
def applicant():
    return UserFactory(applicant=True)


def test_create_second_active_application_same_batch_refused_citing_first(applicant):
    batch = BatchFactory()
    first = services.application_create(
        organisation=applicant.organisation, user=applicant, base_type="point", level="city", batch=batch
    )

    with pytest.raises(ValidationError) as raised:
        services.application_create(
            organisation=applicant.organisation, user=applicant, base_type="point", level="county", batch=batch
        )

    [message] = raised.value.messages
    assert raised.value.code == "duplicate"
    assert f"在{batch.name}已有一份申报（编号 {first.reference}，草稿），同一批次只能有一份有效申报。" in message
    assert list(Application.objects.filter(organisation=applicant.organisation)) == [first]


def test_create_after_withdrawn_application_same_batch_allowed(applicant):
    batch = BatchFactory()
    withdrawn = ApplicationFactory(organisation=applicant.organisation, batch=batch, state=State.WITHDRAWN)

    created = services.application_create(
        organisation=applicant.organisation, user=applicant, base_type="point", level="city", batch=batch
    )

    assert set(Application.objects.filter(organisation=applicant.organisation)) == {withdrawn, created}
    assert (created.state, created.reference) == (State.DRAFT, f"SX{batch.year}P0001")
    assert [(e.action, e.to_state) for e in created.log.all()] == [(LogAction.CREATE, State.DRAFT)]


def test_create_same_organisation_next_batch_allowed(applicant):
    this_year = BatchFactory()
    next_year = BatchFactory(year=this_year.year + 1)
    services.application_create(
        organisation=applicant.organisation, user=applicant, base_type="point", level="city", batch=this_year
    )

    created = services.application_create(
        organisation=applicant.organisation, user=applicant, base_type="point", level="city", batch=next_year
    )

    assert created.batch == next_year


@pytest.mark.parametrize(
    "kind, refused",
    [
        (OrganisationKind.ENTERPRISE, {"zone", "station"}),
        (OrganisationKind.INSTITUTION, {"zone", "station"}),
        (OrganisationKind.PARK, {"station", "point"}),
        (OrganisationKind.ASSOCIATION, {"zone", "point"}),
        (OrganisationKind.TOWNSHIP, {"zone", "point"}),
    ],
)
def test_create_base_type_not_allowed_for_organisation_kind_refused(kind, refused):
    organisation = OrganisationFactory(kind=kind)
    user = UserFactory(role=Role.APPLICANT, organisation=organisation)
    batch = BatchFactory()

    errors = {}
    for base_type in ("zone", "station", "point"):
        try:
            created = services.application_create(
                organisation=organisation, user=user, base_type=base_type, level="city", batch=batch
            )
        except ValidationError as exc:
            errors[base_type] = (exc.code, [m.endswith("的单位类型不能申报该类基地。") for m in exc.messages])
        else:
            Application.objects.filter(pk=created.pk).update(state=State.WITHDRAWN)  # free the batch again

    assert errors == {bt: ("base_type", [True]) for bt in refused}
    assert {a.base_type for a in Application.objects.filter(organisation=organisation)} == (
        {"zone", "station", "point"} - refused
    )


def test_create_closed_batch_refused_with_deadline(applicant):
    batch = BatchFactory(closed=True, year=2022)

    with pytest.raises(ValidationError) as raised:
        services.application_create(
            organisation=applicant.organisation, user=applicant, base_type="point", level="city", batch=batch
        )

    assert raised.value.messages == [
        f"{batch.name}已于{batch.deadline.year}年{batch.deadline.month}月{batch.deadline.day}日截止申报。"
    ]
    assert list(Application.objects.all()) == []


def test_create_view_duplicate_shows_first_reference(client, applicant):
    batch = BatchFactory()
    first = services.application_create(
        organisation=applicant.organisation, user=applicant, base_type="point", level="city", batch=batch
    )
    client.force_login(applicant)

    response = client.post(reverse("bases:application-create"), {"base_type": "point", "level": "city"})

    assert first.reference in response.content.decode()
    assert list(Application.objects.all()) == [first]


@pytest.mark.parametrize("who", ["county_staff", "pending_applicant"])
def test_create_by_non_confirmed_applicant_permission_denied(who):
    organisation = OrganisationFactory(status="pending")
    user = (
        UserFactory(county_staff=True, county=county())
        if who == "county_staff"
        else UserFactory(role=Role.APPLICANT, organisation=organisation)
    )

    with pytest.raises(PermissionDenied):
        services.application_create(
            organisation=organisation, user=user, base_type="point", level="city", batch=BatchFactory()
        )

    assert list(Application.objects.all()) == []


@pytest.mark.parametrize("data", [{"base_type": "point", "level": "city"}, {}])
def test_create_view_without_any_batch_refused_without_error(client, applicant, data):
    # With no fields at all (found by tests/test_fuzz_forms.py) the form was left unbound and adding
    # the error to it was a server error.
    client.force_login(applicant)

    response = client.post(reverse("bases:application-create"), data)

    assert response.status_code in (200, 400)
    assert "市局尚未设立申报批次，暂不能申报。" in response.content.decode()
    assert list(Application.objects.all()) == []
