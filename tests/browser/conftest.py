"""Headless Chromium (Debian's package) driven by Playwright, plus axe-core from npm."""

import json
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# test itself (arranging rows, asserting them) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make test-packages` (apt package chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


# Every page the browser tests open is watched for Content-Security-Policy violations (an inline
# script or style, a resource from elsewhere): the test fails at its end if there was one.
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (e) =>
  window.cspViolation(`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
"""


def watched_context(browser, **options):
    """A browser context whose CSP violations are collected in `context.csp_violations`."""
    context = browser.new_context(locale="zh-CN", **options)
    context.csp_violations = []
    context.expose_function("cspViolation", lambda text: context.csp_violations.append(text))
    context.add_init_script(WATCH_CSP)
    return context


@pytest.fixture
def page(browser):
    context = watched_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    violations = context.csp_violations
    context.close()
    assert not violations, violations


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds on the current page, one line each."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test-packages).")
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")  # not a <script>: the CSP allows none inline
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} @ {json.dumps([n['target'] for n in v['nodes']][:3])}"
        for v in result["violations"]
    ]
