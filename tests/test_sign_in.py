"""Sign-in to 等保2.0 level 3: lockout per account and per address (the real client's, behind the
proxy), password rules and history, expiry, the 30-minute idle timeout, throttled registration, and
sign-in and password reset that tell nobody which accounts exist."""

import datetime

import pytest
import time_machine
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_password_validators.password_history.models import PasswordHistory

from bases.models import User
from tests.bases.test_registration import REGISTER, registration
from tests.factories import PASSWORD, UserFactory, make_credit_code
from tests.reviews.test_mail_delivery import BROKEN

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED = "已临时锁定"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXY_COUNT = 1


def attempt(username, password, client_address):
    """A sign-in from a browser at `client_address` through the one trusted proxy (10.0.0.2)."""
    return Client().post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=client_address,
    )


def test_five_failures_lock_the_account_whatever_the_address(axes_on):
    UserFactory(username="victim", password=PASSWORD)
    for n in range(4):
        assert attempt("victim", "wrong-guess", f"198.51.100.{n}").status_code == 200
    assert attempt("victim", "wrong-guess", "198.51.100.4").status_code == 429  # the fifth locks

    response = attempt("victim", PASSWORD, "198.51.100.99")

    assert response.status_code == 429 and LOCKED in response.content.decode()


def test_five_failures_lock_the_address_whatever_the_accounts(axes_on):
    UserFactory(username="bystander", password=PASSWORD)
    for n in range(5):
        attempt(f"guess{n}", "wrong-guess", "203.0.113.7")

    assert attempt("bystander", PASSWORD, "203.0.113.7").status_code == 429
    assert attempt("bystander", PASSWORD, "203.0.113.8").status_code == 302  # another client at the same proxy


def test_every_sign_in_failure_and_lockout_is_recorded(axes_on):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    UserFactory(username="recorded", password=PASSWORD)
    attempt("recorded", PASSWORD, "198.51.100.1")
    for _ in range(5):
        attempt("recorded", "wrong-guess", "198.51.100.2")

    assert AccessLog.objects.filter(username="recorded", ip_address="198.51.100.1").count() == 1
    assert AccessFailureLog.objects.filter(username="recorded", ip_address="198.51.100.2").count() == 5
    assert AccessFailureLog.objects.filter(locked_out=True).exists()
    assert AccessAttempt.objects.filter(username="recorded").exists()


def test_sign_in_says_the_same_for_an_unknown_account_and_a_wrong_password():
    UserFactory(username="known", password=PASSWORD)

    unknown = Client().post(LOGIN, {"username": "nobody-here", "password": "Wrong#Pass2021"})
    wrong = Client().post(LOGIN, {"username": "known", "password": "Wrong#Pass2021"})

    def error(response):
        html = response.content.decode()
        return html[html.index('class="errorlist nonfield"') :].split("</ul>")[0]

    assert unknown.status_code == wrong.status_code == 200
    assert error(unknown) == error(wrong)


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, problem",
    [
        ("Sx#20212", "密码长度太短"),
        ("shaoxingshaoxing", "至少 3 类"),
        ("shaoxing2021x", "至少 3 类"),
        ("Shaoxing#2021", None),
        ("shaoxing#2021", None),
    ],
)
def test_password_rules(password, problem):
    if problem is None:
        password_validation.validate_password(password)
        return
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            password_validation.validate_password(password)
        assert any(problem in message for message in refused.value.messages), refused.value.messages


def test_none_of_the_last_five_passwords(settings):
    user = UserFactory(password=PASSWORD)
    used = [PASSWORD] + [f"Shaoxing#{2022 + n}" for n in range(5)]
    for password in used[1:]:
        user.set_password(password)
        user.save()

    with pytest.raises(ValidationError, match="不能重复使用"):
        password_validation.validate_password(used[-1], user)
    with pytest.raises(ValidationError, match="不能重复使用"):
        password_validation.validate_password(used[1], user)
    password_validation.validate_password(used[0], user)  # six changes ago: allowed again


def test_the_password_history_is_shown_in_the_admin_never_written_there_nor_its_hashes(client):
    # Found by `make fuzz`: the package's own admin offered add forms without the required user (or
    # user settings), and saving one was a server error.
    user = UserFactory(password=PASSWORD)
    user.set_password("Shaoxing#2022")
    user.save()
    entry = PasswordHistory.objects.filter(user_config__user=user).latest("date")
    client.force_login(UserFactory(city_admin=True, is_superuser=True))

    added = [
        client.post(reverse(f"admin:password_history_{model}_add"), {"_save": "保存"}).status_code
        for model in ("passwordhistory", "userpasswordhistoryconfig")
    ]
    change = client.get(reverse("admin:password_history_passwordhistory_change", args=[entry.pk]))

    assert added == [403, 403]
    assert change.status_code == 200
    assert entry.password not in change.content.decode()
    assert 'name="_save"' not in change.content.decode()


def test_an_expired_password_must_be_changed_before_anything_else(client, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    with time_machine.travel(timezone.now() - datetime.timedelta(days=91)):
        user = UserFactory(county_staff=True, password=PASSWORD)
    client.force_login(user)

    response = client.get("/applications/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/")
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Keqiao#2026x", "new_password2": "Keqiao#2026x"},
    )
    assert response.status_code == 302
    assert client.get("/applications/").status_code == 200


# --- Sessions -----------------------------------------------------------------------------------


def test_signed_out_after_thirty_idle_minutes_but_not_while_working(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and not settings.SESSION_SAVE_EVERY_REQUEST
    user = UserFactory(county_staff=True)
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(user)
        for _ in range(4):  # active every 20 minutes for 80 minutes
            clock.shift(datetime.timedelta(minutes=20))
            assert client.get("/applications/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get("/applications/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_session_is_written_at_most_once_a_minute(settings):
    """The idle timeout moves on without a database write on every page view."""
    user = UserFactory(county_staff=True)
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(user)
        writes = []
        for seconds in (1, 20, 59, 61, 90, 125):
            clock.move_to(start + datetime.timedelta(seconds=seconds))
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/applications/").status_code == 200
            writes.append(any(q["sql"].startswith("UPDATE") and "django_session" in q["sql"] for q in queries))
    assert writes == [True, False, False, True, False, True]
    expiry = Session.objects.get().expire_date
    assert expiry == start + datetime.timedelta(seconds=125 + settings.SESSION_COOKIE_AGE)


# --- Registration and password reset --------------------------------------------------------------


def test_registration_is_limited_to_five_an_hour_from_one_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = []
    for n in range(6):
        data = registration(**{"org-credit_code": make_credit_code(70000 + n), "user-username": f"reg{n}"})
        statuses.append(
            Client().post(REGISTER, data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.50").status_code
        )
    assert statuses == [302] * 5 + [429]
    assert User.objects.filter(username__startswith="reg").count() == 5
    other = registration(**{"org-credit_code": make_credit_code(70010), "user-username": "reg_other"})
    assert (
        Client().post(REGISTER, other, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.51").status_code == 302
    )


def test_password_reset_says_the_same_whether_or_not_the_address_has_an_account(settings):
    UserFactory(username="has_mail", email="has@example.com")

    known = Client().post("/accounts/password/reset/", {"email": "has@example.com"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == "/accounts/password/reset/sent/"
    assert [m.to for m in mail.outbox] == [["has@example.com"]]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    assert "请在当日内" in mail.outbox[0].body

    settings.EMAIL_BACKEND = BROKEN
    broken = Client().post("/accounts/password/reset/", {"email": "has@example.com"})
    assert broken.status_code == 302 and broken["Location"] == "/accounts/password/reset/sent/"

    page = Client().get(link.strip().replace("http://testserver", ""), follow=True)
    assert page.status_code == 200 and "设置新密码" in page.content.decode()
