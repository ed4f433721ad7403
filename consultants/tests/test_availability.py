"""A consultant's availability: working hours, absences and caps, through the services, the
page and the API, and what they change in the slot finder."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from bookings.services import booking_create
from bookings.slots import find_slots
from bookings.tests import conftest as booking_tests
from campaign.models import Track
from common.errors import ApplicationError, PermissionDenied
from consultants import availability
from consultants.models import Absence, Consultant, Coordinator, Jobcentre, WorkingHours
from consultants.roles import Role
from tests.factories import ConsultantFactory

# The booking tests' world (Jobcenter København, a campaign, a consultant working 8-16 on
# weekdays) and their clock (Monday 7 December 2026, 09:00), reused as this module's fixtures.
NOW, at, working_hours = booking_tests.NOW, booking_tests.at, booking_tests.working_hours
frozen_now = booking_tests.frozen_now
jobcentre = booking_tests.jobcentre
campaign = booking_tests.campaign
company = booking_tests.company
consultant = booking_tests.consultant
jobservice_rep = booking_tests.jobservice_rep

T = dt.time


def offered_starts(campaign, jobcentre, day: int | None = None) -> list[str]:
    """The times offered ("09 10:00"), all of them or on one day of December 2026."""
    search = find_slots(campaign=campaign, jobcentre=jobcentre, track=Track.JOBCENTRE, now=NOW)
    return [
        o.starts_at.strftime("%d %H:%M")
        for o in search.offers
        if day is None or (o.starts_at.month, o.starts_at.day) == (12, day)
    ]


def book(campaign, company, start):
    return booking_create(
        actor=None,
        campaign=campaign,
        company=company,
        track=Track.JOBCENTRE,
        starts_at=start,
        now=NOW,
    )


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages are checked in English, whatever the Danish catalogue holds."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def me(make_user, consultant):
    """The consultant's own log-in."""
    user = make_user("konsulent", Role.CONSULTANT)
    consultant.user = user
    consultant.save()
    return user


@pytest.fixture
def coordinator(make_user, jobcentre):
    user = make_user("koordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=user, jobcentre=jobcentre)
    return user


@pytest.fixture
def aarhus(reference):
    return Jobcentre.objects.get(name="Jobcenter Aarhus")


@pytest.fixture
def outsider(make_user, aarhus):
    """A consultant of another jobcentre, with their own log-in."""
    user = make_user("aarhus", Role.CONSULTANT)
    ConsultantFactory(jobcentre=aarhus, user=user)
    return user


@pytest.fixture
def other_coordinator(make_user, aarhus):
    user = make_user("aarhus-koordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=user, jobcentre=aarhus)
    return user


@pytest.fixture
def agency(make_user):
    return make_user("styrelsen", Role.AGENCY)


# --- Working hours ---------------------------------------------------------------------------


def test_working_hours_decide_which_times_are_offered(
    me,
    campaign,
    jobcentre,
    consultant,
):
    assert "09 08:00" in offered_starts(campaign, jobcentre)
    assert "10 10:00" in offered_starts(campaign, jobcentre)

    # Wednesdays only, two intervals with a lunch break.
    availability.working_hours_set(
        actor=me, consultant=consultant, week={2: [(T(12, 30), T(15)), (T(9), T(11))]}
    )

    starts = offered_starts(campaign, jobcentre)
    assert {s[:2] for s in starts} <= {"09", "16", "23", "30", "06", "13"}  # Wednesdays
    assert offered_starts(campaign, jobcentre, day=9) == [
        "09 09:00",
        "09 09:30",
        "09 10:00",
        "09 12:30",
        "09 13:00",
        "09 13:30",
        "09 14:00",
    ]
    assert availability.week_of(consultant)[2] == [(T(9), T(11)), (T(12, 30), T(15))]
    assert availability.week_of(consultant)[0] == []


def test_unchanged_intervals_keep_their_rows(me, consultant):
    monday = WorkingHours.objects.get(consultant=consultant, weekday=0)
    week = availability.week_of(consultant)
    week[4] = []  # Fridays off
    availability.working_hours_set(actor=me, consultant=consultant, week=week)
    assert WorkingHours.objects.filter(pk=monday.pk).exists()
    assert not consultant.working_hours.filter(weekday=4).exists()
    assert consultant.working_hours.count() == 4


def test_touching_intervals_are_allowed(me, consultant):
    availability.working_hours_set(
        actor=me, consultant=consultant, week={0: [(T(8), T(12)), (T(12), T(16))]}
    )
    assert availability.week_of(consultant)[0] == [(T(8), T(12)), (T(12), T(16))]


@pytest.mark.parametrize(
    ("intervals", "words"),
    [
        ([(T(12), T(10))], "must end after it starts"),
        ([(T(10), T(10))], "must end after it starts"),
        ([(T(8), T(12)), (T(11), T(14))], "overlap"),
        ([(T(8), T(16)), (T(9), T(10))], "overlap"),
    ],
)
def test_bad_working_hours_are_refused_per_weekday_and_nothing_changes(
    me,
    consultant,
    intervals,
    words,
):
    before = availability.week_of(consultant)
    with pytest.raises(ApplicationError) as refused:
        availability.working_hours_set(
            actor=me, consultant=consultant, week={0: [(T(8), T(9))], 2: intervals}
        )
    assert list(refused.value.field_errors) == ["wednesday"]
    assert words in str(refused.value.field_errors["wednesday"][0])
    assert availability.week_of(consultant) == before


# --- Absences --------------------------------------------------------------------------------


def test_an_absence_removes_its_days_and_removing_it_gives_them_back(
    me,
    campaign,
    jobcentre,
    consultant,
):
    assert offered_starts(campaign, jobcentre, day=9)
    created = availability.absence_create(
        actor=me,
        consultant=consultant,
        kind=Absence.Kind.HOLIDAY,
        starts_at=at(9, 0),
        ends_at=at(10, 0),
    )
    assert created.collisions == []
    assert offered_starts(campaign, jobcentre, day=9) == []
    assert offered_starts(campaign, jobcentre, day=10)

    availability.absence_delete(actor=me, absence=created.absence)
    assert not Absence.objects.exists()
    assert offered_starts(campaign, jobcentre, day=9)


def test_part_of_a_day_away_removes_only_those_hours(
    me,
    campaign,
    jobcentre,
    consultant,
):
    availability.absence_create(
        actor=me, consultant=consultant, kind="course", starts_at=at(9, 8), ends_at=at(9, 12)
    )
    assert offered_starts(campaign, jobcentre, day=9)[0] == "09 12:00"


def test_an_absence_over_booked_visits_is_kept_and_lists_them(
    me,
    campaign,
    company,
    jobcentre,
    consultant,
):
    visit = book(campaign, company, at(9, 10))
    other_day = book(campaign, company, at(11, 10))

    created = availability.absence_create(
        actor=me, consultant=consultant, kind="sick", starts_at=at(9, 0), ends_at=at(10, 0)
    )

    assert [a.booking_id for a in created.collisions] == [visit.pk]
    assert created.absence.pk is not None
    assert other_day.pk not in [a.booking_id for a in created.collisions]
    visit.refresh_from_db()
    assert visit.state == "booked"  # nothing changes by itself: the coordinator reassigns


def test_an_absence_must_end_after_it_starts_and_have_a_known_kind(me, consultant):
    with pytest.raises(ApplicationError) as refused:
        availability.absence_create(
            actor=me, consultant=consultant, kind="holiday", starts_at=at(9, 12), ends_at=at(9, 8)
        )
    assert "ends_at" in refused.value.field_errors
    with pytest.raises(ApplicationError) as refused:
        availability.absence_create(
            actor=me, consultant=consultant, kind="party", starts_at=at(9, 8), ends_at=at(9, 12)
        )
    assert "kind" in refused.value.field_errors
    assert not Absence.objects.exists()


# --- Caps ------------------------------------------------------------------------------------


def test_the_daily_cap_closes_a_day_once_reached(
    me,
    campaign,
    company,
    jobcentre,
    consultant,
):
    book(campaign, company, at(9, 8))
    assert offered_starts(campaign, jobcentre, day=9)

    availability.visit_caps_set(actor=me, consultant=consultant, per_day=1, per_week=10)

    assert offered_starts(campaign, jobcentre, day=9) == []
    assert offered_starts(campaign, jobcentre, day=10)
    consultant.refresh_from_db()
    assert (consultant.max_visits_per_day, consultant.max_visits_per_week) == (1, 10)


def test_the_weekly_cap_closes_the_rest_of_the_week(
    me,
    campaign,
    company,
    jobcentre,
    consultant,
):
    book(campaign, company, at(9, 8))
    book(campaign, company, at(10, 8))
    availability.visit_caps_set(actor=me, consultant=consultant, per_day=2, per_week=2)
    assert offered_starts(campaign, jobcentre, day=11) == []
    assert offered_starts(campaign, jobcentre, day=14)  # the next week


@pytest.mark.parametrize(
    ("per_day", "per_week", "field"),
    [
        (0, 10, "max_visits_per_day"),
        (3, 0, "max_visits_per_week"),
        (5, 4, "max_visits_per_week"),
        (availability.MAX_VISITS_PER_DAY + 1, 200, "max_visits_per_day"),
    ],
)
def test_bad_caps_are_refused(me, consultant, per_day, per_week, field):
    with pytest.raises(ApplicationError) as refused:
        availability.visit_caps_set(
            actor=me, consultant=consultant, per_day=per_day, per_week=per_week
        )
    assert field in refused.value.field_errors
    consultant.refresh_from_db()
    assert consultant.max_visits_per_day == 5


# --- Who may ----------------------------------------------------------------------------------


def test_the_consultant_their_coordinator_and_agency_staff_may_change_it(
    me,
    coordinator,
    agency,
    consultant,
):
    for actor, per_day in ((me, 2), (coordinator, 3), (agency, 4)):
        availability.visit_caps_set(actor=actor, consultant=consultant, per_day=per_day, per_week=9)
        consultant.refresh_from_db()
        assert consultant.max_visits_per_day == per_day


def test_others_may_not(
    outsider,
    other_coordinator,
    make_user,
    consultant,
):
    phoner = make_user("phoner", Role.PHONER)
    for actor in (outsider, other_coordinator, phoner):
        with pytest.raises(PermissionDenied):
            availability.visit_caps_set(actor=actor, consultant=consultant, per_day=1, per_week=1)
        with pytest.raises(PermissionDenied):
            availability.working_hours_set(actor=actor, consultant=consultant, week={})
        with pytest.raises(PermissionDenied):
            availability.absence_create(
                actor=actor,
                consultant=consultant,
                kind="sick",
                starts_at=at(9, 8),
                ends_at=at(9, 9),
            )
    assert consultant.working_hours.count() == 5


def test_a_jobservice_representative_keeps_their_own_and_agency_staff_anyones(
    make_user,
    coordinator,
    agency,
    jobservice_rep,
):
    rep_user = make_user("jsd", Role.CONSULTANT)
    jobservice_rep.user = rep_user
    jobservice_rep.save()
    availability.visit_caps_set(actor=rep_user, consultant=jobservice_rep, per_day=2, per_week=6)
    availability.visit_caps_set(actor=agency, consultant=jobservice_rep, per_day=3, per_week=6)
    with pytest.raises(PermissionDenied):  # no jobcentre's coordinator manages them
        availability.visit_caps_set(
            actor=coordinator, consultant=jobservice_rep, per_day=1, per_week=1
        )


def test_editable_consultants_follow_the_same_rule(
    me,
    coordinator,
    agency,
    outsider,
    consultant,
    jobservice_rep,
):
    colleague = ConsultantFactory(jobcentre=consultant.jobcentre)
    assert list(availability.editable_consultants(me)) == [consultant]
    assert set(availability.editable_consultants(coordinator)) == {consultant, colleague}
    assert set(availability.editable_consultants(agency)) == set(Consultant.objects.all())
    assert consultant not in availability.editable_consultants(outsider)


# --- The page ---------------------------------------------------------------------------------


def page_url(consultant):
    return f"{reverse('availability')}?consultant={consultant.pk}"


def test_the_page_shows_the_own_week_absences_and_caps(client, me, consultant):
    client.force_login(me)
    response = client.get(reverse("availability"))
    assert response.status_code == 200
    assert response.context["consultant"] == consultant
    content = response.content.decode()
    assert 'name="wednesday_0_start"' in content
    assert 'value="08:00"' in content
    assert 'name="max_visits_per_day"' in content


def test_saving_the_week_grid(client, me, consultant):
    client.force_login(me)
    data = {"slots": "2", "monday_0_start": "08:00", "monday_0_end": "12:00"}
    data |= {"monday_1_start": "13:00", "monday_1_end": "15:30"}
    data |= {"thursday_0_start": "10:00", "thursday_0_end": "14:00"}
    response = client.post(reverse("availability-hours", args=[consultant.pk]), data)
    assert response.status_code == 302
    week = availability.week_of(consultant)
    assert week[0] == [(T(8), T(12)), (T(13), T(15, 30))]
    assert week[3] == [(T(10), T(14))]
    assert week[1] == week[2] == week[4] == []


def test_a_bad_week_grid_is_shown_again_with_the_problem_on_its_day(
    client,
    me,
    consultant,
):
    client.force_login(me)
    data = {"slots": "2", "tuesday_0_start": "08:00", "tuesday_0_end": "12:00"}
    data |= {"tuesday_1_start": "11:00", "tuesday_1_end": "13:00"}
    data |= {"friday_0_start": "09:00"}  # half an interval
    response = client.post(reverse("availability-hours", args=[consultant.pk]), data)
    assert response.status_code == 400
    rows = {row["key"]: row["errors"] for row in response.context["week_rows"]}
    assert rows["friday"] == ["Give both times, or neither."]
    assert consultant.working_hours.count() == 5  # nothing saved

    del data["friday_0_start"]
    response = client.post(reverse("availability-hours", args=[consultant.pk]), data)
    assert response.status_code == 400
    rows = {row["key"]: row["errors"] for row in response.context["week_rows"]}
    assert "overlap" in rows["tuesday"][0]


def test_adding_a_whole_day_absence_on_the_page_lists_colliding_visits(
    client,
    coordinator,
    campaign,
    company,
    consultant,
):
    visit = book(campaign, company, at(9, 10))
    client.force_login(coordinator)
    response = client.post(
        reverse("availability-absence-create", args=[consultant.pk]),
        {"kind": "sick", "starts_on": "2026-12-09", "ends_on": "2026-12-09", "note": "Influenza"},
        follow=True,
    )
    assert response.status_code == 200
    absence = Absence.objects.get()
    assert (absence.starts_at, absence.ends_at) == (at(9, 0), at(10, 0))
    content = response.content.decode()
    assert "collides with 1 booked visit" in content
    assert reverse("visit-reassign", args=[visit.pk]) in content  # the coordinator may act
    item = response.context["absences"][0]
    assert [a.booking_id for a in item["collisions"]] == [visit.pk]


def test_an_absence_ending_before_it_starts_is_shown_on_its_field(client, me, consultant):
    client.force_login(me)
    response = client.post(
        reverse("availability-absence-create", args=[consultant.pk]),
        {
            "kind": "holiday",
            "starts_on": "2026-12-10",
            "starts_time": "12:00",
            "ends_on": "2026-12-10",
            "ends_time": "09:00",
        },
    )
    assert response.status_code == 400
    assert response.context["absence_form"].errors["ends_on"]
    assert not Absence.objects.exists()


def test_removing_an_absence_on_the_page(client, me, consultant):
    absence = Absence.objects.create(consultant=consultant, starts_at=at(9, 0), ends_at=at(10, 0))
    client.force_login(me)
    response = client.post(reverse("availability-absence-delete", args=[absence.pk]))
    assert response.status_code == 302
    assert not Absence.objects.exists()


def test_saving_caps_on_the_page_and_a_refusal(client, coordinator, consultant):
    client.force_login(coordinator)
    url = reverse("availability-caps", args=[consultant.pk])
    response = client.post(url, {"max_visits_per_day": "2", "max_visits_per_week": "7"})
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert (consultant.max_visits_per_day, consultant.max_visits_per_week) == (2, 7)
    response = client.post(url, {"max_visits_per_day": "4", "max_visits_per_week": "3"})
    assert response.status_code == 400
    assert response.context["caps_form"].errors["max_visits_per_week"]


def test_a_coordinator_chooses_among_the_jobcentres_consultants(
    client,
    coordinator,
    consultant,
):
    colleague = ConsultantFactory(jobcentre=consultant.jobcentre, name="Aage Kollega")
    client.force_login(coordinator)
    response = client.get(reverse("availability"))
    assert response.status_code == 200
    assert response.context["consultant"] is None  # no consultant profile of their own
    assert "Aage Kollega" in response.content.decode()
    assert client.get(page_url(colleague)).context["consultant"] == colleague


def test_other_jobcentres_consultants_are_not_found(
    client,
    outsider,
    other_coordinator,
    consultant,
):
    absence = Absence.objects.create(consultant=consultant, starts_at=at(9, 0), ends_at=at(10, 0))
    for user in (outsider, other_coordinator):
        client.force_login(user)
        assert client.get(page_url(consultant)).status_code == 404
        assert client.get(f"{reverse('availability')}?consultant=x").status_code == 404
        for name in ("availability-hours", "availability-caps", "availability-absence-create"):
            assert client.post(reverse(name, args=[consultant.pk]), {}).status_code == 404
        url = reverse("availability-absence-delete", args=[absence.pk])
        assert client.post(url).status_code == 404
    assert Absence.objects.filter(pk=absence.pk).exists()


def test_phoners_may_not_open_the_page(client, make_user, consultant):
    client.force_login(make_user("phoner", Role.PHONER))
    assert client.get(reverse("availability")).status_code == 403


# --- The API ----------------------------------------------------------------------------------


def test_the_api_reads_and_replaces_the_week(client, me, consultant):
    client.force_login(me)
    url = reverse("api-availability-working-hours", args=[consultant.pk])
    assert client.get(url).json()["monday"] == [{"starts_at": "08:00", "ends_at": "16:00"}]

    week = {"wednesday": [{"starts_at": "09:00", "ends_at": "11:00"}]}
    response = client.put(url, week, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["wednesday"] == [{"starts_at": "09:00", "ends_at": "11:00"}]
    assert response.json()["monday"] == []
    assert availability.week_of(consultant)[2] == [(T(9), T(11))]

    bad = {"friday": [{"starts_at": "12:00", "ends_at": "08:00"}]}
    response = client.put(url, bad, content_type="application/json")
    assert response.status_code == 400
    assert "must end after it starts" in response.json()["errors"]["friday"][0]


def test_the_api_adds_an_absence_and_lists_the_visits_it_collides_with(
    client,
    me,
    campaign,
    company,
    consultant,
):
    visit = book(campaign, company, at(9, 10))
    client.force_login(me)
    url = reverse("api-availability-absences", args=[consultant.pk])
    body = {"kind": "holiday", "starts_at": at(9, 0).isoformat(), "ends_at": at(10, 0).isoformat()}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    assert data["absence"]["kind"] == "holiday"
    assert [c["booking"] for c in data["collisions"]] == [visit.pk]
    assert data["collisions"][0]["company"] == company.name

    assert client.get(url).json()["count"] == 1
    detail = reverse("api-availability-absence", args=[data["absence"]["id"]])
    assert client.get(detail).json()["collisions"][0]["booking"] == visit.pk
    assert client.delete(detail).status_code == 204
    assert not Absence.objects.exists()

    body["ends_at"] = at(8, 0).isoformat()
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "ends_at" in response.json()["errors"]


def test_the_api_sets_caps_and_shows_the_whole_availability(client, agency, consultant):
    client.force_login(agency)
    url = reverse("api-availability-caps", args=[consultant.pk])
    body = {"max_visits_per_day": 2, "max_visits_per_week": 8}
    assert client.put(url, body, content_type="application/json").json() == body
    body = {"max_visits_per_day": 4, "max_visits_per_week": 2}
    response = client.put(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "max_visits_per_week" in response.json()["errors"]

    data = client.get(reverse("api-availability", args=[consultant.pk])).json()
    assert data["max_visits_per_day"] == 2
    assert data["working_hours"]["friday"] == [{"starts_at": "08:00", "ends_at": "16:00"}]


def test_the_api_does_not_find_other_jobcentres_consultants(
    client,
    outsider,
    make_user,
    consultant,
):
    absence = Absence.objects.create(consultant=consultant, starts_at=at(9, 0), ends_at=at(10, 0))
    client.force_login(outsider)
    for name in ("api-availability", "api-availability-working-hours", "api-availability-caps"):
        assert client.get(reverse(name, args=[consultant.pk])).status_code == 404
    url = reverse("api-availability-caps", args=[consultant.pk])
    body = {"max_visits_per_day": 1, "max_visits_per_week": 1}
    assert client.put(url, body, content_type="application/json").status_code == 404
    assert client.delete(reverse("api-availability-absence", args=[absence.pk])).status_code == 404
    client.force_login(make_user("phoner", Role.PHONER))
    assert client.get(reverse("api-availability", args=[consultant.pk])).status_code == 403
