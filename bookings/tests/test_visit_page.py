"""The visit page and its API: what it shows, acknowledging, moving and cancelling, the
history of every change with who and why, the messages, the unacknowledged visits, and
who may see which visit."""

import base64
import datetime as dt

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from bookings.acknowledgement import attendee_acknowledge, unacknowledged_for
from bookings.changes import booking_cancel, booking_move
from bookings.history import visit_history
from bookings.models import Attendee, Booking, BookingState
from bookings.services import call_book
from bookings.tests.conftest import NOW, at
from bookings.tests.visits import aarhus, book, colleague, consultant_user, coordinator, user
from campaign.models import Track
from common.errors import PermissionDenied
from consultants.roles import Role
from notifications.models import Message
from tests.factories import CompanyFactory, released_call_list


@pytest.fixture
def konsulent(consultant):
    consultant.name = "Mette Konsulent"
    consultant.save(update_fields=["name"])
    return consultant_user(consultant, "konsulent")


@pytest.fixture
def koordinator(jobcentre):
    return coordinator(jobcentre)


def detail_url(booking) -> str:
    return reverse("visit-detail", kwargs={"pk": booking.pk})


def test_the_visit_page_shows_the_company_the_time_the_attendees_and_who_booked_it(
    client, campaign, jobcentre, consultant, konsulent
):
    phoner = user("phoner", Role.PHONER, first_name="Pia", last_name="Phoner")
    call_list = released_call_list(campaign, jobcentre)
    entry = call_list.entries.first()
    company = entry.company
    company.address, company.postcode, company.city = "Havnegade 1", "1058", "København K"
    company.contact_name = "Lone Hansen"
    company.save()
    booking = call_book(actor=phoner, entry=entry, starts_at=at(9, 10), now=NOW)

    client.force_login(konsulent)
    response = client.get(detail_url(booking))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        company.name,
        company.cvr,
        "Havnegade 1, 1058 København K",
        "Lone Hansen",
        company.phone,
        company.email,
        'datetime="2026-12-09T10:00:00+01:00"',
        "Mette Konsulent",
        "Pia Phoner",
        str(call_list),
        str(booking.get_track_display()),
    ):
        assert text in html, text
    assert response.context["visit"].can_acknowledge
    assert response.context["visit"].can_change


def test_the_page_links_to_the_outcome_and_reassignment_pages_where_they_exist(
    client, campaign, company, consultant, konsulent
):
    booking = book(campaign, company, at(9, 10))
    client.force_login(konsulent)
    html = client.get(detail_url(booking)).content.decode()
    for name in ("visit-outcome", "visit-reassign"):
        try:
            url = reverse(name, args=[booking.pk])
        except NoReverseMatch:
            continue
        assert f'href="{url}"' in html


def test_the_history_lists_every_change_with_its_actor_and_reason(
    client, campaign, company, consultant, konsulent, koordinator
):
    phoner = user("phoner", Role.PHONER, first_name="Pia", last_name="Phoner")
    koordinator.first_name = "Kaj"
    koordinator.save()

    # Booked by a phoner through the API.
    client.force_login(phoner)
    response = client.post(
        "/api/v1/bookings/",
        {
            "campaign": campaign.pk,
            "company": company.pk,
            "track": Track.JOBCENTRE,
            "starts_at": at(9, 10).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    booking = Booking.objects.get(pk=response.json()["id"])

    # The consultant acknowledges it on the page.
    client.force_login(konsulent)
    assert client.post(reverse("visit-acknowledge", args=[booking.pk])).status_code == 302

    # The coordinator moves it with a reason, then cancels it with a reason.
    client.force_login(koordinator)
    response = client.post(
        reverse("visit-move", args=[booking.pk]),
        {"starts_at": at(10, 13).isoformat(), "reason": "Firmaet bad om en senere tid"},
    )
    assert response.status_code == 302
    moved = Booking.objects.get(replaces=booking)
    assert response.url == detail_url(moved)
    response = client.post(
        reverse("visit-cancel", args=[moved.pk]), {"reason": "Konsulenten er syg"}
    )
    assert response.status_code == 302
    moved.refresh_from_db()
    assert moved.state == BookingState.CANCELLED_JOBCENTRE

    data = client.get(
        reverse("api-visit-detail", args=[moved.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    history = [(h["actor"], h["action"], h["reason"]) for h in data["history"]]
    assert [h["at"] for h in data["history"]] == sorted(
        (h["at"] for h in data["history"]), reverse=True
    )
    cancelled = next(h for h in history if h[1] == "Cancelled by the jobcentre")
    assert cancelled[0] == "Kaj" and cancelled[2] == "Konsulenten er syg"
    moved_row = next(h for h in history if h[1].startswith("Moved from"))
    assert moved_row[0] == "Kaj" and moved_row[2] == "Firmaet bad om en senere tid"
    acknowledged = next(h for h in history if h[1].endswith("acknowledged the visit"))
    assert acknowledged[0] == "konsulent" and acknowledged[1].startswith("Mette Konsulent")
    booked = next(h for h in history if h[1].startswith("Visit booked for"))
    assert booked[0] == "Pia Phoner"
    assert any(h[1].startswith("New time booked") for h in history)
    # Newest first: the cancel, then (further down) the move, the acknowledgement, the booking.
    order = [history.index(row) for row in (cancelled, moved_row, acknowledged, booked)]
    assert order == sorted(order)
    assert data["chain"] == [booking.pk, moved.pk]

    # The page shows the same, and the old booking's page shows it too (the whole chain).
    for target in (moved, booking):
        html = client.get(detail_url(target)).content.decode()
        assert "Firmaet bad om en senere tid" in html
        assert "Konsulenten er syg" in html
        assert "Pia Phoner" in html
    assert f'href="{detail_url(moved)}"' in client.get(detail_url(booking)).content.decode()


def test_the_move_reason_is_kept_on_the_audit_row_of_the_move(campaign, company, consultant):
    booking = book(campaign, company, at(9, 10))
    booking_move(actor=None, booking=booking, starts_at=at(10, 13), reason="  Travlt  ", now=NOW)
    entry = LogEntry.objects.get_for_object(booking).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["state"] == ["booked", "moved"]
    assert entry.additional_data == {"reason": "Travlt"}


def test_the_message_timeline_shows_the_visits_and_its_predecessors_outbox_rows(
    client, campaign, company, consultant, konsulent
):
    booking = book(campaign, company, at(9, 10))
    moved = booking_move(
        actor=None, booking=booking, starts_at=at(10, 13), reason="Ny tid", now=NOW
    )
    client.force_login(konsulent)
    response = client.get(detail_url(moved), HTTP_ACCEPT_LANGUAGE="en")
    rows = [(m.kind, m.to_email, m.state) for m in response.context["visit"].messages]
    assert ("company-confirmation", company.email, Message.State.CANCELLED) in rows
    assert ("attendee-notice", consultant.email, Message.State.CANCELLED) in rows
    assert ("company-moved", company.email, Message.State.PENDING) in rows
    assert ("attendee-moved", consultant.email, Message.State.PENDING) in rows
    api = client.get(reverse("api-visit-detail", args=[moved.pk])).json()
    assert {m["kind"] for m in api["messages"]} == {r[0] for r in rows}
    assert "New time, to the company" in response.content.decode()


# --- Acknowledging -------------------------------------------------------------------------


def test_acknowledging_is_idempotent(campaign, company, consultant, konsulent):
    booking = book(campaign, company, at(9, 10))
    first = attendee_acknowledge(actor=konsulent, booking=booking, now=NOW)
    again = attendee_acknowledge(actor=konsulent, booking=booking, now=NOW + dt.timedelta(hours=1))
    assert first.pk == again.pk
    assert again.acknowledged_at == NOW
    entries = LogEntry.objects.get_for_object(first).filter(action=LogEntry.Action.UPDATE)
    assert entries.count() == 1


def test_only_an_attendee_may_acknowledge(
    client, campaign, company, consultant, konsulent, koordinator, jobcentre
):
    booking = book(campaign, company, at(9, 10), consultant)
    other = colleague(jobcentre, "Kollega")
    kollega = consultant_user(other, "kollega")
    with pytest.raises(PermissionDenied):
        attendee_acknowledge(actor=kollega, booking=booking)
    with pytest.raises(PermissionDenied):
        attendee_acknowledge(actor=koordinator, booking=booking)

    client.force_login(kollega)
    assert client.post(reverse("api-visit-acknowledge", args=[booking.pk])).status_code == 403
    response = client.post(
        reverse("visit-acknowledge", args=[booking.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Only a consultant who attends this visit" in response.content.decode()
    assert not Attendee.objects.filter(acknowledged_at__isnull=False).exists()

    client.force_login(konsulent)
    response = client.post(reverse("api-visit-acknowledge", args=[booking.pk]))
    assert response.status_code == 200
    assert response.json()["acknowledged_at"] is not None
    assert client.post(reverse("api-visit-acknowledge", args=[booking.pk])).status_code == 200


def test_a_consultant_taken_off_a_visit_can_no_longer_acknowledge_it(
    campaign, company, consultant, konsulent
):
    booking = book(campaign, company, at(9, 10))
    booking_cancel(actor=None, booking=booking, by="company", reason="Nej tak", now=NOW)
    with pytest.raises(PermissionDenied):
        attendee_acknowledge(actor=konsulent, booking=booking)


def test_the_coordinator_sees_unacknowledged_visits_oldest_booking_first(
    client, campaign, company, consultant, konsulent, koordinator, jobcentre
):
    newest = book(campaign, company, at(9, 9), now=NOW - dt.timedelta(hours=1))
    oldest = book(campaign, company, at(10, 9), now=NOW - dt.timedelta(hours=3))
    middle = book(campaign, company, at(11, 9), now=NOW - dt.timedelta(hours=2))
    done = book(campaign, company, at(14, 9), now=NOW - dt.timedelta(hours=4))
    attendee_acknowledge(actor=konsulent, booking=done)
    cancelled = book(campaign, company, at(15, 9), now=NOW - dt.timedelta(hours=5))
    booking_cancel(actor=None, booking=cancelled, by="company", reason="Nej", now=NOW)
    _, outsider, outside_company = aarhus(campaign)
    book(campaign, outside_company, at(9, 12), now=NOW - dt.timedelta(hours=6))

    assert list(unacknowledged_for(koordinator)) == [oldest, middle, newest]

    client.force_login(koordinator)
    response = client.get(reverse("visits-unacknowledged"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [oldest, middle, newest]
    assert consultant.name in response.content.decode()
    data = client.get(reverse("api-visits-unacknowledged")).json()
    assert [row["id"] for row in data["results"]] == [oldest.pk, middle.pk, newest.pk]
    assert data["results"][0]["waiting_for"][0]["consultant"] == consultant.pk

    # Consultants and phoners have no such list.
    client.force_login(konsulent)
    assert client.get(reverse("visits-unacknowledged")).status_code == 403
    assert client.get(reverse("api-visits-unacknowledged")).status_code == 403


# --- Moving and cancelling -----------------------------------------------------------------


def test_the_move_page_offers_free_times_and_needs_a_reason(
    client, campaign, company, consultant, konsulent
):
    booking = book(campaign, company, at(9, 10))
    client.force_login(konsulent)
    response = client.get(reverse("visit-move", args=[booking.pk]))
    assert response.status_code == 200
    assert at(10, 13).isoformat() in response.content.decode()

    response = client.post(
        reverse("visit-move", args=[booking.pk]), {"starts_at": at(10, 13).isoformat()}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED

    response = client.post(
        reverse("api-visit-move", args=[booking.pk]),
        {"starts_at": at(10, 13).isoformat(), "reason": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "reason" in response.json()


def test_moving_to_a_taken_time_offers_fresh_times(
    client, campaign, company, consultant, konsulent
):
    booking = book(campaign, company, at(9, 10))
    book(campaign, CompanyFactory(), at(10, 13))  # the only consultant is now busy then
    client.force_login(konsulent)
    response = client.post(
        reverse("api-visit-move", args=[booking.pk]),
        {"starts_at": at(10, 13).isoformat(), "reason": "Bedre tid"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["slots"]
    response = client.post(
        reverse("visit-move", args=[booking.pk]),
        {"starts_at": at(10, 13).isoformat(), "reason": "Bedre tid"},
    )
    assert response.status_code == 409
    assert response.context["options"].offers


def test_the_api_moves_and_cancels_a_visit(client, campaign, company, consultant, koordinator):
    booking = book(campaign, company, at(9, 10))
    client.force_login(koordinator)
    slots = client.get(reverse("api-visit-slots", args=[booking.pk])).json()
    assert slots["same_consultant"] is True
    assert at(10, 13).isoformat() in {s["starts_at"] for s in slots["slots"]} | {
        dt.datetime.fromisoformat(s["starts_at"]).isoformat() for s in slots["slots"]
    }
    response = client.post(
        reverse("api-visit-move", args=[booking.pk]),
        {"starts_at": at(10, 13).isoformat(), "reason": "Kunden ønskede det"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    new = response.json()
    assert new["replaces"] == booking.pk and new["state"] == "booked"
    assert new["chain"] == [booking.pk, new["id"]]

    response = client.post(
        reverse("api-visit-cancel", args=[new["id"]]),
        {"reason": "Lukket"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["state"] == BookingState.CANCELLED_JOBCENTRE
    assert response.json()["cancel_reason"] == "Lukket"
    # Cancelling again is a conflict, not a 500.
    response = client.post(
        reverse("api-visit-cancel", args=[new["id"]]),
        {"reason": "Igen"},
        content_type="application/json",
    )
    assert response.status_code == 409


def test_the_cancel_form_needs_a_reason_and_tells_the_company(
    client, campaign, company, consultant, konsulent
):
    booking = book(campaign, company, at(9, 10))
    client.force_login(konsulent)
    response = client.post(reverse("visit-cancel", args=[booking.pk]), {"reason": ""})
    assert response.status_code == 400
    assert response.context["cancel_form"].errors["reason"]
    response = client.post(reverse("visit-cancel", args=[booking.pk]), {"reason": "Syg"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED_JOBCENTRE
    assert booking.cancel_reason == "Syg"
    assert Message.objects.filter(
        subject_ref=f"booking:{booking.pk}", kind="company-cancelled"
    ).exists()
    # A cancelled visit offers no more changes.
    response = client.get(detail_url(booking))
    assert not response.context["visit"].can_change
    assert client.get(reverse("visit-move", args=[booking.pk])).status_code == 302


# --- Who sees what -------------------------------------------------------------------------


def test_a_consultant_of_another_jobcentre_gets_404_on_every_visit_endpoint(
    client, campaign, company, consultant
):
    booking = book(campaign, company, at(9, 10))
    _, outsider, _ = aarhus(campaign)
    client.force_login(outsider.user)
    pk = booking.pk
    for method, name in (
        ("get", "visit-detail"),
        ("post", "visit-acknowledge"),
        ("get", "visit-move"),
        ("post", "visit-move"),
        ("post", "visit-cancel"),
        ("get", "api-visit-detail"),
        ("post", "api-visit-acknowledge"),
        ("get", "api-visit-slots"),
        ("post", "api-visit-move"),
        ("post", "api-visit-cancel"),
    ):
        response = getattr(client, method)(reverse(name, args=[pk]), {"reason": "x"})
        assert response.status_code == 404, (method, name, response.status_code)
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED


def test_a_jobservice_representative_sees_the_visits_they_attend(
    client, campaign, company, consultant, jobservice_rep
):
    booking = book(campaign, company, at(9, 10), track=Track.JOBSERVICE)
    rep = consultant_user(jobservice_rep, "jsd")
    other = book(campaign, CompanyFactory(), at(9, 13))
    client.force_login(rep)
    assert client.get(detail_url(booking)).status_code == 200
    assert client.get(detail_url(other)).status_code == 404


def test_phoners_have_no_visit_page(client, campaign, company, consultant):
    phoner = user("phoner", Role.PHONER)
    booking = book(campaign, company, at(9, 10), actor=phoner)
    client.force_login(phoner)
    assert client.get(detail_url(booking)).status_code == 403
    assert client.get(reverse("api-visit-detail", args=[booking.pk])).status_code == 403


def test_an_api_call_signed_in_by_http_basic_records_its_actor(
    client, campaign, company, consultant, konsulent
):
    booking = book(campaign, company, at(9, 10))
    credentials = base64.b64encode(b"konsulent:pw").decode()
    response = client.post(
        reverse("api-visit-acknowledge", args=[booking.pk]),
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )
    assert response.status_code == 200
    attendee = Attendee.objects.get(booking=booking)
    entry = LogEntry.objects.get_for_object(attendee).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == konsulent


def test_visits_written_without_the_audit_log_still_have_a_history(campaign, company, consultant):
    phoner = user("phoner", Role.PHONER, first_name="Pia")
    with disable_auditlog():
        booking = book(campaign, company, at(9, 10), actor=phoner)
        booking_cancel(actor=None, booking=booking, by="company", reason="Lukket", now=NOW)
    booking.refresh_from_db()
    assert not LogEntry.objects.get_for_object(booking).exists()
    with translation.override("en"):
        history = [(h.actor, h.reason) for h in visit_history(booking)]
    assert history == [("The company", "Lukket"), ("Pia", "")]
