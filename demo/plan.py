"""Planning the visits before any booking row exists: which jobcentres take part and how many
visits each gets, who holds each visit and when, when it was booked, and what became of it
(cancelled, held, no-show, outcome never registered)."""

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser

from bookings.models import Booking, BookingState, Outcome, OutcomeKind
from campaign.models import CallAttempt, CallList, Company, Track
from consultants.models import Consultant, Jobcentre, Municipality
from demo.companies import ascii_slug
from demo.schedule import (
    CALLS_START,
    CAMPAIGN_ENDS,
    Diary,
    SlotFinder,
    at_working_time,
    working_days,
)
from demo.targets import GroupTargets, Targets, apportion

TRACK1_GROUP = "track 1"

# Relative size of the jobcentres the report names: Aarhus and Copenhagen had over 100
# visits, the small islands under 10.
SIZE_FACTORS = {
    "Jobcenter København": 5.0,
    "Jobcenter Aarhus": 4.0,
    "Jobcenter Odense": 2.5,
    "Jobcenter Aalborg": 2.5,
    "Jobcenter Esbjerg": 1.6,
    "Jobcenter Samsø": 0.12,
    "Jobcenter Læsø": 0.12,
    "Jobcenter Ærø": 0.15,
    "Jobcenter Fanø": 0.15,
}
ALWAYS_PARTICIPATING = ("Jobcenter København", "Jobcenter Aarhus")

LEAD_MIN, LEAD_MAX, LEAD_MODE = 3, 60, 16
CANCEL_SHARE = 0.125  # of a group's bookings: the report says 10-15 %
CANCELLED_AT_DOOR_SHARE = 0.035  # of outcomes: registered afterwards as cancelled_company
JOBCENTRE_CANCEL_SHARE = 0.1  # of the other cancellations
OUTCOME_SHARES = {  # of a group's outcomes; held takes the rest
    OutcomeKind.HELD_SHORT: 0.05,
    OutcomeKind.HELD_PHONE: 0.03,
    OutcomeKind.NO_SHOW_COMPANY: 0.02,
}
CANCELLED_STATES = (BookingState.CANCELLED_COMPANY, BookingState.CANCELLED_JOBCENTRE)


def cancel_weight(lead_days: int) -> float:
    """How much likelier a visit is to be cancelled, by how far ahead it was booked: the
    report's key finding is that visits booked more than six weeks ahead often fell through."""
    if lead_days > 42:
        return 6.0
    if lead_days > 28:
        return 1.5
    if lead_days > 14:
        return 0.8
    return 0.4


def weighted_sample(rng: random.Random, items: Sequence, weights: Sequence[float], k: int) -> list:
    """k items without replacement, each drawn with probability proportional to its weight
    (Efraimidis-Spirakis keys)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)]
    keyed.sort(reverse=True)
    return [items[i] for _, i in keyed[:k]]


@dataclass
class Site:
    """A participating jobcentre and its share of the campaign."""

    jobcentre: Jobcentre
    area: str
    weight: float
    municipalities: list[Municipality]
    track2: int = 0
    track1: int = 0
    consultants: list[Consultant] = field(default_factory=list)

    @property
    def bookings(self) -> int:
        return self.track1 + self.track2

    @property
    def domain(self) -> str:
        return ascii_slug(self.jobcentre.name.removeprefix("Jobcenter "), "-") + ".dk"


@dataclass
class Visit:
    """One booking in the making."""

    group: str
    track: str
    site: Site
    local: Consultant
    rep: Consultant | None
    starts_at: datetime
    ends_at: datetime
    booked_at: datetime
    phoner: AbstractBaseUser
    state: str = BookingState.BOOKED
    outcome_kind: str | None = None
    company: Company | None = None
    call_list: CallList | None = None
    call: CallAttempt | None = None
    booking: Booking | None = None
    outcome: Outcome | None = None

    @property
    def lead_days(self) -> int:
        return (self.starts_at.date() - self.booked_at.date()).days

    @property
    def is_cancelled(self) -> bool:
        return self.state in CANCELLED_STATES


def sites_plan(rng: random.Random, targets: Targets, jobcentres: list[Jobcentre]) -> list[Site]:
    """Choose the participating jobcentres (each area with bookings gets at least one) and
    split each area's track-2 bookings, and track 1's, over them by size."""
    by_area: dict[str, list[Jobcentre]] = {}
    for jobcentre in sorted(jobcentres, key=lambda j: j.name):
        by_area.setdefault(jobcentre.rar_area.name, []).append(jobcentre)
    areas = list(targets.track2)
    counts = apportion(
        targets.jobcentres,
        [len(by_area[a]) if targets.track2[a].bookings else 0 for a in areas],
        minimum=1,
        caps=[min(len(by_area[a]), targets.track2[a].bookings) for a in areas],
    )
    sites: list[Site] = []
    for area, count in zip(areas, counts, strict=True):
        candidates = by_area[area]
        forced = [j for j in candidates if j.name in ALWAYS_PARTICIPATING][:count]
        others = [j for j in candidates if j not in forced]
        chosen = forced + rng.sample(others, count - len(forced))
        area_sites = [
            Site(
                jobcentre=j,
                area=area,
                weight=SIZE_FACTORS.get(j.name, 1.0) * rng.uniform(0.6, 1.5),
                municipalities=sorted(j.municipalities.all(), key=lambda m: m.code),
            )
            for j in sorted(chosen, key=lambda j: j.name)
        ]
        shares = apportion(targets.track2[area].bookings, [s.weight for s in area_sites], minimum=1)
        for site, share in zip(area_sites, shares, strict=True):
            site.track2 = share
        sites.extend(area_sites)
    for site, share in zip(
        sites, apportion(targets.track1.bookings, [s.weight for s in sites]), strict=True
    ):
        site.track1 = share
    return sites


class BookingClock:
    """When a visit was booked: a lead time of 3-60 days (most a few weeks), on a working
    day inside the calling period, during office hours."""

    def __init__(self) -> None:
        self.days = working_days(CALLS_START, CAMPAIGN_ENDS)

    def booked_at(self, rng: random.Random, starts_at: datetime) -> datetime:
        visit_day = starts_at.date()
        lead = round(rng.triangular(LEAD_MIN, LEAD_MAX, LEAD_MODE))
        first = bisect.bisect_left(self.days, visit_day - timedelta(days=LEAD_MAX))
        last = bisect.bisect_right(self.days, visit_day - timedelta(days=LEAD_MIN))
        candidates = self.days[first:last]
        if not candidates:
            raise RuntimeError(f"no calling day can book a visit on {visit_day}")
        target = visit_day - timedelta(days=lead)
        day = min(candidates, key=lambda d: (abs((d - target).days), d))
        return at_working_time(rng, day, first=9 * 60)


def _assignments(rng: random.Random, site: Site) -> list[Consultant]:
    """Which local consultant takes each of a site's visits: everyone at least one, the rest
    by a personal weight (some consultants take many more visits than others)."""
    consultants = site.consultants
    weights = [rng.uniform(0.4, 1.6) for _ in consultants]
    picks = list(consultants[: site.bookings])
    picks += rng.choices(consultants, weights, k=site.bookings - len(picks))
    rng.shuffle(picks)
    return picks


def visits_schedule(
    rng: random.Random,
    *,
    sites: list[Site],
    reps: list[Consultant],
    phoners: list[AbstractBaseUser],
    diaries: dict[int, Diary],
    finder: SlotFinder,
) -> list[Visit]:
    """Every visit with its consultants and a time free in all their diaries."""
    clock = BookingClock()
    visits: list[Visit] = []
    for site in sites:
        picks = _assignments(rng, site)
        for number in range(site.bookings):
            local = picks[number]
            track = Track.JOBCENTRE if number < site.track2 else Track.JOBSERVICE
            rep = None
            people = [local]
            if track == Track.JOBSERVICE:
                # The least busy of three representatives: JSD spread its visits.
                rep = min(rng.sample(reps, min(3, len(reps))), key=lambda r: diaries[r.pk].visits)
                people.append(rep)
            starts_at = finder.find(rng, [diaries[p.pk] for p in people])
            visits.append(
                Visit(
                    group=site.area if track == Track.JOBCENTRE else TRACK1_GROUP,
                    track=track,
                    site=site,
                    local=local,
                    rep=rep,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=finder.visit_minutes),
                    booked_at=clock.booked_at(rng, starts_at),
                    phoner=rng.choice(phoners),
                )
            )
    return visits


def fates_assign(
    rng: random.Random, visits: list[Visit], group: GroupTargets, consultant_no_shows: int
) -> None:
    """Decide what became of each visit of one group so that exactly `group.outcomes` have
    an outcome registered. About 12.5 % are cancelled, chosen with the lead-time weights;
    a few of those were cancelled at the door and registered as an outcome. Of the rest,
    the ones without an outcome stay 'booked' (the consultant never registered one)."""
    total, outcomes = len(visits), group.outcomes
    cancelled_total = round(CANCEL_SHARE * total)
    at_door = min(round(CANCELLED_AT_DOOR_SHARE * outcomes), cancelled_total, outcomes)
    before = min(cancelled_total - at_door, total - outcomes)
    cancelled = weighted_sample(
        rng, visits, [cancel_weight(v.lead_days) for v in visits], at_door + before
    )
    for visit in cancelled[:at_door]:
        visit.state = visit.outcome_kind = OutcomeKind.CANCELLED_COMPANY
    for visit in cancelled[at_door:]:
        jobcentre = rng.random() < JOBCENTRE_CANCEL_SHARE
        visit.state = (
            BookingState.CANCELLED_JOBCENTRE if jobcentre else BookingState.CANCELLED_COMPANY
        )
    taken = {id(v) for v in cancelled}
    rest = [v for v in visits if id(v) not in taken]
    rng.shuffle(rest)
    registered = rest[: outcomes - at_door]
    kinds: list[str] = []
    for kind, share in OUTCOME_SHARES.items():
        kinds += [kind] * round(share * outcomes)
    kinds += [OutcomeKind.NO_SHOW_CONSULTANT] * consultant_no_shows
    kinds = kinds[: len(registered)]
    kinds += [OutcomeKind.HELD] * (len(registered) - len(kinds))
    rng.shuffle(kinds)
    for visit, kind in zip(registered, kinds, strict=True):
        visit.state = visit.outcome_kind = kind
