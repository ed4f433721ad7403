"""The slot finder's rules, one by one."""

import datetime as dt

import pytest

from bookings.models import BookingState
from bookings.slots import find_slots
from bookings.tests.conftest import NOW, at, working_hours
from campaign.models import Participation, Track
from consultants.models import Absence
from tests.factories import AttendeeFactory, BookingFactory, ConsultantFactory


def search(campaign, jobcentre, track=Track.JOBCENTRE, **kwargs):
    return find_slots(campaign=campaign, jobcentre=jobcentre, track=track, now=NOW, **kwargs)


def starts(result, day=None):
    return [
        o.starts_at.strftime("%d %H:%M")
        for o in result.offers
        if day is None or o.starts_at.day == day
    ]


def book(consultant, start, minutes=60, **fields):
    booking = BookingFactory(
        starts_at=start, ends_at=start + dt.timedelta(minutes=minutes), **fields
    )
    AttendeeFactory(booking=booking, consultant=consultant)
    return booking


def test_it_offers_times_within_the_booking_window(campaign, jobcentre, consultant):
    result = search(campaign, jobcentre)
    first, last = result.offers[0].starts_at, result.offers[-1].starts_at
    # Two working days' notice from Monday: Wednesday is the first day.
    assert first == at(9, 8)
    # 42 days ahead at most: Monday 18 January 09:00 is the horizon.
    assert last < NOW + dt.timedelta(days=42)
    assert last.date() == dt.date(2027, 1, 18) or last.date() == dt.date(2027, 1, 15)
    assert all(o.ends_at <= NOW + dt.timedelta(days=42) for o in result.offers)


def test_a_shorter_horizon_shortens_the_window(campaign, jobcentre, consultant):
    campaign.max_horizon_days = 7
    result = search(campaign, jobcentre)
    assert result.offers[-1].starts_at < NOW + dt.timedelta(days=7)


def test_it_stays_inside_the_campaign(campaign, jobcentre, consultant):
    campaign.ends_on = dt.date(2026, 12, 10)
    result = search(campaign, jobcentre)
    assert {o.starts_at.day for o in result.offers} == {9, 10}


def test_it_keeps_to_working_hours(campaign, jobcentre, consultant):
    consultant.working_hours.all().delete()
    working_hours(consultant, start=dt.time(9), end=dt.time(11, 30), days=[2])  # Wednesdays
    result = search(campaign, jobcentre)
    assert starts(result, day=9) == ["09 09:00", "09 09:30", "09 10:00", "09 10:30"]
    assert {o.starts_at.weekday() for o in result.offers} == {2}


def test_a_consultant_without_working_hours_offers_nothing(campaign, jobcentre, consultant):
    consultant.working_hours.all().delete()
    result = search(campaign, jobcentre)
    assert result.offers == []
    assert result.reason == "no_free_time"


def test_it_skips_weekends_and_public_holidays(campaign, jobcentre, consultant):
    days = {o.starts_at.date() for o in search(campaign, jobcentre).offers}
    assert dt.date(2026, 12, 12) not in days  # Saturday
    assert dt.date(2026, 12, 25) not in days  # Christmas Day
    assert dt.date(2027, 1, 1) not in days  # New Year's Day
    assert dt.date(2026, 12, 28) in days


def test_it_skips_absences(campaign, jobcentre, consultant):
    Absence.objects.create(
        consultant=consultant, kind=Absence.Kind.COURSE, starts_at=at(9, 12), ends_at=at(10, 12)
    )
    result = search(campaign, jobcentre)
    assert starts(result, day=9)[-1] == "09 11:00"  # the 11:00 visit ends at 12:00
    assert starts(result, day=10)[0] == "10 12:00"


def test_it_keeps_the_travel_buffer_around_visits(campaign, jobcentre, consultant):
    book(consultant, at(9, 10))  # 10:00-11:00, busy until 11:30 with the 30-minute buffer
    wednesday = starts(search(campaign, jobcentre), day=9)
    assert "09 08:30" in wednesday  # ends 09:30, free again at 10:00: just fits
    assert "09 09:00" not in wednesday  # its buffer runs into the visit
    assert "09 11:00" not in wednesday  # inside the buffer after the visit
    assert "09 11:30" in wednesday


def test_a_cancelled_visit_frees_its_time(campaign, jobcentre, consultant):
    booking = book(consultant, at(9, 10))
    booking.attendees.update(is_active=False)
    booking.state = BookingState.CANCELLED_COMPANY
    booking.save()
    assert "09 10:00" in starts(search(campaign, jobcentre), day=9)


def test_it_honours_the_daily_cap(campaign, jobcentre, consultant):
    consultant.max_visits_per_day = 1
    consultant.save()
    book(consultant, at(9, 8))
    result = search(campaign, jobcentre)
    assert starts(result, day=9) == []
    assert starts(result, day=10)


def test_it_honours_the_weekly_cap(campaign, jobcentre, consultant):
    consultant.max_visits_per_week = 2
    consultant.save()
    book(consultant, at(7, 8))  # Monday of the same week, before the window
    book(consultant, at(9, 8))
    result = search(campaign, jobcentre)
    assert not [o for o in result.offers if o.starts_at.date() <= dt.date(2026, 12, 13)]
    assert starts(result, day=14)


def test_it_stops_when_the_quota_is_used(campaign, jobcentre, consultant):
    Participation.objects.filter(campaign=campaign).update(quota=1)
    booking = book(consultant, at(9, 10), campaign=campaign)
    result = search(campaign, jobcentre)
    assert result.offers == [] and result.reason == "quota_used"
    booking.state = BookingState.CANCELLED_COMPANY
    booking.save()
    assert search(campaign, jobcentre).quota_left == 1


def test_a_jobcentre_that_has_not_accepted_gets_nothing(campaign, jobcentre, consultant):
    Participation.objects.filter(campaign=campaign).update(accepted_at=None)
    result = search(campaign, jobcentre)
    assert result.offers == [] and result.reason == "not_participating"


def test_track_1_needs_a_jobservice_representative_and_a_local_consultant(
    campaign, jobcentre, consultant, jobservice_rep
):
    consultant.working_hours.all().delete()
    working_hours(consultant, start=dt.time(10), end=dt.time(16))
    jobservice_rep.working_hours.all().delete()
    working_hours(jobservice_rep, start=dt.time(8), end=dt.time(12))
    result = search(campaign, jobcentre, track=Track.JOBSERVICE)
    assert starts(result, day=9) == ["09 10:00", "09 10:30", "09 11:00"]
    offer = result.offers[0]
    assert offer.local_ids == (consultant.id,)
    assert offer.jobservice_ids == (jobservice_rep.id,)
    # Track 2 never needs the representative.
    assert "09 14:00" in starts(search(campaign, jobcentre), day=9)


def test_track_1_skips_times_the_representative_is_busy(
    campaign, jobcentre, consultant, jobservice_rep
):
    book(jobservice_rep, at(9, 10))
    result = search(campaign, jobcentre, track=Track.JOBSERVICE)
    assert "09 10:00" not in starts(result, day=9)
    assert "09 12:00" in starts(result, day=9)


def test_it_offers_other_consultants_and_counts_what_each_has_left(campaign, jobcentre, consultant):
    other = working_hours(ConsultantFactory(jobcentre=jobcentre))
    book(consultant, at(9, 8))
    result = search(campaign, jobcentre)
    eight = result.offer_at(at(9, 8))
    assert eight.local_ids == (other.id,)
    assert result.free_by_consultant[other.id] > result.free_by_consultant[consultant.id]
    preferred = search(campaign, jobcentre, consultant_id=consultant.id)
    assert preferred.offer_at(at(9, 8)) is None
    assert all(consultant.id in o.local_ids for o in preferred.offers)


def test_consultants_of_other_jobcentres_are_never_offered(campaign, jobcentre, consultant):
    from consultants.models import Jobcentre

    working_hours(ConsultantFactory(jobcentre=Jobcentre.objects.get(name="Jobcenter Aarhus")))
    ids = {cid for o in search(campaign, jobcentre).offers for cid in o.local_ids}
    assert ids == {consultant.id}


@pytest.mark.parametrize("consultants", [3, 30])
def test_the_query_count_does_not_grow_with_consultants(
    campaign, jobcentre, consultants, django_assert_num_queries
):
    for _ in range(consultants):
        c = working_hours(ConsultantFactory(jobcentre=jobcentre))
        book(c, at(9, 10))
    with django_assert_num_queries(6):
        search(campaign, jobcentre)
