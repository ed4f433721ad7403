"""Time for the demo: the campaign's calendar (Danish working days, Copenhagen time) and the
consultants' diaries, so no consultant is ever booked twice, travel buffer included."""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from common.workdays import is_working_day

TZ = ZoneInfo("Europe/Copenhagen")

CAMPAIGN_STARTS = date(2015, 11, 1)
CAMPAIGN_ENDS = date(2016, 4, 1)
VETTING_DEADLINE = date(2015, 11, 6)
CALLS_START = date(2015, 11, 9)  # phoners start once every call list is released
SCRIPT_V2_FROM = date(2015, 12, 14)  # the call script was softened after complaints
VISITS_START = date(2015, 12, 1)
VISITS_END = date(2016, 4, 30)
DAY_STARTS = 8 * 60  # 08:00, minutes after midnight
DAY_ENDS = 16 * 60  # 16:00

# Fewer visits in the weeks around Christmas; more in the busy late winter.
MONTH_WEIGHTS = {12: 0.8, 1: 1.0, 2: 1.2, 3: 1.1, 4: 0.9}
CHRISTMAS = (date(2015, 12, 21), date(2016, 1, 3))


def working_days(first: date, last: date) -> list[date]:
    """Monday-Friday from `first` to `last` inclusive, without Danish public holidays (the
    same rule as the slot finder's, common.workdays, which asks the `holidays` library)."""
    span = (last - first).days + 1
    return [d for d in (first + timedelta(days=n) for n in range(span)) if is_working_day(d)]


def at(day: date, minutes: int) -> datetime:
    """An aware Copenhagen datetime `minutes` after midnight of `day`."""
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=TZ)


def at_working_time(rng: random.Random, day: date, first: int = DAY_STARTS) -> datetime:
    """A time during the working day (08:00-16:00, not before `first`), to the minute."""
    first = min(max(first, DAY_STARTS), DAY_ENDS - 1)
    return at(day, rng.randint(first, DAY_ENDS - 1))


def next_working_day(day: date, calendar: set[date], *, after: int = 0) -> date:
    """The first working day at least `after` days after `day` (or `day` itself if after=0)."""
    candidate = day + timedelta(days=after)
    while candidate not in calendar:
        candidate += timedelta(days=1)
    return candidate


def visit_day_weight(day: date) -> float:
    if CHRISTMAS[0] <= day <= CHRISTMAS[1]:
        return 0.2
    return MONTH_WEIGHTS.get(day.month, 1.0)


@dataclass
class Diary:
    """One consultant's booked time: [start, blocked_until) intervals per day, in minutes,
    with the daily and weekly caps the slot finder keeps, and days off."""

    max_per_day: int
    max_per_week: int
    absent: set[date] = field(default_factory=set)
    busy: dict[date, list[tuple[int, int]]] = field(default_factory=dict)
    per_week: Counter = field(default_factory=Counter)

    def is_free(self, day: date, start: int, blocked_until: int) -> bool:
        if day in self.absent:
            return False
        intervals = self.busy.get(day, [])
        if len(intervals) >= self.max_per_day:
            return False
        if self.per_week[day.isocalendar()[:2]] >= self.max_per_week:
            return False
        return all(blocked_until <= s or e <= start for s, e in intervals)

    def book(self, day: date, start: int, blocked_until: int) -> None:
        self.busy.setdefault(day, []).append((start, blocked_until))
        self.per_week[day.isocalendar()[:2]] += 1

    @property
    def visits(self) -> int:
        return sum(self.per_week.values())


class SlotFinder:
    """Finds a visit time at which every given diary is free: random draws over the visit
    days (weighted) and start times, then, if those all miss, an exhaustive scan."""

    def __init__(self, *, visit_minutes: int, buffer_minutes: int) -> None:
        self.visit_minutes = visit_minutes
        self.blocked_minutes = visit_minutes + buffer_minutes
        self.days = working_days(VISITS_START, VISITS_END)
        self.day_weights = [visit_day_weight(d) for d in self.days]
        latest = DAY_ENDS - visit_minutes
        self.starts = list(range(DAY_STARTS, latest + 1, 30))
        # Mornings and early afternoons are the popular times.
        self.start_weights = [1.6 if 9 * 60 <= s <= 13 * 60 else 0.8 for s in self.starts]

    def find(self, rng: random.Random, diaries: list[Diary], tries: int = 80) -> datetime:
        """Book the first free slot found in every diary and return its start."""
        for _ in range(tries):
            day = rng.choices(self.days, self.day_weights)[0]
            start = rng.choices(self.starts, self.start_weights)[0]
            if self._try(day, start, diaries):
                return at(day, start)
        days = self.days[:]
        rng.shuffle(days)
        for day in days:
            for start in self.starts:
                if self._try(day, start, diaries):
                    return at(day, start)
        raise RuntimeError("no free slot left for these consultants")

    def _try(self, day: date, start: int, diaries: list[Diary]) -> bool:
        end = start + self.blocked_minutes
        if not all(d.is_free(day, start, end) for d in diaries):
            return False
        for diary in diaries:
            diary.book(day, start, end)
        return True
