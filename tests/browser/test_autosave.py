"""In Chromium: the application form saves the draft on its own 30 seconds after the user types
(the clock is fast-forwarded), says so in a live region, carries the new version into the next save
by hand, and after the session has ended says that nothing was saved instead of failing silently."""

import pytest
from playwright.sync_api import expect

from bases.forms_spec import POINT
from bases.models import Application
from tests.factories import ApplicationFactory

from .test_applicant_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_draft_saves_itself_and_a_save_by_hand_follows_on(page, live_server):
    application = ApplicationFactory(base_type="point")
    page.clock.install()
    login(page, live_server, application.created_by.username)
    page.goto(f"{live_server.url}/applications/{application.pk}/edit/")
    status = page.locator("[data-autosave-status]")

    page.get_by_role("textbox", name=POINT.narrative_label).fill("自动保存的第一段。" * 30)
    page.clock.fast_forward(31_000)

    expect(status).to_contain_text("自动保存（第2版）")
    assert Application.objects.get(pk=application.pk).narrative.startswith("自动保存的第一段")
    assert page.locator("input[name=version]").input_value() == "2"
    assert status.get_attribute("role") == "status"

    page.get_by_role("textbox", name=POINT.narrative_label).fill("手动保存的内容。" * 30)
    page.get_by_role("button", name="保存草稿").click()
    assert "已保存草稿（第3版）" in page.content()  # not refused as a concurrent edit

    page.context.clear_cookies(name="sessionid")  # signed out meanwhile (the idle timeout)
    page.get_by_role("textbox", name=POINT.narrative_label).fill("超时后输入的内容。" * 30)
    page.clock.fast_forward(31_000)
    expect(status).to_contain_text("登录已超时")
    assert page.get_by_role("textbox", name=POINT.narrative_label).input_value().startswith("超时后输入的内容")
    assert Application.objects.get(pk=application.pk).narrative.startswith("手动保存的内容")
