"""Two (here: twenty) phoners on one slot. Each thread has its own database connection and
goes through the booking service; exactly one wins each round, the rest get the conflict
result, and afterwards no consultant has overlapping visits."""

import datetime as dt

import pytest

from bookings.models import Booking
from bookings.services import SlotUnavailable, booking_create
from bookings.tests.conftest import NOW, at, working_hours
from campaign.models import Participation, Track
from consultants.models import Jobcentre, Municipality
from consultants.reference import reference_load
from tests.factories import CampaignFactory, CompanyFactory, ConsultantFactory
from tests.threads import at_once, overlapping_attendees

THREADS = 20
ROUNDS = 8

pytestmark = pytest.mark.django_db(transaction=True)


def race(campaign, companies, starts, track=Track.JOBCENTRE):
    """Every thread books its own company at its start time, all released at once."""

    def book(i):
        return lambda: booking_create(
            actor=None, campaign=campaign, company=companies[i], track=track,
            starts_at=starts[i], now=NOW,
        )  # fmt: skip

    results = at_once([book(i) for i in range(len(companies))])
    return [
        ("booked", r.pk) if isinstance(r, Booking)
        else ("conflict", None) if isinstance(r, SlotUnavailable)
        else ("error", repr(r))
        for r in results
    ]  # fmt: skip


@pytest.fixture
def setup():
    reference_load()
    jobcentre = Jobcentre.objects.get(name="Jobcenter København")
    campaign = CampaignFactory(starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2027, 4, 1))
    Participation.objects.create(
        campaign=campaign, jobcentre=jobcentre, quota=1000, accepted_at=NOW
    )
    consultant = working_hours(
        ConsultantFactory(jobcentre=jobcentre, max_visits_per_day=8, max_visits_per_week=40)
    )
    return campaign, consultant


def test_twenty_phoners_on_one_consultant_exactly_one_wins_each_round(setup):
    campaign, consultant = setup
    for round_ in range(ROUNDS):
        day = 9 + round_ if round_ < 3 else 14 + (round_ - 3)  # working days from Wed 9 Dec
        companies = [CompanyFactory() for _ in range(THREADS)]
        # Overlapping times for the one consultant: 10:00, 10:30, 11:00, ... all collide
        # with each other through the visit length and the travel buffer.
        starts = [at(day, 10) + dt.timedelta(minutes=30 * (i % 3)) for i in range(THREADS)]
        results = race(campaign, companies, starts)
        outcomes = [r[0] for r in results]
        assert outcomes.count("booked") == 1, results
        assert outcomes.count("conflict") == THREADS - 1, results
    assert Booking.objects.count() == ROUNDS
    assert overlapping_attendees() == []


def test_track_1_pairs_never_double_book_the_representative(setup):
    campaign, consultant = setup
    rep = working_hours(ConsultantFactory(jobcentre=None, kind="jobservice"))
    companies = [CompanyFactory(employees=250) for _ in range(THREADS)]
    starts = [at(9, 12)] * THREADS
    results = race(campaign, companies, starts, track=Track.JOBSERVICE)
    assert [r[0] for r in results].count("booked") == 1, results
    assert rep.attendances.filter(is_active=True).count() == 1
    assert overlapping_attendees() == []


def test_across_jobcentres_the_database_refuses_the_second_representative_booking(setup):
    """Different jobcentres take different quota locks, so only the representative's row
    lock and the exclusion constraint stand between two bookings of one representative."""
    campaign, _ = setup
    aarhus = Jobcentre.objects.get(name="Jobcenter Aarhus")
    Participation.objects.create(campaign=campaign, jobcentre=aarhus, quota=10, accepted_at=NOW)
    working_hours(ConsultantFactory(jobcentre=aarhus))
    rep = working_hours(ConsultantFactory(jobcentre=None, kind="jobservice"))

    companies = [
        CompanyFactory(municipality=Municipality.objects.get(code=101 if i % 2 else 751))
        for i in range(THREADS)
    ]
    for round_ in range(ROUNDS):
        results = race(
            campaign,
            companies,
            [at(9 + round_ % 3, 8 + 2 * (round_ // 3))] * THREADS,
            track=Track.JOBSERVICE,
        )
        outcomes = [r[0] for r in results]
        assert "error" not in outcomes, results
        assert outcomes.count("booked") == 1, results
        companies = [CompanyFactory(municipality=c.municipality) for c in companies]
    assert rep.attendances.filter(is_active=True).count() == ROUNDS
    assert overlapping_attendees() == []
