"""查询码: only a keyed digest is stored, bound to the application's reference; checked as typed from a
printed receipt, under the secret key or one it replaced; codes given before this release keep working."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from bases import lookup_codes
from bases.selectors import check_query_code
from bases.services import application_lookup_code_issue
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_a_new_code_is_stored_only_as_its_digest_and_checked_as_typed():
    application = ApplicationFactory(complete=True)
    version, updated_at = application.version, application.updated_at

    code = application_lookup_code_issue(application=application)
    application.refresh_from_db()

    assert len(code) == 8 and set(code) <= set(lookup_codes.ALPHABET)
    assert application.lookup_code_hash == lookup_codes.digest(application.reference, code) != code
    assert (application.version, application.updated_at) == (version, updated_at)  # the content did not change
    for typed in (code, code.lower(), f"{code[:4]} {code[4:]}", f"{code[:4]}-{code[4:]}", f" {code}\u3000"):
        assert check_query_code(application, typed), typed
    for wrong in ("", code[:7], code + "2", "23456789", None):
        assert not check_query_code(application, wrong), wrong


def test_a_code_opens_only_its_own_application_and_the_latest_code_only():
    first, second = ApplicationFactory(complete=True), ApplicationFactory(complete=True)
    code = application_lookup_code_issue(application=first)
    newer = application_lookup_code_issue(application=first)
    first.refresh_from_db()

    assert check_query_code(first, newer)
    assert not check_query_code(first, code)
    assert not check_query_code(second, newer)  # the digest is bound to the reference


def test_codes_survive_a_change_of_the_secret_key(settings):
    application = ApplicationFactory(complete=True)
    code = application_lookup_code_issue(application=application)
    application.refresh_from_db()
    old = settings.SECRET_KEY

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" + "x" * 40, [old]
    assert check_query_code(application, code)
    settings.SECRET_KEY_FALLBACKS = []
    assert not check_query_code(application, code)


@pytest.mark.django_db(transaction=True)
def test_codes_given_before_are_turned_into_their_digests_by_the_migration():
    executor = MigrationExecutor(connection)
    before = [("bases", "0014_application_county_required"), ("reviews", "0008_notification_unread_by_user")]
    after = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Organisation, County, Batch, User = (
        old.get_model("bases", name) for name in ("Organisation", "County", "Batch", "User")
    )
    county = County.objects.get(name="越城区")
    organisation = Organisation.objects.create(
        name="迁移测试有限公司",
        kind="enterprise",
        credit_code="91330602MA2D0RB57Y",
        county=county,
        address="越城区",
        postcode="312000",
        legal_representative="甲",
        contact_name="乙",
        contact_phone="13800000000",
    )
    user = User.objects.create(username="migration_user", role="applicant", organisation=organisation)
    batch = Batch.objects.create(year=2099, name="迁移批次", deadline="2099-09-30")
    Application = old.get_model("bases", "Application")
    given = Application.objects.create(
        reference="SX2099P0001",
        organisation=organisation,
        county=county,
        batch=batch,
        base_type="point",
        level="city",
        created_by=user,
        state="submitted",
        lookup_code="ABCD2345",
    )
    never = Application.objects.create(
        reference="SX2099P0002",
        organisation=organisation,
        county=county,
        batch=batch,
        base_type="point",
        level="city",
        created_by=user,
        state="withdrawn",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)

    from bases.models import Application as Current

    assert check_query_code(Current.objects.get(pk=given.pk), "ABCD 2345")
    assert Current.objects.get(pk=never.pk).lookup_code_hash == ""
