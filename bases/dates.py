"""Dates as Chinese official documents write them: 2021年9月30日 (no leading zeros)."""

import datetime


def cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
