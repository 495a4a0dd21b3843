"""The signed-in menu: the day's work in one row at 1280 px, the rest under 更多, which opens from the
keyboard, marks the page one is on and lies inline on a 320 px screen. axe finds nothing."""

import os

import pytest

from tests.factories import BatchFactory, UserFactory

from .conftest import axe_violations
from .test_applicant_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_menu_one_row_more_by_keyboard_and_inline_at_320(page, live_server):
    BatchFactory()
    UserFactory(username="menu_city", city_reviewer=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server, "menu_city")
    nav = page.locator(".main-nav")
    first = nav.locator("a").first.bounding_box()
    more = page.locator(".nav-more summary")
    assert abs(more.bounding_box()["y"] - first["y"]) < 2  # one row
    assert not page.get_by_role("link", name="县级规则").is_visible()

    more.focus()
    page.keyboard.press("Enter")
    rules = page.get_by_role("link", name="县级规则")
    assert rules.is_visible()
    rules.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/county-rules/")
    assert "current" in (page.locator(".nav-more summary").get_attribute("class") or "")
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 320, "height": 700})
    page.locator(".nav-more summary").click()
    items = page.locator(".nav-more-items").bounding_box()
    assert items["x"] >= 0 and items["x"] + items["width"] <= 320
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.environ["SCREENSHOTS"] + "/main-menu-320.png", full_page=True)
