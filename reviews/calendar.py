"""Working days for the 公示 period (usually 5 working days).

Weekends are skipped. Statutory holidays and the weekend days worked in their
place are not modelled yet; the dates stay editable on the 公示 form.
"""

import datetime


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The last day of a period of `days` working days that begins on `start` (or the next working day)."""
    day = start
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    counted = 1
    while counted < days:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day
