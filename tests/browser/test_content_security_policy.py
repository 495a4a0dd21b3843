"""The Content-Security-Policy holds in the browser: the watcher of conftest sees a violation when
there is one, and the pages users and administrators work in (the admin included) cause none."""

import pytest

from tests.factories import ApplicationFactory, UserFactory

from .test_applicant_flow import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_watcher_sees_an_image_from_elsewhere(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate(
        "() => document.body.insertAdjacentHTML('beforeend', '<img alt=\"\" src=\"http://example.invalid/x.png\">')"
    )
    page.wait_for_timeout(300)
    violations = page.context.csp_violations
    assert violations and violations[0].startswith("img-src http://example.invalid/x.png"), violations
    violations.clear()


def test_the_watcher_sees_an_inline_script(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.body.append(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.ran") is None
    violations = page.context.csp_violations
    assert violations and violations[0].startswith("script-src-elem inline"), violations
    violations.clear()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/bases/application/",
        "/admin/bases/application/{pk}/change/",
        "/admin/bases/user/add/",
        "/admin/bases/organisation/{org}/change/",
        "/admin/bases/calendaryear/",
    ],
)
def test_admin_pages_keep_within_the_policy(page, live_server, path):
    UserFactory(username="csp_admin", role="city_admin", is_staff=True, is_superuser=True)
    application = ApplicationFactory(complete=True)
    login(page, live_server, "csp_admin")
    response = page.goto(live_server.url + path.format(pk=application.pk, org=application.organisation_id))
    assert response.status == 200
    page.wait_for_timeout(200)
