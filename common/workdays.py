"""Danish working days: Monday to Friday, less the public holidays (the `holidays` library)."""

import datetime as dt
from functools import cache

import holidays


@cache
def _public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.Denmark(years=year))


def is_public_holiday(day: dt.date) -> bool:
    return day in _public_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The working day `count` working days after `day` (before it, for a negative count).
    Zero gives `day` itself, or the next working day if `day` is not one."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    if remaining == 0:
        while not is_working_day(day):
            day += dt.timedelta(days=1)
        return day
    while remaining:
        day += dt.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day
