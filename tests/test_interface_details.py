"""Small things a new user tripped over: the wording of selects, typos, Chinese in the admin, the
focus ring's contrast, and the registration form's first focus and autofill purposes."""

import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import ApplicationFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_focus_ring_has_at_least_3_to_1_against_the_page_backgrounds():
    css = (ROOT / "static" / "css" / "site.css").read_text(encoding="utf-8")
    focus = re.search(r"--focus: (#[0-9a-f]{6})", css)[1]

    assert ":focus-visible { outline: 3px solid var(--focus)" in css
    assert min(contrast(focus, background) for background in ("#ffffff", "#f5f7fa", "#e4e7eb")) >= 3


def test_no_doubled_characters_in_templates():
    doubled = [
        f"{path.relative_to(ROOT)}: {word}"
        for path in (ROOT / "templates").rglob("*.html")
        for word in ("请请", "的的", "县级县级")
        if word in path.read_text(encoding="utf-8")
    ]

    assert doubled == []


@pytest.mark.django_db
def test_acceptance_record_kind_starts_at_please_choose(client):
    leader = UserFactory(city_reviewer=True)
    application = ApplicationFactory(in_acceptance=True, advance_with={"city_user": leader})
    client.force_login(leader)

    html = client.get(reverse("reviews:application-detail", args=[application.pk])).content.decode()

    select = html.split('name="kind"')[1].split("</select>")[0]
    assert '<option value="" selected>请选择</option>' in select
    assert "---------" not in html


@pytest.mark.django_db
def test_registration_opens_at_its_first_field_with_autofill_purposes(client):
    html = client.get(reverse("register")).content.decode()

    assert "autofocus" not in html
    assert re.search(r'<input[^>]*name="org-name"[^>]*autocomplete="organization"', html)
    assert re.search(r'<input[^>]*name="org-postcode"[^>]*autocomplete="postal-code"', html)
    assert re.search(r'<input[^>]*name="user-password1"[^>]*autocomplete="new-password"', html)


@pytest.mark.django_db
def test_login_security_records_are_named_in_chinese_in_the_admin(client):
    client.force_login(UserFactory(city_admin=True, is_superuser=True, is_staff=True))

    index = client.get(reverse("admin:index")).content.decode()

    assert "登录安全" in index and "登录失败记录（锁定计数）" in index
    assert "Access attempts" not in index and "Access logs" not in index
    assert {str(model._meta.verbose_name) for model in admin.site._registry if model._meta.app_label == "axes"} >= {
        "登录日志"
    }
