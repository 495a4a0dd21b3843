"""A county's rules for its county-level bases (第十七条): made as a copy of the city's by the county's
administrator, stricter only, with a history; applied by Application.rules() to the county's
county-level applications only (form check, self-assessment, deadline, printed title, 公示), and
kept from the submission for an application already submitted."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bases import paper, printing, selectors
from bases import services as base_services
from bases.choices import Level, Role, SecurityEventKind, State
from bases.forms_spec import POINT, all_thresholds, evaluate
from bases.models import AppendOnlyError, Application, CountyRules, CountyRulesChange, SecurityEvent
from bases.services import application_transition
from tests.bases.test_printed_forms import pdf_text
from tests.factories import (
    ApplicationFactory,
    BatchFactory,
    OrganisationFactory,
    UserFactory,
    add_evidence,
    applicant_of,
    county,
)
from tests.helpers import messages_shown

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
OFFICERS = "point-1.secrecy_officers"
TRAININGS = "point-3.all_staff_trainings"


def county_admin(county_name="越城区", **kwargs):
    user = UserFactory(county_staff=True, county=county(county_name), **kwargs)
    user.user_permissions.add(Permission.objects.get(codename="manage_county_rules"))
    return type(user).objects.get(pk=user.pk)  # a fresh permission cache


def own_rules(batch, county_name="越城区", *, admin=None, **changes) -> CountyRules:
    """The county's rules copied from the city's, then changed by its administrator as `changes` says
    (thresholds={key: value}, titles={type: title}, deadline, publicity_working_days)."""
    admin = admin or county_admin(county_name)
    rules = base_services.county_rules_copy(county=county(county_name), batch=batch, user=admin)
    if changes:
        rules = base_services.county_rules_update(
            county_rules=rules,
            user=admin,
            version=rules.version,
            deadline=changes.get("deadline", rules.deadline),
            publicity_working_days=changes.get("publicity_working_days", rules.publicity_working_days),
            titles=dict(rules.titles) | changes.get("titles", {}),
            thresholds=dict(rules.thresholds) | changes.get("thresholds", {}),
            reason=changes.get("reason", "依据本局县级基地管理办法"),
        )
    return rules


def with_officers(application, officers: int) -> Application:
    assessment = application.self_assessment
    assessment["point-1"]["figures"]["secrecy_officers"] = officers
    Application.objects.filter(pk=application.pk).update(self_assessment=assessment)
    return Application.objects.get(pk=application.pk)


def ready(batch, *, level, county_name="越城区", officers=1):
    organisation = OrganisationFactory(county=county(county_name))
    application = ApplicationFactory(batch=batch, organisation=organisation, level=level, complete=True)
    add_evidence(application)
    return with_officers(application, officers)


def officer_problem(application) -> list[str]:
    return [p for p in application.submission_problems() if "保密员" in p]


# --- The thresholds --------------------------------------------------------------------------------


def test_every_number_of_the_conditions_is_a_threshold_but_the_none_at_all_of_article_10_5():
    assert set(all_thresholds()) == {
        "zone-1.protecting_enterprises", "zone-1.provincial_sites_built", "zone-1.city_sites_built",
        "zone-2.ip_service_staff", "zone-5.trainings_per_year", "zone-5.trained_enterprises",
        "zone-5.services_per_year", "station-1.secrecy_officers", "station-5.trained_members",
        "station-5.protecting_members", "station-5.provincial_sites_built", "station-5.city_sites_built",
        OFFICERS, TRAININGS,
    }  # fmt: skip
    assert all_thresholds()[OFFICERS].value == 1 and all_thresholds()["station-5.trained_members"].strict


def test_evaluate_with_a_stricter_threshold_refuses_what_the_notice_accepts_and_says_both():
    assessment = {
        c.code: {"met": True, "explanation": "有", "figures": {"secrecy_officers": 1}} for c in POINT.conditions
    }

    city = evaluate(POINT, {}, assessment)[0]
    own = evaluate(POINT, {}, assessment, {OFFICERS: 2})[0]

    assert (city.holds, city.checks[0].text, city.local_rules) == (True, "专（兼）职保密员人数 1，达到 1", ())
    assert (own.holds, own.checks[0].text) == (False, "专（兼）职保密员人数 1，未达到 2")
    assert own.local_rules == ("专（兼）职保密员人数不少于 2 名（市级标准：不少于 1 名）",)


def test_county_threshold_refuses_the_county_s_county_level_application_only():
    batch = BatchFactory()
    own_rules(batch, thresholds={OFFICERS: 2})
    county_level = ready(batch, level=Level.COUNTY)
    city_level = ready(batch, level=Level.CITY)
    other_county = ready(batch, level=Level.COUNTY, county_name="柯桥区")

    assert officer_problem(county_level) == [
        "第十条（一）组织架构完整：不具备该条件（专（兼）职保密员人数 1，未达到 2）"
    ]
    assert officer_problem(city_level) == officer_problem(other_county) == []
    with pytest.raises(ValidationError) as refused:
        application_transition(
            application=county_level, action="submit", user=applicant_of(county_level), version=county_level.version
        )
    assert "专（兼）职保密员人数 1，未达到 2" in "".join(refused.value.messages)
    application_transition(
        application=city_level, action="submit", user=applicant_of(city_level), version=city_level.version
    )
    assert Application.objects.get(pk=county_level.pk).state == State.DRAFT
    assert Application.objects.get(pk=city_level.pk).state == State.SUBMITTED


def test_county_level_form_and_detail_page_show_the_county_s_rule_beside_the_notice_s(client):
    batch = BatchFactory()
    own_rules(batch, thresholds={OFFICERS: 2})
    application = ready(batch, level=Level.COUNTY)
    client.force_login(applicant_of(application))

    edit = client.get(reverse("bases:application-edit", args=[application.pk])).content.decode()
    detail = client.get(reverse("reviews:application-detail", args=[application.pk])).content.decode()

    note = "本县规则：专（兼）职保密员人数不少于 2 名（市级标准：不少于 1 名）"
    assert note in edit and note in detail
    assert "越城区县级基地规则（第2版）" in detail and "专（兼）职保密员人数 1，未达到 2" in detail


# --- Submitted applications keep their rules ------------------------------------------------------------


def test_a_submitted_application_keeps_the_rules_it_was_submitted_under_and_a_draft_follows_the_new():
    batch = BatchFactory()
    admin = county_admin()
    rules = own_rules(batch, admin=admin)
    submitted = ready(batch, level=Level.COUNTY)
    application_transition(
        application=submitted, action="submit", user=applicant_of(submitted), version=submitted.version
    )
    draft = ready(batch, level=Level.COUNTY)

    own_rules(batch, admin=admin, thresholds={OFFICERS: 2}, titles={"point": "越城区商业秘密保护示范点申报表"})

    submitted = Application.objects.get(pk=submitted.pk)
    assert submitted.county_rules_change.version == 1 and submitted.rules().as_submitted
    assert submitted.rules().thresholds[OFFICERS] == 1 and all(r.holds for r in submitted.condition_results())
    assert paper.signing_form(submitted).title == "越城区商业秘密保护基地（示范点）申报表"
    assert draft.rules().thresholds[OFFICERS] == 2 and officer_problem(draft)
    assert rules.pk == CountyRules.objects.get().pk


def test_a_returned_application_follows_the_rules_in_force_when_resubmitted():
    batch = BatchFactory()
    admin = county_admin()
    own_rules(batch, admin=admin)
    application = ApplicationFactory(
        batch=batch, organisation=OrganisationFactory(county=county("越城区")), level=Level.COUNTY, returned=True
    )
    own_rules(batch, admin=admin, thresholds={OFFICERS: 60})

    application = with_officers(Application.objects.get(pk=application.pk), 50)

    assert application.state == State.RETURNED and application.rules().thresholds[OFFICERS] == 60
    assert officer_problem(application)


def test_an_application_submitted_before_the_county_had_rules_keeps_the_city_s():
    batch = BatchFactory()
    application = ready(batch, level=Level.COUNTY)
    application_transition(
        application=application, action="submit", user=applicant_of(application), version=application.version
    )

    own_rules(batch, thresholds={OFFICERS: 2})

    application = Application.objects.get(pk=application.pk)
    assert application.county_rules_change is None and application.rules().thresholds[OFFICERS] == 1
    assert not officer_problem(application)


# --- The deadline -------------------------------------------------------------------------------------------


def close_county(rules, deadline):
    CountyRules.objects.filter(pk=rules.pk).update(deadline=deadline)  # as if the day had passed


def test_county_deadline_closes_the_county_s_county_level_submissions_only(client):
    batch = BatchFactory(name="2026年度申报")
    close_county(own_rules(batch), TODAY - datetime.timedelta(days=1))
    county_level = ready(batch, level=Level.COUNTY, officers=5)
    city_level = ready(batch, level=Level.CITY, officers=5)
    client.force_login(applicant_of(county_level))

    response = client.post(
        reverse("reviews:application-transition", args=[county_level.pk, "submit"]),
        {"version": county_level.version},
        follow=True,
    )

    yesterday = TODAY - datetime.timedelta(days=1)
    assert messages_shown(response) == [
        f"本批次（2026年度申报）越城区县级基地申报已于{yesterday.year}年{yesterday.month}月{yesterday.day}日截止，不能再提交。"
    ]
    assert Application.objects.get(pk=county_level.pk).state == State.DRAFT
    application_transition(
        application=city_level, action="submit", user=applicant_of(city_level), version=city_level.version
    )


def test_a_later_county_deadline_lets_county_level_applications_start_after_the_batch_closed(client):
    batch = BatchFactory(closed=True)
    own_rules(batch, deadline=TODAY + datetime.timedelta(days=10))
    applicant = UserFactory(applicant=True, organisation=OrganisationFactory(county=county("越城区")))
    client.force_login(applicant)

    page = client.get(reverse("bases:application-create")).content.decode()
    with pytest.raises(ValidationError, match="截止申报"):
        base_services.application_create(
            organisation=applicant.organisation, user=applicant, base_type="point", level=Level.CITY, batch=batch
        )
    application = base_services.application_create(
        organisation=applicant.organisation, user=applicant, base_type="point", level=Level.COUNTY, batch=batch
    )

    assert "市级申报已截止" in page and "越城区县级基地申报截止日期" in page and 'name="level"' in page
    assert application.level == Level.COUNTY and application.rules().is_open


def test_deadline_reminders_follow_each_application_s_own_deadline():
    batch = BatchFactory(deadline=TODAY + datetime.timedelta(days=7))
    own_rules(batch, deadline=TODAY + datetime.timedelta(days=20))
    county_level = ready(batch, level=Level.COUNTY)
    city_level = ready(batch, level=Level.CITY)
    other_county = ready(batch, level=Level.COUNTY, county_name="柯桥区")

    at_batch = set(selectors.applications_unsubmitted_at_deadline(batch.deadline))
    at_county = set(selectors.applications_unsubmitted_at_deadline(TODAY + datetime.timedelta(days=20)))

    assert (at_batch, at_county) == ({city_level, other_county}, {county_level})


# --- The printed form and the 公示 ----------------------------------------------------------------------------


def test_the_county_s_title_is_printed_on_its_county_level_forms_only():
    batch = BatchFactory()
    own_rules(batch, titles={"point": "越城区商业秘密保护示范点申报表"})
    county_level = ready(batch, level=Level.COUNTY)
    other_county = ready(batch, level=Level.COUNTY, county_name="柯桥区")
    city_level = ready(batch, level=Level.CITY)

    texts = ["".join(pdf_text(printing.render(paper.paper_form(a)))) for a in (county_level, other_county, city_level)]

    assert "越城区商业秘密保护示范点申报表" in texts[0]
    assert "柯桥区商业秘密保护基地（示范点）申报表" in texts[1]
    assert "绍兴市商业秘密保护基地（示范点）申报表" in texts[2]
    assert "越城区商业秘密保护示范点申报表" not in texts[1] + texts[2]


def test_the_county_s_publicity_lasts_its_own_working_days_in_the_period_and_the_notice():
    from reviews import services as review_services
    from reviews.choices import DocumentKind
    from reviews.models import IssuedDocument

    batch = BatchFactory()
    admin = county_admin()
    own_rules(batch, admin=admin, publicity_working_days=7)
    application = ApplicationFactory(
        batch=batch,
        organisation=OrganisationFactory(county=county("越城区")),
        level=Level.COUNTY,
        accepted=True,
        advance_with={"county_user": admin},
    )
    city_level = ApplicationFactory(
        batch=batch, organisation=OrganisationFactory(county=county("越城区")), accepted=True
    )
    start = TODAY + datetime.timedelta(days=1)

    publicity = review_services.publicity_open(
        applications=[(application, Application.objects.get(pk=application.pk).version)],
        user=admin,
        title="县级公示",
        starts_on=start,
    )
    notice = review_services.publicity_notice_issue(publicity=publicity, user=admin)

    calendar = selectors.working_calendar()
    assert publicity.ends_on == calendar.add_working_days(start, 7)
    assert review_services.publicity_period(application=city_level, starts_on=start)[1] == calendar.add_working_days(
        start, 5
    )
    assert (
        "公示期",
        f"{review_services.cn_date(start)}至{review_services.cn_date(publicity.ends_on)}（7个工作日）",
    ) in [tuple(f) for f in notice.facts["rows"]]
    assert IssuedDocument.objects.filter(kind=DocumentKind.PUBLICITY_NOTICE, publicity=publicity).exists()


# --- Who may see and change them -------------------------------------------------------------------------------


def detail_url(batch, county_name="越城区"):
    return reverse("bases:county-rules-detail", args=[county(county_name).pk, batch.year])


def edit_url(batch, county_name="越城区"):
    return reverse("bases:county-rules-edit", args=[county(county_name).pk, batch.year])


def test_list_shows_every_county_to_the_city_and_its_own_to_a_county(client):
    batch = BatchFactory()
    own_rules(batch, publicity_working_days=7)
    client.force_login(UserFactory(city_reviewer=True))
    city = client.get(reverse("bases:county-rules-list")).content.decode()
    client.force_login(UserFactory(county_staff=True, county=county("柯桥区")))
    keqiao = client.get(reverse("bases:county-rules-list")).content.decode()

    assert all(name in city for name in ("越城区", "柯桥区", "新昌县")) and "本县规则（第2版）" in city
    assert "柯桥区" in keqiao and "越城区" not in keqiao and "本县规则" not in keqiao


@pytest.mark.parametrize("who", ["city_reviewer", "same_county", "county_admin"])
def test_the_rules_page_is_shown_to_the_city_and_the_county_read_only_but_to_its_administrator(client, who):
    batch = BatchFactory()
    own_rules(batch, thresholds={OFFICERS: 2})
    user = {
        "city_reviewer": lambda: UserFactory(city_reviewer=True),
        "same_county": lambda: UserFactory(county_staff=True, county=county("越城区")),
        "county_admin": lambda: county_admin(),
    }[who]()
    client.force_login(user)

    page = client.get(detail_url(batch)).content.decode()

    assert "不少于 2 名" in page and "（本县规定）" in page and "依据本局县级基地管理办法" in page
    assert ("修改本县规则" in page) is (who == "county_admin")


@pytest.mark.parametrize("who", ["other_county", "other_county_admin", "applicant"])
def test_the_rules_page_of_a_county_is_not_found_for_who_may_not_see_it(client, who):
    batch = BatchFactory()
    own_rules(batch)
    user = {
        "other_county": lambda: UserFactory(county_staff=True, county=county("柯桥区")),
        "other_county_admin": lambda: county_admin("柯桥区"),
        "applicant": lambda: UserFactory(applicant=True, organisation=OrganisationFactory(county=county("越城区"))),
    }[who]()
    client.force_login(user)

    responses = [client.get(detail_url(batch)), client.post(detail_url(batch)), client.get(edit_url(batch))]
    responses.append(client.post(edit_url(batch), {"version": 2, "reason": "x"}))

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert CountyRules.objects.get().version == 1


def test_anonymous_visitors_are_sent_to_sign_in(client):
    batch = BatchFactory()

    response = client.get(detail_url(batch))

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_plain_county_staff_member_may_neither_copy_nor_edit(client):
    batch = BatchFactory()
    client.force_login(UserFactory(county_staff=True, county=county("越城区")))

    copy = client.post(detail_url(batch))
    own_rules(batch)
    edit = client.get(edit_url(batch))
    crafted = client.post(edit_url(batch), {"version": 1, "publicity_working_days": 9, "reason": "试试"})

    assert [copy.status_code, edit.status_code, crafted.status_code] == [403, 403, 403]
    assert CountyRules.objects.get().publicity_working_days == 5 and CountyRulesChange.objects.count() == 1
    with pytest.raises(PermissionDenied):
        base_services.county_rules_copy(county=county("柯桥区"), batch=batch, user=UserFactory(city_admin=True))


def test_the_administrator_copies_the_city_s_rules_once_even_on_a_double_click(client):
    batch = BatchFactory(publicity_working_days=6)
    admin = county_admin()
    client.force_login(admin)

    first = client.post(detail_url(batch))
    second = client.post(detail_url(batch))

    rules = CountyRules.objects.get()
    assert first["Location"] == second["Location"] == edit_url(batch)
    assert (rules.deadline, rules.publicity_working_days, rules.thresholds[OFFICERS]) == (batch.deadline, 6, 1)
    assert rules.titles["point"] == "越城区商业秘密保护基地（示范点）申报表"
    assert list(rules.changes.values_list("version", "reason", "changed_by")) == [(1, "从市级标准复制", admin.pk)]


# --- Editing: validation and history -------------------------------------------------------------------------


def form_post(rules, **overrides) -> dict:
    data = {
        "version": rules.version,
        "deadline": rules.deadline.isoformat(),
        "publicity_working_days": rules.publicity_working_days,
        "reason": "依据本局县级基地管理办法第八条",
    }
    for base_type, title in rules.titles.items():
        data[f"title_{base_type}"] = title
    for key, value in rules.thresholds.items():
        data["threshold_" + key.replace(".", "__").replace("-", "_")] = value
    return data | overrides


def test_the_administrator_edits_the_rules_and_the_change_is_kept_with_who_when_what_and_why(client):
    batch = BatchFactory()
    admin = county_admin()
    rules = own_rules(batch, admin=admin)
    client.force_login(admin)

    response = client.post(
        edit_url(batch),
        form_post(
            rules, threshold_point_1__secrecy_officers=3, publicity_working_days=7, title_point="越城区示范点申报表"
        ),
    )

    rules.refresh_from_db()
    change = rules.changes.get(version=2)
    assert response.status_code == 302 and rules.version == 2
    assert (rules.thresholds[OFFICERS], rules.publicity_working_days, rules.titles["point"]) == (
        3,
        7,
        "越城区示范点申报表",
    )
    assert (change.changed_by, change.reason, change.ip_address) == (
        admin,
        "依据本局县级基地管理办法第八条",
        "127.0.0.1",
    )
    assert change.changes == [
        {"label": "公示期", "old": "5个工作日", "new": "7个工作日"},
        {"label": "附表3表名", "old": "越城区商业秘密保护基地（示范点）申报表", "new": "越城区示范点申报表"},
        {"label": "第十条（一）专（兼）职保密员人数", "old": "不少于 1 名", "new": "不少于 3 名"},
    ]
    page = client.get(detail_url(batch)).content.decode()
    assert "第十条（一）专（兼）职保密员人数：不少于 1 名 → 不少于 3 名" in page and admin.display_name in page


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"threshold_point_1__secrecy_officers": 0}, "threshold_point_1__secrecy_officers", "不能宽于市级标准"),
        ({"threshold_station_5__trained_members": 25}, "threshold_station_5__trained_members", "超过 30%或更严"),
        ({"threshold_station_5__trained_members": 100}, "threshold_station_5__trained_members", "99"),
        ({"threshold_point_3__all_staff_trainings": 5000}, "threshold_point_3__all_staff_trainings", "1000"),
        ({"publicity_working_days": 4}, "publicity_working_days", "5"),
        ({"deadline": (TODAY - datetime.timedelta(days=1)).isoformat()}, "deadline", "不能早于今天"),
        ({"deadline": "9999-09-30"}, "deadline", ""),
        ({"title_point": "越城区示范点"}, "title_point", "应以“申报表”结尾"),
        ({"title_zone": ""}, "title_zone", ""),
        ({"reason": "  "}, "reason", ""),
    ],
)
def test_a_rule_the_notice_does_not_allow_is_refused_at_its_field_keeping_what_was_typed(
    client, overrides, field, message
):
    batch = BatchFactory(deadline=TODAY + datetime.timedelta(days=30))
    admin = county_admin()
    rules = own_rules(batch, admin=admin)
    client.force_login(admin)

    posted = form_post(rules, **overrides)

    response = client.post(edit_url(batch), posted)

    form = response.context["form"]
    assert response.status_code == 400 and field in form.errors
    assert message in " ".join(form.errors[field])
    assert str(form[field].value()) == str(posted[field])
    assert f'value="{posted[field]}"' in response.content.decode() or field in ("reason", "title_zone")
    rules.refresh_from_db()
    assert rules.version == 1 and rules.changes.count() == 1


def test_a_stale_page_and_an_unchanged_form_save_nothing(client):
    batch = BatchFactory()
    admin = county_admin()
    rules = own_rules(batch, admin=admin)
    client.force_login(admin)
    old = form_post(rules)
    client.post(edit_url(batch), form_post(rules, publicity_working_days=6))

    stale = client.post(edit_url(batch), old | {"publicity_working_days": 8})
    rules.refresh_from_db()
    unchanged = client.post(edit_url(batch), form_post(rules))

    assert "已由他人修改" in str(stale.context["form"].non_field_errors())
    assert "没有任何改动" in str(unchanged.context["form"].non_field_errors())
    assert (rules.version, rules.publicity_working_days, rules.changes.count()) == (2, 6, 2)


def test_an_unchanged_past_deadline_may_stay_while_other_rules_change():
    batch = BatchFactory(closed=True)
    rules = own_rules(batch)

    rules = own_rules(batch, admin=county_admin(username="second_admin"), publicity_working_days=9)

    assert rules.deadline == batch.deadline and rules.publicity_working_days == 9


def test_the_history_is_append_only():
    batch = BatchFactory()
    change = own_rules(batch).changes.get()

    change.reason = "改写"
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        CountyRulesChange.objects.update(reason="改写")


def test_the_city_s_administrator_names_the_county_s_rules_administrator_in_the_admin(client):
    clerk = UserFactory(county_staff=True, county=county("越城区"))
    applicant = UserFactory(applicant=True)
    sysadmin = UserFactory(city_admin=True)
    client.force_login(sysadmin)

    def tick(account, granted=True):
        page = client.get(reverse("admin:bases_user_change", args=[account.pk]))
        data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
        data |= {"manages_county_rules": "on" if granted else ""}
        data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items() if not isinstance(v, list | tuple)}
        return client.post(reverse("admin:bases_user_change", args=[account.pk]), data)

    tick(clerk)
    refused = tick(applicant)

    assert base_services.manages_county_rules(clerk) and not base_services.manages_county_rules(applicant)
    assert "只有县局工作人员可以担任县级规则管理员" in refused.content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PERMISSION_CHANGED, username=clerk.username).exists()
    tick(clerk, granted=False)
    assert not base_services.manages_county_rules(clerk)
    assert clerk.role == Role.COUNTY


def test_the_start_page_shows_the_county_s_own_deadline_to_its_staff_and_applicants_only(client):
    batch = BatchFactory(deadline=TODAY + datetime.timedelta(days=5))
    own_rules(batch, deadline=TODAY + datetime.timedelta(days=20))
    later = TODAY + datetime.timedelta(days=20)
    shown = f"越城区县级基地申报截止：{later.year}年{later.month}月{later.day}日"
    pages = {}
    for name, user in (
        ("staff", UserFactory(county_staff=True, county=county("越城区"))),
        ("applicant", UserFactory(applicant=True, organisation=OrganisationFactory(county=county("越城区")))),
        ("other", UserFactory(county_staff=True, county=county("柯桥区"))),
        ("city", UserFactory(city_reviewer=True)),
    ):
        client.force_login(user)
        pages[name] = shown in client.get(reverse("home")).content.decode()

    assert pages == {"staff": True, "applicant": True, "other": False, "city": False}
