"""In Chromium, by keyboard: a county officer signs in, is led to set up the second factor, types the
key's code, lands where she was going; the page and 我的个人信息 pass axe (WCAG 2.1 AA) at 320 px."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory
from tests.test_two_factor import code_for

from .conftest import axe_violations, watched_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_second_factor_set_up_by_keyboard_and_pages_accessible_at_320px(browser, live_server, settings):
    settings.TWO_FACTOR_REQUIRED = True
    user = UserFactory(county_staff=True, username="browser_county")
    context = watched_context(browser, viewport={"width": 320, "height": 700})
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations = {}

    page.goto(f"{live_server.url}/accounts/login/?next=/applications/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/two-factor/**")
    assert page.get_by_role("img", name="动态口令绑定二维码").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    violations["setup"] = axe_violations(page)

    page.get_by_label("动态口令").fill("12")
    page.keyboard.press("Enter")
    page.wait_for_selector("#id_otp_token[aria-invalid=true]")
    assert "6位数字" in page.content()
    assert page.evaluate("document.activeElement.id") == "id_otp_token"  # focus where the error is
    violations["setup-error"] = axe_violations(page)

    page.get_by_label("动态口令").fill(code_for(TOTPDevice.objects.get(user=user)))
    page.keyboard.press("Enter")
    page.wait_for_url("**/applications/")
    assert "动态口令已绑定" in page.content()

    page.goto(f"{live_server.url}/accounts/my-data/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    violations["my-data"] = axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="下载我的个人信息（JSON）").click()
    assert download.value.suggested_filename.endswith(".json")

    csp = context.csp_violations
    context.close()
    assert not csp, csp
    assert {name: found for name, found in violations.items() if found} == {}
