import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from reviews.models import Publicity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_daily_housekeeping_command_closes_ended_publicity_and_reports_counts():
    today = timezone.localdate()
    opener = UserFactory(city_reviewer=True)
    ended = Publicity.objects.create(
        title="已期满",
        level="city",
        starts_on=today - datetime.timedelta(days=9),
        ends_on=today - datetime.timedelta(days=1),
        opened_by=opener,
    )
    out = StringIO()

    call_command("daily_housekeeping", stdout=out)

    ended.refresh_from_db()
    assert ended.closed_at is not None
    assert out.getvalue().strip() == (
        "结束公示 1 个，截止提醒 0 条，待办提醒 0 条；"
        "按保存期限删除：异议人联系方式 0 条，已读消息 0 条，安全事件 0 条。"
    )
