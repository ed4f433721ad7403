"""The outcome API under /api/v1/: registering a visit's outcome with nested agreements
and follow-ups, follow-ups listed and marked done, filled positions, visits missing an
outcome. Same services and scoping as the pages."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bookings.models import (
    Agreement,
    AgreementKind,
    BookingState,
    FollowUp,
    FollowUpKind,
    Outcome,
    OutcomeKind,
)
from bookings.outcomes import followup_done
from bookings.tests.conftest import NOW
from bookings.tests.outcome_world import (
    build_world,
    followups_for_visits,
    held_with_followups,
    past_visit,
)


@pytest.fixture
def world(make_user, jobcentre, campaign, consultant):
    return build_world(make_user, jobcentre, campaign, consultant)


@pytest.fixture
def api(world):
    """api("consultant") -> an API client logged in as that user, reading English."""

    def log_in(name: str) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_authenticate(world.users[name])
        return client

    return log_in


def outcome_url(booking) -> str:
    return reverse("api-visit-outcome", args=[booking.pk])


# --- Registering ----------------------------------------------------------------------------------


def test_an_outcome_is_registered_with_nested_agreements_and_followups(world, api):
    body = {
        "kind": "held",
        "note": "Godt møde",
        "agreements": [
            {"kind": "job_order", "positions": 3},
            {"kind": "internship"},
        ],
        "followups": [
            {"kind": "candidates", "description": "Send CV'er", "due_on": "2026-12-14"},
            {"kind": "call", "owner": world.colleague.pk},
        ],
    }

    response = api("consultant").post(outcome_url(world.visit), body, format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["visit"] == world.visit.pk
    assert data["kind"] == "held"
    assert sorted((a["kind"], a["positions"]) for a in data["agreements"]) == [
        ("internship", 1),
        ("job_order", 3),
    ]
    # Defaults: the local consultant owns it, due the campaign's period (14 days) from today.
    tasks = {f["kind"]: f for f in data["followups"]}
    assert (tasks["candidates"]["owner"], tasks["candidates"]["due_on"]) == (
        world.consultant.pk,
        "2026-12-14",
    )
    assert (tasks["call"]["owner"], tasks["call"]["due_on"]) == (world.colleague.pk, "2026-12-21")
    world.visit.refresh_from_db()
    assert world.visit.state == BookingState.HELD
    assert world.visit.sequence == 1


def test_the_outcome_is_read_back(world, api):
    client = api("coordinator")

    missing = client.get(outcome_url(world.visit))
    held_with_followups(world, 18, agreements=[(AgreementKind.WAGE_SUBSIDY, 1)])
    registered = client.get(outcome_url(world.visit))

    assert missing.status_code == 404
    assert registered.status_code == 200
    assert registered.json()["agreements"][0]["kind"] == "wage_subsidy"
    assert registered.json()["followups"][0]["due_on"] == "2026-12-18"


@pytest.mark.parametrize("kind", ["no_show_company", "no_show_consultant"])
def test_agreements_on_a_visit_not_held_are_refused_with_field_errors(world, api, kind):
    body = {"kind": kind, "agreements": [{"kind": "job_order", "positions": 1}]}

    response = api("consultant").post(outcome_url(world.visit), body, format="json")

    assert response.status_code == 400
    assert "agreements" in response.json()["errors"]
    assert not Outcome.objects.exists()


def test_zero_positions_are_refused(world, api):
    body = {"kind": "held", "agreements": [{"kind": "job_order", "positions": 0}]}

    response = api("consultant").post(outcome_url(world.visit), body, format="json")

    assert response.status_code == 400
    assert "agreements" in response.json()
    assert not Outcome.objects.exists()


def test_a_followup_owner_of_another_jobcentre_is_refused(world, api):
    body = {"kind": "held", "followups": [{"kind": "call", "owner": world.aarhus_consultant.pk}]}

    response = api("consultant").post(outcome_url(world.visit), body, format="json")

    assert response.status_code == 400
    assert "followups" in response.json()["errors"]


def test_a_company_cancellation_needs_a_reason(world, api):
    response = api("consultant").post(
        outcome_url(world.visit), {"kind": "cancelled_company"}, format="json"
    )

    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_a_second_registration_is_409(world, api):
    client = api("consultant")
    first = client.post(outcome_url(world.visit), {"kind": "held"}, format="json")

    second = client.post(outcome_url(world.visit), {"kind": "held_short"}, format="json")

    assert first.status_code == 201
    assert second.status_code == 409
    assert "already been registered" in second.json()["detail"]
    assert Outcome.objects.get().kind == OutcomeKind.HELD


def test_before_the_visit_starts_it_is_refused(world, api):
    upcoming = past_visit(world.campaign, world.consultant, day=9, hour=10)

    response = api("consultant").post(outcome_url(upcoming), {"kind": "held"}, format="json")

    assert response.status_code == 400
    assert "not started" in response.json()["detail"]


def test_a_colleague_not_at_the_visit_gets_403(world, api):
    response = api("colleague").post(outcome_url(world.visit), {"kind": "held"}, format="json")

    assert response.status_code == 403
    assert not Outcome.objects.exists()


# --- Follow-ups and filled positions --------------------------------------------------------------


def test_followups_are_listed_by_due_date_with_status_filters(world, api):
    outcome = held_with_followups(world, 20, 4, 10)
    followup_done(
        actor=world.users["agency"],
        followup=outcome.followups.get(due_on=dt.date(2026, 12, 20)),
        note="",
        now=NOW,
    )
    client = api("consultant")
    url = reverse("api-followups")

    def days(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return [(r["due_on"][-2:], r["overdue"]) for r in response.json()["results"]]

    assert days() == [("04", True), ("10", False)]
    assert days(status="overdue") == [("04", True)]
    assert days(status="done") == [("20", False)]
    assert days(status="all", mine="true") == [("04", True), ("10", False), ("20", False)]
    assert days(owner=world.colleague.pk) == []


def test_a_followup_is_marked_done_once(world, api):
    task = held_with_followups(world, 10).followups.get()
    client = api("consultant")
    url = reverse("api-followup-done", args=[task.pk])

    done = client.post(url, {"note": "Sendt materiale"}, format="json")
    again = client.post(url, {"note": "Igen"}, format="json")

    assert done.status_code == 200
    assert done.json()["done_note"] == "Sendt materiale"
    assert again.status_code == 409
    task.refresh_from_db()
    assert task.done_note == "Sendt materiale"


def test_only_the_owner_or_the_coordinator_marks_a_followup_done(world, api):
    task = held_with_followups(world, 10).followups.get()
    url = reverse("api-followup-done", args=[task.pk])

    colleague = api("colleague").post(url, {"note": ""}, format="json")
    coordinator = api("coordinator").post(url, {"note": "Klaret"}, format="json")

    assert colleague.status_code == 403
    assert coordinator.status_code == 200


def test_an_agreement_is_marked_filled_within_its_positions(world, api):
    held_with_followups(world, agreements=[(AgreementKind.JOB_ORDER, 2)])
    agreement = Agreement.objects.get()
    url = reverse("api-agreement-filled", args=[agreement.pk])
    client = api("colleague")

    too_many = client.post(url, {"filled_positions": 3, "filled_on": "2026-12-05"}, format="json")
    no_date = client.post(url, {"filled_positions": 1}, format="json")
    filled = client.post(url, {"filled_positions": 2, "filled_on": "2026-12-05"}, format="json")

    assert too_many.status_code == 400
    assert "filled_positions" in too_many.json()["errors"]
    assert no_date.status_code == 400
    assert "filled_on" in no_date.json()["errors"]
    assert filled.status_code == 200
    assert filled.json() == {
        "id": agreement.pk,
        "kind": "job_order",
        "positions": 2,
        "filled_positions": 2,
        "filled_on": "2026-12-05",
    }


def test_outcome_missing_lists_past_visits_oldest_first(world, api):
    older = past_visit(world.campaign, world.consultant, day=2, hour=9)
    colleagues = past_visit(world.campaign, world.colleague, day=3, hour=9)
    url = reverse("api-outcomes-missing")

    def ids(user, **params):
        response = api(user).get(url, params)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids("consultant", mine="true") == [older.pk, world.visit.pk]
    assert ids("coordinator") == [older.pk, colleagues.pk, world.visit.pk]
    assert ids("coordinator", consultant=world.colleague.pk) == [colleagues.pk]
    assert ids("aarhus_coordinator") == [world.aarhus_visit.pk]


@pytest.mark.parametrize("count", [3, 30])
def test_the_followup_list_costs_a_bounded_number_of_queries(
    world, api, django_assert_max_num_queries, count
):
    followups_for_visits(world, count)
    client = api("coordinator")

    with django_assert_max_num_queries(8):
        response = client.get(reverse("api-followups"), {"status": "all"})

    assert response.json()["count"] == count


# --- Scoping ------------------------------------------------------------------------------------


def call(client, method, url, body):
    return client.get(url) if method == "GET" else client.post(url, body, format="json")


def object_endpoints(world):
    outcome = held_with_followups(world, 18, agreements=[(AgreementKind.JOB_ORDER, 2)])
    unregistered = past_visit(world.campaign, world.consultant, day=2, hour=9)
    return [
        ("GET", outcome_url(world.visit), {}),
        ("POST", outcome_url(unregistered), {"kind": "held"}),
        ("POST", reverse("api-followup-done", args=[outcome.followups.get().pk]), {"note": ""}),
        (
            "POST",
            reverse("api-agreement-filled", args=[outcome.agreements.get().pk]),
            {"filled_positions": 1, "filled_on": "2026-12-05"},
        ),
    ]


@pytest.mark.parametrize("user", ["aarhus_consultant", "aarhus_coordinator"])
def test_another_jobcentre_gets_404_on_every_object_of_this_one(world, api, user):
    client = api(user)

    for method, url, body in object_endpoints(world):
        response = call(client, method, url, body)
        assert response.status_code == 404, (method, url)
    listed = client.get(reverse("api-followups"), {"status": "all"})
    missing = client.get(reverse("api-outcomes-missing"))
    assert listed.json()["count"] == 0
    assert world.visit.pk not in [row["id"] for row in missing.json()["results"]]
    assert Outcome.objects.count() == 1
    assert not FollowUp.objects.filter(done_at__isnull=False).exists()
    assert Agreement.objects.get().filled_positions == 0


def test_phoners_get_403_everywhere(world, api):
    client = api("phoner")
    lists = [
        ("GET", reverse("api-followups"), {}),
        ("GET", reverse("api-outcomes-missing"), {}),
    ]

    for method, url, body in [*object_endpoints(world), *lists]:
        response = call(client, method, url, body)
        assert response.status_code == 403, (method, url)


def test_followup_kinds_in_the_schema(world, api):
    """The schema names each choice set after its model's field (no clash of "kind")."""
    schema = api("agency").get(reverse("schema")).content.decode()

    for name in ("AgreementKindEnum", "FollowUpKindEnum", "OutcomeKindEnum"):
        assert f"{name}:" in schema
    assert FollowUpKind.CANDIDATES.value in schema
