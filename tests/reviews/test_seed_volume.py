"""seed_volume (make bench's dataset), at a small scale: the batches and states it promises, a log
that verify_log accepts, the records each state implies, nothing dated after now, and refused on a
database it has filled already or with debug off."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max, Min
from django.utils import timezone

from bases.choices import Role, State
from bases.models import Application, ApplicationLog, Base, Batch, County, LogHead, Organisation, User
from reviews.management.commands.seed_volume import CURRENT_MIX, PAST_MIX
from reviews.models import AcceptanceRecord, Notification, Publicity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_accounts(settings):
    """The accounts of seed_demo that seed_volume builds on (made here: seed_demo itself is slow)."""
    settings.DEBUG = True
    UserFactory(username="city_reviewer", role=Role.CITY_REVIEWER)
    UserFactory(username="admin", role=Role.CITY_ADMIN, is_superuser=True)
    for county in County.objects.all():
        UserFactory(username=f"county_{county.code}", role=Role.COUNTY, county=county)


@pytest.fixture
def seeded(demo_accounts):
    call_command("seed_volume", applications=200, verbosity=0, stdout=None)


def test_seed_volume_small_spreads_over_five_batches_in_their_states(seeded):
    year = timezone.localdate().year
    per_batch = dict(Application.objects.values_list("batch__year").annotate(n=Count("pk")))
    assert per_batch == dict.fromkeys(range(year - 4, year + 1), 40)
    current = set(Application.objects.filter(batch__year=year).values_list("state", flat=True))
    past = set(Application.objects.filter(batch__year__lt=year).values_list("state", flat=True))
    assert current <= set(CURRENT_MIX) and len(current) >= 6
    assert past <= set(PAST_MIX) and State.RECOGNISED in past
    one_per_batch = Application.objects.values("organisation", "batch").annotate(n=Count("pk")).filter(n__gt=1)
    assert not one_per_batch.exists()
    assert Organisation.objects.count() >= 40 and User.objects.filter(role=Role.APPLICANT).count() >= 40


def test_seed_volume_small_log_verifies_and_ends_before_now(seeded):
    call_command("verify_log", stdout=None)
    assert LogHead.objects.count() == Application.objects.count() == 200
    times = ApplicationLog.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert times["last"] <= timezone.now()
    for application in Application.objects.all():
        entries = list(application.log.order_by("pk").values_list("created_at", "to_state"))
        assert [at for at, _ in entries] == sorted(at for at, _ in entries)
        assert [s for _, s in entries if s][-1] == application.state
        assert application.updated_at == entries[-1][0]


def test_seed_volume_small_records_follow_the_states(seeded):
    recognised = set(
        Application.objects.filter(state__in=[State.RECOGNISED, State.REVOKED]).values_list("pk", flat=True)
    )
    assert set(Base.objects.values_list("application", flat=True)) == recognised
    assert set(Base.objects.filter(status="revoked").values_list("application__state", flat=True)) <= {State.REVOKED}
    publicised = set(ApplicationLog.objects.filter(transition="open_publicity").values_list("application", flat=True))
    assert set(Publicity.applications.through.objects.values_list("application", flat=True)) == publicised
    assert Publicity.objects.filter(closed_at__isnull=True, ends_on__lt=timezone.localdate()).count() == 0
    accepted = set(ApplicationLog.objects.filter(transition="start_acceptance").values_list("application", flat=True))
    assert set(AcceptanceRecord.objects.values_list("application", flat=True)) == accepted
    city = User.objects.get(username="city_reviewer")
    assert Notification.objects.filter(user=city, read_at__isnull=True).exists()
    assert (
        Notification.objects.filter(user__role=Role.APPLICANT).count()
        >= ApplicationLog.objects.filter(action="transition").count()
    )


def test_seed_volume_refuses_a_second_run(seeded):
    with pytest.raises(CommandError, match="已生成过批量数据"):
        call_command("seed_volume", applications=10, verbosity=0, stdout=None)
    assert Application.objects.count() == 200


def test_seed_volume_refused_when_debug_is_off(demo_accounts, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG 已关闭"):
        call_command("seed_volume", applications=10, verbosity=0, stdout=None)
    assert not Application.objects.exists() and not Batch.objects.exists()
