"""The calendar page and its events: one's own visits, a coordinator's switch between the
jobcentre's consultants (or all side by side), a bounded number of queries, FullCalendar
served from the npm package with the Danish locale, and who may see which calendar."""

import datetime as dt

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from bookings.calendar import CONSULTANT_COLOURS, STATE_COLOURS
from bookings.changes import booking_cancel, booking_move
from bookings.models import BookingState
from bookings.tests.conftest import NOW, at
from bookings.tests.visits import aarhus, book, colleague, consultant_user, coordinator, user
from consultants.roles import Role
from tests.factories import AttendeeFactory, BookingFactory, CompanyFactory

WEEK = {"start": "2026-12-07T00:00:00", "end": "2026-12-14T00:00:00"}


@pytest.fixture
def konsulent(consultant):
    return consultant_user(consultant, "konsulent")


@pytest.fixture
def kollega(jobcentre):
    return colleague(jobcentre, "Kollega")


def events(client, **params):
    response = client.get(reverse("calendar-events"), {**WEEK, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_consultant_sees_their_own_visits_as_events(
    client, campaign, company, consultant, konsulent, kollega
):
    company.address, company.postcode, company.city = "Havnegade 1", "1058", "København K"
    company.save()
    mine = book(campaign, company, at(9, 10), consultant)
    book(campaign, CompanyFactory(), at(9, 10), kollega)
    next_month = book(campaign, CompanyFactory(), at(4, 10, month=1, year=2027), consultant)

    client.force_login(konsulent)
    found = events(client)

    assert [e["id"] for e in found] == [str(mine.pk)]
    event = found[0]
    assert event["url"] == f"/visits/{mine.pk}/"
    assert event["start"] == "2026-12-09T10:00:00"  # local wall-clock time
    assert event["end"] == "2026-12-09T11:00:00"
    assert company.name in event["title"]
    assert event["backgroundColor"] == STATE_COLOURS[BookingState.BOOKED]
    props = event["extendedProps"]
    assert props["address"] == "Havnegade 1, 1058 København K"
    assert props["contact"] == "Lone Hansen"
    assert props["state"] == "booked" and props["stateLabel"]
    assert props["marker"] and props["marker"] in event["title"]  # not colour alone
    assert props["track"]
    assert props["acknowledged"] is False
    assert "vb-unacknowledged" in event["classNames"]
    # The range is honoured.
    assert [e["id"] for e in events(client, start="2027-01-01", end="2027-02-01")] == [
        str(next_month.pk)
    ]


def test_cancelled_visits_show_as_cancelled_and_moved_ones_once(
    client, campaign, company, consultant, konsulent
):
    cancelled = book(campaign, company, at(9, 10))
    booking_cancel(actor=None, booking=cancelled, by="company", reason="Nej", now=NOW)
    original = book(campaign, CompanyFactory(), at(10, 9))
    moved = booking_move(actor=None, booking=original, starts_at=at(10, 13), now=NOW)

    client.force_login(konsulent)
    found = {e["id"]: e for e in events(client)}
    assert set(found) == {str(cancelled.pk), str(moved.pk)}
    assert found[str(cancelled.pk)]["extendedProps"]["state"] == "cancelled_company"
    assert "vb-cancelled" in found[str(cancelled.pk)]["classNames"]
    assert found[str(cancelled.pk)]["backgroundColor"] != STATE_COLOURS[BookingState.BOOKED]


def test_a_coordinator_switches_between_consultants_or_sees_all_side_by_side(
    client, campaign, company, jobcentre, consultant, kollega
):
    mine = book(campaign, company, at(9, 10), consultant)
    theirs = book(campaign, CompanyFactory(), at(9, 10), kollega)
    _, outsider, outside_company = aarhus(campaign)
    book(campaign, outside_company, at(9, 10), outsider)
    client.force_login(coordinator(jobcentre))

    assert [e["id"] for e in events(client, consultant=consultant.pk)] == [str(mine.pk)]
    assert [e["id"] for e in events(client, consultant=kollega.pk)] == [str(theirs.pk)]
    everyone = events(client, consultant="all")
    assert sorted(e["id"] for e in everyone) == sorted([str(mine.pk), str(theirs.pk)])
    colours = {e["id"]: e["backgroundColor"] for e in everyone}
    assert colours[str(mine.pk)] != colours[str(theirs.pk)]
    assert set(colours.values()) <= set(CONSULTANT_COLOURS)
    names = {e["id"]: e["extendedProps"]["consultants"] for e in everyone}
    assert names[str(mine.pk)] == [consultant.name]
    # Without a calendar of their own, a coordinator starts with everyone's.
    assert len(events(client)) == 2

    page = client.get(reverse("calendar"), {"consultant": "all"})
    assert page.status_code == 200
    html = page.content.decode()
    assert consultant.name in html and kollega.name in html
    assert outsider.name not in html


def test_a_consultant_cannot_open_a_colleagues_calendar(
    client, campaign, company, consultant, konsulent, kollega
):
    book(campaign, company, at(9, 10), kollega)
    client.force_login(konsulent)
    response = client.get(reverse("calendar-events"), {**WEEK, "consultant": kollega.pk})
    assert response.status_code == 404
    assert client.get(reverse("calendar-events"), {"consultant": "all"}).status_code == 404
    assert client.get(reverse("calendar"), {"consultant": kollega.pk}).status_code == 404
    response = client.post(reverse("calendar-feed-rotate"), {"consultant": kollega.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_the_events_take_a_fixed_number_of_queries(
    client,
    campaign,
    company,
    jobcentre,
    consultant,
    konsulent,
    kollega,
    count,
    django_assert_max_num_queries,
):
    manager = coordinator(jobcentre)
    for day in range(count):
        start = (NOW + dt.timedelta(days=day + 2)).replace(hour=10)
        for person in (consultant, kollega):
            booking = BookingFactory(campaign=campaign, company=company, starts_at=start)
            AttendeeFactory(booking=booking, consultant=person)
    window = {"start": "2026-12-07", "end": "2027-03-01"}

    client.force_login(konsulent)
    with django_assert_max_num_queries(6):
        found = client.get(reverse("calendar-events"), window).json()
    assert len(found) == count

    client.force_login(manager)
    with django_assert_max_num_queries(8):
        found = client.get(reverse("calendar-events"), {**window, "consultant": "all"}).json()
    assert len(found) == 2 * count
    with django_assert_max_num_queries(8):
        found = client.get(reverse("api-calendar-events"), {**window, "consultant": "all"}).json()
    assert len(found) == 2 * count


def test_bad_ranges_are_refused_with_a_message(client, consultant, konsulent):
    client.force_login(konsulent)
    url = reverse("calendar-events")
    for params in (
        {"start": "tomorrow", "end": "2026-12-14"},
        {"start": "2026-12-14", "end": "2026-12-07"},
        {"start": "2026-01-01", "end": "2027-01-01"},
    ):
        response = client.get(url, params)
        assert response.status_code == 400, params
        assert response.json()["detail"]
        assert client.get(reverse("api-calendar-events"), params).status_code == 400
    # Without a range: this week.
    assert client.get(url).status_code == 200


def test_the_api_gives_the_same_events_with_offsets(
    client, campaign, company, consultant, konsulent
):
    booking = book(campaign, company, at(9, 10))
    client.force_login(konsulent)
    found = client.get(reverse("api-calendar-events"), WEEK).json()
    assert [e["id"] for e in found] == [booking.pk]
    assert dt.datetime.fromisoformat(found[0]["starts_at"]) == at(9, 10)
    assert found[0]["company"] == company.name
    assert found[0]["consultant_ids"] == [consultant.pk]


def test_the_calendar_page_serves_fullcalendar_in_the_users_language(client, consultant, konsulent):
    for path in (
        "vendor/fullcalendar/core/index.global.min.js",
        "vendor/fullcalendar/daygrid/index.global.min.js",
        "vendor/fullcalendar/timegrid/index.global.min.js",
        "vendor/fullcalendar/list/index.global.min.js",
        "vendor/fullcalendar/core/locales/da.global.min.js",
        "vendor/fullcalendar/core/locales/en-gb.global.min.js",
    ):
        assert finders.find(path), path
    client.force_login(konsulent)
    response = client.get(reverse("calendar"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/fullcalendar/core/index.global.min.js" in html
    assert "locales/da.global.min.js" in html
    assert response.context["config"]["locale"] == "da"
    assert response.context["config"]["initialDate"] == "2026-12-07"
    assert response.context["config"]["timeZone"] == "Europe/Copenhagen"

    response = client.get(reverse("calendar"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["config"]["locale"] == "en-gb"
    assert "locales/en-gb.global.min.js" in response.content.decode()


def test_a_user_without_a_calendar_is_told_so(client, db):
    client.force_login(user("ny", Role.CONSULTANT))
    response = client.get(reverse("calendar"))
    assert response.status_code == 200
    assert response.context["scope"] is None
    assert client.get(reverse("calendar-events")).status_code == 404


def test_the_navigation_offers_the_calendar_and_the_unacknowledged_visits(
    client, jobcentre, consultant, konsulent
):
    client.force_login(konsulent)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("calendar")}"' in html
    assert f'href="{reverse("visits-unacknowledged")}"' not in html
    client.force_login(coordinator(jobcentre))
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("calendar")}"' in html
    assert f'href="{reverse("visits-unacknowledged")}"' in html
    client.force_login(user("phoner", Role.PHONER))
    assert f'href="{reverse("calendar")}"' not in client.get(reverse("home")).content.decode()


def test_a_consultant_of_another_jobcentre_gets_404_on_this_ones_calendar_endpoints(
    client, campaign, company, jobcentre, consultant, konsulent
):
    book(campaign, company, at(9, 10), consultant)
    _, outsider, _ = aarhus(campaign)
    client.force_login(outsider.user)
    target = {"consultant": consultant.pk}
    assert client.get(reverse("calendar"), target).status_code == 404
    assert client.get(reverse("calendar-events"), {**WEEK, **target}).status_code == 404
    assert client.get(reverse("api-calendar-events"), {**WEEK, **target}).status_code == 404
    assert client.post(reverse("calendar-feed-rotate"), target).status_code == 404
    assert client.post(reverse("calendar-feed-revoke"), target).status_code == 404
    for name in ("api-calendar-feed-rotate", "api-calendar-feed-revoke"):
        response = client.post(reverse(name), target, content_type="application/json")
        assert response.status_code == 404, name
    # Their own calendar shows none of this jobcentre's visits.
    assert events(client) == []
    # And the other jobcentre's coordinator fares no better.
    client.force_login(coordinator(outsider.jobcentre, "aarhus-koordinator"))
    assert client.get(reverse("calendar-events"), {**WEEK, **target}).status_code == 404
    assert events(client, consultant="all") == []
    consultant.refresh_from_db()
    assert consultant.feed_token_hash is None
