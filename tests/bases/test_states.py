"""The state table (bases/states.py) read through its functions: for every state and level, the step,
the office, the next step and the work queue, written out here as the bureau would say them."""

import pytest

from bases import states
from bases.choices import Level, Office, State

CITY, COUNTY = Level.CITY, Level.COUNTY

# state: (step at city level, step at county level)
STEPS = {
    State.CULTIVATION: ("cultivation", "cultivation"),
    State.DRAFT: ("submission", "submission"),
    State.RETURNED: ("submission", "submission"),
    State.SUBMITTED: ("recommendation", "acceptance"),
    State.RECOMMENDED: ("acceptance", "acceptance"),
    State.IN_ACCEPTANCE: ("acceptance", "acceptance"),
    State.PENDING_APPROVAL: ("approval", "approval"),
    State.ACCEPTED: ("publicity", "publicity"),
    State.IN_PUBLICITY: ("publicity", "publicity"),
    State.RECOGNISED: ("recognition", "recognition"),
    State.DECLINED: (None, None),
    State.FAILED: (None, None),
    State.WITHDRAWN: (None, None),
    State.REVOKED: (None, None),
}

# state: (bureau holding a city-level application, a county-level one); None: the applicant or nobody
HOLDERS = {
    State.CULTIVATION: (COUNTY, COUNTY),
    State.DRAFT: (None, None),
    State.RETURNED: (None, None),
    State.SUBMITTED: (COUNTY, COUNTY),
    State.RECOMMENDED: (CITY, COUNTY),
    State.IN_ACCEPTANCE: (CITY, COUNTY),
    State.PENDING_APPROVAL: (CITY, COUNTY),  # its leader's desk (held_by_leader)
    State.ACCEPTED: (CITY, COUNTY),
    State.IN_PUBLICITY: (CITY, COUNTY),
    State.RECOGNISED: (CITY, COUNTY),
    State.DECLINED: (None, None),
    State.FAILED: (None, None),
    State.WITHDRAWN: (None, None),
    State.REVOKED: (None, None),
}


def test_every_state_has_one_row_in_procedure_order():
    assert list(states.STATES) == [
        State.CULTIVATION,
        State.DRAFT,
        State.RETURNED,
        State.SUBMITTED,
        State.RECOMMENDED,
        State.IN_ACCEPTANCE,
        State.PENDING_APPROVAL,
        State.ACCEPTED,
        State.IN_PUBLICITY,
        State.RECOGNISED,
        State.DECLINED,
        State.FAILED,
        State.WITHDRAWN,
        State.REVOKED,
    ]
    assert set(states.STATES) == set(State)


@pytest.mark.parametrize("state", list(State))
def test_step_of_each_state_per_level(state):
    city, county = STEPS[state]

    assert (getattr(states.step_of(state, CITY), "key", None), getattr(states.step_of(state, COUNTY), "key", None)) == (
        city,
        county,
    )


@pytest.mark.parametrize("state", list(State))
def test_holder_of_each_state_per_level(state):
    assert (states.holder(state, CITY), states.holder(state, COUNTY)) == HOLDERS[state]


def test_office_of_follows_the_step_and_is_none_once_ended():
    assert states.office_of(State.DRAFT, CITY) == Office.APPLICANT
    assert states.office_of(State.SUBMITTED, CITY) == Office.COUNTY
    assert states.office_of(State.SUBMITTED, COUNTY) == Office.AUTHORITY
    assert states.office_of(State.IN_PUBLICITY, CITY) == Office.AUTHORITY
    assert states.office_of(State.PENDING_APPROVAL, COUNTY) == Office.LEADER
    assert states.office_of(State.WITHDRAWN, CITY) is None


def test_held_by_leader_only_while_waiting_for_approval():
    held = {(state, level) for state in State for level in (CITY, COUNTY) if states.held_by_leader(state, level)}

    assert held == {(State.PENDING_APPROVAL, CITY), (State.PENDING_APPROVAL, COUNTY)}


def test_bureau_of_each_office_per_level():
    assert [states.bureau_of(office, level) for office in Office for level in (CITY, COUNTY)] == [
        None,
        None,  # the applicant is no bureau
        COUNTY,
        COUNTY,
        CITY,
        COUNTY,  # the acceptance authority: the city for city-level, the county for county-level (第十七条)
        CITY,
        COUNTY,  # its leader (报批) likewise
    ]
    assert states.bureau_of(None, CITY) is None


def test_procedure_city_level_has_the_recommendation_county_level_not():
    assert [step.key for step in states.procedure(CITY)] == [
        "cultivation",
        "submission",
        "recommendation",
        "acceptance",
        "approval",
        "publicity",
        "recognition",
    ]
    assert [step.key for step in states.procedure(COUNTY)] == [
        "cultivation",
        "submission",
        "acceptance",
        "approval",
        "publicity",
        "recognition",
    ]


def test_step_label_county_wording_only_where_it_differs():
    labels = {level: [states.step_label(step, level) for step in states.procedure(level)] for level in (CITY, COUNTY)}

    assert labels == {
        CITY: ["培育指导", "自主申报", "审核推荐", "组织验收", "报批", "公示", "发文认定"],
        COUNTY: ["培育指导", "自主申报", "县局组织验收", "报批", "公示", "发文认定"],
    }


def test_next_step_per_level_where_it_differs():
    assert states.next_step(State.SUBMITTED, CITY) == "等待县局审核推荐"
    assert states.next_step(State.SUBMITTED, COUNTY) == "等待县局审核并组织验收"
    assert states.next_step(State.DRAFT, COUNTY) == "填写申报表、上传证明材料并提交申报"
    assert states.next_step(State.WITHDRAWN, CITY) == ""


def test_queue_of_per_level():
    assert states.queue_of(State.IN_ACCEPTANCE, CITY) == "验收中"
    assert states.queue_of(State.IN_ACCEPTANCE, COUNTY) == "县级验收中"
    assert states.queue_of(State.RECOMMENDED, CITY) == "已推荐待组织验收"
    assert states.queue_of(State.RECOMMENDED, COUNTY) == ""
    assert states.queue_of(State.SUBMITTED, COUNTY) == "已申报待审核推荐"
    assert states.queue_of(State.DRAFT, CITY) == ""


def test_queues_of_the_county_and_of_the_city():
    assert states.queues(COUNTY) == [
        states.Queue("培育中的对象", State.CULTIVATION, (CITY, COUNTY)),
        states.Queue("已申报待审核推荐", State.SUBMITTED, (CITY, COUNTY)),
        states.Queue("县级验收中", State.IN_ACCEPTANCE, (COUNTY,)),
        states.Queue("县级已批准待公示", State.ACCEPTED, (COUNTY,)),
        states.Queue("县级公示中", State.IN_PUBLICITY, (COUNTY,)),
    ]
    assert states.queues(CITY) == [
        states.Queue("已推荐待组织验收", State.RECOMMENDED, (CITY,)),
        states.Queue("验收中", State.IN_ACCEPTANCE, (CITY,)),
        states.Queue("已批准待公示", State.ACCEPTED, (CITY,)),
        states.Queue("公示中", State.IN_PUBLICITY, (CITY,)),
    ]
    assert states.queues(None) == []


def test_queues_of_the_leaders_hold_what_waits_for_approval_and_nothing_else():
    """报批: the staff's queues leave it out (it waits elsewhere), the bureau's leader has it alone."""
    assert states.queues(CITY, leader=True) == [states.Queue("待报批", State.PENDING_APPROVAL, (CITY,))]
    assert states.queues(COUNTY, leader=True) == [states.Queue("县级待报批", State.PENDING_APPROVAL, (COUNTY,))]


def test_what_each_state_allows():
    def where(predicate):
        return {state for state in State if predicate(state)}

    assert where(states.is_editable) == {State.DRAFT, State.RETURNED}
    assert where(states.allows_guidance) == {State.CULTIVATION, State.DRAFT, State.RETURNED}
    assert where(states.is_final) == {State.RECOGNISED, State.DECLINED, State.FAILED, State.WITHDRAWN, State.REVOKED}
    assert where(states.is_explained) == {State.RETURNED, State.DECLINED, State.FAILED}


def test_states_where_a_flag_has_a_value():
    assert states.states_where("active", False) == {State.DECLINED, State.FAILED, State.WITHDRAWN}
    assert states.states_where("unsubmitted") == {State.CULTIVATION, State.DRAFT, State.RETURNED}
    assert states.states_where("editable", True) == {State.DRAFT, State.RETURNED}


def test_label_and_public_wording():
    assert states.label(State.IN_PUBLICITY) == "公示中"
    assert states.label("in_publicity") == "公示中"
    assert states.label("legacy_state") == "legacy_state"  # an unknown value (an old log row) shows as it is
    assert states.public_label(State.RECOMMENDED) == "县局已推荐，等待市局组织验收"
    assert states.info("draft") is states.STATES[State.DRAFT]


def test_info_of_an_unknown_state_raises():
    with pytest.raises(ValueError):
        states.info("nonsense")


def test_public_wording_names_no_source_file():
    texts = [
        text
        for row in states.STATES.values()
        for value in (row.public, row.next_step, row.queue)
        for text in (value.values() if isinstance(value, dict) else [value])
    ]

    assert texts and not [text for text in texts if ".py" in text or "/" in text]
