"""Giving a booked visit to another consultant of the jobcentre: only to someone free then,
keeping the old attendee row, telling everyone; the page, the API, and two coordinators at
once."""

import collections
import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import translation

from bookings.changes import booking_cancel
from bookings.models import Attendee, Booking, BookingState
from bookings.reassign import booking_reassign, free_at, reassign_candidates
from bookings.services import booking_create
from bookings.slots import find_slots
from bookings.tests.conftest import NOW, at, working_hours
from campaign.models import Participation, Track
from common.errors import ApplicationError, Conflict, PermissionDenied
from consultants.models import Absence, Coordinator, Jobcentre, WorkingHours
from consultants.roles import Role, roles_of
from notifications.models import Message
from tests.factories import AttendeeFactory, BookingFactory, CompanyFactory, ConsultantFactory
from tests.threads import at_once, overlapping_attendees

LATER = NOW + dt.timedelta(hours=1)


def book(campaign, start, consultant, company=None, track=Track.JOBCENTRE):
    return booking_create(
        actor=None,
        campaign=campaign,
        company=company or CompanyFactory(email="firma@firma.invalid"),
        track=track,
        starts_at=start,
        consultant_id=consultant.pk,
        now=NOW,
    )


def local(booking) -> Attendee:
    return booking.attendees.get(is_active=True, role=Attendee.Role.LOCAL)


def reassign(booking, consultant, actor, reason="Syg"):
    return booking_reassign(
        actor=actor, booking=booking, consultant=consultant, reason=reason, now=LATER
    )


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages are checked in English, whatever the Danish catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(make_user, jobcentre):
    user = make_user("koordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=user, jobcentre=jobcentre)
    return user


@pytest.fixture
def colleague(jobcentre):
    """A second consultant of the jobcentre, free on weekdays 8-16."""
    return working_hours(
        ConsultantFactory(
            jobcentre=jobcentre, name="Bente Bach", max_visits_per_day=5, max_visits_per_week=25
        )
    )


@pytest.fixture
def visit(campaign, consultant, colleague):
    """Wednesday 9 December, 10:00-11:00, with the first consultant."""
    booking = book(campaign, at(9, 10), consultant)
    assert local(booking).consultant == consultant
    return booking


# --- To someone free -------------------------------------------------------------------------


def test_a_free_consultant_takes_the_visit_and_the_old_row_is_kept_inactive(
    visit, consultant, colleague, coordinator
):
    old = local(visit)

    reassign(visit, colleague, coordinator)

    visit.refresh_from_db()
    assert visit.state == BookingState.BOOKED
    assert visit.sequence == 1
    old.refresh_from_db()
    assert old.is_active is False
    new = local(visit)
    assert new.consultant == colleague
    assert new.role == Attendee.Role.LOCAL
    assert (new.starts_at, new.blocked_until) == (at(9, 10), at(9, 11, 30))
    assert new.acknowledged_at is None
    assert visit.attendees.count() == 2  # nothing deleted
    assert Booking.objects.count() == 1


def test_it_writes_the_outbox_rows_and_cancels_the_old_consultants_pending_ones(
    visit, consultant, colleague, coordinator
):
    ref = f"booking:{visit.pk}"
    when = at(9, 10).isoformat()
    old_notice = f"{ref}:attendee-notice:{consultant.pk}:{when}"
    assert Message.objects.get(key=old_notice).state == Message.State.PENDING

    reassign(visit, colleague, coordinator, reason="Bente har tid")

    assert Message.objects.get(key=old_notice).state == Message.State.CANCELLED
    cancelled = Message.objects.get(key=f"{ref}:attendee-cancelled:{consultant.pk}:{when}")
    assert (cancelled.to_email, cancelled.state) == (consultant.email, Message.State.PENDING)
    assert cancelled.context["reason"] == "Bente har tid"
    notice = Message.objects.get(key=f"{ref}:attendee-notice:{colleague.pk}:{when}")
    assert notice.to_email == colleague.email
    assert notice.context["attendee"] == local(visit).pk
    changed = Message.objects.get(key=f"{ref}:company-changed:{when}")
    assert changed.to_email == "firma@firma.invalid"
    assert "reason" not in changed.context  # the reason is internal
    # The company's confirmation is still on its way.
    assert Message.objects.get(kind="company-confirmation").state == Message.State.PENDING


def test_the_slot_finder_sees_the_change(
    campaign, jobcentre, visit, consultant, colleague, coordinator
):
    def free_at_ten(cid):
        search = find_slots(campaign=campaign, jobcentre=jobcentre, track=Track.JOBCENTRE, now=NOW)
        offer = search.offer_at(at(9, 10))
        return offer is not None and cid in offer.local_ids

    assert not free_at_ten(consultant.pk) and free_at_ten(colleague.pk)
    reassign(visit, colleague, coordinator)
    assert free_at_ten(consultant.pk) and not free_at_ten(colleague.pk)


def test_given_away_and_back_each_consultant_is_told_again(
    visit, consultant, colleague, coordinator
):
    reassign(visit, colleague, coordinator)
    reassign(visit, consultant, coordinator)
    ref = f"booking:{visit.pk}"
    notices = Message.objects.filter(
        subject_ref=ref, kind="attendee-notice", to_email=consultant.email
    )
    assert notices.filter(state=Message.State.PENDING).count() == 1
    assert notices.get(state=Message.State.PENDING).key.endswith(":rev2")  # its revision
    assert Message.objects.filter(kind="company-changed").count() == 2
    visit.refresh_from_db()
    assert visit.sequence == 2
    assert visit.attendees.count() == 3
    assert local(visit).consultant == consultant


def test_a_visit_inside_the_booking_notice_can_still_be_reassigned(
    campaign, consultant, colleague, coordinator
):
    """Tomorrow is too soon to book, not to hand a visit over when someone falls ill."""
    booking = BookingFactory(
        campaign=campaign, starts_at=at(8, 10), ends_at=at(8, 11), booked_at=NOW
    )
    AttendeeFactory(booking=booking, consultant=consultant)
    reassign(booking, colleague, coordinator)
    assert local(booking).consultant == colleague


def test_on_track_1_only_the_local_consultant_changes(
    campaign, consultant, colleague, jobservice_rep, coordinator
):
    booking = book(campaign, at(9, 12), consultant, CompanyFactory(employees=300), Track.JOBSERVICE)
    reassign(booking, colleague, coordinator)
    active = {a.role: a.consultant for a in booking.attendees.filter(is_active=True)}
    assert active == {Attendee.Role.LOCAL: colleague, Attendee.Role.JOBSERVICE: jobservice_rep}
    assert not Message.objects.filter(kind="attendee-cancelled", to_email=jobservice_rep.email)


def test_agency_staff_may_reassign_too(visit, colleague, make_user):
    reassign(visit, colleague, make_user("styrelsen", Role.AGENCY))
    assert local(visit).consultant == colleague


# --- Refused -----------------------------------------------------------------------------------


def another_visit(campaign, colleague, consultant):
    book(campaign, at(9, 11), colleague)  # 11:00: inside 10:00-11:00 plus the travel buffer


def away(campaign, colleague, consultant):
    Absence.objects.create(
        consultant=colleague, kind="holiday", starts_at=at(9, 0), ends_at=at(10, 0)
    )


def outside_hours(campaign, colleague, consultant):
    colleague.working_hours.all().delete()
    working_hours(colleague, start=dt.time(12), end=dt.time(16))


def day_full(campaign, colleague, consultant):
    book(campaign, at(9, 14), colleague)
    colleague.max_visits_per_day = 1
    colleague.save()


def week_full(campaign, colleague, consultant):
    book(campaign, at(10, 14), colleague)
    colleague.max_visits_per_week = 1
    colleague.save()


@pytest.mark.parametrize(
    ("busy", "words"),
    [
        (another_visit, "Bente Bach has another visit at that time"),
        (away, "Bente Bach is away (holiday)"),
        (outside_hours, "outside Bente Bach's working hours"),
        (day_full, "Bente Bach has reached the day's maximum of 1 visits"),
        (week_full, "Bente Bach has reached the week's maximum of 1 visits"),
    ],
)
def test_a_busy_consultant_is_refused_naming_why(
    campaign, visit, consultant, colleague, coordinator, busy, words
):
    busy(campaign, colleague, consultant)
    messages_before = Message.objects.count()

    with pytest.raises(Conflict) as refused:
        reassign(visit, colleague, coordinator)

    assert words in str(refused.value.message)
    assert refused.value.field_errors["consultant"] == [refused.value.message]
    visit.refresh_from_db()
    assert visit.sequence == 0
    assert local(visit).consultant == consultant
    assert Message.objects.count() == messages_before
    # The page says the same, before anyone tries.
    reasons = {c.consultant.pk: c.reason for c in reassign_candidates(visit)}
    assert words in reasons[colleague.pk]


def test_a_visit_just_outside_the_buffer_does_not_count(campaign, visit, colleague, coordinator):
    book(campaign, at(9, 11, 30), colleague)  # 11:30: the buffer after 11:00 is over
    reassign(visit, colleague, coordinator)
    assert local(visit).consultant == colleague


def test_a_consultant_of_another_jobcentre_is_refused(visit, coordinator):
    aarhus = Jobcentre.objects.get(name="Jobcenter Aarhus")
    stranger = working_hours(ConsultantFactory(jobcentre=aarhus, name="Aarhus Anders"))
    with pytest.raises(ApplicationError) as refused:
        reassign(visit, stranger, coordinator)
    assert "Aarhus Anders is not a consultant of Jobcenter København" in str(refused.value.message)
    assert local(visit).consultant != stranger


def test_the_same_or_an_inactive_consultant_is_refused(visit, consultant, colleague, coordinator):
    with pytest.raises(ApplicationError, match="already has this visit"):
        reassign(visit, consultant, coordinator)
    colleague.is_active = False
    colleague.save()
    with pytest.raises(ApplicationError, match="no longer active"):
        reassign(visit, colleague, coordinator)


def test_only_a_booked_future_visit_can_be_reassigned(visit, campaign, colleague, coordinator):
    with pytest.raises(ApplicationError, match="already started"):
        booking_reassign(
            actor=coordinator,
            booking=visit,
            consultant=colleague,
            reason="Syg",
            now=at(9, 10, 5),
        )
    booking_cancel(actor=None, booking=visit, by="company", reason="Ingen tid", now=LATER)
    with pytest.raises(Conflict, match="no longer booked"):
        reassign(visit, colleague, coordinator)


def test_a_reason_is_needed(visit, colleague, coordinator):
    with pytest.raises(ApplicationError) as refused:
        reassign(visit, colleague, coordinator, reason="  ")
    assert "reason" in refused.value.field_errors


def test_consultants_and_other_coordinators_may_not_reassign(visit, colleague, make_user):
    other = make_user("aarhus-koordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=other, jobcentre=Jobcentre.objects.get(name="Jobcenter Aarhus"))
    for actor in (make_user("konsulent", Role.CONSULTANT), other):
        with pytest.raises(PermissionDenied):
            reassign(visit, colleague, actor)
    assert visit.attendees.count() == 1


# --- The page and the API ------------------------------------------------------------------------


def test_the_page_lists_who_is_free_and_why_not(client, campaign, visit, colleague, coordinator):
    busy = working_hours(ConsultantFactory(jobcentre=visit.jobcentre, name="Carl Optaget"))
    Absence.objects.create(consultant=busy, kind="course", starts_at=at(9, 8), ends_at=at(9, 12))
    client.force_login(coordinator)
    response = client.get(reverse("visit-reassign", args=[visit.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Bente Bach" in content
    assert "Carl Optaget is away (course) at that time." in content
    rows = {c.consultant.name: c.is_free for c in response.context["candidates"]}
    assert rows["Bente Bach"] is True and rows["Carl Optaget"] is False


def test_reassigning_on_the_page(client, visit, colleague, coordinator):
    client.force_login(coordinator)
    url = reverse("visit-reassign", args=[visit.pk])
    response = client.post(url, {"consultant": colleague.pk, "reason": "Ferie"})
    assert response.status_code == 302
    assert local(visit).consultant == colleague


def test_a_refusal_on_the_page_is_shown_not_a_500(client, campaign, visit, colleague, coordinator):
    book(campaign, at(9, 11), colleague)
    client.force_login(coordinator)
    url = reverse("visit-reassign", args=[visit.pk])
    response = client.post(url, {"consultant": colleague.pk, "reason": "Ferie"})
    assert response.status_code == 409
    assert "Bente Bach has another visit at that time" in response.content.decode()
    response = client.post(url, {"consultant": colleague.pk, "reason": ""})
    assert response.status_code == 400


def test_the_page_refuses_consultants_and_hides_other_jobcentres_visits(client, visit, make_user):
    url = reverse("visit-reassign", args=[visit.pk])
    client.force_login(make_user("konsulent", Role.CONSULTANT))
    assert client.get(url).status_code == 403
    other = make_user("aarhus-koordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=other, jobcentre=Jobcentre.objects.get(name="Jobcenter Aarhus"))
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.post(url, {"consultant": 1, "reason": "x"}).status_code == 404


def test_the_api_lists_candidates_and_reassigns(
    client, campaign, visit, consultant, colleague, coordinator
):
    client.force_login(coordinator)
    url = reverse("api-visit-reassign", args=[visit.pk])
    data = client.get(url).json()
    assert data["changeable"] is True
    candidates = {c["consultant"]: c for c in data["candidates"]}
    assert candidates[consultant.pk]["is_current"] is True
    assert candidates[colleague.pk]["is_free"] is True

    book(campaign, at(9, 11), colleague)
    response = client.post(url, {"consultant": colleague.pk, "reason": "Syg"}, "application/json")
    assert response.status_code == 409
    assert "Bente Bach has another visit" in response.json()["detail"]

    free = working_hours(ConsultantFactory(jobcentre=visit.jobcentre))
    response = client.post(url, {"consultant": free.pk, "reason": "Syg"}, "application/json")
    assert response.status_code == 200
    assert {a["consultant"] for a in response.json()["attendees"] if a["is_active"]} == {free.pk}


# --- Two coordinators at once ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_reassigning_to_the_same_free_consultant_at_once_one_wins(
    make_user, campaign, jobcentre, consultant, colleague
):
    coordinators = []
    for name in ("koordinator-1", "koordinator-2"):
        user = make_user(name, Role.COORDINATOR)
        Coordinator.objects.create(user=user, jobcentre=jobcentre)
        roles_of(user)
        coordinators.append(user)
    third = working_hours(
        ConsultantFactory(jobcentre=jobcentre, max_visits_per_day=5, max_visits_per_week=25)
    )
    for day in (9, 10, 11, 14, 15):
        # Two visits of two consultants, half an hour apart: the colleague can take one.
        visits = [book(campaign, at(day, 10), consultant), book(campaign, at(day, 10, 30), third)]

        def move(i, visits=visits):
            def call():
                with translation.override("en"):
                    reassign(visits[i], colleague, coordinators[i])
                return "reassigned"

            return call

        results = [
            r if r == "reassigned" else f"conflict: {r.message}" if isinstance(r, Conflict)
            else f"error: {r!r}"
            for r in at_once([move(0), move(1)])
        ]  # fmt: skip
        assert sorted(r.split(":")[0] for r in results) == ["conflict", "reassigned"], results
        assert "Bente Bach has another visit" in next(r for r in results if r != "reassigned")
        taken = Attendee.objects.filter(
            booking__in=visits, consultant=colleague, is_active=True
        ).count()
        assert taken == 1
    assert overlapping_attendees() == []


# --- The same rules as the slot finder --------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_the_reassign_check_and_the_slot_finder_agree_on_who_is_free(seed, campaign, jobcentre):
    """free_at and find_slots judge the same rules with code of their own (the reassign
    module says why). On random calendars (working hours, absences, other visits and caps
    drawn from the seed, the weekly cap near the week's visits) they must name the same
    consultants free at every half hour of a week's working days."""
    rng = random.Random(seed)
    Participation.objects.filter(campaign=campaign).update(quota=10_000)
    buffer = dt.timedelta(minutes=campaign.travel_buffer_minutes)
    length = dt.timedelta(minutes=campaign.visit_minutes)
    days = [dt.date(2026, 12, d) for d in range(14, 19)]  # Monday 14 to Friday 18 December
    consultants = []
    for _n in range(6):
        consultant = ConsultantFactory(jobcentre=jobcentre, max_visits_per_day=rng.randint(1, 4))
        for weekday in range(5):
            if rng.random() < 0.85:
                start = dt.time(*rng.choice([(7, 0), (7, 30), (8, 0), (9, 0), (10, 0)]))
                end = dt.time(*rng.choice([(12, 0), (14, 0), (15, 30), (16, 0)]))
                WorkingHours.objects.create(
                    consultant=consultant, weekday=weekday, starts_at=start, ends_at=end
                )
        if rng.random() < 0.4:
            starts_at = at(rng.choice(days).day, rng.randint(7, 14), rng.choice([0, 30]))
            Absence.objects.create(
                consultant=consultant,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=30 * rng.randint(1, 12)),
            )
        for day in days:  # other visits, one after the other with gaps
            moment = at(day.day, 7) + dt.timedelta(minutes=15 * rng.randint(0, 8))
            while moment.hour < 15 and rng.random() < 0.4:
                other = BookingFactory(
                    campaign=campaign,
                    jobcentre=jobcentre,
                    starts_at=moment,
                    ends_at=moment + length,
                )
                AttendeeFactory(booking=other, consultant=consultant)
                moment += length + buffer + dt.timedelta(minutes=15 * rng.randint(0, 12))
        # The weekly cap at, just under or just over the week's visits: where it binds.
        week = consultant.attendances.count()
        consultant.max_visits_per_week = max(week + rng.choice([-1, 0, 0, 1, 5]), 1)
        consultant.save()
        consultants.append(consultant)

    judged = collections.Counter()
    for day in days:
        for minutes in range(7 * 60, 16 * 60, 30):
            starts_at = at(day.day, minutes // 60, minutes % 60)
            visit = BookingFactory(
                campaign=campaign,
                jobcentre=jobcentre,
                starts_at=starts_at,
                ends_at=starts_at + length,
            )
            reasons = free_at(visit, consultants)
            search = find_slots(
                campaign=campaign,
                jobcentre=jobcentre,
                track=Track.JOBCENTRE,
                now=NOW,
                exclude_booking=visit,
                window=(starts_at, starts_at + length),
            )
            offer = search.offer_at(starts_at)
            offered = set(offer.local_ids) if offer else set()
            free = {cid for cid, reason in reasons.items() if not reason}
            assert free == offered, (starts_at, reasons)
            judged.update(
                "free" if not reason else reason.split()[-2] for reason in reasons.values()
            )
            visit.delete()
    print(judged)
    assert judged["free"] and len(judged) > 3  # some free, and several reasons why not
