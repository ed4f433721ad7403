"""Phoner statistics on a small data set whose figures are worked out by hand below."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from bookings.models import BookingState
from campaign.calls import call_tallies_rebuild
from campaign.models import (
    CallAttempt,
    CallList,
    CallListEntry,
    CallScript,
    Campaign,
    Participation,
    Track,
)
from consultants.models import Jobcentre
from consultants.roles import Role
from reports.phoners import phoner_stats
from tests.factories import BookingFactory, CampaignFactory, CompanyFactory

CPH = ZoneInfo("Europe/Copenhagen")
Outcome = CallAttempt.Outcome


def t(day: int, hour: int, minute: int = 0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=CPH)


@pytest.fixture
def data(reference, make_user):
    """Two phoners, Anna and Bo, calling in one campaign's track 2 with script versions 1
    and 2 (and Bo once without a script), plus noise that must not count: Anna's call on
    track 1, a visit in another campaign and a visit a coordinator booked by hand.

    Anna, version 1 (Tue 1 Dec): 09:05 no answer, 09:20 busy, 09:40 not interested,
          10:10 booked, 10:50 wrong number
        -> 5 calls in 2 clock hours (9, 10) = 2.5/h; 2 contacts; 1 booking; rate 1/2.
    Anna, version 2: 10:55 booked, 13:15 call back
        -> 2 calls in 2 hours (10, 13) = 1.0/h; 2 contacts; 1 booking; rate 1/2.
    Anna in all: 7 calls in 3 hours (9, 10, 13 - hour 10 once) = 7/3 per hour; 4 contacts;
        2 bookings; rate 1/2.
    Bo, version 1: Tue 09:00 booked, 09:30 booked, 09:59 not interested, Wed 09:00 no answer
        -> 4 calls in 2 hours (Tue 9, Wed 9) = 2.0/h; 3 contacts; 2 bookings; rate 2/3.
    Bo, no script: Wed 11:00 do not contact -> 1 call, 1 hour, 1 contact, 0 bookings.
    Bo in all: 5 calls in 3 hours; 4 contacts; 2 bookings; rate 1/2.

    Visits: Anna booked one still booked, one cancelled by the company, and one moved
    whose replacement the jobcentre cancelled -> 3 visits (the moved row not counted),
    2 cancelled = 2/3. Bo booked one held and one booked -> 2 visits, 0 cancelled.
    """
    anna = make_user("anna", Role.PHONER, first_name="Anna", last_name="Andersen")
    bo = make_user("bo", Role.PHONER, first_name="Bo", last_name="Berg")
    coordinator = make_user("koordinator", Role.COORDINATOR)
    jobcentre = Jobcentre.objects.get(name="Jobcenter København")
    campaign = CampaignFactory(name="Vinter")
    other_campaign = CampaignFactory(name="Forår")
    Participation.objects.create(campaign=campaign, jobcentre=jobcentre, quota=50)
    v1, v2 = (
        CallScript.objects.create(campaign=campaign, track=Track.JOBCENTRE, version=v, body="…")
        for v in (1, 2)
    )
    track1_script = CallScript.objects.create(
        campaign=campaign, track=Track.JOBSERVICE, version=1, body="…"
    )
    lists = {
        track: CallList.objects.create(
            campaign=campaign, jobcentre=jobcentre, track=track, status="released"
        )
        for track in Track.values
    }

    def call(phoner, script, outcome, when, track=Track.JOBCENTRE):
        entry = CallListEntry.objects.create(call_list=lists[track], company=CompanyFactory())
        CallAttempt.objects.create(
            entry=entry,
            phoner=phoner,
            script=script,
            outcome=outcome,
            called_at=when,
            callback_at=when + dt.timedelta(days=1) if outcome == Outcome.CALL_BACK else None,
        )

    call(anna, v1, Outcome.NO_ANSWER, t(1, 9, 5))
    call(anna, v1, Outcome.BUSY, t(1, 9, 20))
    call(anna, v1, Outcome.NOT_INTERESTED, t(1, 9, 40))
    call(anna, v1, Outcome.BOOKED, t(1, 10, 10))
    call(anna, v1, Outcome.WRONG_NUMBER, t(1, 10, 50))
    call(anna, v2, Outcome.BOOKED, t(1, 10, 55))
    call(anna, v2, Outcome.CALL_BACK, t(1, 13, 15))
    call(bo, v1, Outcome.BOOKED, t(1, 9, 0))
    call(bo, v1, Outcome.BOOKED, t(1, 9, 30))
    call(bo, v1, Outcome.NOT_INTERESTED, t(1, 9, 59))
    call(bo, v1, Outcome.NO_ANSWER, t(2, 9, 0))
    call(bo, None, Outcome.DO_NOT_CONTACT, t(2, 11, 0))
    call(anna, track1_script, Outcome.BOOKED, t(3, 9, 0), track=Track.JOBSERVICE)  # noise
    # The calls were written with their scripts directly: count them into the tallies.
    call_tallies_rebuild()

    def visit(booked_by, state, **fields):
        return BookingFactory(campaign=campaign, booked_by=booked_by, state=state, **fields)

    visit(anna, BookingState.BOOKED)
    visit(anna, BookingState.CANCELLED_COMPANY)
    moved = visit(anna, BookingState.MOVED)
    visit(anna, BookingState.CANCELLED_JOBCENTRE, replaces=moved)
    visit(bo, BookingState.HELD)
    visit(bo, BookingState.BOOKED)
    visit(coordinator, BookingState.CANCELLED_COMPANY)  # noise: not a phoner
    BookingFactory(  # noise: another campaign
        campaign=other_campaign, booked_by=bo, state=BookingState.CANCELLED_COMPANY
    )
    return {"anna": anna, "bo": bo, "campaign": campaign, "v1": v1, "v2": v2}


def figures(row):
    return (row.calls, row.hours, row.contacts, row.bookings)


def test_the_figures_per_phoner_and_script_version(data):
    report = phoner_stats(campaign=data["campaign"], track=Track.JOBCENTRE)

    anna, bo = report.phoners
    assert (anna.name, bo.name) == ("Anna Andersen", "Bo Berg")

    assert figures(anna) == (7, 3, 4, 2)
    assert anna.calls_per_hour == pytest.approx(7 / 3)
    assert anna.booking_rate == pytest.approx(1 / 2)
    assert (anna.visits, anna.visits_cancelled) == (3, 2)
    assert anna.cancellation_rate == pytest.approx(2 / 3)
    a1, a2 = anna.scripts
    assert (a1.script_id, a1.version, a1.track) == (data["v1"].id, 1, Track.JOBCENTRE)
    assert figures(a1) == (5, 2, 2, 1)
    assert a1.calls_per_hour == pytest.approx(2.5)
    assert a1.booking_rate == pytest.approx(1 / 2)
    assert (a2.script_id, a2.version) == (data["v2"].id, 2)
    assert figures(a2) == (2, 2, 2, 1)
    assert a2.calls_per_hour == pytest.approx(1.0)

    assert figures(bo) == (5, 3, 4, 2)
    assert bo.booking_rate == pytest.approx(1 / 2)
    assert (bo.visits, bo.visits_cancelled, bo.cancellation_rate) == (2, 0, 0)
    b1, b_none = bo.scripts
    assert figures(b1) == (4, 2, 3, 2)
    assert b1.calls_per_hour == pytest.approx(2.0)
    assert b1.booking_rate == pytest.approx(2 / 3)
    assert b_none.script_id is None
    assert figures(b_none) == (1, 1, 1, 0)
    assert b_none.booking_rate == 0

    # The total adds up the phoners: person-hours, not distinct hours across phoners.
    assert figures(report.total) == (12, 6, 8, 4)
    assert (report.total.visits, report.total.visits_cancelled) == (5, 2)


def test_the_filters_narrow_calls_and_visits(data):
    everything = {p.name: p for p in phoner_stats().phoners}
    # Anna's track-1 call counts without the track filter; Bo's visit in the other campaign
    # without the campaign filter.
    assert everything["Anna Andersen"].calls == 8
    assert everything["Anna Andersen"].hours == 4
    assert (everything["Bo Berg"].visits, everything["Bo Berg"].visits_cancelled) == (3, 1)
    track_1 = phoner_stats(campaign=data["campaign"], track=Track.JOBSERVICE)
    assert [(p.name, p.calls, p.bookings) for p in track_1.phoners] == [("Anna Andersen", 1, 1)]


def test_rates_without_a_denominator_are_none(reference, make_user):
    phoner = make_user("cecilie", Role.PHONER)
    BookingFactory(booked_by=phoner)  # a visit, but no calls
    (row,) = phoner_stats().phoners
    assert (row.calls, row.calls_per_hour, row.booking_rate) == (0, None, None)
    assert row.cancellation_rate == 0
    assert row.name == "cecilie"


def test_over_all_campaigns_an_hour_counts_once_and_calls_without_a_script_per_campaign(data):
    """Bo also calls for the other campaign on Tuesday at 09:45 (the hour of his version-1
    calls) with no script, and Anna on Thursday 09:10 (an hour of her own): over all
    campaigns Bo has worked 3 hours, not 4, and his calls without a script are two rows, one
    per campaign."""
    other = Campaign.objects.get(name="Forår")
    jobcentre = Jobcentre.objects.get(name="Jobcenter København")
    other_list = CallList.objects.create(
        campaign=other, jobcentre=jobcentre, track=Track.JOBCENTRE, status="released"
    )
    for phoner, when in ((data["bo"], t(1, 9, 45)), (data["anna"], t(3, 9, 10))):
        CallAttempt.objects.create(
            entry=CallListEntry.objects.create(call_list=other_list, company=CompanyFactory()),
            phoner=phoner,
            outcome=Outcome.NO_ANSWER,
            called_at=when,
        )
    call_tallies_rebuild()

    everything = {p.name: p for p in phoner_stats().phoners}
    bo, anna = everything["Bo Berg"], everything["Anna Andersen"]
    assert figures(bo) == (6, 3, 4, 2)
    # Anna's Thursday 09 hour has a track-1 call of the first campaign too: still 4 hours.
    assert figures(anna) == (9, 4, 5, 3)
    no_script = [(s.campaign, s.track, figures(s)) for s in bo.scripts if s.script_id is None]
    assert no_script == [
        ("Forår", Track.JOBCENTRE, (1, 1, 0, 0)),
        ("Vinter", Track.JOBCENTRE, (1, 1, 1, 0)),
    ]
    # One track over all campaigns: Anna's track-1 call left out, her hours 9, 10, 13 and
    # the other campaign's Thursday 09.
    track_2 = {p.name: p for p in phoner_stats(track=Track.JOBCENTRE).phoners}
    assert figures(track_2["Anna Andersen"]) == (8, 4, 4, 2)
    assert figures(track_2["Bo Berg"]) == (6, 3, 4, 2)


def test_the_number_of_queries_is_fixed(data, make_user, django_assert_num_queries):
    with django_assert_num_queries(4):
        phoner_stats(campaign=data["campaign"])
    # More phoners, scripts and visits: still four.
    for i in range(5):
        phoner = make_user(f"extra{i}", Role.PHONER)
        BookingFactory(campaign=data["campaign"], booked_by=phoner)
    with django_assert_num_queries(4):
        report = phoner_stats(campaign=data["campaign"])
    assert len(report.phoners) == 7
    with django_assert_num_queries(4):
        phoner_stats()


# --- The page and the API ------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PHONER, Role.CONSULTANT, Role.COORDINATOR])
def test_only_agency_staff_see_the_statistics(client, make_user, role):
    client.force_login(make_user("someone", role))
    assert client.get(reverse("phoner_reports:index")).status_code == 403
    assert client.get("/api/v1/reports/phoners/").status_code == 403


def test_anonymous_visitors_are_kept_out(client, db):
    response = client.get(reverse("phoner_reports:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert client.get("/api/v1/reports/phoners/").status_code == 403


def test_the_page_shows_the_figures(client, make_user, data, django_assert_max_num_queries):
    client.force_login(make_user("agency", Role.AGENCY))
    url = reverse("phoner_reports:index")
    # Session, user, roles, the campaign list and the report's four queries.
    with django_assert_max_num_queries(12):
        response = client.get(url, {"campaign": data["campaign"].id, "track": Track.JOBCENTRE})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Anna Andersen" in body and "Bo Berg" in body
    assert "2.3" in body or "2,3" in body  # Anna's 7 calls in 3 hours
    assert "67%" in body  # Anna's visits cancelled later, and Bo's version-1 booking rate
    assert 'for="id_campaign"' in body and 'for="id_track"' in body


def test_the_page_opens_on_the_newest_campaign_and_all_of_them_is_a_choice(client, make_user, data):
    client.force_login(make_user("agency", Role.AGENCY))
    url = reverse("phoner_reports:index")
    newest = Campaign.objects.order_by("-starts_on", "-pk").first()
    assert client.get(url).context["campaign"] == newest
    everything = client.get(url, {"campaign": ""})
    assert everything.context["campaign"] is None
    assert everything.context["report"].total.calls == 13  # both campaigns, both tracks


def test_the_page_refuses_an_unknown_campaign(client, make_user, data):
    client.force_login(make_user("agency", Role.AGENCY))
    response = client.get(reverse("phoner_reports:index"), {"campaign": 999999})
    assert response.status_code == 400
    assert response.context["form"].errors["campaign"]


def test_the_api_gives_the_same_figures(client, make_user, data):
    client.force_login(make_user("agency", Role.AGENCY))
    response = client.get(
        "/api/v1/reports/phoners/", {"campaign": data["campaign"].id, "track": Track.JOBCENTRE}
    )
    assert response.status_code == 200
    anna = response.json()["phoners"][0]
    assert anna["name"] == "Anna Andersen"
    assert (anna["calls"], anna["hours"], anna["contacts"], anna["bookings"]) == (7, 3, 4, 2)
    assert anna["calls_per_hour"] == pytest.approx(7 / 3)
    assert anna["cancellation_rate"] == pytest.approx(2 / 3)
    assert [s["version"] for s in anna["scripts"]] == [1, 2]
    assert response.json()["total"]["calls"] == 12


def test_the_api_refuses_bad_filters(client, make_user, db):
    client.force_login(make_user("agency", Role.AGENCY))
    assert client.get("/api/v1/reports/phoners/", {"campaign": "x"}).status_code == 400
    assert client.get("/api/v1/reports/phoners/", {"track": "9"}).status_code == 400
