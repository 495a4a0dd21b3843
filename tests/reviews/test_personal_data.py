"""Personal data (个人信息保护法): a notice where it is collected, phone numbers and e-mail addresses
masked in lists and whole only where the case is handled, a retention rule per kind of record with a
command that erases what has expired, and each person's own data downloadable, the download recorded."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bases.choices import ObjectionOutcome, SecurityEventKind, State
from bases.models import SecurityEvent
from reviews import services
from reviews.models import Notification, Objection, Publicity
from tests.factories import ApplicationFactory, UserFactory, advance

pytestmark = pytest.mark.django_db

PHONE = "13857512345"


@pytest.fixture
def city():
    return UserFactory(city_reviewer=True)


@pytest.fixture
def objection(city):
    application = advance(ApplicationFactory(complete=True), State.IN_PUBLICITY, city_user=city)
    return services.objection_add(
        publicity=application.publicities.get(),
        application=application,
        user=city,
        name="赵明",
        phone=PHONE,
        email="zhaoming@example.com",
        reasons="理由。",
        received_on=timezone.localdate(),
    )


@pytest.mark.parametrize(
    "value, shown",
    [
        ("13905751234", "139****1234"),
        ("0575-88888888", "0575-****8888"),
        ("zhang@example.com", "z***@example.com"),
        ("", ""),
    ],
)
def test_masked(value, shown):
    assert Template("{% load bases_extras %}{{ v|masked }}").render(Context({"v": value})) == shown


def test_lists_mask_the_objectors_phone_and_the_handling_page_shows_it_whole(client, city, objection):
    client.force_login(city)
    listing = client.get(reverse("reviews:publicity-detail", args=[objection.publicity_id])).content.decode()
    detail = client.get(reverse("reviews:application-detail", args=[objection.application_id])).content.decode()
    handling = client.get(reverse("reviews:objection-reply", args=[objection.pk])).content.decode()

    assert PHONE not in listing and "138****2345" in listing
    assert PHONE not in detail and "138****2345" in detail
    assert PHONE in handling and "zhaoming@example.com" in handling


def test_the_objection_and_registration_forms_say_how_personal_data_is_used(client, city, objection):
    client.force_login(city)
    publicity = client.get(reverse("reviews:publicity-detail", args=[objection.publicity_id])).content.decode()
    assert 'id="objection-privacy"' in publicity and "365 天后，联系电话和电子邮箱将被删除" in publicity
    assert 'id="registration-privacy"' in Client().get("/accounts/register/").content.decode()


def close(objection, city, *, days_ago):
    services.objection_reply(objection=objection, user=city, outcome=ObjectionOutcome.DISMISSED, reply="不成立。")
    Publicity.objects.filter(pk=objection.publicity_id).update(
        closed_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def test_objector_contacts_erased_a_year_after_the_matter_closed_and_not_before(city, objection, capsys):
    close(objection, city, days_ago=364)
    call_command("retention_apply")
    objection.refresh_from_db()
    assert objection.phone == PHONE

    Publicity.objects.filter(pk=objection.publicity_id).update(closed_at=timezone.now() - datetime.timedelta(days=366))
    call_command("retention_apply", "--dry-run")
    assert "到期待删除 1 条" in capsys.readouterr().out
    assert Objection.objects.get(pk=objection.pk).phone == PHONE

    call_command("retention_apply")
    objection.refresh_from_db()
    assert (objection.phone, objection.email, objection.contacts_erased_on) == ("", "", timezone.localdate())
    assert (objection.name, objection.reply) == ("赵明", "不成立。")  # the record of the matter stays


def test_an_unanswered_objection_keeps_its_contacts(city, objection):
    Publicity.objects.filter(pk=objection.publicity_id).update(closed_at=timezone.now() - datetime.timedelta(days=900))
    assert services.retention_apply()["objector_contacts"] == 0


def test_erased_contacts_are_said_to_be_erased(client, city, objection):
    close(objection, city, days_ago=400)
    services.retention_apply()
    client.force_login(city)
    listing = client.get(reverse("reviews:publicity-detail", args=[objection.publicity_id])).content.decode()
    assert "联系方式已按保存期限删除" in listing


def test_read_notifications_go_after_two_years_unread_ones_stay():
    user = UserFactory()
    old = timezone.now() - datetime.timedelta(days=731)
    Notification.objects.create(user=user, message="已读旧消息", read_at=old, key="a")
    Notification.objects.create(user=user, message="未读旧消息", key="b")
    Notification.objects.filter(message="未读旧消息").update(created_at=old)

    assert services.retention_apply()["notifications"] == 1
    assert list(Notification.objects.values_list("message", flat=True)) == ["未读旧消息"]


def test_a_person_downloads_their_own_data_and_the_download_is_recorded(client):
    user = UserFactory(applicant=True, email="me@example.com", phone=PHONE)
    client.force_login(user)

    page = client.get("/accounts/my-data/").content.decode()
    download = client.post("/accounts/my-data/")

    assert PHONE in page and "me@example.com" in page
    data = json.loads(download.content)
    assert data["账号"]["手机号码"] == PHONE and data["所属单位"]["单位名称"] == user.organisation.name
    assert "attachment" in download["Content-Disposition"]
    assert (
        SecurityEvent.objects.filter(
            kind=SecurityEventKind.PERSONAL_DATA_EXPORTED, username=user.username, actor=user
        ).count()
        == 1
    )
