import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from common.workdays import add_working_days, is_working_day

FRIDAY = dt.date(2026, 12, 18)


def test_weekends_and_public_holidays_are_not_working_days():
    assert is_working_day(FRIDAY)
    assert not is_working_day(dt.date(2026, 12, 19))  # Saturday
    assert not is_working_day(dt.date(2026, 12, 25))  # Christmas Day
    assert not is_working_day(dt.date(2027, 3, 29))  # Easter Monday


def test_adding_working_days_skips_weekends_and_holidays():
    assert add_working_days(FRIDAY, 2) == dt.date(2026, 12, 22)
    # Thursday 24 Dec + 1: Christmas Day and the Second Day fall on Fri/Sat.
    assert add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)
    assert add_working_days(dt.date(2026, 12, 28), -1) == dt.date(2026, 12, 24)
    assert add_working_days(dt.date(2026, 12, 19), 0) == dt.date(2026, 12, 21)


@given(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 1, 1)),
    st.integers(min_value=1, max_value=30),
)
def test_the_result_is_a_working_day_and_round_trips(day, count):
    later = add_working_days(day, count)
    assert is_working_day(later)
    assert later > day
    if is_working_day(day):
        assert add_working_days(later, -count) == day
