"""The phoners' workspace pages and API: one service behind both, the same scoping."""

import pytest
from django.urls import reverse

from bookings.models import Booking
from bookings.tests.conftest import at
from campaign.models import CallAttempt, CallListEntry, PhonerHour
from consultants.models import Coordinator, Jobcentre
from consultants.roles import Role
from tests.factories import released_call_list


@pytest.fixture
def call_list(campaign, jobcentre, consultant):
    return released_call_list(campaign, jobcentre)


@pytest.fixture
def phoner_client(client, make_user):
    client.force_login(make_user("phoner", Role.PHONER))
    return client


def first_entry(call_list):
    return call_list.entries.order_by("position").first()


def future_slot(client, entry):
    response = client.get(f"/api/v1/workspace/entries/{entry.pk}/slots/")
    assert response.status_code == 200
    return response.json()["offers"][0]["starts_at"]


def test_next_company_opens_the_card(phoner_client, call_list):
    response = phoner_client.post(reverse("workspace-next"), follow=True)
    entry = first_entry(call_list)
    assert response.redirect_chain[-1][0] == reverse("workspace-entry", args=[entry.pk])
    page = response.content.decode()
    assert entry.company.name in page
    assert entry.company.cvr in page
    assert "Goddag, mit navn er" in page  # the track's call script


def test_an_outcome_from_the_page_is_saved_and_the_next_company_opens(phoner_client, call_list):
    entry = first_entry(call_list)
    response = phoner_client.post(
        reverse("workspace-call", args=[entry.pk]), {"outcome": "no_answer", "then": "next"}
    )
    assert response.status_code == 302
    assert CallAttempt.objects.get().outcome == "no_answer"
    second = call_list.entries.order_by("position")[1]
    assert response.url == reverse("workspace-entry", args=[second.pk])


def test_a_refused_outcome_shows_the_reason_and_saves_nothing(phoner_client, call_list):
    entry = first_entry(call_list)
    response = phoner_client.post(
        reverse("workspace-call", args=[entry.pk]), {"outcome": "not_interested"}, follow=True
    )
    assert response.status_code == 200
    assert not CallAttempt.objects.exists()
    assert list(response.context["messages"])


def test_booking_from_the_page(phoner_client, call_list, consultant):
    entry = first_entry(call_list)
    starts_at = future_slot(phoner_client, entry)
    response = phoner_client.post(
        reverse("workspace-book", args=[entry.pk]), {"starts_at": starts_at}
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.call.outcome == "booked" and booking.call_list == call_list
    assert booking.booked_by.username == "phoner"
    entry.refresh_from_db()
    assert entry.status == CallListEntry.Status.BOOKED
    assert entry.first_called_at == entry.reached_at == booking.call.called_at


def test_a_taken_time_on_the_page_says_so_and_offers_fresh_times(
    phoner_client, call_list, consultant
):
    first, second, _ = call_list.entries.order_by("position")
    starts_at = future_slot(phoner_client, first)
    phoner_client.post(reverse("workspace-book", args=[first.pk]), {"starts_at": starts_at})
    response = phoner_client.post(
        reverse("workspace-book", args=[second.pk]), {"starts_at": starts_at}, follow=True
    )
    assert response.status_code == 200
    assert Booking.objects.count() == 1
    assert list(response.context["messages"])
    second.refresh_from_db()
    assert second.first_called_at is None  # the refused booking recorded no call
    assert PhonerHour.objects.get().calls == 1  # and counted none
    assert response.context["search"].offers  # fresh times on the page at once


def test_the_api_books_through_the_workspace(phoner_client, call_list):
    entry = first_entry(call_list)
    starts_at = future_slot(phoner_client, entry)
    response = phoner_client.post(
        f"/api/v1/workspace/entries/{entry.pk}/book/",
        {"starts_at": starts_at},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    again = phoner_client.post(
        f"/api/v1/workspace/entries/{call_list.entries.order_by('position')[1].pk}/book/",
        {"starts_at": starts_at},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["slots"]["offers"]


def test_the_api_registers_calls_and_hands_out_the_next_company(phoner_client, call_list):
    response = phoner_client.post("/api/v1/workspace/next/", {}, content_type="application/json")
    entry = response.json()
    assert entry["company"]["cvr"] == first_entry(call_list).company.cvr
    response = phoner_client.post(
        f"/api/v1/workspace/entries/{entry['id']}/calls/",
        {"outcome": "call_back"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "callback_at" in response.json()["errors"]
    response = phoner_client.post(
        f"/api/v1/workspace/entries/{entry['id']}/calls/",
        {"outcome": "busy"},
        content_type="application/json",
    )
    assert response.status_code == 201
    card = phoner_client.get(f"/api/v1/workspace/entries/{entry['id']}/").json()
    assert [c["outcome"] for c in card["history"]] == ["busy"]
    found = phoner_client.get("/api/v1/workspace/search/", {"q": card["company"]["cvr"]})
    assert [e["id"] for e in found.json()] == [entry["id"]]


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.COORDINATOR])
def test_jobcentre_staff_cannot_use_the_workspace(client, make_user, call_list, role):
    client.force_login(make_user("staff", role))
    entry = first_entry(call_list)
    assert client.get(reverse("workspace")).status_code == 403
    assert client.get(reverse("workspace-entry", args=[entry.pk])).status_code == 403
    assert client.post("/api/v1/workspace/next/").status_code == 403
    assert client.get(f"/api/v1/workspace/entries/{entry.pk}/").status_code == 403


def test_anonymous_users_are_sent_to_log_in_or_refused(client, call_list):
    entry = first_entry(call_list)
    assert client.get(reverse("workspace")).status_code == 302
    assert client.post(f"/api/v1/workspace/entries/{entry.pk}/book/").status_code in (401, 403)


def test_an_unreleased_list_is_invisible_to_phoners(phoner_client, call_list):
    call_list.status = "vetting"
    call_list.save()
    entry = first_entry(call_list)
    assert phoner_client.get(reverse("workspace-entry", args=[entry.pk])).status_code == 404
    assert phoner_client.get(f"/api/v1/workspace/entries/{entry.pk}/").status_code == 404


class TestBookingApi:
    """POST /api/v1/bookings/: a phoner books; a consultant, a coordinator of another
    jobcentre and an anonymous user are refused."""

    def payload(self, campaign, company):
        return {
            "campaign": campaign.pk,
            "company": company.pk,
            "track": "2",
            "starts_at": at(9, 10).isoformat(),
        }

    def test_a_phoner_books_a_visit(self, client, make_user, campaign, company, consultant):
        client.force_login(make_user("phoner", Role.PHONER))
        response = client.post(
            "/api/v1/bookings/", self.payload(campaign, company), content_type="application/json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["attendees"][0]["consultant"] == consultant.pk

    def test_a_coordinator_books_for_their_own_jobcentre(
        self, client, make_user, campaign, company, consultant, jobcentre
    ):
        user = make_user("koordinator", Role.COORDINATOR)
        Coordinator.objects.create(user=user, jobcentre=jobcentre)
        client.force_login(user)
        response = client.post(
            "/api/v1/bookings/", self.payload(campaign, company), content_type="application/json"
        )
        assert response.status_code == 201

    def test_a_consultant_is_refused(self, client, make_user, campaign, company, consultant):
        client.force_login(make_user("konsulent", Role.CONSULTANT))
        response = client.post(
            "/api/v1/bookings/", self.payload(campaign, company), content_type="application/json"
        )
        assert response.status_code == 403
        assert not Booking.objects.exists()

    def test_a_coordinator_of_another_jobcentre_is_refused(
        self, client, make_user, campaign, company, consultant
    ):
        user = make_user("koordinator", Role.COORDINATOR)
        Coordinator.objects.create(
            user=user, jobcentre=Jobcentre.objects.get(name="Jobcenter Aarhus")
        )
        client.force_login(user)
        response = client.post(
            "/api/v1/bookings/", self.payload(campaign, company), content_type="application/json"
        )
        assert response.status_code == 403
        assert not Booking.objects.exists()

    def test_an_anonymous_user_is_refused(self, client, campaign, company, consultant):
        response = client.post(
            "/api/v1/bookings/", self.payload(campaign, company), content_type="application/json"
        )
        assert response.status_code in (401, 403)
        assert not Booking.objects.exists()

    def test_a_taken_time_answers_409_with_free_times(
        self, client, make_user, campaign, company, consultant
    ):
        from tests.factories import CompanyFactory

        client.force_login(make_user("phoner", Role.PHONER))
        client.post(
            "/api/v1/bookings/", self.payload(campaign, company), content_type="application/json"
        )
        response = client.post(
            "/api/v1/bookings/",
            self.payload(campaign, CompanyFactory()),
            content_type="application/json",
        )
        assert response.status_code == 409
        assert response.json()["free_times"]
