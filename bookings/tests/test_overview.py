"""The coordinator's overview: its figures on a small hand-built jobcentre, the lists behind
them, who may see which jobcentre, and a fixed number of queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bookings.models import Attendee, BookingState, FollowUp
from bookings.overview_views import overview
from bookings.tests.conftest import NOW, at, working_hours
from campaign.models import Participation, Track
from consultants.models import Consultant, Coordinator, Jobcentre, Municipality
from consultants.roles import Role
from tests.factories import (
    AttendeeFactory,
    BookingFactory,
    CampaignFactory,
    CompanyFactory,
    ConsultantFactory,
    OutcomeFactory,
)

S = BookingState


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def visit(campaign, consultant, start, state=S.BOOKED, acknowledged=False, **fields):
    """A visit of an hour with `consultant` as its local attendee (inactive once released)."""
    booking = BookingFactory(
        campaign=campaign,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        state=state,
        booked_at=NOW - dt.timedelta(days=20),
        **fields,
    )
    AttendeeFactory(
        booking=booking,
        consultant=consultant,
        is_active=state not in (S.CANCELLED_COMPANY, S.CANCELLED_JOBCENTRE, S.MOVED),
        acknowledged_at=NOW - dt.timedelta(days=1) if acknowledged else None,
    )
    return booking


@pytest.fixture
def coordinator(make_user, jobcentre):
    user = make_user("koordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=user, jobcentre=jobcentre)
    return user


@pytest.fixture
def world(campaign, jobcentre, jobservice_rep):
    """Two consultants and a Jobservice representative with a handful of visits, counted by
    hand below."""
    Participation.objects.filter(campaign=campaign, jobcentre=jobcentre).update(quota=10)
    anna = ConsultantFactory(jobcentre=jobcentre, name="Anna")
    bo = ConsultantFactory(jobcentre=jobcentre, name="Bo")
    ConsultantFactory(jobcentre=jobcentre, name="Gone", is_active=False)  # no visits: no row

    visit(campaign, anna, at(9, 10))  # booked, not acknowledged
    visit(campaign, anna, at(9, 13), acknowledged=True)  # booked
    visit(campaign, anna, at(4, 10), acknowledged=True)  # booked, ended: outcome missing
    held = visit(campaign, bo, at(3, 10), state=S.HELD, acknowledged=True)
    visit(campaign, bo, at(10, 10), state=S.CANCELLED_COMPANY)
    visit(campaign, anna, at(11, 8), state=S.MOVED)
    # Reassigned from Anna to Bo: it counts for Bo, who has not acknowledged it yet.
    reassigned = visit(campaign, anna, at(14, 10), acknowledged=True)
    Attendee.objects.filter(booking=reassigned).update(is_active=False)
    AttendeeFactory(booking=reassigned, consultant=bo)
    # Track 1: Anna (acknowledged) with the representative (not acknowledged).
    track1 = visit(campaign, anna, at(15, 10), acknowledged=True, track=Track.JOBSERVICE)
    AttendeeFactory(booking=track1, consultant=jobservice_rep, role=Attendee.Role.JOBSERVICE)

    outcome = OutcomeFactory(booking=held, kind="held")
    for due, done in (
        (dt.date(2026, 12, 1), None),
        (dt.date(2026, 12, 1), NOW),
        (dt.date(2026, 12, 20), None),
    ):
        FollowUp.objects.create(outcome=outcome, kind="call", owner=bo, due_on=due, done_at=done)

    # Not this jobcentre's or campaign's: never counted.
    elsewhere = CampaignFactory()
    visit(elsewhere, anna, at(16, 10))
    aarhus = Jobcentre.objects.get(name="Jobcenter Aarhus")
    aarhus_company = CompanyFactory(municipality=Municipality.objects.get(code=751))
    visit(campaign, ConsultantFactory(jobcentre=aarhus), at(9, 10), company=aarhus_company)
    return {"anna": anna, "bo": bo, "rep": jobservice_rep}


# By hand, from the world above.
EXPECTED = {
    "Anna": {"booked": 4, "held": 0, "cancelled": 0, "moved": 1, "no_show": 0,
             "unacknowledged": 1, "outcome_missing": 1, "followups_overdue": 0},
    "Bo": {"booked": 1, "held": 1, "cancelled": 1, "moved": 0, "no_show": 0,
           "unacknowledged": 1, "outcome_missing": 0, "followups_overdue": 1},
    "JSD Øst": {"booked": 1, "held": 0, "cancelled": 0, "moved": 0, "no_show": 0,
                "unacknowledged": 1, "outcome_missing": 0, "followups_overdue": 0},
}  # fmt: skip
TOTALS = {"booked": 5, "held": 1, "cancelled": 1, "moved": 1, "no_show": 0,
          "unacknowledged": 3, "outcome_missing": 1, "followups_overdue": 1}  # fmt: skip


def figures(row) -> dict:
    data = row.as_dict()
    return {key: data[key] for key in TOTALS}


def test_the_figures_equal_the_counts_made_by_hand(world, campaign, jobcentre):
    result = overview(campaign=campaign, jobcentre=jobcentre, now=NOW)
    assert (result.quota, result.quota_used, result.quota_left) == (10, 6, 4)
    assert {row.consultant.name: figures(row) for row in result.rows} == EXPECTED
    assert figures(result.totals) == TOTALS
    assert result.totals.visits == 8
    assert result.states[S.BOOKED] == 5
    assert result.states[S.CANCELLED_COMPANY] == 1
    assert sum(result.states.values()) == 8


def test_the_page_shows_them_and_every_figure_opens_its_list(client, world, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("coordinator-overview"))
    assert response.status_code == 200
    assert response.context["campaign"] is not None
    content = response.content.decode()
    assert re.search(r'id="quota-left">4<', content)

    checked = 0
    for item in [*response.context["table"], {"row": None, "cells": response.context["totals"]}]:
        for cell in item["cells"]:
            listed = client.get(cell["url"])
            assert listed.status_code == 200, cell["url"]
            assert listed.context["page"].paginator.count == cell["value"], cell
            checked += 1
    assert checked == 4 * 9
    listed = client.get(response.context["quota_used_url"])
    assert listed.context["page"].paginator.count == 6


def test_the_api_gives_the_same_figures(client, world, coordinator, jobcentre):
    client.force_login(coordinator)
    data = client.get(reverse("api-overview", args=[jobcentre.pk])).json()
    assert (data["quota"], data["quota_used"], data["quota_left"]) == (10, 6, 4)
    assert {row["name"]: {k: row[k] for k in TOTALS} for row in data["consultants"]} == EXPECTED
    assert {k: data["totals"][k] for k in TOTALS} == TOTALS
    assert data["states"]["booked"] == 5


def test_the_latest_campaign_is_the_default_and_another_can_be_chosen(
    client, world, coordinator, campaign, jobcentre
):
    old = CampaignFactory(
        name="Virksomhedskampagnen 2015-16",
        starts_on=dt.date(2015, 11, 1),
        ends_on=dt.date(2016, 4, 1),
    )
    Participation.objects.create(campaign=old, jobcentre=jobcentre, quota=40, accepted_at=NOW)
    client.force_login(coordinator)
    assert client.get(reverse("coordinator-overview")).context["campaign"] == campaign
    response = client.get(reverse("coordinator-overview"), {"campaign": old.pk})
    assert response.context["overview"].quota == 40
    assert response.context["overview"].totals.visits == 0


# --- Who sees what ------------------------------------------------------------------------------


def test_a_coordinator_sees_only_their_own_jobcentre(client, world, make_user, jobcentre, campaign):
    aarhus = Jobcentre.objects.get(name="Jobcenter Aarhus")
    other = make_user("aarhus-koordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=other, jobcentre=aarhus)
    client.force_login(other)
    response = client.get(reverse("coordinator-overview"))
    assert response.status_code == 200
    assert response.context["jobcentre"] == aarhus
    assert response.context["campaign"] is None  # Aarhus takes part in no campaign here
    assert (
        client.get(reverse("coordinator-overview"), {"jobcentre": jobcentre.pk}).status_code == 404
    )
    list_url = reverse("overview-list", args=[jobcentre.pk, campaign.pk, "visits"])
    assert client.get(list_url).status_code == 404
    assert client.get(reverse("api-overview", args=[jobcentre.pk])).status_code == 404


def test_agency_staff_choose_any_jobcentre(client, world, make_user, jobcentre):
    client.force_login(make_user("styrelsen", Role.AGENCY))
    response = client.get(reverse("coordinator-overview"))
    assert response.status_code == 200
    assert response.context["jobcentre"] is None
    response = client.get(reverse("coordinator-overview"), {"jobcentre": jobcentre.pk})
    assert response.context["overview"].quota_used == 6
    assert client.get(reverse("api-overview", args=[jobcentre.pk])).status_code == 200


def test_consultants_and_phoners_may_not_see_the_overview(client, world, make_user, jobcentre):
    for role in (Role.CONSULTANT, Role.PHONER):
        client.force_login(make_user(f"user-{role}", role))
        assert client.get(reverse("coordinator-overview")).status_code == 403
        assert client.get(reverse("api-overview", args=[jobcentre.pk])).status_code == 403


# --- A fixed number of queries ------------------------------------------------------------------


def consultants_with_visits(campaign, jobcentre, count: int) -> None:
    for i in range(count):
        consultant = working_hours(ConsultantFactory(jobcentre=jobcentre))
        booking = visit(campaign, consultant, at(9, 8) + dt.timedelta(days=i % 5))
        visit(campaign, consultant, at(1, 10), state=S.HELD, acknowledged=True)
        FollowUp.objects.create(
            outcome=OutcomeFactory(booking=booking, kind="held"),
            kind="call",
            owner=consultant,
            due_on=dt.date(2026, 12, 1),
        )


BOUND = 12  # session, user, groups, coordinator, choices, participation, and the figures


@pytest.mark.parametrize("count", [2, 20])
def test_the_number_of_queries_does_not_grow_with_the_consultants(
    client, coordinator, campaign, jobcentre, count, django_assert_max_num_queries
):
    consultants_with_visits(campaign, jobcentre, count)
    client.force_login(coordinator)
    url = reverse("coordinator-overview")
    with django_assert_max_num_queries(BOUND):
        response = client.get(url)
    assert len(response.context["table"]) == count
    with django_assert_max_num_queries(BOUND):
        assert client.get(reverse("api-overview", args=[jobcentre.pk])).status_code == 200


def test_the_same_queries_for_2_and_20_consultants(client, coordinator, campaign, jobcentre):
    client.force_login(coordinator)
    counts = []
    for added in (2, 18):
        consultants_with_visits(campaign, jobcentre, added)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("coordinator-overview"))
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Consultant.objects.filter(jobcentre=jobcentre).count() == 20
