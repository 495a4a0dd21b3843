import pytest
from django.core import mail

from bases.models import Organisation
from bases.services import organisation_register
from reviews.models import Notification
from tests.factories import UserFactory, county, industry

pytestmark = pytest.mark.django_db


def test_registration_committed_tells_active_staff_of_its_county_only(django_capture_on_commit_callbacks):
    UserFactory(county_staff=True, email="yc@example.gov.cn")  # 越城区
    UserFactory(county_staff=True, email="yc-left@example.gov.cn", is_active=False)
    UserFactory(role="county", county=county("柯桥区"), email="kq@example.gov.cn")
    organisation = Organisation(
        name="绍兴注册通知测试有限公司",
        kind="enterprise",
        credit_code="91350100M000100Y43",
        county=county("越城区"),
        industry=industry(),
        address="绍兴市越城区中兴路1号",
        postcode="312000",
        legal_representative="张三",
        contact_name="李四",
        contact_phone="13905750000",
    )

    with django_capture_on_commit_callbacks(execute=True):
        organisation_register(
            username="newcomer", password="Zx!9aQ-long-enough", email="n@example.com", organisation=organisation
        )

    assert [m.to for m in mail.outbox] == [["yc@example.gov.cn"]]
    assert "绍兴注册通知测试有限公司" in mail.outbox[0].subject
    told = Notification.objects.get()
    assert (told.user.email, told.email_status) == ("yc@example.gov.cn", "sent")
    assert "注册待确认" in told.message
    assert Organisation.objects.get(pk=organisation.pk).status == "pending"
