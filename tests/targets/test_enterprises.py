"""The register of 贯标企业 (附件1 备注): entered by the county that guided them (or the city), once per
credit code, checked as GB 32100-2015 says; taken out after a confirmation; each county its own."""

import pytest
from django.urls import reverse
from django.utils import timezone

from targets.models import StandardEnterprise
from tests.factories import UserFactory, county, make_credit_code, standard_enterprise
from tests.helpers import field_groups, messages_shown

pytestmark = pytest.mark.django_db


def entry(**overrides) -> dict:
    return {
        "credit_code": make_credit_code(424242),
        "name": "绍兴贯标示范有限公司",
        "county": county("越城区").pk,
        "year": timezone.localdate().year,
        "practice": "own",
        "note": "自行开展商业秘密保护工作",
    } | overrides


def test_a_county_enters_an_enterprise_of_its_own(client):
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    client.force_login(clerk)

    response = client.post(
        reverse("targets:enterprise-list"), entry(credit_code=" " + make_credit_code(424242).lower())
    )

    assert response.status_code == 302
    enterprise = StandardEnterprise.objects.get()
    assert (enterprise.credit_code, enterprise.county.name, enterprise.practice, enterprise.recorded_by) == (
        make_credit_code(424242),
        "越城区",
        "own",
        clerk,
    )
    page = client.get(response["Location"])
    assert messages_shown(page) == [f"已登记贯标企业“绍兴贯标示范有限公司”，计入越城区{timezone.localdate().year}年。"]
    assert "绍兴贯标示范有限公司" in page.content.decode()


def test_a_county_cannot_enter_one_of_another_county(client):
    client.force_login(UserFactory(county_staff=True, county=county("越城区")))

    response = client.post(reverse("targets:enterprise-list"), entry(county=county("柯桥区").pk))

    assert response.status_code == 400
    assert field_groups(response)["county"].errors == ["所在区、县（市）的选项无效，请重新选择。"]
    assert not StandardEnterprise.objects.exists()


def test_an_enterprise_counted_already_is_refused_with_where_it_counts(client):
    standard_enterprise("柯桥区", year=2023, seed=424242, name="已登记企业")
    client.force_login(UserFactory(city_reviewer=True))

    response = client.post(reverse("targets:enterprise-list"), entry())

    assert response.status_code == 400
    assert field_groups(response)["credit_code"].errors == [
        "该企业已于2023年登记为柯桥区的贯标企业（已登记企业），每家企业只计一次。"
    ]
    assert field_groups(response)["name"].value == "绍兴贯标示范有限公司"
    assert StandardEnterprise.objects.count() == 1


def test_a_credit_code_with_a_wrong_check_character_is_refused(client):
    client.force_login(UserFactory(city_reviewer=True))
    code = make_credit_code(1)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")

    response = client.post(reverse("targets:enterprise-list"), entry(credit_code=wrong))

    assert response.status_code == 400
    assert field_groups(response)["credit_code"].errors == ["统一社会信用代码校验位不正确，请核对后重新输入。"]
    assert not StandardEnterprise.objects.exists()


def test_a_year_to_come_cannot_be_counted(client):
    client.force_login(UserFactory(city_reviewer=True))

    response = client.post(reverse("targets:enterprise-list"), entry(year=timezone.localdate().year + 1))

    assert response.status_code == 400
    assert field_groups(response)["year"].errors == ["计入年度的选项无效，请重新选择。"]


def test_the_register_lists_the_user_s_counties_and_filters(client):
    standard_enterprise("越城区", year=2023, name="越城甲")
    standard_enterprise("越城区", year=2024, name="越城乙")
    standard_enterprise("柯桥区", year=2024, name="柯桥丙")

    client.force_login(UserFactory(county_staff=True, county=county("越城区")))
    assert [e.name for e in client.get(reverse("targets:enterprise-list")).context["page"]] == ["越城乙", "越城甲"]
    assert [e.name for e in client.get(reverse("targets:enterprise-list") + "?year=2023").context["page"]] == ["越城甲"]
    client.force_login(UserFactory(city_reviewer=True))
    listed = client.get(reverse("targets:enterprise-list") + "?year=2024").context["page"]
    assert [e.name for e in listed] == ["越城乙", "柯桥丙"]


def test_an_entry_made_in_error_is_taken_out_after_a_confirmation(client):
    enterprise = standard_enterprise("越城区", year=2024, name="误登企业")
    client.force_login(UserFactory(county_staff=True, county=county("越城区")))
    url = reverse("targets:enterprise-remove", args=[enterprise.pk])

    assert "确定将“<strong>误登企业</strong>”" in client.get(url).content.decode()
    assert StandardEnterprise.objects.filter(pk=enterprise.pk).exists()
    response = client.post(url)

    assert response.status_code == 302
    assert not StandardEnterprise.objects.filter(pk=enterprise.pk).exists()
    assert messages_shown(client.get(response["Location"])) == ["已将“误登企业”移出贯标企业名册。"]
