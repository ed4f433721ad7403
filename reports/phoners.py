"""Phoner statistics for agency staff: how each phoner calls and books, per call-script
version, and how many of their bookings were cancelled later.

The figures, per phoner and per script version (calls without a recorded script count
under "no script" in their campaign track):

- calls: every call made.
- hours worked: the number of distinct clock hours (local time; 09:00-09:59 on a given day
  is one) in which the phoner made at least one call. A lone call counts as a whole hour
  and idle hours between calls do not count; phoners work in blocks of calls, so this is
  close to time on the phone without needing shift records. A phoner's total is counted
  over all their calls, so it can be less than the sum over their script versions (two
  versions, tracks or campaigns within one hour).
- calls per hour: calls / hours worked.
- contacts reached: calls whose outcome is not no_answer, busy or wrong_number.
- bookings: calls with the outcome booked.
- booking rate: bookings / contacts reached.
- cancellation rate, per phoner: of the visits they booked (Booking.booked_by), the share
  now cancelled by the company or the jobcentre. A moved visit counts once, as the booking
  that replaced it (the 'moved' rows are left out), so moving is not cancelling.

Rates are None where the denominator is 0. The call figures are not counted over the calls:
they are read from the phoners' tallies, kept as the calls are made
(campaign.calls.call_create): one row per phoner, campaign track and script
(campaign.models.PhonerScriptTotals) and the phoner's hours worked per campaign and track,
per campaign, per track and in all (PhonerWorkedHours). Over years of campaigns that is a
few thousand rows, not a million calls or half a million phoner-hours. The visits per
booker are counted live, from an index of their own. At most four queries whatever the
number of phoners, scripts or calls: the script totals, the hours worked, the visits per
booker, the names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Exists, F, OuterRef, Q

from bookings.models import Booking, BookingState
from campaign.models import (
    Campaign,
    PhonerHour,
    PhonerScriptTotals,
    PhonerWorkedHours,
)
from consultants.roles import Role

CANCELLED = (BookingState.CANCELLED_COMPANY, BookingState.CANCELLED_JOBCENTRE)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class CallFigures:
    calls: int = 0
    hours: int = 0
    contacts: int = 0
    bookings: int = 0

    @property
    def calls_per_hour(self) -> float | None:
        return _rate(self.calls, self.hours)

    @property
    def booking_rate(self) -> float | None:
        return _rate(self.bookings, self.contacts)

    def add(self, other: CallFigures) -> None:
        self.calls += other.calls
        self.hours += other.hours
        self.contacts += other.contacts
        self.bookings += other.bookings


@dataclass
class ScriptFigures(CallFigures):
    script_id: int | None = None
    campaign: str = ""
    track: str = ""
    version: int | None = None


@dataclass
class PhonerFigures(CallFigures):
    phoner_id: int = 0
    name: str = ""
    visits: int = 0  # visits booked by them (a moved visit once)
    visits_cancelled: int = 0  # of those, cancelled now
    scripts: list[ScriptFigures] = field(default_factory=list)

    @property
    def cancellation_rate(self) -> float | None:
        return _rate(self.visits_cancelled, self.visits)


@dataclass
class PhonerReport:
    phoners: list[PhonerFigures]
    total: PhonerFigures


def phoner_stats(*, campaign: Campaign | None = None, track: str | None = None) -> PhonerReport:
    """The statistics of every phoner with calls or booked visits in the campaign and track
    (both optional), ordered by name, with the total over all of them. For agency staff:
    the caller checks the role."""
    # The calls as summed per phoner, campaign track and script as they were made.
    per_script = PhonerScriptTotals.objects.all()
    worked = PhonerWorkedHours.objects.filter(campaign=campaign, track=track or "")
    visits = Booking.objects.exclude(state=BookingState.MOVED).filter(booked_by__isnull=False)
    if campaign is not None:
        per_script = per_script.filter(campaign=campaign)
        visits = visits.filter(campaign=campaign)
    if track:
        per_script = per_script.filter(track=track)
        visits = visits.filter(track=track)

    # In the scripts' order, calls without a script last in each campaign track.
    per_script = per_script.order_by(
        "campaign__name", "track", F("script__version").asc(nulls_last=True)
    ).values(
        "phoner_id",
        "script_id",
        "track",
        "calls",
        "hours",
        "contacts",
        "bookings",
        campaign_name=F("campaign__name"),
        version=F("script__version"),
    )
    hours = dict(worked.values_list("phoner_id", "hours"))
    booked = {
        row.pop("booked_by_id"): row
        # Counted on the state, not the id: PostgreSQL answers from bookings_booking_booker_idx
        # alone.
        for row in visits.values("booked_by_id")
        .annotate(visits=Count("state"), cancelled=Count("state", filter=Q(state__in=CANCELLED)))
        .order_by()
    }

    phoners: dict[int, PhonerFigures] = {}
    for row in per_script:
        phoner_id = row.pop("phoner_id")
        script = ScriptFigures(campaign=row.pop("campaign_name"), **row)
        phoner = phoners.setdefault(phoner_id, PhonerFigures(phoner_id=phoner_id))
        phoner.add(script)
        phoner.scripts.append(script)
    for phoner in phoners.values():
        # An hour with calls under several scripts, tracks or campaigns counts once.
        phoner.hours = hours.get(phoner.phoner_id, 0)
    # Those who booked count if they phone: they made calls or are phoners (not, say, a
    # coordinator booking by hand). Asked of the few people who booked, not of every visit.
    users = (
        get_user_model()
        .objects.filter(pk__in=set(phoners) | set(booked))
        .annotate(
            phones=Exists(PhonerHour.objects.filter(phoner=OuterRef("pk")))
            | Exists(Group.objects.filter(name=Role.PHONER, user=OuterRef("pk")))
        )
        .only("username", "first_name", "last_name")
    )
    for user in users:
        if user.pk not in phoners:
            if not user.phones:
                continue
            phoners[user.pk] = PhonerFigures(phoner_id=user.pk)
        phoner = phoners[user.pk]
        phoner.name = user.get_full_name() or user.get_username()
        if user.pk in booked:
            phoner.visits = booked[user.pk]["visits"]
            phoner.visits_cancelled = booked[user.pk]["cancelled"]

    total = PhonerFigures(name="")
    for phoner in phoners.values():
        total.add(phoner)
        total.visits += phoner.visits
        total.visits_cancelled += phoner.visits_cancelled
    ordered = sorted(phoners.values(), key=lambda p: (p.name.casefold(), p.phoner_id))
    return PhonerReport(phoners=ordered, total=total)
