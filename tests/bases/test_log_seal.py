"""A tamper-evident record: every log entry sealed onto its application's chain (SHA-256 of its
content and of the entry before it), verify_log finding the first break, PostgreSQL refusing any
UPDATE or DELETE of the log whoever sends it, and recognised bases read-only in the admin."""

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction

from bases.choices import State
from bases.log_seal import entry_digest
from bases.models import ApplicationLog, Base
from bases.services import log_write
from reviews import services as review_services
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def logged():
    """Two applications with a few entries each, written through the services."""
    first = ApplicationFactory(complete=True, advanced_to=State.RECOMMENDED)
    second = ApplicationFactory(complete=True, advanced_to=State.ACCEPTED)
    return first, second


def chain(application):
    return list(ApplicationLog.objects.filter(application=application).order_by("pk"))


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_log", stdout=out)
    return out.getvalue()


def test_each_entry_is_sealed_onto_its_own_applications_chain(logged):
    for application in logged:
        entries = chain(application)
        assert len(entries) >= 2
        assert entries[0].previous_digest == ""
        for before, after in itertools.pairwise(entries):
            assert after.previous_digest == before.digest
        for entry in entries:
            assert len(entry.digest) == 64 and entry.digest == entry_digest(entry)
    output = verify()
    assert "办理记录完整：2 份申报" in output and "全部核验通过" in output
    assert "各链末端摘要：" in output


def test_the_client_address_is_not_sealed_so_it_can_be_erased(logged):
    entry = chain(logged[0])[-1]
    sealed = entry.digest
    entry.ip_address = "203.0.113.9"
    assert entry_digest(entry) == sealed
    entry.comment += "改"
    assert entry_digest(entry) != sealed


def test_no_objectors_name_goes_into_the_sealed_log():
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(complete=True, advanced_to=State.IN_PUBLICITY, advance_with={"city_user": city})
    publicity = application.publicities.get()
    review_services.objection_add(
        publicity=publicity,
        application=application,
        user=city,
        name="孙立",
        phone="0575-85123456",
        reasons="比例不符。",
        received_on=publicity.starts_on,
    )
    entry = chain(application)[-1]
    assert entry.label == "登记公示异议"
    assert "孙立" not in entry.comment and "85123456" not in entry.comment


def test_a_fork_in_a_chain_is_refused_by_the_database(logged):
    application = logged[0]
    last = chain(application)[-1]
    fork = ApplicationLog(
        application=application,
        action=last.action,
        label="插入",
        actor=last.actor,
        actor_role=last.actor_role,
        previous_digest=last.previous_digest,
    )
    fork.digest = entry_digest(fork)
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save()


# --- Whoever alters the table: refused on PostgreSQL, found by verify_log everywhere --------------------


ALTERATIONS = {
    "base manager update": lambda e: ApplicationLog._base_manager.filter(pk=e.pk).update(comment="改写"),
    "raw delete": lambda e: ApplicationLog._base_manager.filter(pk=e.pk)._raw_delete(connection.alias),
    "raw SQL update": lambda e: connection.cursor().execute(
        "UPDATE reviews_applicationlog SET label = %s WHERE id = %s", ["改写", e.pk]
    ),
    "raw SQL delete": lambda e: connection.cursor().execute("DELETE FROM reviews_applicationlog WHERE id = %s", [e.pk]),
}


@pytest.mark.parametrize("where", [1, -1], ids=["inside", "at_the_end"])
@pytest.mark.parametrize("how", sorted(ALTERATIONS))
def test_altering_the_log_is_refused_or_found(logged, how, where):
    application = logged[1]
    target = chain(application)[where]

    if POSTGRESQL:
        with pytest.raises(DatabaseError, match="办理记录只能追加"), transaction.atomic():
            ALTERATIONS[how](target)
        assert chain(application)[where].comment == target.comment
        verify()
        return
    ALTERATIONS[how](target)
    with pytest.raises(CommandError) as found:
        verify()
    assert f"申报 {application.reference}" in str(found.value)
    assert "记录被" in str(found.value)


def test_the_model_and_its_queryset_refuse_too(logged):
    entry = chain(logged[0])[0]
    from bases.models import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ApplicationLog.objects.filter(pk=entry.pk).update(comment="x")
    with pytest.raises(AppendOnlyError):
        ApplicationLog.objects.filter(pk=entry.pk).delete()


def test_entries_written_one_after_another_by_the_service_chain_in_order(logged):
    application = logged[0]
    user = application.created_by
    for n in range(3):
        log_write(application=application, user=user, action="attachment", label=f"上传{n}")
    entries = chain(application)
    assert [e.previous_digest for e in entries[1:]] == [e.digest for e in entries[:-1]]
    verify()


# --- Recognised bases only through the procedure ------------------------------------------------------


def test_the_admin_cannot_delete_or_edit_a_recognised_base(client):
    application = ApplicationFactory(complete=True, advanced_to=State.RECOGNISED)
    base = Base.objects.get(application=application)
    client.force_login(UserFactory(city_admin=True, is_superuser=True))

    assert client.get(f"/admin/bases/base/{base.pk}/delete/").status_code == 403
    assert client.post(f"/admin/bases/base/{base.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(f"/admin/bases/base/{base.pk}/change/", {"name": "改名", "document_number": "x"})
    assert response.status_code == 403
    assert client.get(f"/admin/bases/base/{base.pk}/change/").status_code == 200  # it can be read
    base.refresh_from_db()
    assert base.name != "改名"
