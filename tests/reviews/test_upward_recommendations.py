"""第三条（四）, 第十六条（三）: a recognised base recommended to provincial or national level. Its county
makes the first review (初审推荐), then the city recommends it on (推荐上报) or not (不予推荐), then the
city records the outcome (获评 with its 文号, or 未获评); each step dated between the step before and
today, logged append-only with its documents, and told to the next office. Scoped: a county its own
bases, the city all, an applicant only the stage and outcome on its base's page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bases.choices import LogAction, State
from bases.dates import cn_date
from bases.models import AppendOnlyError, Base
from reviews import selectors, services
from reviews.choices import NotificationKind, UpwardStatus
from reviews.models import Notification, UpwardDocument, UpwardRecommendation, UpwardRecommendationLog
from targets.selectors import actuals, county_summary
from tests.factories import (
    ApplicationFactory,
    BatchFactory,
    OrganisationFactory,
    UserFactory,
    applicant_of,
    county,
    county_clerk,
    upload,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RECOGNISED_ON = TODAY - datetime.timedelta(days=30)
NUMBER = f"浙市监竞争〔{TODAY.year}〕21号"
NOT_A_FILE_WE_TAKE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200  # a Windows program


def day(n: int) -> datetime.date:
    """n days after the base's recognition."""
    return RECOGNISED_ON + datetime.timedelta(days=n)


def recognised_base(county_name: str = "越城区") -> Base:
    application = ApplicationFactory(
        complete=True,
        organisation=OrganisationFactory(county=county(county_name)),
        advanced_to=State.RECOGNISED,
        advance_with={"city_user": city()},
    )
    Base.objects.filter(pk=application.base.pk).update(recognised_on=RECOGNISED_ON)
    return Base.objects.select_related("organisation__county", "application").get(pk=application.base.pk)


def city():
    return UserFactory(city_reviewer=True)


def clerk_of(base):
    return county_clerk(base.organisation.county)


def opened(base, *, level="provincial", on=None, files=()):
    return services.upward_recommendation_open(
        base=base, user=clerk_of(base), level=level, county_on=on or day(1), opinion="同意推荐。", files=files
    )


def recommended(base, **kwargs):
    item = opened(base, **kwargs)
    return services.upward_recommendation_decide(
        item=item, user=city(), version=item.version, decision="recommend", city_on=day(2), opinion="推荐上报。"
    )


def steps(item):
    return [(e.from_status, e.to_status, e.step_on, e.actor_id, e.reason) for e in item.log.all()]


# --- 初审推荐: the base's county ------------------------------------------------------------------------


def test_open_by_the_bases_county_records_the_stage_the_log_the_documents_and_tells_the_city():
    base = recognised_base()
    clerk, reviewer = clerk_of(base), city()
    before = base.application.log.count()

    item = services.upward_recommendation_open(
        base=base, user=clerk, level="provincial", county_on=day(1), opinion="  同意推荐。 ", files=[upload("表.pdf")]
    )

    assert (item.status, item.county_on, item.county_opinion, item.opened_by) == (
        UpwardStatus.COUNTY_RECOMMENDED,
        day(1),
        "同意推荐。",
        clerk,
    )
    assert steps(item) == [("", UpwardStatus.COUNTY_RECOMMENDED, day(1), clerk.pk, "同意推荐。")]
    document = item.documents.get()
    assert (document.original_name, document.kind, document.entry, document.uploaded_by) == (
        "表.pdf",
        "pdf",
        item.log.get(),
        clerk,
    )
    assert [(e.action, e.label, e.actor_id) for e in base.application.log.all()[before:]] == [
        (LogAction.UPWARD, "向上推荐：县局初审推荐", clerk.pk)
    ]
    told = Notification.objects.filter(kind=NotificationKind.UPWARD, key=f"upward:{item.pk}:county_recommended")
    assert reviewer in {n.user for n in told}
    assert clerk not in {n.user for n in told}


@pytest.mark.parametrize("who", ["other_county", "city", "applicant"])
def test_open_by_anyone_but_the_bases_county_refused(who):
    base = recognised_base()
    user = {
        "other_county": lambda: county_clerk(county("柯桥区")),
        "city": city,
        "applicant": lambda: applicant_of(base.application),
    }[who]()

    with pytest.raises(PermissionDenied):
        services.upward_recommendation_open(base=base, user=user, level="provincial", county_on=day(1), opinion="推荐")

    assert list(UpwardRecommendation.objects.all()) == []


def test_open_of_a_revoked_base_refused():
    base = recognised_base()
    Base.objects.filter(pk=base.pk).update(status="revoked", revoked_on=day(5))
    base.refresh_from_db()

    with pytest.raises(ValidationError) as raised:
        opened(base)

    assert raised.value.messages == ["该基地的认定已被撤销，不能向上推荐。"]
    assert list(UpwardRecommendation.objects.all()) == []


def test_open_of_a_base_under_a_revocation_procedure_refused():
    base = recognised_base()
    services.revocation_notice_serve(
        application=base.application, user=city(), ground="other", facts="经查。", served_on=day(3)
    )

    with pytest.raises(ValidationError) as raised:
        opened(base, on=day(4))

    assert raised.value.messages == ["该基地正在撤销认定程序中（撤销告知已送达），程序办结前不能向上推荐。"]


def test_open_for_an_organisation_within_the_two_year_ban_refused():
    """第十五条: another base of the same organisation revoked less than 2 years ago."""
    base = recognised_base()
    other = ApplicationFactory(
        complete=True,
        organisation=base.organisation,
        batch=BatchFactory(year=TODAY.year - 1),
        advanced_to=State.RECOGNISED,
    )
    Base.objects.filter(pk=other.base.pk).update(status="revoked", revoked_on=TODAY - datetime.timedelta(days=100))

    with pytest.raises(ValidationError) as raised:
        opened(base)

    assert "2年内不得再次申报" in raised.value.messages[0]
    assert list(UpwardRecommendation.objects.all()) == []


def test_one_recommendation_under_way_per_level_and_none_after_recognition_at_that_level():
    base = recognised_base()
    provincial = opened(base)

    with pytest.raises(ValidationError) as twice:
        opened(base)
    national = opened(base, level="national")
    reviewer = city()
    services.upward_recommendation_decide(
        item=national, user=reviewer, version=national.version, decision="decline", city_on=day(2), opinion="不成熟。"
    )
    again = opened(base, level="national", on=day(3))  # after 不予推荐, the county may recommend again
    provincial = services.upward_recommendation_decide(
        item=provincial, user=reviewer, version=provincial.version, decision="recommend", city_on=day(2), opinion="推"
    )
    services.upward_recommendation_outcome(
        item=provincial,
        user=reviewer,
        version=provincial.version,
        outcome="recognised",
        outcome_on=day(5),
        document_number=NUMBER,
    )
    with pytest.raises(ValidationError) as recognised:
        opened(base, on=day(6))

    assert twice.value.messages == ["该基地已有一项省级推荐正在办理（县局已初审推荐，待市局审核）。"]
    assert recognised.value.messages == ["该基地已获评省级商业秘密保护基地，无需再次推荐。"]
    assert set(UpwardRecommendation.objects.values_list("pk", "status")) == {
        (provincial.pk, UpwardStatus.RECOGNISED),
        (national.pk, UpwardStatus.CITY_DECLINED),
        (again.pk, UpwardStatus.COUNTY_RECOMMENDED),
    }


def test_the_database_holds_one_recommendation_under_way_per_base_and_level():
    base = recognised_base()
    item = opened(base)

    with pytest.raises(ValidationError):  # full_clean: the constraint's own message
        UpwardRecommendation(
            base=base, level="provincial", status=UpwardStatus.CITY_RECOMMENDED, opened_by=item.opened_by
        ).validate_constraints()


# --- Dates: between the step before and today ------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (RECOGNISED_ON - datetime.timedelta(days=1), f"日期不能早于认定日期（{cn_date(RECOGNISED_ON)}）。"),
        (TODAY + datetime.timedelta(days=1), f"日期不能晚于今天（{cn_date(TODAY)}）。"),
        (datetime.date(2099, 12, 31), f"日期不能晚于今天（{cn_date(TODAY)}）。"),
    ],
    ids=["before_recognition", "tomorrow", "far_future"],
)
def test_county_date_outside_recognition_and_today_refused(when, message):
    base = recognised_base()

    with pytest.raises(ValidationError) as raised:
        opened(base, on=when)

    assert raised.value.messages == [message]


def test_city_date_before_the_county_date_and_outcome_before_the_city_date_refused():
    base = recognised_base()
    item = opened(base, on=day(10))
    reviewer = city()

    with pytest.raises(ValidationError) as early:
        services.upward_recommendation_decide(
            item=item, user=reviewer, version=item.version, decision="recommend", city_on=day(9), opinion="推荐。"
        )
    item = services.upward_recommendation_decide(
        item=item, user=reviewer, version=item.version, decision="recommend", city_on=day(12), opinion="推荐。"
    )
    with pytest.raises(ValidationError) as outcome:
        services.upward_recommendation_outcome(
            item=item, user=reviewer, version=item.version, outcome="not_recognised", outcome_on=day(11)
        )

    assert early.value.messages == [f"日期不能早于县局初审推荐日期（{cn_date(day(10))}）。"]
    assert outcome.value.messages == [f"日期不能早于市局推荐上报日期（{cn_date(day(12))}）。"]


# --- The city's steps, in order --------------------------------------------------------------------------


def test_city_decision_by_the_county_refused():
    base = recognised_base()
    item = opened(base)

    with pytest.raises(PermissionDenied):
        services.upward_recommendation_decide(
            item=item, user=clerk_of(base), version=item.version, decision="recommend", city_on=day(2), opinion="推"
        )

    item.refresh_from_db()
    assert item.status == UpwardStatus.COUNTY_RECOMMENDED


def test_outcome_before_the_city_recommended_it_on_refused():
    base = recognised_base()
    item = opened(base)

    with pytest.raises(ValidationError) as raised:
        services.upward_recommendation_outcome(
            item=item,
            user=city(),
            version=item.version,
            outcome="recognised",
            outcome_on=day(2),
            document_number=NUMBER,
        )

    assert raised.value.messages == ["该推荐当前为“县局已初审推荐，待市局审核”，不能办理此步骤。请刷新页面查看。"]


def test_no_step_after_the_city_declined():
    base = recognised_base()
    item = opened(base)
    reviewer = city()
    item = services.upward_recommendation_decide(
        item=item, user=reviewer, version=item.version, decision="decline", city_on=day(2), opinion="条件不足。"
    )

    with pytest.raises(ValidationError):
        services.upward_recommendation_decide(
            item=item, user=reviewer, version=item.version, decision="recommend", city_on=day(2), opinion="推荐。"
        )
    with pytest.raises(ValidationError):
        services.upward_recommendation_outcome(
            item=item, user=reviewer, version=item.version, outcome="not_recognised", outcome_on=day(3)
        )

    assert steps(item) == [
        ("", UpwardStatus.COUNTY_RECOMMENDED, day(1), clerk_of(base).pk, "同意推荐。"),
        (UpwardStatus.COUNTY_RECOMMENDED, UpwardStatus.CITY_DECLINED, day(2), reviewer.pk, "条件不足。"),
    ]


def test_reasons_are_required_to_decline_and_an_opinion_to_recommend():
    base = recognised_base()
    item = opened(base)

    for decision, message in (("decline", "请写明不予推荐的理由。"), ("recommend", "请填写市局推荐意见。")):
        with pytest.raises(ValidationError) as raised:
            services.upward_recommendation_decide(
                item=item, user=city(), version=item.version, decision=decision, city_on=day(2), opinion="  "
            )
        assert raised.value.message_dict == {"opinion": [message]}


def test_a_base_put_under_revocation_after_the_county_step_may_be_declined_but_not_recommended_on():
    base = recognised_base()
    item = opened(base)
    reviewer = city()
    services.revocation_notice_serve(
        application=base.application, user=reviewer, ground="other", facts="经查。", served_on=day(2)
    )

    with pytest.raises(ValidationError) as raised:
        services.upward_recommendation_decide(
            item=item, user=reviewer, version=item.version, decision="recommend", city_on=day(3), opinion="推荐。"
        )
    declined = services.upward_recommendation_decide(
        item=item, user=reviewer, version=item.version, decision="decline", city_on=day(3), opinion="撤销程序中。"
    )

    assert raised.value.messages == [
        "该基地正在撤销认定程序中（撤销告知已送达），程序办结前不能向上推荐。可决定不予推荐。"
    ]
    assert declined.status == UpwardStatus.CITY_DECLINED


def test_a_stale_version_refused_and_the_same_click_twice_changes_nothing():
    base = recognised_base()
    item = opened(base)
    reviewer = city()
    version = item.version

    first = services.upward_recommendation_decide(
        item=item, user=reviewer, version=version, decision="recommend", city_on=day(2), opinion="推荐。"
    )
    second = services.upward_recommendation_decide(
        item=item, user=reviewer, version=version, decision="recommend", city_on=day(2), opinion="推荐。"
    )
    with pytest.raises(ValidationError) as stale:
        services.upward_recommendation_outcome(
            item=item, user=reviewer, version=version, outcome="not_recognised", outcome_on=day(3)
        )

    assert (first.pk, first.version) == (second.pk, second.version) == (item.pk, version + 1)
    assert item.log.count() == 2
    assert stale.value.messages == ["该推荐已在其他页面处理过，请刷新后重新办理。"]


def test_outcome_recognised_needs_its_number_and_tells_the_county_and_the_organisation():
    base = recognised_base()
    item = recommended(base)
    reviewer = city()

    with pytest.raises(ValidationError) as without:
        services.upward_recommendation_outcome(
            item=item, user=reviewer, version=item.version, outcome="recognised", outcome_on=day(3)
        )
    item = services.upward_recommendation_outcome(
        item=item,
        user=reviewer,
        version=item.version,
        outcome="recognised",
        outcome_on=day(3),
        document_number=NUMBER,
        files=[upload("省局通知.pdf")],
    )

    assert without.value.message_dict == {"document_number": ["获评的请填写评审结果文件的文号。"]}
    assert (item.status, item.outcome_on, item.outcome_document) == (UpwardStatus.RECOGNISED, day(3), NUMBER)
    told = {n.user for n in Notification.objects.filter(key=f"upward:{item.pk}:recognised")}
    assert {clerk_of(base), applicant_of(base.application)} <= told
    assert [d.original_name for d in UpwardDocument.objects.filter(entry__to_status="recognised")] == ["省局通知.pdf"]


def test_the_log_is_append_only():
    item = opened(recognised_base(), files=[upload()])
    entry, document = item.log.get(), item.documents.get()

    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        UpwardRecommendationLog.objects.filter(pk=entry.pk).update(reason="改")
    with pytest.raises(AppendOnlyError):
        document.delete()
    with pytest.raises(AppendOnlyError):
        UpwardDocument.objects.all().delete()


# --- Documents: checked by content, nothing kept of a refused step ---------------------------------------


def test_a_file_of_a_type_not_taken_refuses_the_whole_step_and_keeps_no_file(private_storage):
    base = recognised_base()
    files = [upload("推荐表.pdf"), SimpleUploadedFile("推荐函.pdf", NOT_A_FILE_WE_TAKE)]

    with pytest.raises(ValidationError) as raised:
        opened(base, files=files)

    assert list(raised.value.message_dict) == ["files"]
    assert "推荐函.pdf" in raised.value.message_dict["files"][0]
    assert list(UpwardRecommendation.objects.all()) == list(UpwardDocument.objects.all()) == []
    assert not (private_storage / "upward").exists()


def test_documents_download_to_the_bureaus_in_scope_only(client):
    base = recognised_base()
    item = opened(base, files=[upload("初审推荐表.pdf")])
    url = reverse("reviews:upward-document", args=[item.documents.get().pk])
    answers = {}
    for who, user in {
        "county": clerk_of(base),
        "city": city(),
        "other_county": county_clerk(county("柯桥区")),
        "applicant": applicant_of(base.application),
    }.items():
        client.force_login(user)
        response = client.get(url)
        answers[who] = response.status_code
        if response.status_code == 200:
            assert response["Content-Type"] == "application/pdf"
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "attachment" in response["Content-Disposition"]

    assert answers == {"county": 200, "city": 200, "other_county": 404, "applicant": 404}


# --- Pages ---------------------------------------------------------------------------------------------------


def test_the_county_opens_through_the_page_with_a_document(client):
    base = recognised_base()
    client.force_login(clerk_of(base))

    page = client.get(reverse("reviews:upward-open", args=[base.pk]))
    response = client.post(
        reverse("reviews:upward-open", args=[base.pk]),
        {"level": "national", "county_on": day(2).isoformat(), "opinion": "同意推荐。", "files": [upload("表.pdf")]},
    )

    item = UpwardRecommendation.objects.get()
    assert page.status_code == 200
    assert response.status_code == 302 and response["Location"] == reverse("reviews:upward-detail", args=[item.pk])
    assert (item.level, item.county_on, item.documents.count()) == ("national", day(2), 1)


def test_a_refused_file_on_the_page_keeps_what_was_typed(client):
    base = recognised_base()
    client.force_login(clerk_of(base))

    response = client.post(
        reverse("reviews:upward-open", args=[base.pk]),
        {
            "level": "provincial",
            "county_on": day(2).isoformat(),
            "opinion": "同意推荐，材料见附件。",
            "files": [SimpleUploadedFile("附件.pdf", NOT_A_FILE_WE_TAKE)],
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "附件.pdf" in body and "同意推荐，材料见附件。" in body
    assert list(UpwardRecommendation.objects.all()) == []


def test_the_open_page_says_why_a_base_may_not_be_recommended(client):
    base = recognised_base()
    services.revocation_notice_serve(
        application=base.application, user=city(), ground="other", facts="经查。", served_on=day(3)
    )
    client.force_login(clerk_of(base))

    response = client.get(reverse("reviews:upward-open", args=[base.pk]))

    assert response.status_code == 200
    assert "程序办结前不能向上推荐" in response.content.decode()
    assert "初审推荐至市局</button>" not in response.content.decode()


def test_the_detail_page_offers_each_viewer_only_the_step_it_may_take(client):
    base = recognised_base()
    item = opened(base)
    reviewer = city()
    url = reverse("reviews:upward-detail", args=[item.pk])

    client.force_login(clerk_of(base))
    as_county = client.get(url).content.decode()
    client.force_login(reviewer)
    as_city = client.get(url).content.decode()
    services.upward_recommendation_decide(
        item=item, user=reviewer, version=item.version, decision="recommend", city_on=day(2), opinion="推荐。"
    )
    after = client.get(url).content.decode()

    assert "upward-decide" not in as_county and "/decision/" not in as_county and "/outcome/" not in as_county
    assert "/decision/" in as_city and "/outcome/" not in as_city
    assert "/decision/" not in after and "/outcome/" in after
    assert "同意推荐。" in as_county  # the history with the county's opinion


def test_the_city_decides_through_the_page_and_a_crafted_date_is_refused(client):
    base = recognised_base()
    item = opened(base)
    client.force_login(city())
    url = reverse("reviews:upward-decide", args=[item.pk])
    data = {"decision-decision": "recommend", "decision-opinion": "推荐上报。", "decision-version": item.version}

    future = client.post(url, {**data, "decision-city_on": "9999-01-01"})
    done = client.post(url, {**data, "decision-city_on": day(3).isoformat()})
    again = client.post(reverse("reviews:upward-outcome", args=[item.pk]), {"outcome-outcome": "bogus"})

    item.refresh_from_db()
    assert future.status_code == 400
    assert done.status_code == 302
    assert again.status_code == 400
    assert (item.status, item.city_on) == (UpwardStatus.CITY_RECOMMENDED, day(3))


def test_the_outcome_page_checks_the_document_number(client):
    item = recommended(recognised_base())
    client.force_login(city())
    url = reverse("reviews:upward-outcome", args=[item.pk])
    data = {"outcome-outcome": "recognised", "outcome-outcome_on": day(3).isoformat(), "outcome-version": item.version}

    wrong = client.post(url, {**data, "outcome-document_number": "21号"})
    right = client.post(url, {**data, "outcome-document_number": NUMBER})

    item.refresh_from_db()
    assert wrong.status_code == 400 and "文号格式应为" in wrong.content.decode()
    assert right.status_code == 302
    assert (item.status, item.outcome_document) == (UpwardStatus.RECOGNISED, NUMBER)


def test_the_list_shows_a_county_its_own_bases_and_the_city_all_with_filters(client):
    yuecheng, keqiao = recognised_base("越城区"), recognised_base("柯桥区")
    mine, theirs = opened(yuecheng), recommended(keqiao)
    url = reverse("reviews:upward-list")

    def listed(user, query=""):
        client.force_login(user)
        return [item.pk for item in client.get(url + query).context["page"]]

    reviewer = city()
    assert listed(clerk_of(yuecheng)) == [mine.pk]
    assert listed(clerk_of(keqiao)) == [theirs.pk]
    assert set(listed(reviewer)) == {mine.pk, theirs.pk}
    assert listed(reviewer, "?status=city_recommended") == [theirs.pk]
    assert listed(reviewer, f"?county={keqiao.organisation.county_id}") == [theirs.pk]
    assert listed(reviewer, "?level=national") == []
    client.force_login(applicant_of(yuecheng.application))
    assert client.get(url).status_code == 403


def test_the_list_costs_the_same_queries_for_few_and_many(client):
    client.force_login(city())
    url = reverse("reviews:upward-list")

    def queries() -> int:
        client.get(url)  # the count kept in the cache again since the rows changed
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    opened(recognised_base())
    few = queries()
    for _ in range(5):
        recommended(recognised_base())

    assert queries() == few


def test_the_applicant_sees_the_stage_and_outcome_on_its_base_page_but_not_the_opinions(client):
    base = recognised_base()
    item = recommended(base)
    services.upward_recommendation_outcome(
        item=item, user=city(), version=item.version, outcome="recognised", outcome_on=day(3), document_number=NUMBER
    )
    client.force_login(applicant_of(base.application))

    page = client.get(reverse("reviews:base-detail", args=[base.pk])).content.decode()
    detail = client.get(reverse("reviews:upward-detail", args=[item.pk]))

    assert "已获评" in page and NUMBER in page
    assert "同意推荐。" not in page and "推荐上报。" not in page
    assert reverse("reviews:upward-detail", args=[item.pk]) not in page
    assert detail.status_code == 404


# --- Statistics: one source of truth ---------------------------------------------------------------------


def test_provincial_bases_count_towards_the_target_only_once_recognised():
    base = recognised_base()
    reviewer = city()
    item = recommended(base)
    county_id = base.organisation.county_id

    def provincial():
        tally = actuals([county_id], day(3).year, day(3).year).get((day(3).year, county_id, "provincial"))
        return tally.done if tally else 0

    waiting = provincial()
    services.upward_recommendation_outcome(
        item=item, user=reviewer, version=item.version, outcome="recognised", outcome_on=day(3), document_number=NUMBER
    )

    assert (waiting, provincial()) == (0, 1)


def test_the_county_summary_counts_each_step_in_its_year():
    base = recognised_base()
    recommended(base)
    declined = opened(base, level="national")
    services.upward_recommendation_decide(
        item=declined, user=city(), version=declined.version, decision="decline", city_on=day(2), opinion="否。"
    )
    year = day(2).year
    if day(1).year != year:  # the steps fall in two years: the summary of each counts its own
        pytest.skip("the test's dates straddle the new year")

    lines = {label: count for label, count, _ in county_summary(city(), base.organisation.county, year)}

    assert {label: n for label, n in lines.items() if label.startswith("向上推荐")} == {
        "向上推荐：县局初审推荐": 2,
        "向上推荐：市局推荐上报": 1,
        "向上推荐：市局不予推荐": 1,
        "向上推荐：获评": 0,
        "向上推荐：未获评": 0,
    }


def test_selectors_scope_the_recommendations():
    mine, theirs = opened(recognised_base("越城区")), opened(recognised_base("柯桥区"))

    assert set(selectors.upward_recommendations_for_user(county_clerk(county("越城区")))) == {mine}
    assert set(selectors.upward_recommendations_for_user(city())) == {mine, theirs}
    assert list(selectors.upward_recommendations_for_user(applicant_of(mine.base.application))) == []
    assert list(selectors.upward_recommendations_for_user(UserFactory(city_admin=True, is_active=False))) == []


def test_a_step_taken_meanwhile_in_another_tab_is_refused_with_its_reason_shown(client):
    item = opened(recognised_base())
    client.force_login(city())
    url = reverse("reviews:upward-decide", args=[item.pk])
    data = {
        "decision-decision": "recommend",
        "decision-city_on": day(2).isoformat(),
        "decision-opinion": "推荐上报。",
        "decision-version": item.version,
    }
    client.post(url, data)

    other_tab = client.post(url, {**data, "decision-decision": "decline", "decision-opinion": "不予推荐。"})

    item.refresh_from_db()
    assert other_tab.status_code == 400
    assert "不能办理此步骤" in other_tab.content.decode()
    assert (item.status, item.log.count()) == (UpwardStatus.CITY_RECOMMENDED, 2)


def test_the_citys_start_page_counts_the_counties_recommendations_waiting_for_it(client):
    opened(recognised_base())
    recommended(recognised_base())
    client.force_login(city())

    page = client.get(reverse("home")).content.decode()

    assert '<h2>向上推荐待市局审核</h2><p class="stat">1</p>' in page
    client.force_login(county_clerk(county("越城区")))
    assert "向上推荐待市局审核" not in client.get(reverse("home")).content.decode()


# --- Real races: the row locks let one step through -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ten_counties_clicks_at_once_open_one_and_ten_city_decisions_take_one():
    from tests.bases.test_concurrency import together

    base = recognised_base()
    clerk = clerk_of(base)

    def open_one(i):
        services.upward_recommendation_open(
            base=base, user=clerk, level="provincial", county_on=day(1), opinion=f"同意推荐{i}。"
        )
        return "ok"

    opens = together(open_one, n=10)
    item = UpwardRecommendation.objects.get()
    reviewer = city()

    def decide(i):
        services.upward_recommendation_decide(
            item=item,
            user=reviewer,
            version=item.version,
            decision="recommend" if i % 2 else "decline",
            city_on=day(2),
            opinion=f"意见{i}。",
        )
        return "ok"

    decisions = together(decide, n=10)

    assert opens.count("ok") == 1 and all(isinstance(o, ValidationError) for o in opens if o != "ok"), opens
    assert all(isinstance(o, ValidationError) for o in decisions if o != "ok"), decisions
    assert 1 <= decisions.count("ok") <= 5  # the winner, and second clicks of the same decision at most
    item.refresh_from_db()
    assert (item.version, item.log.count()) == (2, 2)


def test_a_revocation_ends_the_recommendations_under_way_and_asks_the_city_to_withdraw(
    django_capture_on_commit_callbacks,
):
    """第十五条: a base whose recognition is revoked is recommended no further: its recommendations under
    way (at the city, or already reported on) end with the decision, logged by the one who decided."""
    from bases.models import Application
    from bases.services import application_transition

    base = recognised_base()
    at_city = opened(base)
    reported = recommended(base, level="national")
    done = services.upward_recommendation_outcome(
        item=recommended(recognised_base("柯桥区")),
        user=city(),
        version=2,
        outcome="not_recognised",
        outcome_on=day(3),
        document_number="",
        note="未获评。",
    )
    authority = city()
    case = services.revocation_notice_serve(
        application=base.application, user=authority, ground="dishonesty", facts="列入严重失信名单。", served_on=TODAY
    )
    services.revocation_statement_submit(case=case, user=applicant_of(base.application), statement="已整改。")
    current = Application.objects.get(pk=base.application_id)
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(
            application=current,
            action="revoke",
            user=authority,
            version=current.version,
            effect_kwargs={"reasons": "不予采纳。", "document_number": NUMBER, "revoked_on": TODAY},
        )

    for item, before in ((at_city, UpwardStatus.COUNTY_RECOMMENDED), (reported, UpwardStatus.CITY_RECOMMENDED)):
        item.refresh_from_db()
        last = item.log.order_by("pk").last()
        assert (item.status, last.from_status, last.actor, last.step_on) == (
            UpwardStatus.ENDED,
            before,
            authority,
            TODAY,
        )
        assert NUMBER in last.reason
    done.refresh_from_db()
    assert done.status == UpwardStatus.NOT_RECOGNISED  # another base's, and ended already: untouched
    told = Notification.objects.filter(kind=NotificationKind.UPWARD, key=f"upward:{reported.pk}:ended")
    assert told.exists() and all("请告知上级部门撤回" in n.message for n in told)
    assert selectors.upward_refusal(Base.objects.get(pk=base.pk))  # and it cannot be opened again
