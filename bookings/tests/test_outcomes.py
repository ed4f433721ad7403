"""The outcome services: registering what came of a visit (once, after its start, with
agreements and follow-ups only when it was held), recording filled positions, marking
follow-ups done, and the follow-up and outcome-missing lists."""

import datetime as dt

import pytest
from django.utils import translation

from bookings.models import (
    Agreement,
    AgreementKind,
    Booking,
    BookingState,
    FollowUp,
    FollowUpKind,
    Outcome,
    OutcomeKind,
)
from bookings.outcomes import (
    FollowUpStatus,
    agreement_filled,
    followup_default_due,
    followup_default_owner,
    followup_done,
    followups_filter,
    followups_for,
    outcome_register,
    outcomes_missing_for,
)
from bookings.tests.conftest import NOW
from bookings.tests.outcome_world import build_world, held_with_followups, past_visit
from common.errors import ApplicationError, Conflict, PermissionDenied
from consultants.models import Consultant
from tests.factories import AttendeeFactory, ConsultantFactory
from tests.threads import at_once

NOT_HELD = [
    OutcomeKind.CANCELLED_COMPANY,
    OutcomeKind.NO_SHOW_COMPANY,
    OutcomeKind.NO_SHOW_CONSULTANT,
]


@pytest.fixture
def world(make_user, jobcentre, campaign, consultant):
    return build_world(make_user, jobcentre, campaign, consultant)


def register(world, kind=OutcomeKind.HELD, actor="consultant", booking=None, **kwargs):
    return outcome_register(
        actor=world.users[actor],
        booking=booking or world.visit,
        kind=kind,
        now=kwargs.pop("now", NOW),
        **kwargs,
    )


def followup(world, **fields):
    return {
        "kind": FollowUpKind.CANDIDATES,
        "owner": world.consultant,
        "due_on": dt.date(2026, 12, 18),
        **fields,
    }


def assert_nothing_saved(world):
    world.visit.refresh_from_db()
    assert world.visit.state == BookingState.BOOKED
    assert world.visit.sequence == 0
    assert not Outcome.objects.exists()
    assert not Agreement.objects.exists()
    assert not FollowUp.objects.exists()


# --- Registering -----------------------------------------------------------------------------


def test_a_held_visit_is_registered_with_its_agreements_and_followups(world):
    outcome = register(
        world,
        note="God snak med ejeren.",
        agreements=[
            {"kind": AgreementKind.JOB_ORDER, "positions": 2},
            {"kind": AgreementKind.INTERNSHIP, "positions": 1},
        ],
        followups=[followup(world, description="Send tre CV'er")],
    )

    world.visit.refresh_from_db()
    assert world.visit.state == BookingState.HELD
    assert world.visit.sequence == 1
    assert outcome.registered_by == world.users["consultant"]
    assert outcome.registered_at == NOW
    assert outcome.note == "God snak med ejeren."
    assert sorted(outcome.agreements.values_list("kind", "positions")) == [
        (AgreementKind.INTERNSHIP, 1),
        (AgreementKind.JOB_ORDER, 2),
    ]
    task = outcome.followups.get()
    assert (task.owner, task.due_on, task.description) == (
        world.consultant,
        dt.date(2026, 12, 18),
        "Send tre CV'er",
    )


@pytest.mark.parametrize("kind", [OutcomeKind.HELD_SHORT, OutcomeKind.HELD_PHONE, *NOT_HELD])
def test_each_outcome_sets_the_visits_state(world, kind):
    register(world, kind=kind, reason="Travlhed" if kind == OutcomeKind.CANCELLED_COMPANY else "")

    world.visit.refresh_from_db()
    assert world.visit.state == kind
    assert world.visit.sequence == 1


@pytest.mark.parametrize("kind", NOT_HELD)
def test_agreements_are_refused_on_a_visit_that_was_not_held(world, kind):
    with pytest.raises(ApplicationError) as refused:
        register(
            world,
            kind=kind,
            reason="Ingen tid",
            agreements=[{"kind": AgreementKind.JOB_ORDER, "positions": 1}],
        )

    assert "agreements" in refused.value.field_errors
    assert_nothing_saved(world)


@pytest.mark.parametrize("kind", NOT_HELD)
def test_followups_are_refused_on_a_visit_that_was_not_held(world, kind):
    with pytest.raises(ApplicationError) as refused:
        register(world, kind=kind, reason="Ingen tid", followups=[followup(world)])

    assert "followups" in refused.value.field_errors
    assert_nothing_saved(world)


@pytest.mark.parametrize("positions", [0, -1, None, "mange", 1001])
def test_an_agreement_needs_at_least_one_position_and_a_sane_number(world, positions):
    with pytest.raises(ApplicationError) as refused:
        register(world, agreements=[{"kind": AgreementKind.JOB_ORDER, "positions": positions}])

    assert "agreements" in refused.value.field_errors
    assert_nothing_saved(world)


def test_an_agreement_needs_a_known_kind(world):
    with pytest.raises(ApplicationError) as refused:
        register(world, agreements=[{"kind": "bonus", "positions": 1}])

    assert "agreements" in refused.value.field_errors


def test_a_followup_needs_a_due_date(world):
    with pytest.raises(ApplicationError) as refused, translation.override("en"):
        register(world, followups=[followup(world, due_on=None)])

    assert "due date" in str(refused.value.field_errors["followups"][0])
    assert_nothing_saved(world)


def test_a_followup_cannot_be_due_before_the_visit(world):
    with pytest.raises(ApplicationError) as refused:
        register(world, followups=[followup(world, due_on=dt.date(2026, 12, 3))])

    assert "followups" in refused.value.field_errors


def test_a_followup_owner_must_be_an_active_consultant_of_the_visits_jobcentre(world):
    jsd = ConsultantFactory(jobcentre=None, kind=Consultant.Kind.JOBSERVICE)
    retired = ConsultantFactory(jobcentre=world.jobcentre, is_active=False)
    for owner in (None, world.aarhus_consultant, jsd, retired, world.aarhus_consultant.pk):
        with pytest.raises(ApplicationError) as refused:
            register(world, followups=[followup(world, owner=owner)])
        assert "followups" in refused.value.field_errors, owner
    # A colleague of the jobcentre, by object or id, is fine.
    register(world, followups=[followup(world, owner=world.colleague.pk)])
    assert FollowUp.objects.get().owner == world.colleague


def test_the_outcome_is_refused_before_the_visit_starts(world):
    upcoming = past_visit(world.campaign, world.consultant, day=7, hour=13)

    with pytest.raises(ApplicationError) as refused, translation.override("en"):
        register(world, booking=upcoming)

    assert "not started" in str(refused.value.message)
    assert not Outcome.objects.exists()
    # From its start time on, it may be registered.
    register(world, booking=upcoming, now=upcoming.starts_at)
    upcoming.refresh_from_db()
    assert upcoming.state == BookingState.HELD


def test_a_company_cancellation_needs_its_reason(world):
    with pytest.raises(ApplicationError) as refused:
        register(world, kind=OutcomeKind.CANCELLED_COMPANY, reason="   ")
    assert "reason" in refused.value.field_errors
    assert_nothing_saved(world)

    outcome = register(world, kind=OutcomeKind.CANCELLED_COMPANY, reason="Ny direktør")

    world.visit.refresh_from_db()
    assert outcome.reason == "Ny direktør"
    assert world.visit.cancel_reason == "Ny direktør"


def test_a_reason_is_kept_only_for_a_cancellation(world):
    outcome = register(world, kind=OutcomeKind.HELD, reason="Glemt at slette")

    assert outcome.reason == ""


def test_an_unknown_outcome_is_refused(world):
    with pytest.raises(ApplicationError) as refused:
        register(world, kind="moved")

    assert "kind" in refused.value.field_errors
    assert_nothing_saved(world)


def test_a_second_registration_is_a_conflict(world):
    register(world)

    with pytest.raises(Conflict):
        register(world, kind=OutcomeKind.NO_SHOW_COMPANY, actor="coordinator")

    world.visit.refresh_from_db()
    assert world.visit.state == BookingState.HELD
    assert world.visit.sequence == 1
    assert Outcome.objects.count() == 1


@pytest.mark.parametrize(
    "state", [BookingState.MOVED, BookingState.CANCELLED_JOBCENTRE, BookingState.CANCELLED_COMPANY]
)
def test_only_a_booked_visit_gets_an_outcome(world, state):
    Booking.objects.filter(pk=world.visit.pk).update(state=state)

    with pytest.raises(Conflict):
        register(world)

    assert not Outcome.objects.exists()


@pytest.mark.parametrize("actor", ["consultant", "coordinator", "agency"])
def test_the_attendee_the_coordinator_and_agency_staff_may_register(world, actor):
    register(world, actor=actor)

    assert Outcome.objects.get().registered_by == world.users[actor]


@pytest.mark.parametrize(
    "actor", ["colleague", "aarhus_consultant", "aarhus_coordinator", "phoner"]
)
def test_others_may_not_register(world, actor):
    with pytest.raises(PermissionDenied):
        register(world, actor=actor)

    assert_nothing_saved(world)


def test_a_jobservice_representative_at_the_visit_may_register(world, make_user):
    jsd = ConsultantFactory(
        jobcentre=None, kind=Consultant.Kind.JOBSERVICE, user=make_user("jsd", "consultant")
    )
    AttendeeFactory(booking=world.visit, consultant=jsd, role="jobservice")

    outcome = outcome_register(actor=jsd.user, booking=world.visit, kind="held", now=NOW)

    assert outcome.registered_by == jsd.user


def test_the_followup_defaults_are_the_local_consultant_and_the_campaigns_period(world):
    world.campaign.followup_due_days = 10
    world.campaign.save()

    assert followup_default_owner(world.visit) == world.consultant
    assert followup_default_due(world.visit, NOW) == dt.date(2026, 12, 17)


# --- Two at once -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_registrations_one_wins(world):
    """Two people register the same visit at the same moment, each on its own connection:
    one outcome is saved, the other gets the conflict."""
    kinds = [OutcomeKind.HELD, OutcomeKind.NO_SHOW_COMPANY]
    actors = [world.users["consultant"], world.users["coordinator"]]

    def register(i):
        return lambda: outcome_register(
            actor=actors[i], booking=Booking.objects.get(pk=world.visit.pk), kind=kinds[i],
            now=NOW,
        )  # fmt: skip

    results = [
        "registered" if isinstance(r, Outcome) else "conflict" if isinstance(r, Conflict)
        else repr(r)
        for r in at_once([register(0), register(1)])
    ]  # fmt: skip
    assert sorted(results) == ["conflict", "registered"], results
    outcome = Outcome.objects.get()
    world.visit.refresh_from_db()
    assert world.visit.state == outcome.kind == kinds[results.index("registered")]
    assert world.visit.sequence == 1


# --- Filled positions ------------------------------------------------------------------------


def test_a_job_order_is_marked_filled_within_its_positions(world):
    outcome = held_with_followups(world, agreements=[(AgreementKind.JOB_ORDER, 3)])
    agreement = outcome.agreements.get()

    agreement_filled(
        actor=world.users["colleague"],
        agreement=agreement,
        filled_positions=2,
        filled_on=dt.date(2026, 12, 6),
        now=NOW,
    )

    agreement.refresh_from_db()
    assert (agreement.filled_positions, agreement.filled_on) == (2, dt.date(2026, 12, 6))


@pytest.mark.parametrize(
    ("filled", "on", "field"),
    [
        (4, dt.date(2026, 12, 6), "filled_positions"),
        (-1, dt.date(2026, 12, 6), "filled_positions"),
        (2, None, "filled_on"),
        (2, dt.date(2026, 12, 8), "filled_on"),  # tomorrow
        (2, dt.date(2026, 12, 3), "filled_on"),  # before the visit
    ],
)
def test_filled_positions_are_refused_beyond_the_agreement(world, filled, on, field):
    agreement = held_with_followups(world, agreements=[(AgreementKind.JOB_ORDER, 3)])
    agreement = agreement.agreements.get()

    with pytest.raises(ApplicationError) as refused:
        agreement_filled(
            actor=world.users["consultant"],
            agreement=agreement,
            filled_positions=filled,
            filled_on=on,
            now=NOW,
        )

    assert field in refused.value.field_errors
    agreement.refresh_from_db()
    assert agreement.filled_positions == 0


def test_zero_filled_clears_the_date(world):
    agreement = held_with_followups(world, agreements=[(AgreementKind.JOB_ORDER, 3)])
    agreement = agreement.agreements.get()
    agreement_filled(
        actor=world.users["agency"],
        agreement=agreement,
        filled_positions=3,
        filled_on=dt.date(2026, 12, 5),
        now=NOW,
    )

    agreement = agreement_filled(
        actor=world.users["coordinator"],
        agreement=agreement,
        filled_positions=0,
        filled_on=dt.date(2026, 12, 5),
        now=NOW,
    )

    assert (agreement.filled_positions, agreement.filled_on) == (0, None)


@pytest.mark.parametrize("actor", ["aarhus_consultant", "aarhus_coordinator", "phoner"])
def test_another_jobcentre_may_not_mark_positions_filled(world, actor):
    agreement = held_with_followups(world, agreements=[(AgreementKind.JOB_ORDER, 3)])

    with pytest.raises(PermissionDenied):
        agreement_filled(
            actor=world.users[actor],
            agreement=agreement.agreements.get(),
            filled_positions=1,
            filled_on=dt.date(2026, 12, 5),
            now=NOW,
        )


# --- Follow-ups done -------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["consultant", "coordinator", "agency"])
def test_the_owner_the_coordinator_and_agency_staff_mark_a_followup_done(world, actor):
    task = held_with_followups(world, 18).followups.get()

    followup_done(actor=world.users[actor], followup=task, note="Sendt 3 CV'er", now=NOW)

    task.refresh_from_db()
    assert (task.done_at, task.done_note) == (NOW, "Sendt 3 CV'er")


@pytest.mark.parametrize("actor", ["colleague", "aarhus_consultant", "aarhus_coordinator"])
def test_others_may_not_mark_a_followup_done(world, actor):
    task = held_with_followups(world, 18).followups.get()

    with pytest.raises(PermissionDenied):
        followup_done(actor=world.users[actor], followup=task, note="", now=NOW)

    task.refresh_from_db()
    assert task.done_at is None


def test_a_followup_is_done_once(world):
    task = held_with_followups(world, 18).followups.get()
    followup_done(actor=world.users["consultant"], followup=task, note="Ringet", now=NOW)

    with pytest.raises(Conflict):
        followup_done(
            actor=world.users["coordinator"],
            followup=task,
            note="Igen",
            now=NOW + dt.timedelta(hours=1),
        )

    task.refresh_from_db()
    assert (task.done_at, task.done_note) == (NOW, "Ringet")


def test_a_done_note_has_a_limit(world):
    task = held_with_followups(world, 18).followups.get()

    with pytest.raises(ApplicationError) as refused:
        followup_done(actor=world.users["consultant"], followup=task, note="x" * 501, now=NOW)

    assert "note" in refused.value.field_errors


# --- Lists -----------------------------------------------------------------------------------


def test_open_followups_come_by_due_date_overdue_first_and_done_last(world):
    outcome = held_with_followups(world, 20, 4, 7, 10)
    by_day = {f.due_on.day: f for f in outcome.followups.all()}
    followup_done(actor=world.users["consultant"], followup=by_day[20], note="", now=NOW)
    today = NOW.date()

    mine = followups_for(world.users["consultant"])

    def days(status):
        return [f.due_on.day for f in followups_filter(mine, status=status, today=today)]

    assert days(FollowUpStatus.OPEN) == [4, 7, 10]
    assert days(FollowUpStatus.OVERDUE) == [4]
    assert days(FollowUpStatus.DONE) == [20]
    assert days(FollowUpStatus.ALL) == [4, 7, 10, 20]


def test_followups_are_scoped_to_the_jobcentre(world):
    held_with_followups(world, 10)

    assert followups_for(world.users["coordinator"]).count() == 1
    assert followups_for(world.users["colleague"]).count() == 1  # same jobcentre: seen
    assert followups_for(world.users["agency"]).count() == 1
    assert followups_for(world.users["aarhus_consultant"]).count() == 0
    assert followups_for(world.users["aarhus_coordinator"]).count() == 0
    assert followups_for(world.users["phoner"]).count() == 0


def test_outcome_missing_lists_past_booked_visits_without_an_outcome_oldest_first(world):
    older = past_visit(world.campaign, world.consultant, day=2, hour=9)
    colleagues = past_visit(world.campaign, world.colleague, day=3, hour=9)
    past_visit(world.campaign, world.consultant, day=7, hour=9)  # now on, not over
    cancelled = past_visit(world.campaign, world.consultant, day=1, hour=9)
    Booking.objects.filter(pk=cancelled.pk).update(state=BookingState.CANCELLED_COMPANY)
    registered = past_visit(world.campaign, world.consultant, day=1, hour=12)
    register(world, booking=registered)

    def missing(actor, **kwargs):
        return list(outcomes_missing_for(world.users[actor], now=NOW, **kwargs))

    mine = missing("consultant", consultant_id=world.consultant.pk)
    assert mine == [older, world.visit]
    assert missing("coordinator") == [older, colleagues, world.visit]
    assert missing("coordinator", consultant_id=world.colleague.pk) == [colleagues]
    assert world.aarhus_visit in missing("agency")
    assert missing("aarhus_coordinator") == [world.aarhus_visit]
    assert [a.consultant for a in mine[0].active_attendees] == [world.consultant]
