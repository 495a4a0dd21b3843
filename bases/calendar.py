"""Working days (工作日) after the State Council's yearly holiday arrangement: weekends are rest days
unless a make-up working day (调休上班) says otherwise, weekdays are working days unless a statutory
holiday (法定节假日) says otherwise. A year whose arrangement has not been entered is refused, never
guessed: the arrangement is published year by year (the table is kept in the admin, 节假日安排)."""

import datetime

from django.core.exceptions import ValidationError

from .dates import cn_date


class CalendarNotCovered(ValidationError):
    """A working day was asked of a year whose arrangement has not been entered."""

    def __init__(self, year: int):
        super().__init__(
            f"{year}年的法定节假日和调休安排尚未录入，无法计算工作日。"
            f"请市局管理员在后台“节假日安排”中录入{year}年的安排后再试。",
            code="calendar",
        )
        self.year = year


class WorkingCalendar:
    """The years covered, their holidays (days off on weekdays) and make-up working days."""

    def __init__(self, *, years, days_off, days_on):
        self.years, self.days_off, self.days_on = frozenset(years), frozenset(days_off), frozenset(days_on)

    def is_working_day(self, day: datetime.date) -> bool:
        if day.year not in self.years:
            raise CalendarNotCovered(day.year)
        if day in self.days_on:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def add_working_days(self, start: datetime.date, count: int) -> datetime.date:
        """The last day of a period of `count` working days that begins on `start` (or, when `start`
        is no working day, on the next one)."""
        if count < 1:
            raise ValueError("A period has at least one working day.")
        day, counted = start, 0
        while True:
            if self.is_working_day(day):
                counted += 1
                if counted == count:
                    return day
            day += datetime.timedelta(days=1)

    def describe_period(self, start: datetime.date, count: int) -> str:
        return f"{cn_date(start)}至{cn_date(self.add_working_days(start, count))}（{count}个工作日）"
