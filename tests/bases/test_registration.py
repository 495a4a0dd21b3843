"""Self-registration of an applicant organisation and its confirmation by its county bureau."""

import pytest
from django.urls import reverse

from bases.choices import OrganisationStatus, Role
from bases.models import Organisation, User
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, county, industry, make_credit_code
from tests.helpers import field_groups, link_texts, messages_shown

pytestmark = pytest.mark.django_db

REGISTER = "/accounts/register/"
DUPLICATE = "该统一社会信用代码已注册。如需新增账号，请联系本单位已注册的经办人或所在地县局。"
CHECKSUM = "统一社会信用代码校验位不正确，请核对后重新输入。"


def registration(**overrides) -> dict:
    data = {
        "org-name": "绍兴越城纺织科技有限公司",
        "org-kind": "enterprise",
        "org-credit_code": make_credit_code(90001),
        "org-county": str(county("越城区").pk),
        "org-industry": str(industry("纺织").pk),
        "org-address": "绍兴市越城区解放北路100号",
        "org-postcode": "312000",
        "org-legal_representative": "赵大",
        "org-contact_name": "钱二",
        "org-contact_title": "法务主管",
        "org-contact_phone": "0575-85001234",
        "org-contact_email": "legal@example.com",
        "user-username": "yc_textile",
        "user-last_name": "钱二",
        "user-email": "qian@example.com",
        "user-phone": "13905750001",
        "user-password1": PASSWORD,
        "user-password2": PASSWORD,
    }
    return data | overrides


def typed_values(data: dict) -> dict:
    """What the user typed, by field name, except the passwords (never sent back)."""
    return {k.split("-", 1)[1]: v for k, v in data.items() if "password" not in k}


def test_register_creates_pending_organisation_and_applicant_logged_in(client):
    data = registration()

    response = client.post(REGISTER, data, follow=True)

    organisation = Organisation.objects.get()
    user = User.objects.get(username="yc_textile")
    assert (organisation.name, organisation.credit_code, organisation.county.name, organisation.status) == (
        "绍兴越城纺织科技有限公司",
        data["org-credit_code"],
        "越城区",
        OrganisationStatus.PENDING,
    )
    assert (user.role, user.organisation, user.county, user.email, user.is_active) == (
        Role.APPLICANT,
        organisation,
        None,
        "qian@example.com",
        True,
    )
    assert user.check_password(PASSWORD)
    assert response.redirect_chain == [("/", 302)]
    assert response.context["user"] == user
    body = response.content.decode()
    assert "贵单位（绍兴越城纺织科技有限公司）的注册正等待越城区市场监督管理局确认，确认后即可在线申报。" in body
    assert messages_shown(response) == [
        "注册成功。绍兴越城纺织科技有限公司正等待越城区市场监督管理局确认，确认后即可申报。"
    ]


def test_register_pending_applicant_cannot_create_application(client):
    client.post(REGISTER, registration())

    response = client.get(reverse("bases:application-create"))

    assert response.status_code == 403
    assert "只有已确认的申报单位可以发起申报。" in response.content.decode()
    assert "新建申报" not in client.get("/").content.decode()


def test_register_lowercase_credit_code_stored_uppercase(client):
    client.post(REGISTER, registration(**{"org-credit_code": "91350100m000100y43"}))

    assert Organisation.objects.get().credit_code == "91350100M000100Y43"


@pytest.mark.parametrize("typed", ["same", "lowercase"])
def test_register_duplicate_credit_code_refused_and_typed_values_kept(client, typed):
    existing = OrganisationFactory(credit_code="91350100M000100Y43")
    code = existing.credit_code if typed == "same" else existing.credit_code.lower()
    data = registration(**{"org-credit_code": code})

    response = client.post(REGISTER, data)

    groups = field_groups(response)
    assert response.status_code == 400
    assert {
        name: groups[f"{'org' if f'org-{name}' in data else 'user'}-{name}"].value for name in typed_values(data)
    } == typed_values(data)
    assert list(Organisation.objects.all()) == [existing]
    assert not User.objects.filter(username="yc_textile").exists()
    assert "_auth_user_id" not in client.session
    assert groups["org-credit_code"].errors == [DUPLICATE]


def test_register_invalid_credit_code_shows_checksum_message(client):
    code = make_credit_code(90003)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    data = registration(**{"org-credit_code": wrong})

    response = client.post(REGISTER, data)

    groups = field_groups(response)
    assert groups["org-credit_code"].errors == [CHECKSUM]
    assert groups["org-credit_code"].value == wrong
    assert (Organisation.objects.count(), User.objects.count()) == (0, 0)


# --- Confirmation by the county bureau ------------------------------------------------------------


@pytest.fixture
def registered(client):
    """A self-registered organisation in 越城区, and a fresh client for the staff."""
    client.post(REGISTER, registration())
    client.logout()
    return Organisation.objects.get(name="绍兴越城纺织科技有限公司")


def test_county_staff_same_county_sees_pending_organisation(client, registered):
    OrganisationFactory(county=county("越城区"), name="越城已确认公司")
    OrganisationFactory(county=county("柯桥区"), name="柯桥待确认公司", status=OrganisationStatus.PENDING)
    client.force_login(UserFactory(county_staff=True, county=county("越城区")))

    response = client.get(reverse("bases:organisation-list"), {"status": "pending"})

    assert link_texts(response, r"/organisations/\d+/") == {"绍兴越城纺织科技有限公司"}


def test_county_staff_confirms_organisation_then_its_user_may_apply(client, registered):
    staff = UserFactory(county_staff=True, county=county("越城区"))
    client.force_login(staff)

    response = client.post(
        reverse("bases:organisation-detail", args=[registered.pk]), {"decision": "approve"}, follow=True
    )

    registered.refresh_from_db()
    assert (registered.status, registered.confirmed_by, registered.status_note) == (
        OrganisationStatus.CONFIRMED,
        staff,
        "",
    )
    assert registered.confirmed_at is not None
    assert messages_shown(response) == ["已将“绍兴越城纺织科技有限公司”标记为已确认。"]
    client.force_login(User.objects.get(username="yc_textile"))
    assert client.get(reverse("bases:application-create")).status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_county_staff_other_county_gets_404_and_cannot_confirm(client, registered, method):
    client.force_login(UserFactory(county_staff=True, county=county("柯桥区")))

    response = getattr(client, method)(
        reverse("bases:organisation-detail", args=[registered.pk]), {"decision": "approve"}
    )

    registered.refresh_from_db()
    assert response.status_code == 404
    assert registered.name not in response.content.decode()
    assert (registered.status, registered.confirmed_by) == (OrganisationStatus.PENDING, None)


def test_county_staff_rejects_without_note_shown_error_and_still_pending(client, registered):
    client.force_login(UserFactory(county_staff=True, county=county("越城区")))

    response = client.post(
        reverse("bases:organisation-detail", args=[registered.pk]), {"decision": "reject", "note": " "}
    )

    registered.refresh_from_db()
    assert response.status_code == 200
    assert field_groups(response)["note"].errors == ["不予确认时请填写原因。"]
    assert (registered.status, registered.confirmed_by) == (OrganisationStatus.PENDING, None)


def test_county_staff_rejects_with_note_applicant_sees_reason(client, registered):
    staff = UserFactory(county_staff=True, county=county("越城区"))
    client.force_login(staff)

    client.post(
        reverse("bases:organisation-detail", args=[registered.pk]),
        {"decision": "reject", "note": "营业执照地址与填写不一致"},
    )

    registered.refresh_from_db()
    assert (registered.status, registered.status_note, registered.confirmed_by) == (
        OrganisationStatus.REJECTED,
        "营业执照地址与填写不一致",
        staff,
    )
    client.force_login(User.objects.get(username="yc_textile"))
    home = client.get("/").content.decode()
    assert "贵单位的注册未通过越城区市场监督管理局确认：营业执照地址与填写不一致。" in home
    assert client.get(reverse("bases:application-create")).status_code == 403
