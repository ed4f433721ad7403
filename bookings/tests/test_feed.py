"""The consultants' iCalendar feed (/calendar/<token>.ics) and the .ics for e-mails: they
parse, hold exactly the consultant's visits, keep a moved visit's UID with a higher
SEQUENCE, mark cancelled visits, and answer 404 for a wrong or revoked link."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from bookings.calendar import feed_token_revoke, feed_token_rotate
from bookings.changes import booking_cancel, booking_move
from bookings.feed import FEED_PAST_DAYS, ics_for_booking
from bookings.models import Attendee, BookingState
from bookings.tests.conftest import NOW, at
from bookings.tests.visits import aarhus, book, colleague, consultant_user, coordinator
from campaign.models import Track
from common.errors import PermissionDenied
from common.tokens import token_hash
from consultants.models import Consultant
from tests.factories import AttendeeFactory, BookingFactory, CompanyFactory

UTC = dt.UTC


@pytest.fixture
def konsulent(consultant):
    return consultant_user(consultant, "konsulent")


@pytest.fixture
def token(consultant, konsulent):
    return feed_token_rotate(actor=konsulent, consultant=consultant)


def fetch(client, token: str) -> dict:
    """The feed's events by UID."""
    response = client.get(reverse("calendar-feed", kwargs={"token": token}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar.get("METHOD") is None
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == len(calendar.walk("VEVENT")), "one event per visit"
    return events


def uid(booking) -> str:
    return f"booking-{booking.pk}@visitbook"


def test_the_feed_parses_and_holds_exactly_the_consultants_visits(
    client, settings, campaign, jobcentre, consultant, token
):
    settings.SITE_URL = "https://visitbook.example"
    company = CompanyFactory(
        address="Havnegade 1",
        postcode="1058",
        city="København K",
        phone="33123456",
        email="ejer@firma.invalid",
        contact_name="Lone Hansen",
    )
    mine = book(campaign, company, at(9, 10), consultant)
    also_mine = book(campaign, CompanyFactory(), at(10, 9), consultant)
    other = colleague(jobcentre, "Kollega")
    theirs = book(campaign, CompanyFactory(), at(9, 10), other)
    _, outsider, outside_company = aarhus(campaign)
    book(campaign, outside_company, at(9, 10), outsider)

    events = fetch(client, token)

    assert set(events) == {uid(mine), uid(also_mine)}
    assert uid(theirs) not in events
    event = events[uid(mine)]
    assert event.decoded("DTSTART") == at(9, 10).astimezone(UTC)
    assert event.decoded("DTEND") == mine.ends_at.astimezone(UTC)
    assert event["DTSTART"].to_ical().endswith(b"Z")  # UTC
    assert str(event["STATUS"]) == "CONFIRMED"
    assert company.name in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == "Havnegade 1, 1058 København K"
    description = str(event["DESCRIPTION"])
    for text in ("Lone Hansen", "33123456", "ejer@firma.invalid", company.cvr):
        assert text in description
    assert f"https://visitbook.example/visits/{mine.pk}/" in description
    assert str(event["URL"]) == f"https://visitbook.example/visits/{mine.pk}/"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTAMP") and event.decoded("LAST-MODIFIED")


def test_a_moved_visit_keeps_its_uid_with_a_higher_sequence(
    client, campaign, company, consultant, token
):
    booking = book(campaign, company, at(9, 10))
    before = fetch(client, token)[uid(booking)]

    moved = booking_move(actor=None, booking=booking, starts_at=at(10, 13), now=NOW)
    after = fetch(client, token)
    assert list(after) == [uid(booking)]  # the chain's first booking names the event
    event = after[uid(booking)]
    assert int(event["SEQUENCE"]) > int(before["SEQUENCE"])
    assert event.decoded("DTSTART") == at(10, 13).astimezone(UTC)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert f"/visits/{moved.pk}/" in str(event["URL"])

    # Moved again: still the same event, higher again.
    booking_move(actor=None, booking=moved, starts_at=at(11, 9), now=NOW)
    again = fetch(client, token)
    assert list(again) == [uid(booking)]
    assert int(again[uid(booking)]["SEQUENCE"]) > int(event["SEQUENCE"])
    assert again[uid(booking)].decoded("DTSTART") == at(11, 9).astimezone(UTC)


def test_a_visit_moved_to_another_consultant_is_cancelled_in_the_first_ones_feed(
    client, campaign, company, jobcentre, consultant, konsulent, token
):
    other = colleague(jobcentre, "Kollega")
    kollega = consultant_user(other, "kollega")
    other_token = feed_token_rotate(actor=kollega, consultant=other)
    booking = book(campaign, company, at(9, 10), consultant)
    before = fetch(client, token)[uid(booking)]

    booking_move(actor=None, booking=booking, starts_at=at(10, 13), consultant_id=other.pk, now=NOW)

    mine = fetch(client, token)[uid(booking)]
    assert str(mine["STATUS"]) == "CANCELLED"
    assert mine.decoded("DTSTART") == at(9, 10).astimezone(UTC)  # the time they had
    assert int(mine["SEQUENCE"]) > int(before["SEQUENCE"])
    theirs = fetch(client, other_token)[uid(booking)]
    assert str(theirs["STATUS"]) == "CONFIRMED"
    assert theirs.decoded("DTSTART") == at(10, 13).astimezone(UTC)


def test_a_consultant_taken_off_a_visit_sees_it_cancelled_and_the_new_one_confirmed(
    client, campaign, company, jobcentre, consultant, token
):
    booking = book(campaign, company, at(9, 10), consultant)
    before = fetch(client, token)[uid(booking)]
    other = colleague(jobcentre, "Kollega")
    other_token = feed_token_rotate(actor=consultant_user(other, "kollega"), consultant=other)
    # A reassignment: the row is kept inactive, a new one added, the revision bumped.
    row = Attendee.objects.get(booking=booking)
    row.is_active = False
    row.save(update_fields=["is_active"])
    Attendee.objects.create(
        booking=booking, consultant=other, starts_at=row.starts_at, blocked_until=row.blocked_until
    )
    booking.sequence += 1
    booking.save(update_fields=["sequence"])

    mine = fetch(client, token)[uid(booking)]
    assert str(mine["STATUS"]) == "CANCELLED"
    assert int(mine["SEQUENCE"]) > int(before["SEQUENCE"])
    theirs = fetch(client, other_token)[uid(booking)]
    assert str(theirs["STATUS"]) == "CONFIRMED"


def test_a_cancelled_visit_stays_in_the_feed_marked_cancelled(
    client, campaign, company, consultant, token
):
    booking = book(campaign, company, at(9, 10))
    before = fetch(client, token)[uid(booking)]
    booking_cancel(actor=None, booking=booking, by="company", reason="Nej tak", now=NOW)
    event = fetch(client, token)[uid(booking)]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) > int(before["SEQUENCE"])


def test_visits_long_past_leave_the_feed(client, campaign, company, consultant, token):
    def visit(days_ago):
        start = (NOW - dt.timedelta(days=days_ago)).replace(hour=10)
        booking = BookingFactory(
            campaign=campaign, company=company, starts_at=start, state=BookingState.HELD
        )
        AttendeeFactory(booking=booking, consultant=consultant)
        return booking

    recent = visit(FEED_PAST_DAYS - 10)
    old = visit(FEED_PAST_DAYS + 10)
    events = fetch(client, token)
    assert uid(recent) in events
    assert uid(old) not in events
    assert str(events[uid(recent)]["STATUS"]) == "CONFIRMED"


def test_a_wrong_or_revoked_link_gets_404(client, consultant, konsulent, token):
    assert consultant_of_hash(token) == consultant
    # Only the hash is stored.
    consultant.refresh_from_db()
    assert consultant.feed_token_hash == token_hash(token)
    assert token not in {v for v in Consultant.objects.values_list("feed_token_hash", flat=True)}

    def status(value):
        return client.get(reverse("calendar-feed", kwargs={"token": value})).status_code

    assert status(token) == 200
    assert status(token[:-1] + ("A" if token[-1] != "A" else "B")) == 404
    assert status("x") == 404

    newer = feed_token_rotate(actor=konsulent, consultant=consultant)
    assert status(token) == 404
    assert status(newer) == 200

    assert feed_token_revoke(actor=konsulent, consultant=consultant) is True
    assert status(newer) == 404
    assert feed_token_revoke(actor=konsulent, consultant=consultant) is False

    # A consultant who has left: the link stops working.
    again = feed_token_rotate(actor=konsulent, consultant=consultant)
    consultant.is_active = False
    consultant.save(update_fields=["is_active"])
    assert status(again) == 404


def consultant_of_hash(token):
    return Consultant.objects.get(feed_token_hash=token_hash(token))


def test_only_the_consultant_their_coordinator_or_the_agency_manage_the_link(
    campaign, jobcentre, consultant, konsulent
):
    other = colleague(jobcentre, "Kollega")
    kollega = consultant_user(other, "kollega")
    with pytest.raises(PermissionDenied):
        feed_token_rotate(actor=kollega, consultant=consultant)
    with pytest.raises(PermissionDenied):
        feed_token_revoke(actor=kollega, consultant=consultant)
    _, outsider, _ = aarhus(campaign)
    with pytest.raises(PermissionDenied):
        feed_token_rotate(actor=outsider.user, consultant=consultant)
    assert feed_token_rotate(actor=coordinator(jobcentre), consultant=consultant)


def test_a_jobservice_representatives_feed_holds_their_track_1_visits(
    client, campaign, company, consultant, jobservice_rep
):
    rep = consultant_user(jobservice_rep, "jsd")
    token = feed_token_rotate(actor=rep, consultant=jobservice_rep)
    booking = book(campaign, company, at(9, 10), track=Track.JOBSERVICE)
    book(campaign, CompanyFactory(), at(9, 13))  # track 2: not theirs
    events = fetch(client, token)
    assert list(events) == [uid(booking)]
    assert consultant.name in str(events[uid(booking)]["DESCRIPTION"])


# --- The .ics for e-mails ------------------------------------------------------------------


def parse_one(data: bytes):
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_ics_for_booking_requests_and_cancels_the_same_event_as_the_feed(
    client, settings, campaign, company, consultant, token
):
    settings.DEFAULT_FROM_EMAIL = "Visitbook <kampagne@visitbook.invalid>"
    booking = book(campaign, company, at(9, 10))
    attendee = Attendee.objects.get(booking=booking)

    calendar, event = parse_one(ics_for_booking(booking, method="REQUEST", attendee=attendee))
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == uid(booking)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == at(9, 10).astimezone(UTC)
    assert str(event["ORGANIZER"]) == "mailto:kampagne@visitbook.invalid"
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert f"mailto:{consultant.email}" in [str(a) for a in attendees]
    assert int(event["SEQUENCE"]) == int(fetch(client, token)[uid(booking)]["SEQUENCE"])
    request_sequence = int(event["SEQUENCE"])

    moved = booking_move(actor=None, booking=booking, starts_at=at(10, 13), now=NOW)
    new_attendee = Attendee.objects.get(booking=moved)
    _, update = parse_one(ics_for_booking(moved, method="REQUEST", attendee=new_attendee))
    assert str(update["UID"]) == uid(booking)
    assert int(update["SEQUENCE"]) > request_sequence
    assert update.decoded("DTSTART") == at(10, 13).astimezone(UTC)

    booking_cancel(actor=None, booking=moved, by="company", reason="Nej", now=NOW)
    calendar, cancel = parse_one(ics_for_booking(moved, method="CANCEL", attendee=new_attendee))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(cancel["UID"]) == uid(booking)
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert int(cancel["SEQUENCE"]) > int(update["SEQUENCE"])
    assert int(cancel["SEQUENCE"]) == int(fetch(client, token)[uid(booking)]["SEQUENCE"])


def test_ics_for_booking_refuses_an_unknown_method(campaign, company, consultant):
    booking = book(campaign, company, at(9, 10))
    with pytest.raises(ValueError):
        ics_for_booking(booking, method="PUBLISH", attendee=booking.attendees.get())


# --- Managing the link from the page and the API -------------------------------------------


def test_the_page_makes_a_link_shows_it_once_and_switches_it_off(client, consultant, konsulent):
    client.force_login(konsulent)
    response = client.post(reverse("calendar-feed-rotate"), {"consultant": consultant.pk})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    url = response.context["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert url in response.content.decode()
    assert consultant_of_hash(token) == consultant
    page = client.get(reverse("calendar")).content.decode()
    assert token not in page
    assert client.get(f"/calendar/{token}.ics").status_code == 200

    response = client.post(reverse("calendar-feed-revoke"), {"consultant": consultant.pk})
    assert response.status_code == 302
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_api_makes_and_switches_off_a_link(client, consultant, konsulent):
    client.force_login(konsulent)
    response = client.post(reverse("api-calendar-feed-rotate"), {}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["consultant"] == consultant.pk
    token = response.json()["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    response = client.post(
        reverse("api-calendar-feed-revoke"),
        {"consultant": consultant.pk},
        content_type="application/json",
    )
    assert response.json() == {"consultant": consultant.pk, "revoked": True}
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_coordinator_manages_their_consultants_links(client, jobcentre, consultant):
    client.force_login(coordinator(jobcentre))
    response = client.post(
        reverse("api-calendar-feed-rotate"),
        {"consultant": consultant.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    consultant.refresh_from_db()
    assert consultant.feed_token_hash
