"""The application form saves the draft on its own while the user types (static/js/site.js posts
intent=autosave every 30 seconds after a change), so that a long narrative outlives the 30-minute
idle sign-out: the answer is JSON with the new version; bad input and stale pages are not saved; a
run of automatic saves leaves one log entry per half hour, not one per save."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from bases.choices import LogAction
from bases.services import AUTOSAVE_LABEL
from tests.factories import UserFactory, form_data

pytestmark = pytest.mark.django_db

NARRATIVE = "本单位建立了商业秘密分级管理制度。" * 40


def autosave(client, application, **overrides):
    url = reverse("bases:application-edit", args=[application.pk])
    return client.post(url, form_data(application, intent="autosave", **overrides))


def test_an_automatic_save_keeps_the_text_and_answers_the_new_version(applicant_client, application):
    response = autosave(applicant_client, application, narrative=NARRATIVE)

    application.refresh_from_db()
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json()["saved"] is True and response.json()["version"] == application.version == 2
    assert application.narrative == NARRATIVE
    assert "自动保存（第2版）" in response.json()["message"]


def test_a_run_of_automatic_saves_leaves_one_log_entry_per_half_hour(applicant_client, application):
    start = timezone.now()
    for minutes, version in ((0, 1), (1, 2), (2, 3), (31, 4)):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert autosave(applicant_client, application, narrative=f"{NARRATIVE}{minutes}", version=version).json()[
                "saved"
            ]

    entries = list(application.log.filter(action=LogAction.EDIT).values_list("label", flat=True))
    assert entries == [AUTOSAVE_LABEL, AUTOSAVE_LABEL]
    application.refresh_from_db()
    assert application.version == 5 and application.narrative.endswith("31")


def test_a_save_by_hand_after_automatic_ones_is_logged_as_such_and_not_taken_for_a_stale_page(
    applicant_client, application
):
    autosave(applicant_client, application)
    response = applicant_client.post(
        reverse("bases:application-edit", args=[application.pk]), form_data(application, intent="save", version=2)
    )
    assert response.status_code == 302
    assert list(application.log.values_list("label", flat=True)) == [AUTOSAVE_LABEL, LogAction.EDIT.label]


def test_input_a_draft_cannot_hold_is_not_saved_and_the_page_says_so(applicant_client, application):
    response = autosave(applicant_client, application, postcode="31200A", narrative=NARRATIVE)

    application.refresh_from_db()
    assert response.status_code == 400 and response.json()["saved"] is False
    assert "未自动保存" in response.json()["message"] and application.version == 1


def test_a_stale_page_is_not_saved_over_a_newer_version(applicant_client, application):
    autosave(applicant_client, application, narrative="第一个页面" * 10)
    response = autosave(applicant_client, application, narrative="第二个页面" * 10)  # still says version 1

    application.refresh_from_db()
    assert response.status_code == 409 and response.json()["saved"] is False
    assert application.narrative.startswith("第一个页面")


def test_nobody_else_can_save_automatically(client, application):
    client.force_login(UserFactory(applicant=True))
    assert autosave(client, application).status_code == 404
    application.refresh_from_db()
    assert application.version == 1
