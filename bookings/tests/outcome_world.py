"""A small world for the outcome tests: a Copenhagen visit that has taken place, its
consultant, a colleague, the coordinator, agency staff, a phoner, and the same in Aarhus."""

import datetime as dt
from dataclasses import dataclass, field

from bookings.models import Agreement, AgreementKind, Booking, FollowUp, FollowUpKind, Outcome
from bookings.outcomes import outcome_register
from bookings.tests.conftest import NOW, at
from consultants.models import Consultant, Coordinator, Jobcentre, Municipality
from consultants.roles import Role
from tests.factories import AttendeeFactory, BookingFactory, CompanyFactory, ConsultantFactory


@dataclass
class World:
    jobcentre: Jobcentre
    campaign: object
    consultant: Consultant  # attends the visit
    colleague: Consultant  # same jobcentre, not at the visit
    visit: Booking  # Friday 4 December 2026, 10:00-11:00: over at NOW
    aarhus_consultant: Consultant
    aarhus_visit: Booking
    users: dict = field(default_factory=dict)


def build_world(make_user, jobcentre, campaign, consultant) -> World:
    users = {
        "consultant": make_user("konsulent", Role.CONSULTANT),
        "colleague": make_user("kollega", Role.CONSULTANT),
        "coordinator": make_user("koordinator", Role.COORDINATOR),
        "agency": make_user("styrelsen", Role.AGENCY),
        "phoner": make_user("phoner", Role.PHONER),
        "aarhus_consultant": make_user("aarhus-konsulent", Role.CONSULTANT),
        "aarhus_coordinator": make_user("aarhus-koordinator", Role.COORDINATOR),
    }
    consultant.user = users["consultant"]
    consultant.name = "Karen Konsulent"
    consultant.save()
    colleague = ConsultantFactory(jobcentre=jobcentre, user=users["colleague"], name="Ole Kollega")
    Coordinator.objects.create(user=users["coordinator"], jobcentre=jobcentre)
    aarhus = Jobcentre.objects.get(name="Jobcenter Aarhus")
    aarhus_consultant = ConsultantFactory(jobcentre=aarhus, user=users["aarhus_consultant"])
    Coordinator.objects.create(user=users["aarhus_coordinator"], jobcentre=aarhus)
    visit = past_visit(campaign, consultant, day=4, hour=10, name="Bageriet ApS")
    aarhus_visit = past_visit(
        campaign,
        aarhus_consultant,
        day=4,
        hour=10,
        municipality=Municipality.objects.get(code=751),
    )
    return World(
        jobcentre=jobcentre,
        campaign=campaign,
        consultant=consultant,
        colleague=colleague,
        visit=visit,
        aarhus_consultant=aarhus_consultant,
        aarhus_visit=aarhus_visit,
        users=users,
    )


def past_visit(campaign, consultant, *, day=4, hour=10, month=12, name=None, **company) -> Booking:
    """A booked visit of `consultant` (an hour long), with its company."""
    company_fields = {"name": name} if name else {}
    booking = BookingFactory(
        campaign=campaign,
        company=CompanyFactory(**company_fields, **company),
        starts_at=at(day, hour, month=month),
        ends_at=at(day, hour, month=month) + dt.timedelta(hours=1),
        booked_at=at(1, 9, month=11),
    )
    AttendeeFactory(booking=booking, consultant=consultant)
    return booking


def held_with_followups(world: World, *due_days: int, owner=None, agreements=()) -> Outcome:
    """Register the visit as held with one follow-up due on each of `due_days` (December)."""
    return outcome_register(
        actor=world.users["agency"],
        booking=world.visit,
        kind="held",
        agreements=[{"kind": kind, "positions": n} for kind, n in agreements],
        followups=[
            {
                "kind": FollowUpKind.CALL,
                "owner": owner or world.consultant,
                "due_on": dt.date(2026, 12, day),
                "description": f"Ring om {day}.",
            }
            for day in due_days
        ],
        now=NOW,
    )


def followups_for_visits(world: World, count: int, owner=None) -> list[FollowUp]:
    """`count` follow-ups, each on its own held visit of the world's consultant."""
    followups = []
    for number in range(count):
        visit = past_visit(
            world.campaign,
            world.consultant,
            day=1 + number % 28,
            hour=8 + 2 * (number // 28),
            month=11,
        )
        outcome = Outcome.objects.create(booking=visit, kind="held", registered_at=NOW)
        Agreement.objects.create(outcome=outcome, kind=AgreementKind.JOB_ORDER, positions=2)
        followups.append(
            FollowUp.objects.create(
                outcome=outcome,
                kind=FollowUpKind.CANDIDATES,
                owner=owner or world.consultant,
                due_on=dt.date(2026, 12, 1 + number % 28),
            )
        )
    return followups
