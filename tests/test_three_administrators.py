"""三员分立 (等保2.0 level 3): the system administrator keeps accounts and reference data and gives
everyday roles; the security administrator gives roles, enables, unlocks and resets second factors;
the auditor reads the security events and the logs. None can do the others' work, nobody changes its
own powers, and every change of powers, sign-in and failure is a security event kept 6 months."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from bases.choices import Role, SecurityEventKind
from bases.models import SecurityEvent, User
from bases.services import security_events_expire
from tests.factories import PASSWORD, ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def change_page_post(client, account, **changes):
    """Post the admin's change form of `account` as its page shows it, with `changes`."""
    data = {
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "phone": account.phone,
        "role": account.role,
        "county": account.county_id or "",
        "organisation": account.organisation_id or "",
        "is_active": "on" if account.is_active else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": account.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": account.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return client.post(f"/admin/bases/user/{account.pk}/change/", {k: v for k, v in data.items() if v is not None})


def test_the_system_administrator_gives_everyday_roles_only():
    system = UserFactory(city_admin=True)
    account = UserFactory(city_reviewer=True)
    client = admin_client(system)

    choices = client.get(f"/admin/bases/user/{account.pk}/change/").content.decode()
    assert 'value="county"' in choices and 'value="security_admin"' not in choices

    refused = change_page_post(client, account, role=Role.SECURITY_ADMIN)
    assert refused.status_code == 200  # the form again, with the choice refused
    account.refresh_from_db()
    assert account.role == Role.CITY_REVIEWER


def test_the_system_administrator_cannot_disable_an_account_nor_touch_an_administrators():
    system = UserFactory(city_admin=True)
    everyday = UserFactory(city_reviewer=True)
    security = UserFactory(security_admin=True)
    client = admin_client(system)

    change_page_post(client, everyday, is_active="", last_name="改名")
    everyday.refresh_from_db()
    assert everyday.is_active and everyday.last_name == "改名"  # details yes, status no

    page = client.get(f"/admin/bases/user/{security.pk}/change/").content.decode()
    assert 'name="_save"' not in page  # shown, read-only
    change_page_post(client, security, role=Role.CITY_REVIEWER, last_name="改名")
    security.refresh_from_db()
    assert (security.role, security.last_name) == (Role.SECURITY_ADMIN, "测试")


def test_the_security_administrator_gives_roles_and_disables_but_opens_no_account_and_edits_no_details():
    security = UserFactory(security_admin=True)
    account = UserFactory(city_reviewer=True)
    client = admin_client(security)

    response = change_page_post(client, account, role=Role.CITY_ADMIN, is_active="", last_name="改名")

    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.role, account.is_active, account.last_name) == (Role.CITY_ADMIN, False, "测试")
    assert client.get("/admin/bases/user/add/").status_code == 403
    assert client.get("/admin/bases/county/").status_code == 403  # reference data is the system admin's
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.ACCOUNT_CHANGED, username=account.username).first()
    assert event.actor == security and "role: city_reviewer → city_admin" in event.detail


def test_nobody_changes_their_own_powers():
    security = UserFactory(security_admin=True)
    client = admin_client(security)
    change_page_post(client, security, role=Role.CITY_ADMIN)
    security.refresh_from_db()
    assert security.role == Role.SECURITY_ADMIN


def test_the_auditor_reads_the_records_and_changes_nothing():
    auditor = UserFactory(audit_admin=True)
    account = UserFactory(city_reviewer=True)
    client = admin_client(auditor)

    assert client.get("/admin/bases/securityevent/").status_code == 200
    assert client.get("/admin/bases/applicationlog/").status_code == 200
    assert client.get("/admin/axes/accessfailurelog/").status_code == 200
    change_page_post(client, account, role=Role.CITY_ADMIN, is_active="")
    account.refresh_from_db()
    assert account.role == Role.CITY_REVIEWER and account.is_active
    for page in ("/admin/bases/county/", "/admin/bases/user/add/", "/admin/axes/accessattempt/1/delete/"):
        assert client.get(page).status_code in (403, 302), page


def test_neither_the_system_nor_the_security_administrator_reads_the_audit():
    for user in (UserFactory(city_admin=True), UserFactory(security_admin=True)):
        assert admin_client(user).get("/admin/bases/securityevent/").status_code == 403


def test_the_administrators_see_no_application_pages():
    for trait in ("security_admin", "audit_admin"):
        client = admin_client(UserFactory(**{trait: True}))
        application = ApplicationFactory()
        assert client.get("/applications/").status_code in (403, 200)
        assert client.get(f"/applications/{application.pk}/").status_code in (403, 404)
        assert application.reference not in client.get("/applications/").content.decode()


def test_the_security_administrator_unlocks_a_locked_account(settings):
    settings.AXES_ENABLED = True
    UserFactory(username="locked", password=PASSWORD)
    for _ in range(5):
        Client().post("/accounts/login/", {"username": "locked", "password": "wrong"})
    attempt = AccessAttempt.objects.get(username="locked")
    client = admin_client(UserFactory(security_admin=True))

    assert client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302

    assert Client().post("/accounts/login/", {"username": "locked", "password": PASSWORD}).status_code == 302


def test_sign_ins_failures_lockouts_and_sign_outs_are_security_events(settings):
    settings.AXES_ENABLED = True
    UserFactory(username="someone", password=PASSWORD)
    SecurityEvent.objects.all().delete()  # the account's creation
    client = Client()
    client.post("/accounts/login/", {"username": "someone", "password": PASSWORD})
    client.post("/accounts/logout/")
    for _ in range(5):
        Client().post("/accounts/login/", {"username": "someone\x07", "password": "wrong"})

    kinds = list(SecurityEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds[:2] == [SecurityEventKind.SIGN_IN, SecurityEventKind.SIGN_OUT]
    assert kinds.count(SecurityEventKind.SIGN_IN_FAILED) == 5
    assert SecurityEventKind.LOCKED_OUT in kinds
    assert SecurityEvent.objects.filter(username="someone\ufffd").count() >= 5  # what was typed, made printable


def test_a_password_change_and_an_object_permission_are_security_events():
    user = UserFactory(city_reviewer=True)
    user.set_password("Another#Pass2026")
    user.save()
    assign_perm("bases.record_acceptance", user, ApplicationFactory())

    kinds = set(SecurityEvent.objects.filter(username=user.username).values_list("kind", flat=True))
    assert {SecurityEventKind.PASSWORD_CHANGED, SecurityEventKind.PERMISSION_CHANGED} <= kinds


def test_saving_the_last_sign_in_time_costs_no_query_for_the_record(django_assert_num_queries):
    user = UserFactory(city_reviewer=True)
    user.last_login = timezone.now()
    with django_assert_num_queries(1):
        user.save(update_fields=["last_login"])


def test_security_events_are_kept_at_least_six_months(settings):
    settings.SECURITY_EVENT_RETENTION_DAYS = 30  # too short: the floor of 183 days applies
    now = timezone.now()
    for name, age in (("old", datetime.timedelta(days=190)), ("kept", datetime.timedelta(days=170))):
        SecurityEvent.objects.create(kind=SecurityEventKind.SIGN_IN, username=name, created_at=now - age)
    AccessFailureLog.objects.create(username="old", user_agent="x")
    AccessFailureLog.objects.update(attempt_time=now - datetime.timedelta(days=200))

    assert security_events_expire(now=now, dry_run=True) == 2  # the axes record counted too
    assert SecurityEvent.objects.count() == 2
    assert security_events_expire(now=now) == 2
    assert list(SecurityEvent.objects.values_list("username", flat=True)) == ["kept"]


def test_the_daily_job_expires_security_events():
    SecurityEvent.objects.create(
        kind=SecurityEventKind.SIGN_IN, username="ancient", created_at=timezone.now() - datetime.timedelta(days=800)
    )
    call_command("daily_housekeeping")
    assert not SecurityEvent.objects.filter(username="ancient").exists()


def test_the_administrator_roles_belong_to_no_organisation_or_county():
    from django.db import IntegrityError, transaction

    from tests.factories import county

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="odd", role=Role.AUDIT_ADMIN, county=county())
    assert User.objects.create(username="fine", role=Role.AUDIT_ADMIN).is_staff
