"""What an applicant may read (reviews/disclosure.py): pages and notifications rendered with marker
strings in every private field, read by the applicant and by the bureau."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bases.choices import AcceptanceKind, State
from reviews import services
from reviews.models import Notification
from tests.factories import ApplicationFactory, UserFactory, advance, applicant_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
EXPERT = "MARKER专家甲"
FINDINGS = "MARKER内部发现"
MEMBERS = "MARKER参加人员"
OBJECTOR = "MARKER异议人"
OBJECTOR_PHONE = "13800000999"
OBJECTOR_COMPANY = "MARKER异议单位"
PRIVATE = (EXPERT, FINDINGS, MEMBERS, OBJECTOR, OBJECTOR_PHONE, OBJECTOR_COMPANY)


@pytest.fixture
def reviewed():
    """An application in 公示 whose group had an external expert and recorded internal findings,
    with an objection from a named objector."""
    leader = UserFactory(city_reviewer=True, last_name="MARKER", first_name="组长")
    application = ApplicationFactory(complete=True)
    advance(application, State.IN_ACCEPTANCE, city_user=leader, leader=leader)
    group = application.acceptance_group
    group.external_experts = EXPERT
    group.save()
    services.acceptance_record_add(
        application=application,
        user=leader,
        kind=AcceptanceKind.SITE_VISIT,
        held_on=TODAY,
        members=MEMBERS,
        findings=FINDINGS,
    )
    advance(application, State.IN_PUBLICITY, city_user=leader, leader=leader)
    services.objection_add(
        publicity=application.publicities.get(),
        application=application,
        user=leader,
        name=OBJECTOR,
        phone=OBJECTOR_PHONE,
        organisation=OBJECTOR_COMPANY,
        reasons="培训次数统计偏高。",
        received_on=TODAY,
    )
    return application, leader


def test_applicant_page_shows_outcomes_not_reviewers_findings_or_objectors(client, reviewed):
    application, _ = reviewed
    client.force_login(applicant_of(application))

    page = client.get(reverse("reviews:application-detail", args=[application.pk])).content.decode()

    assert [marker for marker in PRIVATE if marker in page] == []
    assert "实地考察" in page  # the check was made: the applicant sees that
    assert "培训次数统计偏高。" in page  # the objection's reasons, to answer them
    assert "MARKER组长" not in page  # the group's leader named in the history


def test_bureau_page_shows_them_whole(client, reviewed):
    application, leader = reviewed
    client.force_login(leader)

    page = client.get(reverse("reviews:application-detail", args=[application.pk])).content.decode()

    # Whole, but for the objector's phone, which a page showing the whole application masks.
    assert [marker for marker in PRIVATE if marker not in page] == [OBJECTOR_PHONE]
    assert "138****0999" in page


def test_applicant_notifications_never_name_the_objector_or_the_group(reviewed):
    application, _ = reviewed
    applicants = {u.pk for u in application.organisation.users.all()}

    messages = list(Notification.objects.filter(user_id__in=applicants).values_list("message", flat=True))

    assert messages != []
    assert [m for m in messages if any(marker in m for marker in (*PRIVATE, "MARKER组长"))] == []


def test_staff_notification_of_the_group_names_it_the_applicant_s_does_not(django_capture_on_commit_callbacks):
    colleague = UserFactory(city_reviewer=True)
    leader = UserFactory(city_reviewer=True, last_name="沈", first_name="佳怡")
    application = ApplicationFactory(complete=True)
    advance(application, State.RECOMMENDED, city_user=leader)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        advance(application, State.IN_ACCEPTANCE, city_user=leader, leader=leader)

    for_colleague = Notification.objects.get(user=colleague, application=application).message
    for_applicant = Notification.objects.get(user=applicant_of(application), kind="transition").message

    assert for_colleague.endswith("状态变为“验收中”。说明：验收组：沈佳怡")
    assert for_applicant.endswith("状态变为“验收中”。")
