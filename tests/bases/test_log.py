"""The application log (bases.models.ApplicationLog): append-only whatever the path, protected, read-only
in the admin, and one entry per transition in order. The entries the review records write are in
tests/reviews/test_audit_log.py."""

import pytest
from django.contrib import admin
from django.db import transaction
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from bases.choices import LogAction, State
from bases.models import AppendOnlyError, Application, ApplicationLog
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    application = ApplicationFactory(complete=True, advanced_to=State.SUBMITTED)
    return application.log.get()


def stored(entry):
    return ApplicationLog.objects.filter(pk=entry.pk).values_list("comment", "label", "to_state").get()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: setattr(e, "comment", "篡改") or e.save(),
        lambda e: e.delete(),
        lambda e: ApplicationLog.objects.filter(pk=e.pk).update(comment="篡改"),
        lambda e: ApplicationLog.objects.all().delete(),
        lambda e: e.application.log.update(label="篡改"),
        lambda e: e.application.log.all().delete(),
        lambda e: ApplicationLog.objects.bulk_update([e], ["comment"]),
    ],
    ids=[
        "instance_save",
        "instance_delete",
        "queryset_update",
        "queryset_delete",
        "related_update",
        "related_delete",
        "bulk_update",
    ],
)
def test_log_entry_tampering_refused_entry_unchanged(entry, tamper):
    before = stored(entry)

    with pytest.raises(AppendOnlyError), transaction.atomic():
        entry.comment = "篡改"
        tamper(entry)

    assert stored(entry) == before


def test_log_entries_protect_their_application_and_actor(entry):
    with pytest.raises(ProtectedError), transaction.atomic():
        Application.objects.filter(pk=entry.application_id).delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        entry.actor.delete()

    assert ApplicationLog.objects.filter(pk=entry.pk).exists()


def test_log_admin_offers_no_add_change_delete_nor_delete_action(client, entry):
    superuser = UserFactory(city_admin=True, is_superuser=True)
    model_admin = admin.site._registry[ApplicationLog]
    request = RequestFactory().get("/admin/")
    request.user = superuser
    client.force_login(superuser)

    changelist = client.get(reverse("admin:bases_applicationlog_changelist")).content.decode()
    change = client.get(reverse("admin:bases_applicationlog_change", args=[entry.pk])).content.decode()

    assert (
        model_admin.has_add_permission(request),
        model_admin.has_change_permission(request, entry),
        model_admin.has_delete_permission(request, entry),
    ) == (False, False, False)
    assert "delete_selected" not in model_admin.get_actions(request)
    assert reverse("admin:bases_applicationlog_add") not in changelist
    assert 'name="_save"' not in change
    assert reverse("admin:bases_applicationlog_delete", args=[entry.pk]) not in change


# --- Every step writes exactly one entry ------------------------------------------------------------


def test_log_every_transition_one_entry_in_order():
    application = ApplicationFactory(complete=True, advanced_to=State.REVOKED)

    assert [(e.action, e.transition, e.from_state, e.to_state) for e in application.log.all()] == [
        (LogAction.TRANSITION, "submit", State.DRAFT, State.SUBMITTED),
        (LogAction.TRANSITION, "recommend", State.SUBMITTED, State.RECOMMENDED),
        (LogAction.TRANSITION, "start_acceptance", State.RECOMMENDED, State.IN_ACCEPTANCE),
        (LogAction.ACCEPTANCE_RECORD, "", "", ""),
        (LogAction.ACCEPTANCE_RECORD, "", "", ""),
        (LogAction.TRANSITION, "pass_acceptance", State.IN_ACCEPTANCE, State.PENDING_APPROVAL),
        (LogAction.TRANSITION, "approve", State.PENDING_APPROVAL, State.ACCEPTED),  # 报批
        (LogAction.TRANSITION, "open_publicity", State.ACCEPTED, State.IN_PUBLICITY),
        (LogAction.TRANSITION, "recognise", State.IN_PUBLICITY, State.RECOGNISED),
        (LogAction.REVOCATION, "", "", ""),  # 撤销告知
        (LogAction.REVOCATION, "", "", ""),  # 陈述申辩
        (LogAction.TRANSITION, "revoke", State.RECOGNISED, State.REVOKED),
    ]


def test_log_admin_superuser_cannot_add_change_or_delete_over_http(client, entry):
    before = stored(entry)
    client.force_login(UserFactory(city_admin=True, is_superuser=True, is_staff=True))
    change = reverse("admin:bases_applicationlog_change", args=[entry.pk])

    responses = (
        client.get(reverse("admin:bases_applicationlog_add")).status_code,
        client.post(change, {"comment": "篡改", "label": "篡改"}).status_code,
        client.post(reverse("admin:bases_applicationlog_delete", args=[entry.pk]), {"post": "yes"}).status_code,
    )

    assert responses == (403, 403, 403)
    assert stored(entry) == before
