"""No input gives a 500 and none is stored half-checked: control characters, line breaks in
single-line fields, over-long texts and absurd dates are refused with a message at the field, by the
forms and again by the models (which the services and the admin clean before saving)."""

import datetime
import inspect

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models

import bases.forms
import reviews.forms
import targets.forms
from bases.choices import State
from bases.models import CleanText, County, Organisation, User
from bases.validators import text_problem
from reviews.models import Objection, Publicity
from tests.bases.test_registration import REGISTER, registration
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, form_data
from tests.helpers import field_groups

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value, multiline, problem",
    [
        ("绍兴越城纺织科技有限公司", False, ""),
        ("公司\r\nBcc: x@example.com", False, "只能填写一行，不能含有换行或制表符。"),
        ("名称\t", False, "只能填写一行，不能含有换行或制表符。"),
        ("第一段\r\n第二段\t缩进", True, ""),
        ("a\x1b[31mb", True, "含有不可见的控制字符（U+001B），请删除后重新填写。"),
        ("a\x00b", True, "含有不可见的控制字符（U+0000），请删除后重新填写。"),
        ("a\u2028b", True, "含有不可见的控制字符（U+2028），请删除后重新填写。"),
        ("a\x85b", False, "含有不可见的控制字符（U+0085），请删除后重新填写。"),
    ],
)
def test_text_problem(value, multiline, problem):
    assert text_problem(value, multiline=multiline) == problem


def test_registration_with_a_line_break_in_the_name_is_refused_at_the_field_and_nothing_is_stored(client):
    before = (User.objects.count(), Organisation.objects.count())
    data = registration(**{"org-name": "绍兴越城纺织科技有限公司\r\nBcc: x@example.com"})

    response = client.post(REGISTER, data)

    assert response.status_code == 400
    assert field_groups(response)["org-name"].errors == ["单位名称只能填写一行，不能含有换行或制表符。"]
    assert (User.objects.count(), Organisation.objects.count()) == before


def test_an_applicant_name_with_a_line_break_is_refused_and_the_rest_kept(client):
    application = ApplicationFactory(complete=True)
    client.force_login(application.created_by)

    response = client.post(
        f"/applications/{application.pk}/edit/",
        form_data(application, intent="save", applicant_name="某公司\nSubject: hi", narrative="第一段\n第二段"),
    )

    assert response.status_code == 400
    assert "只能填写一行" in " ".join(field_groups(response)["applicant_name"].errors)
    application.refresh_from_db()
    assert "\n" not in application.applicant_name


def test_models_refuse_what_the_forms_refuse(settings):
    organisation = OrganisationFactory.build(name="公司\r\n抄送")
    with pytest.raises(ValidationError) as caught:
        organisation.full_clean(exclude=["county", "industry"])
    assert caught.value.message_dict["name"] == ["单位名称只能填写一行，不能含有换行或制表符。"]

    application = ApplicationFactory(complete=True)
    application.narrative = "字" * 10001
    with pytest.raises(ValidationError) as caught:
        application.full_clean()
    assert caught.value.message_dict["narrative"] == ["商业秘密保护工作开展情况最多 10000 字（当前 10001 字）。"]


def test_a_publicity_in_the_year_9999_is_refused_without_a_server_error(client):
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(complete=True, advanced_to=State.ACCEPTED, advance_with={"city_user": city})
    client.force_login(city)

    for starts_on in ("9999-12-31", "0001-01-01", "2026-02-30", "99999-01-01"):
        response = client.post(
            "/publicities/new/",
            {
                "applications": [application.pk],
                f"version_{application.pk}": application.version,
                "title": "公示",
                "starts_on": starts_on,
                "confirm": "1",
            },
        )
        assert response.status_code == 400, starts_on
    response = client.post(
        "/publicities/new/",
        {"applications": [application.pk], f"version_{application.pk}": "abc", "title": "公示", "confirm": "1"},
    )
    assert response.status_code == 400
    assert not Publicity.objects.exists()


def test_an_objection_received_in_the_year_9999_is_refused(client):
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(complete=True, advanced_to=State.IN_PUBLICITY, advance_with={"city_user": city})
    client.force_login(city)

    response = client.post(
        f"/publicities/{application.publicities.get().pk}/objections/",
        {
            "application": application.pk,
            "name": "异议人",
            "phone": "13800000000",
            "reasons": "理由。",
            "received_on": "9999-12-31",
        },
    )

    assert response.status_code == 400
    assert not Objection.objects.exists()


@pytest.mark.parametrize(
    "url, data",
    [
        ("/admin/auth/group/add/", {"name": "组", "permissions": ["99999999999999999999999"]}),
        ("/admin/auth/group/", {"action": "delete_selected", "_selected_action": ["{}"], "index": "0"}),
        (
            "/admin/bases/county/",
            {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": "-99999999999999999999", "_save": "1"},
        ),
    ],
)
def test_admin_posts_with_impossible_ids_are_refused_without_a_server_error(client, url, data):
    # Found by `make fuzz`: Django's admin fails with a 500 on an id that is no integer (ticked rows)
    # and, on SQLite, on one beyond 64 bits (multiple selects, the rows of an editable list).
    client.force_login(UserFactory(city_admin=True, is_superuser=True))
    before = (Group.objects.count(), list(County.objects.values_list("pk", "name", "order")))

    response = client.post(url, data)

    assert response.status_code == 400
    assert (Group.objects.count(), list(County.objects.values_list("pk", "name", "order"))) == before


def test_admin_posts_with_possible_ids_still_reach_the_admin(client):
    client.force_login(UserFactory(city_admin=True, is_superuser=True))

    response = client.post("/admin/auth/group/add/", {"name": "复核组", "permissions": ["1"]})

    assert response.status_code == 302
    assert list(Group.objects.values_list("name", flat=True)) == ["复核组"]


# --- The rules hold for every model and every form ----------------------------------------------


def project_models():
    return [m for m in apps.get_models() if m._meta.app_label in ("bases", "reviews", "targets")]


def test_every_long_text_of_every_model_has_a_limit():
    unlimited = [
        f"{m.__name__}.{f.name}"
        for m in project_models()
        for f in m._meta.concrete_fields
        if isinstance(f, models.TextField) and not f.max_length
    ]
    assert unlimited == []


def test_every_model_cleans_its_texts():
    assert [m.__name__ for m in project_models() if not issubclass(m, CleanText)] == []


def form_classes():
    for module in (bases.forms, reviews.forms, targets.forms):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_text_input_of_every_form_has_a_length_limit():
    unlimited = [
        f"{cls.__name__}.{name}"
        for cls in form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField) and not field.max_length
    ]
    assert unlimited == []


def test_dates_far_off_are_refused_by_the_models():
    with pytest.raises(ValidationError) as caught:
        Objection(received_on=datetime.date(9999, 12, 31)).clean_fields(
            exclude=[f.name for f in Objection._meta.fields if f.name != "received_on"]
        )
    assert "日期超出有效范围" in caught.value.message_dict["received_on"][0]


@pytest.mark.parametrize("path", ["/applications/", "/organisations/", "/bases/", "/publicities/"])
@pytest.mark.parametrize("query", ["q=a%00b", "q=a%0D%0Ab", "status=%1B", "a%00=1"])
def test_a_control_character_in_a_query_is_a_400_not_a_database_error(client, path, query):
    client.force_login(UserFactory(city_reviewer=True))

    response = client.get(f"{path}?{query}")

    assert response.status_code == 400
    assert "查询条件含有无效的控制字符" in response.content.decode()


@pytest.mark.parametrize("path", ["/applications/", "/organisations/", "/bases/"])
def test_an_ordinary_search_still_works(client, path):
    client.force_login(UserFactory(city_reviewer=True))
    assert client.get(f"{path}?q=绍兴 越城").status_code == 200


@pytest.mark.django_db
def test_a_foreign_key_is_checked_by_id_and_not_again_for_the_saved_object_in_hand(django_assert_num_queries):
    """full_clean queries each foreign key whose object it does not hold (an id from a post, say) and
    refuses one that does not exist; the saved object in hand is not looked up again."""
    county = County.objects.get(name="越城区")
    organisation = OrganisationFactory(county=county)
    by_id = Organisation.objects.get(pk=organisation.pk)
    by_id.county_id = 999_999
    with pytest.raises(ValidationError) as refused:
        by_id.full_clean(validate_unique=False, validate_constraints=False)
    assert "county" in refused.value.error_dict
    held = Organisation.objects.select_related("county", "industry").get(pk=organisation.pk)
    with django_assert_num_queries(0):
        held.clean_fields()
