"""Outcomes, agreements and follow-ups carry their visit's keys (campaign, track, jobcentre,
start, who booked it), copied when written, so the dashboards count them without joining the
visits. The copies must equal the visit's, however the rows were written: by the service, by
the ORM, and by the migrations that filled them in for the rows there were."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from bookings.models import Agreement, AgreementKind, FollowUp, FollowUpKind, Outcome
from bookings.outcomes import outcome_register
from bookings.tests.conftest import NOW
from bookings.tests.outcome_world import build_world
from campaign.models import Track
from tests.factories import CampaignFactory

backfill = importlib.import_module("bookings.migrations.0005_visit_keys")
booker_backfill = importlib.import_module("bookings.migrations.0006_visit_keys_booker")


@pytest.fixture
def world(make_user, jobcentre, campaign, consultant):
    world = build_world(make_user, jobcentre, campaign, consultant)
    for visit in (world.visit, world.aarhus_visit):
        visit.booked_by = world.users["phoner"]
        visit.save(update_fields=["booked_by"])
    return world


def keys(row) -> tuple:
    return (row.campaign_id, row.track, row.jobcentre_id, row.visit_starts_at, row.booked_by_id)


def visit_keys(booking) -> tuple:
    assert booking.booked_by_id is not None
    return (
        booking.campaign_id,
        booking.track,
        booking.jobcentre_id,
        booking.starts_at,
        booking.booked_by_id,
    )


def register(world):
    return outcome_register(
        actor=world.users["consultant"],
        booking=world.visit,
        kind="held",
        agreements=[{"kind": AgreementKind.JOB_ORDER, "positions": 2}],
        followups=[
            {
                "kind": FollowUpKind.CALL,
                "owner": world.consultant,
                "due_on": dt.date(2026, 12, 18),
            }
        ],
        now=NOW,
    )


def test_registering_an_outcome_copies_the_visits_keys_onto_every_row(world):
    register(world)
    expected = visit_keys(world.visit)
    assert expected[1] == Track.JOBCENTRE
    rows = [*Outcome.objects.all(), *Agreement.objects.all(), *FollowUp.objects.all()]
    assert len(rows) == 3
    assert {keys(row) for row in rows} == {expected}


def test_rows_written_through_the_orm_get_them_too(world):
    outcome = Outcome.objects.create(booking=world.aarhus_visit, kind="held", registered_at=NOW)
    agreement = Agreement.objects.create(outcome=outcome, kind=AgreementKind.INTERNSHIP)
    assert keys(outcome) == keys(agreement) == visit_keys(world.aarhus_visit)


def test_the_migration_fills_them_in_from_the_visits(world):
    register(world)
    # As if the rows had been written before the keys existed: wrong values everywhere.
    other = CampaignFactory()
    for model in (Outcome, Agreement, FollowUp):
        model.objects.update(
            campaign=other,
            track=Track.JOBSERVICE,
            jobcentre=world.aarhus_consultant.jobcentre,
            visit_starts_at=NOW,
        )

    backfill.visit_keys_copy(None, SimpleNamespace(connection=connection))

    expected = visit_keys(world.visit)
    for model in (Outcome, Agreement, FollowUp):
        assert {keys(row) for row in model.objects.all()} == {expected}, model.__name__


def test_the_booker_migration_fills_in_who_booked_the_visit(world):
    register(world)
    # As if the rows had been written before the booker was copied.
    for model in (Outcome, Agreement, FollowUp):
        model.objects.update(booked_by=None)

    booker_backfill.booker_copy(None, SimpleNamespace(connection=connection))

    expected = visit_keys(world.visit)
    for model in (Outcome, Agreement, FollowUp):
        assert {keys(row) for row in model.objects.all()} == {expected}, model.__name__
