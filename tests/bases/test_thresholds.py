"""The quantitative conditions of 第六条 (zone), 第八条 (station) and 第十条 (point), as declared in
forms_spec and evaluated for an application."""

import pytest

from bases.forms_spec import POINT, STATION, ZONE, Share, evaluate
from bases.models import Application

ZONE_SHARE = "园区内开展商业秘密保护工作的企业数占入园企业数量的比例"


def result(spec, code, form_values, figures, met=True):
    """The ConditionResult of one condition, every condition claimed `met` with the given figures."""
    assessment = {c.code: {"met": met, "explanation": "已落实", "figures": figures} for c in spec.conditions}
    return next(r for r in evaluate(spec, form_values, assessment) if r.condition.code == code)


@pytest.mark.parametrize(
    "protecting, passed, text",
    [
        (29, False, f"{ZONE_SHARE} 29/100 = 29.0%，未达到 30%"),
        (30, True, f"{ZONE_SHARE} 30/100 = 30.0%，达到 30%"),
        (31, True, f"{ZONE_SHARE} 31/100 = 31.0%，达到 30%"),
    ],
)
def test_zone_protecting_share_30_percent_inclusive(protecting, passed, text):
    r = result(
        ZONE,
        "zone-1",
        {"enterprise_count": 100, "provincial_sites_built": 1, "city_sites_built": 0},
        {"protecting_enterprises": protecting},
    )

    assert (r.checks[0].passed, r.checks[0].text) == (passed, text)
    assert r.holds is passed


@pytest.mark.parametrize(
    "provincial, city, passed",
    [
        (1, 0, True),
        (0, 3, True),
        (None, 3, True),
        (2, 5, True),
        (0, 2, False),
        (0, 0, False),
        (None, 2, None),  # a missing number may still decide it: not computable yet
        (None, None, None),
    ],
)
def test_zone_sites_built_one_provincial_or_three_city(provincial, city, passed):
    cells = {"enterprise_count": 100, "provincial_sites_built": provincial, "city_sites_built": city}
    r = result(ZONE, "zone-1", cells, {"protecting_enterprises": 50})

    assert r.checks[1].passed is passed
    assert r.holds is (passed is True)


def test_zone_sites_built_text_shows_both_alternatives():
    r = result(
        ZONE,
        "zone-1",
        {"enterprise_count": 100, "provincial_sites_built": 0, "city_sites_built": 2},
        {"protecting_enterprises": 50},
    )

    assert r.checks[1].text == "省级示范站（点）已建数 0，未达到 1；或 市级示范站（点）已建数 2，未达到 3"


@pytest.mark.parametrize(
    "figure, index, value, passed, text",
    [
        ("trained_members", 0, 30, False, "本年度培训企业数占会员数量的比例 30/100 = 30.0%，未超过 30%"),
        ("trained_members", 0, 31, True, "本年度培训企业数占会员数量的比例 31/100 = 31.0%，超过 30%"),
        (
            "protecting_members",
            1,
            20,
            False,
            "开展商业秘密保护工作的会员（辖区企业）数占会员数量的比例 20/100 = 20.0%，未超过 20%",
        ),
        (
            "protecting_members",
            1,
            21,
            True,
            "开展商业秘密保护工作的会员（辖区企业）数占会员数量的比例 21/100 = 21.0%，超过 20%",
        ),
    ],
)
def test_station_shares_strictly_greater(figure, index, value, passed, text):
    figures = {"trained_members": 50, "protecting_members": 50} | {figure: value}
    r = result(STATION, "station-5", {"member_count": 100, "provincial_sites_built": 1, "city_sites_built": 0}, figures)

    assert (r.checks[index].passed, r.checks[index].text) == (passed, text)
    assert r.holds is passed


@pytest.mark.parametrize("provincial, city, passed", [(1, 0, True), (0, 2, True), (0, 1, False)])
def test_station_points_built_one_provincial_or_two_city(provincial, city, passed):
    r = result(
        STATION,
        "station-5",
        {"member_count": 100, "provincial_sites_built": provincial, "city_sites_built": city},
        {"trained_members": 50, "protecting_members": 50},
    )

    assert r.checks[2].passed is passed
    assert r.holds is passed


@pytest.mark.parametrize(
    "infringements, passed, text",
    [(0, True, "近2年侵犯他人商业秘密行为次数 0，未超过 0"), (1, False, "近2年侵犯他人商业秘密行为次数 1，超过 0")],
)
def test_point_infringements_in_two_years_must_be_zero(infringements, passed, text):
    r = result(POINT, "point-5", {}, {"infringements_2y": infringements})

    assert [(c.passed, c.text) for c in r.checks] == [(passed, text)]
    assert r.holds is passed


@pytest.mark.parametrize("spec, code", [(STATION, "station-1"), (POINT, "point-1")])
@pytest.mark.parametrize("officers, passed", [(0, False), (1, True)])
def test_secrecy_officers_at_least_one(spec, code, officers, passed):
    r = result(spec, code, {}, {"secrecy_officers": officers})

    words = "达到" if passed else "未达到"
    assert [(c.passed, c.text) for c in r.checks] == [(passed, f"专（兼）职保密员人数 {officers}，{words} 1")]
    assert r.holds is passed


def test_share_numbers_missing_not_computable_and_condition_not_holding():
    r = result(ZONE, "zone-1", {"enterprise_count": None, "provincial_sites_built": 1, "city_sites_built": 0}, {})

    assert r.checks[0].passed is None
    assert r.checks[0].text == f"{ZONE_SHARE}无法计算：数字未填写（要求达到 30%）"
    assert (r.computed, r.complete, r.holds) == (None, False, False)


def test_at_least_number_missing_not_computable_and_condition_not_holding():
    r = result(POINT, "point-1", {}, {"secrecy_officers": None})

    assert [(c.passed, c.text) for c in r.checks] == [(None, "专（兼）职保密员人数未填写（要求不少于 1）")]
    assert (r.computed, r.complete, r.holds) == (None, False, False)


def test_share_denominator_zero_fails():
    r = result(
        ZONE,
        "zone-1",
        {"enterprise_count": 0, "provincial_sites_built": 1, "city_sites_built": 0},
        {"protecting_enterprises": 0},
    )

    assert r.checks[0].passed is False
    assert r.checks[0].text == f"{ZONE_SHARE}无法计算：入园企业数量为 0（要求达到 30%）"
    assert r.holds is False


@pytest.mark.parametrize(
    "met, protecting, holds",
    [(True, 30, True), (True, 29, False), (False, 30, False), (None, 30, False)],
)
def test_application_condition_results_hold_only_when_claimed_and_computed(met, protecting, holds):
    application = Application(
        base_type="zone",
        enterprise_count=100,
        provincial_sites_built=0,
        city_sites_built=3,
        self_assessment={
            "zone-1": {"met": met, "explanation": "已出台政策", "figures": {"protecting_enterprises": protecting}}
        },
    )

    results = {r.condition.code: r for r in application.condition_results()}

    assert set(results) == {c.code for c in ZONE.conditions}
    assert results["zone-1"].holds is holds
    words = "达到" if protecting >= 30 else "未达到"
    assert f"{protecting}/100 = {protecting}.0%，{words} 30%" in results["zone-1"].checks[0].text
    assert {code for code, r in results.items() if code != "zone-1" and r.holds} == set()


def test_application_condition_without_figures_holds_on_the_applicant_answer():
    application = Application(base_type="point", self_assessment={"point-2": {"met": True, "explanation": "有场所"}})

    results = {r.condition.code: r for r in application.condition_results()}

    assert (results["point-2"].checks, results["point-2"].computed, results["point-2"].holds) == ([], None, True)
    assert results["point-4"].holds is False


@pytest.mark.parametrize(
    "num, den, strict, passed, text",
    [
        (2996, 10000, False, False, "29.9%，未达到 30%"),  # rounded down: never reads 30.0 %
        (2999, 10000, False, False, "29.9%，未达到 30%"),
        (3004, 10000, True, True, "30.04%，超过 30%"),  # above the threshold, shown so
        (3000, 10000, True, False, "30.0%，未超过 30%"),  # 第八条 "超30%": 30 % is not above it
    ],
)
def test_share_text_rounds_down_and_says_the_comparison_that_holds(num, den, strict, passed, text):
    check = Share("trained", "members", 30, strict=strict)

    result = check.evaluate({"trained": num, "members": den}, {"trained": "培训企业数", "members": "会员数量"})

    assert (result.passed, result.text) == (passed, f"培训企业数占会员数量的比例 {num}/{den} = {text}")
