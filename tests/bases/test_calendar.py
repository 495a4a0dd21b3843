"""Working days (bases/calendar.py) from the holiday table (节假日安排): weekends, statutory holidays,
make-up working days, and years not entered refused rather than guessed."""

import datetime

import pytest

from bases.calendar import CalendarNotCovered, WorkingCalendar
from bases.models import CalendarDay, CalendarYear
from bases.selectors import working_calendar
from bases.services import calendar_years_load

D = datetime.date


def calendar(**kwargs):
    return WorkingCalendar(
        years=kwargs.get("years", {2026}), days_off=kwargs.get("off", ()), days_on=kwargs.get("on", ())
    )


@pytest.mark.parametrize(
    "start, days, end",
    [
        (D(2026, 11, 23), 5, D(2026, 11, 27)),  # Monday → Friday
        (D(2026, 11, 26), 5, D(2026, 12, 2)),  # Thursday → next Wednesday
        (D(2026, 11, 28), 5, D(2026, 12, 4)),  # Saturday: counts from Monday
        (D(2026, 11, 29), 1, D(2026, 11, 30)),  # Sunday, 1 day: the Monday
        (D(2026, 11, 27), 1, D(2026, 11, 27)),  # Friday, 1 day: that Friday
    ],
)
def test_add_working_days_skips_weekends(start, days, end):
    assert calendar().add_working_days(start, days) == end


def test_add_working_days_skips_holidays_and_counts_make_up_days():
    holidays = [D(2026, 10, day) for day in range(1, 8)]
    worked = [D(2026, 9, 20), D(2026, 10, 10)]  # Sunday and Saturday worked (调休上班)

    assert calendar(off=holidays, on=worked).add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 9)
    assert calendar(off=holidays, on=worked).add_working_days(D(2026, 9, 19), 2) == D(2026, 9, 21)


def test_a_year_not_entered_is_refused_with_a_message():
    with pytest.raises(CalendarNotCovered) as raised:
        calendar(years={2026}).add_working_days(D(2026, 12, 28), 5)

    assert raised.value.messages == [
        "2027年的法定节假日和调休安排尚未录入，无法计算工作日。请市局管理员在后台“节假日安排”中录入2027年的安排后再试。"
    ]


def test_a_period_has_at_least_one_working_day():
    with pytest.raises(ValueError):
        calendar().add_working_days(D(2026, 11, 23), 0)


@pytest.mark.django_db
def test_the_table_is_seeded_from_chinese_calendar_for_2021_to_2026_once():
    years = set(CalendarYear.objects.values_list("year", flat=True))
    national_day = CalendarDay.objects.filter(day__range=(D(2026, 10, 1), D(2026, 10, 7)))

    assert set(range(2021, 2027)) <= years
    assert {(d.day, d.is_workday, d.name) for d in national_day} == {
        (D(2026, 10, day), False, "国庆节") for day in range(1, 8)
    }
    assert CalendarDay.objects.get(day=D(2026, 10, 10)).is_workday is True
    CalendarDay.objects.filter(day=D(2026, 10, 10)).update(name="已由管理员修改")
    assert calendar_years_load() == 0  # years already entered are left as the admin keeps them
    assert CalendarDay.objects.get(day=D(2026, 10, 10)).name == "已由管理员修改"


@pytest.mark.django_db
def test_working_calendar_reads_the_table_national_day_2026():
    """A 公示 of 5 working days opened on 30 September 2026 runs over 国庆 and the make-up Saturday."""
    assert working_calendar().add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 12)


@pytest.mark.django_db
def test_calendar_day_outside_its_year_invalid():
    day = CalendarDay(calendar_year=CalendarYear.objects.get(year=2026), day=D(2025, 1, 1), name="元旦")

    with pytest.raises(Exception) as raised:
        day.full_clean()

    assert "日期应在2026年内。" in str(raised.value)
