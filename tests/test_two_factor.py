"""Two-factor sign-in (动态口令, TOTP via django-otp) for bureau staff and administrators, required
by settings.TWO_FACTOR_REQUIRED: set up once by scanning a QR code, asked after every password,
throttled, recorded, never asked of applicants, and every page (the admin too) waits for it."""

import re
from base64 import b32decode

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bases.choices import SecurityEventKind
from bases.models import SecurityEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TWO_FACTOR = "/accounts/two-factor/"


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def signed_in(user):
    client = Client()
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def code_for(device, drift=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def key_shown(page: str) -> bytes:
    spaced = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    return b32decode(spaced.replace(" ", ""))


@pytest.mark.parametrize("trait", ["county_staff", "city_reviewer", "city_admin", "security_admin", "audit_admin"])
def test_bureau_staff_set_up_their_authenticator_before_any_page(required, trait):
    user = UserFactory(**{trait: True})
    client = signed_in(user)

    for page in ("/", "/applications/", "/admin/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith(TWO_FACTOR), page

    setup = client.get(f"{TWO_FACTOR}?next=/applications/")
    body = setup.content.decode()
    assert "绑定动态口令" in body and 'src="data:image/svg+xml;base64,' in body
    assert 'href="/applications/"' not in body and "我的信息" not in body  # no menus until the code is in
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert key_shown(body) == device.bin_key  # the key typed by hand is the one in the QR code

    done = client.post(TWO_FACTOR, {"otp_token": code_for(device), "next": "/applications/"})

    assert done.status_code == 302 and done["Location"] == "/applications/"
    assert client.get("/applications/").status_code == 200
    assert TOTPDevice.objects.get(user=user).confirmed
    assert SecurityEvent.objects.filter(username=user.username, kind=SecurityEventKind.TWO_FACTOR_ENROLLED).exists()


def test_reloading_the_setup_page_keeps_the_key_already_scanned(required):
    client = signed_in(UserFactory(county_staff=True))
    first = key_shown(client.get(TWO_FACTOR).content.decode())
    assert key_shown(client.get(TWO_FACTOR).content.decode()) == first


def test_every_later_sign_in_asks_for_the_code_and_refuses_a_wrong_one(required):
    user = UserFactory(city_reviewer=True)
    device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    client = signed_in(user)

    page = client.get(TWO_FACTOR).content.decode()
    assert "动态口令验证" in page and "data:image" not in page  # no new QR code for a bound account

    wrong = client.post(TWO_FACTOR, {"otp_token": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "动态口令不正确" in wrong.content.decode()
    assert client.get("/").status_code == 302
    assert SecurityEvent.objects.filter(username=user.username, kind=SecurityEventKind.TWO_FACTOR_FAILED).count() == 1

    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp waits after a failure; this test does not
    device.throttling_failure_timestamp = None
    device.save()
    assert client.post(TWO_FACTOR, {"otp_token": code_for(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_repeated_wrong_codes_are_slowed_down(required):
    user = UserFactory(county_staff=True)
    device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    client = signed_in(user)
    for _ in range(3):
        client.post(TWO_FACTOR, {"otp_token": "12345x"[:5] + "9"})

    right_but_throttled = client.post(TWO_FACTOR, {"otp_token": code_for(device)})

    assert right_but_throttled.status_code == 400
    assert SecurityEvent.objects.filter(detail="失败次数过多，暂缓验证").exists()


@pytest.mark.parametrize("bad", ["12345", "1234567", "abcdef", "12 456", "１２３４５６"])
def test_a_code_that_is_not_six_digits_is_refused_at_the_field(required, bad):
    client = signed_in(UserFactory(county_staff=True))
    response = client.post(TWO_FACTOR, {"otp_token": bad})
    assert response.status_code == 400 and "6位数字" in response.content.decode()


def test_applicants_are_never_asked(required):
    client = signed_in(UserFactory(applicant=True))
    assert client.get("/").status_code == 200


def test_nobody_is_asked_when_the_setting_is_off():
    client = signed_in(UserFactory(county_staff=True))
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("elsewhere", ["https://evil.example.com/", "//evil.example.com/", "home", "a\x00b"])
def test_next_cannot_send_the_user_elsewhere(required, elsewhere):
    user = UserFactory(county_staff=True)
    device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    client = signed_in(user)
    response = client.post(TWO_FACTOR, {"otp_token": code_for(device), "next": elsewhere})
    assert response["Location"] == "/"


def test_next_not_a_path_is_no_error_when_nothing_is_owed():
    client = signed_in(UserFactory(county_staff=True))  # the setting is off: the page just moves on
    assert client.post(TWO_FACTOR, {"next": "a\x00b"})["Location"] == "/"


def test_the_security_administrator_resets_a_lost_authenticator(required):
    from django_otp.plugins.otp_totp.models import TOTPDevice as Device

    lost = UserFactory(county_staff=True)
    device = Device.objects.create(user=lost, name="动态口令", confirmed=True)
    security = UserFactory(security_admin=True)
    Device.objects.create(user=security, name="动态口令", confirmed=True)
    client = signed_in(security)
    client.post(TWO_FACTOR, {"otp_token": code_for(Device.objects.get(user=security))})

    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302 and not Device.objects.filter(user=lost).exists()
    assert SecurityEvent.objects.filter(username=lost.username, kind=SecurityEventKind.TWO_FACTOR_REMOVED).exists()
