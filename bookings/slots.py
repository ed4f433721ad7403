"""The slot finder: the times a phoner may offer a company.

A time is offered when it lies inside the campaign's booking window (minimum notice in
working days, maximum horizon in days, within the campaign), on a working day, inside the
consultant's working hours, outside their absences, at least the travel buffer away from
their other visits, under their daily and weekly caps, and while the jobcentre has quota
left. Track 2 needs one local consultant of the company's jobcentre; track 1 needs a
Jobservice representative and a local consultant free at the same time.

The number of queries is fixed (participation, quota, consultants, working hours, absences,
busy times), whatever the number of consultants or bookings.
"""

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import F, Func, IntegerField, Q

from bookings.models import Attendee, Booking, BookingState
from campaign.models import Campaign, Participation, Track
from common.workdays import add_working_days, is_working_day
from consultants.models import Absence, Consultant, Jobcentre, WorkingHours

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
STEP_SECONDS = 30 * 60

# States that no longer hold a place in a calendar or in the jobcentre's quota.
RELEASED_STATES = (
    BookingState.CANCELLED_COMPANY,
    BookingState.CANCELLED_JOBCENTRE,
    BookingState.MOVED,
)


@dataclass(frozen=True)
class Offer:
    """A start time and everyone free then: local consultants, and on track 1 the
    Jobservice representatives."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    local_ids: tuple[int, ...]
    jobservice_ids: tuple[int, ...] = ()


@dataclass
class SlotSearch:
    window_start: dt.datetime
    window_end: dt.datetime
    offers: list[Offer] = field(default_factory=list)
    consultants: dict[int, Consultant] = field(default_factory=dict)
    free_by_consultant: dict[int, int] = field(default_factory=dict)
    quota: int = 0
    quota_left: int = 0
    reason: str = ""

    def offer_at(self, starts_at: dt.datetime) -> Offer | None:
        for offer in self.offers:
            if offer.starts_at == starts_at:
                return offer
        return None


def booking_window(campaign: Campaign, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[earliest, latest) start of a visit booked at `now`."""
    today = now.astimezone(LOCAL_TZ).date()
    first_day = max(add_working_days(today, campaign.min_notice_working_days), campaign.starts_on)
    earliest = dt.datetime.combine(first_day, dt.time.min, LOCAL_TZ)
    campaign_end = dt.datetime.combine(
        campaign.ends_on + dt.timedelta(days=1), dt.time.min, LOCAL_TZ
    )
    latest = min(now + dt.timedelta(days=campaign.max_horizon_days), campaign_end)
    return earliest, latest


def quota_used(campaign: Campaign, jobcentre: Jobcentre, exclude_booking: Booking | None = None):
    bookings = Booking.objects.filter(campaign=campaign, jobcentre=jobcentre).exclude(
        state__in=RELEASED_STATES
    )
    if exclude_booking is not None:
        bookings = bookings.exclude(pk=exclude_booking.pk)
    return bookings.count()


class EpochSeconds(Func):
    """A timestamp as whole seconds since 1970 (UTC): the slot finder compares integers, not
    time-zone-aware datetimes, and the database does the conversion."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::bigint", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)",  # '%s', escaped twice
            **extra,
        )


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


@lru_cache(maxsize=4096)
def _local_day_of_hour(hour: int) -> dt.date:
    return dt.datetime.fromtimestamp(hour * 3600, LOCAL_TZ).date()


def _local_day(epoch: int) -> dt.date:
    # Time zones change on whole hours here, so one look-up per hour is enough.
    return _local_day_of_hour(epoch // 3600)


class _Calendar:
    """One consultant's constraints over the window, in epoch seconds, for fast yes/no
    questions."""

    def __init__(self, consultant: Consultant, buffer: int):
        self.consultant = consultant
        self.buffer = buffer
        self.hours: dict[int, list[tuple[int, int]]] = defaultdict(list)  # seconds after 00:00
        self.absences: list[tuple[int, int]] = []
        self.busy_starts: list[int] = []
        self.busy_ends: list[int] = []
        self.per_day: dict[dt.date, int] = defaultdict(int)
        self.per_week: dict[tuple[int, int], int] = defaultdict(int)

    def add_busy(self, starts_at: int, blocked_until: int, day: dt.date) -> None:
        """Add a busy interval; they must come in order of start."""
        self.busy_starts.append(starts_at)
        self.busy_ends.append(blocked_until)
        self.per_day[day] += 1
        self.per_week[day.isocalendar()[:2]] += 1

    def capped(self, day: dt.date) -> bool:
        c = self.consultant
        return (
            self.per_day[day] >= c.max_visits_per_day
            or self.per_week[day.isocalendar()[:2]] >= c.max_visits_per_week
        )

    def starts_on(self, weekday: int, midnight: int, length: int):
        """Candidate starts on a day whose local midnight is `midnight` (epoch seconds)."""
        for start, end in self.hours.get(weekday, ()):
            yield from range(midnight + start, midnight + end - length + 1, STEP_SECONDS)


def _seconds(moment: dt.time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _local_midnight(day: dt.date) -> int:
    """Epoch seconds of local 00:00 as the clock runs during working hours: a daylight-saving
    switch happens at night, so the offset at noon holds for the working day."""
    noon = dt.datetime.combine(day, dt.time(12), LOCAL_TZ)
    return _epoch(noon) - 12 * 3600


def find_slots(
    *,
    campaign: Campaign,
    jobcentre: Jobcentre,
    track: str,
    now: dt.datetime,
    consultant_id: int | None = None,
    exclude_booking: Booking | None = None,
    window: tuple[dt.datetime, dt.datetime] | None = None,
) -> SlotSearch:
    """Every time a visit can be booked, with the consultants free then.

    `consultant_id` keeps only the times at which that consultant is free (a phoner's or a
    company's preference). `exclude_booking` ignores one booking, for moving it. `window`
    narrows the booking window (never widens it).
    """
    earliest, latest = booking_window(campaign, now)
    if window is not None:
        earliest, latest = max(earliest, window[0]), min(latest, window[1])
    search = SlotSearch(window_start=earliest, window_end=latest)

    participation = Participation.objects.filter(
        campaign=campaign, jobcentre=jobcentre, accepted_at__isnull=False
    ).first()
    if participation is None:
        search.reason = "not_participating"
        return search
    search.quota = participation.quota
    search.quota_left = max(
        participation.quota - quota_used(campaign, jobcentre, exclude_booking), 0
    )
    if search.quota_left == 0:
        search.reason = "quota_used"
        return search
    if earliest >= latest:
        search.reason = "outside_window"
        return search

    who = Q(kind=Consultant.Kind.LOCAL, jobcentre=jobcentre)
    if track == Track.JOBSERVICE:
        who |= Q(kind=Consultant.Kind.JOBSERVICE)
    consultants = list(Consultant.objects.filter(who, is_active=True).order_by("name", "id"))
    search.consultants = {c.id: c for c in consultants}
    calendars = {c.id: _Calendar(c, campaign.travel_buffer_minutes * 60) for c in consultants}

    for hours in WorkingHours.objects.filter(consultant__in=calendars).order_by("starts_at"):
        calendars[hours.consultant_id].hours[hours.weekday].append(
            (_seconds(hours.starts_at), _seconds(hours.ends_at))
        )
    for absence in Absence.objects.filter(
        consultant__in=calendars, starts_at__lt=latest, ends_at__gt=earliest
    ):
        calendars[absence.consultant_id].absences.append(
            (_epoch(absence.starts_at), _epoch(absence.ends_at))
        )
    # Busy times: the whole ISO weeks around the window, so weekly caps count right.
    week_start = earliest - dt.timedelta(days=earliest.astimezone(LOCAL_TZ).weekday() + 1)
    week_end = latest + dt.timedelta(days=8)
    busy = Attendee.objects.filter(
        consultant__in=calendars,
        is_active=True,
        starts_at__lt=week_end,
        blocked_until__gt=week_start,
    )
    if exclude_booking is not None:
        busy = busy.exclude(booking=exclude_booking)
    rows = busy.order_by("starts_at").values_list(
        "consultant_id", EpochSeconds(F("starts_at")), EpochSeconds(F("blocked_until"))
    )
    # Thousands of rows of three integers: read them with a plain cursor, which skips the
    # ORM's per-row converters (a third of the finder's time otherwise).
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for busy_id, starts_at, blocked_until in cursor.fetchall():
            calendars[busy_id].add_busy(starts_at, blocked_until, _local_day(starts_at))

    length = campaign.visit_minutes * 60
    first, last = _epoch(earliest), _epoch(latest) - length
    locals_ = [cal for cal in calendars.values() if cal.consultant.kind == Consultant.Kind.LOCAL]
    jobservice = [cal for cal in calendars.values() if cal.consultant.kind != Consultant.Kind.LOCAL]

    def free_at(cals: list[_Calendar], day: dt.date, midnight: int) -> dict[int, list[int]]:
        """Who of `cals` is free at each candidate start of the day. The hot loop of the
        finder, so _Calendar.free is written out here."""
        free: dict[int, list[int]] = defaultdict(list)
        weekday = day.weekday()
        for cal in cals:
            if cal.capped(day):
                continue
            busy_starts, busy_ends, absences = cal.busy_starts, cal.busy_ends, cal.absences
            reach = length + cal.buffer
            for start in cal.starts_on(weekday, midnight, length):
                if start < first or start > last:
                    continue
                # Active busy intervals of one consultant never overlap (the exclusion
                # constraint), so sorted by start they are sorted by end too: only the last
                # one starting before our time plus buffer ends can reach into our time.
                index = bisect.bisect_left(busy_starts, start + reach)
                if index and busy_ends[index - 1] > start:
                    continue
                end = start + length
                if absences and any(a < end and start < b for a, b in absences):
                    continue
                free[start].append(cal.consultant.id)
        return free

    counts: dict[int, int] = defaultdict(int)
    visit = dt.timedelta(seconds=length)
    day = earliest.astimezone(LOCAL_TZ).date()
    last_day = latest.astimezone(LOCAL_TZ).date()
    while day <= last_day:
        if is_working_day(day):
            midnight = _local_midnight(day)
            local_free = free_at(locals_, day, midnight)
            reps_free = free_at(jobservice, day, midnight) if track == Track.JOBSERVICE else {}
            for start in sorted(local_free):
                local_ids = tuple(local_free[start])
                rep_ids = tuple(reps_free.get(start, ()))
                if track == Track.JOBSERVICE and not rep_ids:
                    continue
                for cid in local_ids + rep_ids:  # counted before the preference filters
                    counts[cid] += 1
                if consultant_id is not None and consultant_id not in local_ids + rep_ids:
                    continue
                starts_at = dt.datetime.fromtimestamp(start, LOCAL_TZ)
                search.offers.append(Offer(starts_at, starts_at + visit, local_ids, rep_ids))
        day += dt.timedelta(days=1)
    search.free_by_consultant = {cid: counts.get(cid, 0) for cid in calendars}
    if not search.offers:
        search.reason = "no_free_time"
    return search
