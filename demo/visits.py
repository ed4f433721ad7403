"""The visits as rows: bookings with their attendees, the outcomes registered after them,
the agreements (Table 1's positions, refugee places, service agreements) and the follow-up
tasks."""

import bisect
import random
from datetime import date, datetime, timedelta

from bookings.models import (
    HELD_KINDS,
    Agreement,
    AgreementKind,
    Attendee,
    Booking,
    BookingState,
    FollowUp,
    FollowUpKind,
    Outcome,
    OutcomeKind,
)
from campaign.models import Campaign
from demo.plan import TRACK1_GROUP, Visit, weighted_sample
from demo.schedule import DAY_ENDS, at, at_working_time, next_working_day, working_days
from demo.targets import Targets, apportion

COMPANY_CANCEL_REASONS = (
    "Virksomheden har for travlt",
    "Kontaktpersonen er syg",
    "Virksomheden har ikke længere behov",
    "Har glemt aftalen og ønsker ikke et nyt møde",
    "Ønsker at vente til efter sæsonen",
    "Har allerede fået hjælp af et vikarbureau",
)
JOBCENTRE_CANCEL_REASONS = (
    "Konsulenten er syg",
    "Dobbeltbooket i konsulentens kalender",
    "Konsulenten er på kursus",
)
NO_SHOW_COMPANY_REASONS = ("Ingen til stede ved ankomst", "Virksomheden var lukket")
NO_SHOW_CONSULTANT_REASONS = (
    "Mødet stod ikke i konsulentens kalender",
    "Konsulenten kom ikke og meldte ikke afbud",
)
HELD_NOTES = (
    "Godt møde, virksomheden forventer at ansætte i foråret",
    "Interesseret i virksomhedspraktik",
    "Sender CV'er på relevante kandidater",
    "Ønsker information om løntilskud",
    "",
    "",
    "",
)
FOLLOWUP_TEXTS = {
    FollowUpKind.CALL: "Ringe til virksomheden om behovet for arbejdskraft",
    FollowUpKind.MEETING: "Nyt møde med ledelsen",
    FollowUpKind.CANDIDATES: "Sende kandidater til den aftalte stilling",
    FollowUpKind.INFORMATION: "Sende materiale om ordningerne",
    FollowUpKind.AGREEMENT: "Forberede aftale om praktik eller løntilskud",
    FollowUpKind.OTHER: "Afklare spørgsmål om fastholdelse",
}
DONE_NOTES = ("Kandidater sendt", "Virksomheden kontaktet", "Aftale indgået", "Materiale sendt")
# How far after the visit outcomes were registered, in working days.
REGISTRATION_DELAYS = (0, 0, 1, 1, 1, 2, 2, 3, 5, 8)
HELD_WEIGHTS = {OutcomeKind.HELD: 1.0, OutcomeKind.HELD_SHORT: 0.5, OutcomeKind.HELD_PHONE: 0.3}
POSITION_SIZES = ((1, 75), (2, 18), (3, 7))
FOLLOWUPS_ON_TIME, FOLLOWUPS_LATE = 0.68, 0.17  # the rest are never done
CALENDAR = frozenset(working_days(date(2015, 11, 1), date(2016, 12, 31)))
SORTED_CALENDAR = sorted(CALENDAR)


def _registered_at(rng: random.Random, visit: Visit) -> datetime:
    delay = rng.choice(REGISTRATION_DELAYS)
    end = visit.ends_at.hour * 60 + visit.ends_at.minute
    if delay == 0 and end > DAY_ENDS - 30:
        delay = 1
    day = next_working_day(visit.starts_at.date(), CALENDAR, after=delay)
    if day == visit.starts_at.date():
        return at_working_time(rng, day, first=end + 5)
    return at_working_time(rng, day)


def bookings_create(rng: random.Random, campaign: Campaign, visits: list[Visit]) -> None:
    """Booking, Attendee and Outcome rows for every planned visit (sets visit.booking and
    visit.outcome). Cancelled visits keep their attendees, inactive."""
    buffer = timedelta(minutes=campaign.travel_buffer_minutes)
    bookings = []
    for visit in visits:
        company = visit.company
        reason = ""
        if visit.state == BookingState.CANCELLED_JOBCENTRE:
            reason = rng.choice(JOBCENTRE_CANCEL_REASONS)
        elif visit.state == BookingState.CANCELLED_COMPANY:
            reason = rng.choice(COMPANY_CANCEL_REASONS)
        visit.booking = Booking(
            campaign=campaign,
            track=visit.track,
            company=company,
            jobcentre=visit.site.jobcentre,
            starts_at=visit.starts_at,
            ends_at=visit.ends_at,
            state=visit.state,
            location=f"{company.address}, {company.postcode} {company.city}",
            contact_name=company.contact_name,
            contact_email=company.email,
            contact_phone=company.phone,
            booked_by=visit.phoner,
            call_list=visit.call_list,
            call=visit.call,
            cancel_reason=reason,
            booked_at=visit.booked_at,
            sequence=1 if visit.is_cancelled else 0,
        )
        bookings.append(visit.booking)
    Booking.objects.bulk_create(bookings)

    attendees, outcomes = [], []
    for visit in visits:
        no_show = visit.outcome_kind == OutcomeKind.NO_SHOW_CONSULTANT
        people = [(visit.local, Attendee.Role.LOCAL)]
        if visit.rep is not None:
            people.append((visit.rep, Attendee.Role.JOBSERVICE))
        for consultant, role in people:
            acknowledged = None
            if not (no_show and role == Attendee.Role.LOCAL) and rng.random() > 0.03:
                delay = timedelta(minutes=rng.randint(10, 2 * 24 * 60))
                acknowledged = min(visit.booked_at + delay, visit.starts_at - timedelta(hours=1))
            attendees.append(
                Attendee(
                    booking=visit.booking,
                    consultant=consultant,
                    role=role,
                    starts_at=visit.starts_at,
                    blocked_until=visit.ends_at + buffer,
                    is_active=not visit.is_cancelled,
                    acknowledged_at=acknowledged,
                )
            )
        if visit.outcome_kind is None:
            continue
        reason = note = ""
        if visit.outcome_kind == OutcomeKind.CANCELLED_COMPANY:
            reason = visit.booking.cancel_reason
        elif visit.outcome_kind == OutcomeKind.NO_SHOW_COMPANY:
            reason = rng.choice(NO_SHOW_COMPANY_REASONS)
        elif visit.outcome_kind == OutcomeKind.NO_SHOW_CONSULTANT:
            reason = rng.choice(NO_SHOW_CONSULTANT_REASONS)
        else:
            note = rng.choice(HELD_NOTES)
        visit.outcome = Outcome(
            booking=visit.booking,
            kind=visit.outcome_kind,
            reason=reason,
            note=note,
            registered_at=_registered_at(rng, visit),
        )
        outcomes.append(visit.outcome)
    Attendee.objects.bulk_create(attendees)
    for outcome in outcomes:  # bulk_create skips save(), which copies them
        outcome.visit_keys_copy(outcome.booking)
    Outcome.objects.bulk_create(outcomes)

    # changed_at is auto_now: give it the time of the last change instead of today.
    for visit in visits:
        if visit.outcome is not None:
            visit.booking.changed_at = visit.outcome.registered_at
        elif visit.is_cancelled:  # on a working day between the booking and the visit
            first = bisect.bisect_right(SORTED_CALENDAR, visit.booked_at.date())
            last = bisect.bisect_left(SORTED_CALENDAR, visit.starts_at.date())
            day = rng.choice(SORTED_CALENDAR[first:last] or [visit.starts_at.date()])
            visit.booking.changed_at = at(day, rng.randint(8 * 60, visit.starts_at.hour * 60))
        else:
            visit.booking.changed_at = visit.booked_at
    Booking.objects.bulk_update(bookings, ["changed_at"], batch_size=500)


def _split(rng: random.Random, total: int) -> list[int]:
    """Positions in agreements of 1-3 (mostly 1) that add up to `total`."""
    sizes, weights = zip(*POSITION_SIZES, strict=True)
    parts = []
    while total > 0:
        part = min(total, rng.choices(sizes, weights)[0])
        parts.append(part)
        total -= part
    return parts


def agreements_create(rng: random.Random, visits: list[Visit], targets: Targets) -> list[Agreement]:
    """Agreements on held visits only: per group and kind, positions that add up to the
    targets exactly; refugee places over all groups; service and integration agreements on
    track 1; then about `filled_job_orders` job-order positions filled."""
    held: dict[str, list[Visit]] = {}
    for visit in visits:
        if visit.outcome_kind in HELD_KINDS:
            held.setdefault(visit.group, []).append(visit)
    groups = {a: g.positions for a, g in targets.track2.items()}
    groups[TRACK1_GROUP] = targets.track1.positions
    refugee = dict(
        zip(
            groups,
            apportion(targets.refugee_places, [len(held.get(g, [])) for g in groups]),
            strict=True,
        )
    )
    agreements: list[Agreement] = []
    for group, positions in groups.items():
        candidates = held.get(group, [])
        wanted = dict(positions)
        wanted[AgreementKind.REFUGEE_PLACES] = refugee[group]
        if not candidates:
            continue  # only at tiny scales: a group without a single held visit
        weights = [HELD_WEIGHTS[v.outcome_kind] for v in candidates]
        for kind, total in wanted.items():
            used: set[int] = set()
            for part in _split(rng, total):
                visit = rng.choices(candidates, weights)[0]
                for _ in range(5):  # prefer a firm without this kind already
                    if id(visit) not in used:
                        break
                    visit = rng.choices(candidates, weights)[0]
                used.add(id(visit))
                agreements.append(Agreement(outcome=visit.outcome, kind=kind, positions=part))
    track1 = held.get(TRACK1_GROUP, [])
    extras = (
        (AgreementKind.JOBSERVICE_AGREEMENT, targets.jobservice_agreements),
        (AgreementKind.INTEGRATION_AGREEMENT, targets.integration_agreements),
    )
    for kind, count in extras:
        for visit in rng.sample(track1, min(count, len(track1))):
            agreements.append(Agreement(outcome=visit.outcome, kind=kind, positions=1))
    job_orders = [a for a in agreements if a.kind == AgreementKind.JOB_ORDER]
    rng.shuffle(job_orders)
    to_fill = targets.filled_job_orders
    for agreement in job_orders:
        if to_fill <= 0:
            break
        filled = min(to_fill, rng.randint(1, agreement.positions))
        agreement.filled_positions = filled
        registered = agreement.outcome.registered_at.date()
        agreement.filled_on = registered + timedelta(days=rng.randint(7, 150))
        to_fill -= filled
    for agreement in agreements:
        agreement.visit_keys_copy(agreement.outcome)
    Agreement.objects.bulk_create(agreements)
    return agreements


def followups_create(
    rng: random.Random,
    campaign: Campaign,
    visits: list[Visit],
    agreements: list[Agreement],
    count: int,
) -> int:
    """`count` follow-up tasks on held visits, owned by the local consultant, due
    followup_due_days after the outcome was registered; most done on time, some late, some
    never. Visits with agreements get them more often; about one in five gets a second."""
    agreed = {id(a.outcome) for a in agreements}
    held = [v for v in visits if v.outcome_kind in HELD_KINDS]
    if not held:
        return 0
    order = weighted_sample(
        rng, held, [3.0 if id(v.outcome) in agreed else 1.0 for v in held], len(held)
    )
    firsts = min(len(order), max(-(-count // 2), round(count * 0.82)))
    due_days = timedelta(days=campaign.followup_due_days)
    followups = []
    for number in range(count):
        visit = order[number % firsts]
        registered = visit.outcome.registered_at
        if id(visit.outcome) in agreed:
            kinds = (FollowUpKind.CANDIDATES, FollowUpKind.AGREEMENT, FollowUpKind.CALL)
        else:
            kinds = (
                FollowUpKind.CALL,
                FollowUpKind.MEETING,
                FollowUpKind.INFORMATION,
                FollowUpKind.OTHER,
            )
        kind = rng.choice(kinds)
        due_on = registered.date() + due_days
        roll = rng.random()
        done_at, note = None, ""
        if roll < FOLLOWUPS_ON_TIME:
            first = bisect.bisect_right(SORTED_CALENDAR, registered.date())
            last = bisect.bisect_right(SORTED_CALENDAR, due_on)
            days = SORTED_CALENDAR[first:last] or [due_on]
            done_at = at_working_time(rng, rng.choice(days))
            note = rng.choice(DONE_NOTES)
        elif roll < FOLLOWUPS_ON_TIME + FOLLOWUPS_LATE:
            late = next_working_day(due_on, CALENDAR, after=rng.randint(1, 30))
            done_at = at_working_time(rng, late)
            note = rng.choice(DONE_NOTES)
        followups.append(
            FollowUp(
                outcome=visit.outcome,
                kind=kind,
                description=FOLLOWUP_TEXTS[kind],
                owner=visit.local,
                due_on=due_on,
                done_at=done_at,
                done_note=note,
            )
        )
    for followup in followups:
        followup.visit_keys_copy(followup.outcome)
    FollowUp.objects.bulk_create(followups)
    return len(followups)
