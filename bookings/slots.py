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
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from bookings.models import Attendee, Booking, BookingState
from campaign.models import Campaign, Participation, Track
from common.workdays import add_working_days, is_working_day
from consultants.models import Absence, Consultant, Jobcentre, WorkingHours

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
STEP = dt.timedelta(minutes=30)

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


class _Calendar:
    """One consultant's constraints over the window, for fast yes/no questions."""

    def __init__(self, consultant: Consultant, buffer: dt.timedelta):
        self.consultant = consultant
        self.buffer = buffer
        self.hours: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
        self.absences: list[tuple[dt.datetime, dt.datetime]] = []
        self.busy_starts: list[dt.datetime] = []
        self.busy_ends: list[dt.datetime] = []
        self.per_day: dict[dt.date, int] = defaultdict(int)
        self.per_week: dict[tuple[int, int], int] = defaultdict(int)

    def add_busy(self, starts_at: dt.datetime, blocked_until: dt.datetime) -> None:
        index = bisect.bisect(self.busy_starts, starts_at)
        self.busy_starts.insert(index, starts_at)
        self.busy_ends.insert(index, blocked_until)
        day = starts_at.astimezone(LOCAL_TZ).date()
        self.per_day[day] += 1
        self.per_week[day.isocalendar()[:2]] += 1

    def capped(self, day: dt.date) -> bool:
        c = self.consultant
        return (
            self.per_day[day] >= c.max_visits_per_day
            or self.per_week[day.isocalendar()[:2]] >= c.max_visits_per_week
        )

    def free(self, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
        blocked_until = ends_at + self.buffer
        # Active busy intervals of one consultant never overlap (the exclusion constraint),
        # so sorted by start they are sorted by end too: only the last interval starting
        # before our blocked end can reach into our time.
        index = bisect.bisect_left(self.busy_starts, blocked_until)
        if index and self.busy_ends[index - 1] > starts_at:
            return False
        return not any(a_start < ends_at and starts_at < a_end for a_start, a_end in self.absences)

    def starts_on(self, day: dt.date, length: dt.timedelta):
        for start, end in self.hours.get(day.weekday(), ()):
            moment = dt.datetime.combine(day, start, LOCAL_TZ)
            last = dt.datetime.combine(day, end, LOCAL_TZ) - length
            while moment <= last:
                yield moment
                moment += STEP


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
    buffer = dt.timedelta(minutes=campaign.travel_buffer_minutes)
    calendars = {c.id: _Calendar(c, buffer) for c in consultants}

    for hours in WorkingHours.objects.filter(consultant__in=calendars).order_by("starts_at"):
        calendars[hours.consultant_id].hours[hours.weekday].append((hours.starts_at, hours.ends_at))
    for absence in Absence.objects.filter(
        consultant__in=calendars, starts_at__lt=latest, ends_at__gt=earliest
    ):
        calendars[absence.consultant_id].absences.append((absence.starts_at, absence.ends_at))
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
    for busy_id, starts_at, blocked_until in busy.values_list(
        "consultant_id", "starts_at", "blocked_until"
    ):
        calendars[busy_id].add_busy(starts_at, blocked_until)

    length = dt.timedelta(minutes=campaign.visit_minutes)
    locals_ = [cal for cal in calendars.values() if cal.consultant.kind == Consultant.Kind.LOCAL]
    jobservice = [cal for cal in calendars.values() if cal.consultant.kind != Consultant.Kind.LOCAL]

    def free_at(cals: list[_Calendar], day: dt.date) -> dict[dt.datetime, list[int]]:
        free: dict[dt.datetime, list[int]] = defaultdict(list)
        for cal in cals:
            if cal.capped(day):
                continue
            for start in cal.starts_on(day, length):
                if (
                    earliest <= start
                    and start + length <= latest
                    and cal.free(start, start + length)
                ):
                    free[start].append(cal.consultant.id)
        return free

    counts: dict[int, int] = defaultdict(int)
    day = earliest.astimezone(LOCAL_TZ).date()
    last_day = latest.astimezone(LOCAL_TZ).date()
    while day <= last_day:
        if is_working_day(day):
            local_free = free_at(locals_, day)
            reps_free = free_at(jobservice, day) if track == Track.JOBSERVICE else {}
            for start in sorted(local_free):
                local_ids = tuple(local_free[start])
                rep_ids = tuple(reps_free.get(start, ()))
                if track == Track.JOBSERVICE and not rep_ids:
                    continue
                for cid in local_ids + rep_ids:  # counted before the preference filters
                    counts[cid] += 1
                if consultant_id is not None and consultant_id not in local_ids + rep_ids:
                    continue
                search.offers.append(Offer(start, start + length, local_ids, rep_ids))
        day += dt.timedelta(days=1)
    search.free_by_consultant = {cid: counts.get(cid, 0) for cid in calendars}
    if not search.offers:
        search.reason = "no_free_time"
    return search
