"""The company's self-service link: the pages at /visit/<token>/ and the API at
/api/v1/self-service/<token>/. No log-in; the token is the key."""

import datetime as dt
import ipaddress
import uuid

import pytest
from django.test import Client

from bookings.models import Booking, BookingLink, BookingState
from bookings.selfservice import move_options
from bookings.services import booking_create
from bookings.tests.conftest import NOW, at, working_hours
from campaign.models import Track
from consultants.models import Absence
from notifications.models import Message
from tests.factories import CompanyFactory, ConsultantFactory


def fresh_address() -> str:
    """An address no other test (or earlier run) has used: 2001:db8::/32 is for examples."""
    return str(ipaddress.IPv6Address((0x20010DB8 << 96) | (uuid.uuid4().int >> 32)))


@pytest.fixture(autouse=True)
def frozen(time_machine):
    """Every request happens at NOW (Monday 7 December 2026, 09:00)."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def visitor(db):
    """An anonymous browser with its own address, so each test has its own rate-limit
    budget (the counters live in the shared Redis). It reads English, so the texts checked
    here stay as written when the Danish translation comes."""
    return Client(REMOTE_ADDR=fresh_address(), HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def visit(campaign, company, consultant):
    """A visit on Wednesday 9 December at 10:00 and the token from its confirmation."""
    booking = booking_create(
        actor=None,
        campaign=campaign,
        company=company,
        track=Track.JOBCENTRE,
        starts_at=at(9, 10),
        now=NOW,
    )
    token = Message.objects.get(kind="company-confirmation").context["self_service_token"]
    return booking, token


FORGED = "x" * 43


def page(token, action=""):
    return f"/visit/{token}/{action + '/' if action else ''}"


def api(token, action=""):
    return f"/api/v1/self-service/{token}/{action + '/' if action else ''}"


def assert_leaks_nothing(response, booking):
    body = response.content.decode()
    for secret in (
        booking.company.name,
        booking.contact_name,
        booking.contact_email,
        booking.location,
        booking.attendees.first().consultant.name,
        "10:00",
    ):
        if secret:
            assert secret not in body


# --- The page ------------------------------------------------------------------------------


def test_the_link_shows_when_who_and_where_without_a_login(visitor, visit, consultant):
    booking, token = visit
    response = visitor.get(page(token))
    assert response.status_code == 200
    body = response.content.decode()
    assert consultant.name in body
    assert booking.location in body
    assert "10:00" in body and "11:00" in body
    assert 'for="id_reason"' in body  # the cancel reason is labelled
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"


def test_it_refuses_a_forged_token_with_a_404_that_says_nothing(visitor, visit):
    booking, _ = visit
    for url in (page(FORGED), page(FORGED, "move"), api(FORGED), api(FORGED, "slots")):
        response = visitor.get(url)
        assert response.status_code == 404, url
        assert_leaks_nothing(response, booking)


def test_an_expired_link_answers_410(visitor, visit, frozen):
    booking, token = visit
    frozen.move_to(booking.starts_at, tick=False)  # the visit has started
    response = visitor.get(page(token))
    assert response.status_code == 410
    assert_leaks_nothing(response, booking)
    assert visitor.get(api(token)).status_code == 410


def test_a_revoked_link_answers_410(visitor, visit):
    booking, token = visit
    BookingLink.objects.filter(booking=booking).update(revoked_at=NOW)
    response = visitor.get(page(token))
    assert response.status_code == 410
    assert_leaks_nothing(response, booking)


def test_a_visit_no_longer_booked_answers_410(visitor, visit):
    booking, token = visit
    # An outcome registered by hand, say, without touching the link.
    Booking.objects.filter(pk=booking.pk).update(state=BookingState.NO_SHOW_COMPANY)
    assert visitor.get(page(token)).status_code == 410
    assert visitor.post(api(token, "cancel"), {"reason": "x"}).status_code == 410


def test_the_company_cancels_with_a_reason(visitor, visit, consultant):
    booking, token = visit
    response = visitor.post(page(token, "cancel"), {"reason": "Vi har lukket for i år"})
    assert response.status_code == 200
    assert "cancelled" in response.content.decode()
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED_COMPANY
    assert booking.cancel_reason == "Vi har lukket for i år"
    assert Message.objects.filter(kind="attendee-cancelled", to_email=consultant.email).exists()
    # The link is dead now.
    assert visitor.get(page(token)).status_code == 410


def test_a_cancel_without_a_reason_is_refused_on_the_page(visitor, visit):
    booking, token = visit
    response = visitor.post(page(token, "cancel"), {"reason": "  "})
    assert response.status_code == 400
    assert response.context["cancel_form"].errors["reason"]
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED


def test_the_move_page_offers_the_consultants_free_times_by_day(visitor, visit, consultant):
    booking, token = visit
    other = working_hours(ConsultantFactory(jobcentre=consultant.jobcentre))
    # The company's consultant is away on Thursday; the other consultant is not.
    Absence.objects.create(consultant=consultant, starts_at=at(10, 0), ends_at=at(11, 0))

    response = visitor.get(page(token, "move"))

    assert response.status_code == 200
    options = response.context["options"]
    assert options.same_consultant
    days = [day for day, _ in options.by_day()]
    assert days[0] == dt.date(2026, 12, 9)
    assert dt.date(2026, 12, 10) not in days
    assert all(consultant.id in o.local_ids for o in options.offers)
    assert all(o.starts_at != booking.starts_at for o in options.offers)
    body = response.content.decode()
    assert "<fieldset" in body and "<legend" in body
    assert body.count('type="radio"') == len(options.offers)
    assert other.name not in body


def test_when_the_consultant_has_no_time_every_free_time_is_offered(visit, consultant):
    booking, _ = visit
    working_hours(ConsultantFactory(jobcentre=consultant.jobcentre))
    Absence.objects.create(
        consultant=consultant, starts_at=at(8, 0), ends_at=at(1, 0, month=2, year=2027)
    )
    options = move_options(booking=booking, now=NOW)
    assert not options.same_consultant
    assert options.offers


def test_the_company_moves_its_visit_and_gets_a_new_link(visitor, visit, consultant):
    booking, token = visit
    response = visitor.post(page(token, "move"), {"starts_at": at(10, 13).isoformat()})

    assert response.status_code == 302
    new = Booking.objects.get(replaces=booking)
    assert new.attendees.get().consultant == consultant
    response = visitor.get(response.url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "13:00" in body
    assert "moved" in body  # the confirmation message
    # The old link was revoked by the move.
    response = visitor.get(page(token))
    assert response.status_code == 410
    assert_leaks_nothing(response, booking)


def test_a_taken_time_is_refused_on_the_page_with_fresh_times(visitor, visit, campaign):
    booking, token = visit
    booking_create(
        actor=None,
        campaign=campaign,
        company=CompanyFactory(),
        track=Track.JOBCENTRE,
        starts_at=at(10, 13),
        now=NOW,
    )
    response = visitor.post(page(token, "move"), {"starts_at": at(10, 13).isoformat()})
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    assert response.context["options"].offers
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED


def test_a_move_without_a_time_is_refused_on_the_page(visitor, visit):
    booking, token = visit
    for data in ({}, {"starts_at": "tomorrow"}, {"starts_at": "2026-12-10T13:00"}):
        response = visitor.post(page(token, "move"), data)
        assert response.status_code == 400
        assert response.context["form"].errors["starts_at"]
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED


# --- The API -------------------------------------------------------------------------------


def test_the_api_shows_the_visit(visitor, visit, consultant):
    booking, token = visit
    response = visitor.get(api(token))
    assert response.status_code == 200
    data = response.json()
    assert data["starts_at"] == "2026-12-09T10:00:00+01:00"
    assert data["consultants"] == [{"name": consultant.name, "role": "local"}]
    assert data["location"] == booking.location
    assert response["Cache-Control"] == "no-store"


def test_the_api_refuses_a_forged_token_and_says_nothing(visitor, visit):
    booking, _ = visit
    response = visitor.post(api(FORGED, "cancel"), {"reason": "x"}, content_type="application/json")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert_leaks_nothing(response, booking)
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED


def test_the_api_cancels(visitor, visit):
    booking, token = visit
    response = visitor.post(api(token, "cancel"), {"reason": ""}, content_type="application/json")
    assert response.status_code == 400
    assert "reason" in response.json()

    response = visitor.post(
        api(token, "cancel"), {"reason": "Travlt"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"state": "cancelled_company"}
    booking.refresh_from_db()
    assert booking.cancel_reason == "Travlt"
    assert visitor.get(api(token)).status_code == 410


def test_the_api_lists_times_and_moves(visitor, visit):
    booking, token = visit
    response = visitor.get(api(token, "slots"))
    assert response.status_code == 200
    data = response.json()
    assert data["same_consultant"] is True
    assert "2026-12-10T13:00:00+01:00" in [s["starts_at"] for s in data["slots"]]

    response = visitor.post(
        api(token, "move"),
        {"starts_at": "2026-12-10T13:00:00+01:00"},
        content_type="application/json",
    )
    assert response.status_code == 200
    moved = response.json()
    assert moved["visit"]["starts_at"] == "2026-12-10T13:00:00+01:00"
    assert visitor.get(api(moved["token"])).json()["starts_at"] == "2026-12-10T13:00:00+01:00"
    assert visitor.get(api(token)).status_code == 410
    booking.refresh_from_db()
    assert booking.state == BookingState.MOVED


def test_the_api_answers_a_taken_time_with_409_and_the_free_times(visitor, visit, campaign):
    booking, token = visit
    booking_create(
        actor=None,
        campaign=campaign,
        company=CompanyFactory(),
        track=Track.JOBCENTRE,
        starts_at=at(10, 13),
        now=NOW,
    )
    response = visitor.post(
        api(token, "move"), {"starts_at": at(10, 13).isoformat()}, content_type="application/json"
    )
    assert response.status_code == 409
    data = response.json()
    assert data["detail"]
    assert data["slots"]
    assert at(10, 13).isoformat() not in [s["starts_at"] for s in data["slots"]]


def test_the_api_ignores_a_staff_session(visit, make_user):
    """The token is the only credential: a signed-in user's session neither helps nor
    trips the CSRF check."""
    from consultants.roles import Role

    _, token = visit
    staff = Client(enforce_csrf_checks=True, REMOTE_ADDR=fresh_address())
    staff.force_login(make_user("agency", Role.AGENCY))
    assert staff.get(api(FORGED)).status_code == 404
    response = staff.post(api(token, "cancel"), {"reason": "x"}, content_type="application/json")
    assert response.status_code == 200


# --- The rate limit ------------------------------------------------------------------------


def test_too_many_requests_from_one_address_answer_429(visitor, visit, settings):
    settings.PUBLIC_RATE_LIMIT = 3
    _, token = visit
    assert [visitor.get(page(FORGED)).status_code for _ in range(3)] == [404] * 3

    response = visitor.get(page(token))  # a valid link too: the budget is the address's
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in response.content.decode()

    response = visitor.get(api(token))  # the API shares the budget, and answers in JSON
    assert response.status_code == 429
    assert set(response.json()) == {"detail"}

    other = Client(REMOTE_ADDR=fresh_address())
    assert other.get(page(token)).status_code == 200


def test_the_limit_opens_again_in_the_next_minute(visitor, visit, settings, frozen):
    settings.PUBLIC_RATE_LIMIT = 1
    _, token = visit
    assert visitor.get(page(token)).status_code == 200
    assert visitor.get(page(token)).status_code == 429
    frozen.move_to(NOW + dt.timedelta(minutes=1), tick=False)
    assert visitor.get(page(token)).status_code == 200
