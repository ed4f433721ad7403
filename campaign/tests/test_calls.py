"""Calls and the phoners' queue: every outcome, the retry rule, call-backs, claims and the
do-not-contact list."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from campaign.calls import call_register, entries_search, entry_claim_next
from campaign.models import CallAttempt, CallList, CallListEntry, CallScript
from common.errors import ApplicationError, Conflict, PermissionDenied
from consultants.models import Jobcentre
from consultants.roles import Role
from tests.factories import CampaignFactory, released_call_list

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
migration = importlib.import_module("campaign.migrations.0005_entry_call_times")
Outcome = CallAttempt.Outcome
Status = CallListEntry.Status


@pytest.fixture
def call_list(reference):
    campaign = CampaignFactory(call_retry_minutes=60, call_max_attempts=3)
    return released_call_list(campaign, Jobcentre.objects.get(name="Jobcenter København"))


@pytest.fixture
def phoner(make_user):
    return make_user("phoner", Role.PHONER)


@pytest.fixture
def other_phoner(make_user):
    return make_user("phoner2", Role.PHONER)


def entries(call_list):
    return list(call_list.entries.order_by("position"))


def register(phoner, entry, outcome, **kwargs):
    return call_register(actor=phoner, entry=entry, outcome=outcome, now=NOW, **kwargs)


def test_fresh_firms_come_in_the_lists_order_and_are_claimed(call_list, phoner, other_phoner):
    first, second, _ = entries(call_list)
    assert entry_claim_next(actor=phoner, now=NOW) == first
    # The second phoner does not get the firm the first one is calling.
    assert entry_claim_next(actor=other_phoner, now=NOW) == second
    # A claim runs out: then the firm is free again.
    later = NOW + dt.timedelta(minutes=16)
    assert entry_claim_next(actor=other_phoner, now=later) == first


def test_a_due_call_back_comes_first(call_list, phoner):
    first, second, third = entries(call_list)
    register(phoner, third, Outcome.CALL_BACK, callback_at=NOW + dt.timedelta(hours=1))
    assert entry_claim_next(actor=phoner, now=NOW) == first
    assert entry_claim_next(actor=phoner, now=NOW + dt.timedelta(hours=1)) == third


def test_a_call_back_agreed_for_me_is_not_given_to_others(call_list, phoner, other_phoner):
    *_, third = entries(call_list)
    register(
        phoner,
        third,
        Outcome.CALL_BACK,
        callback_at=NOW + dt.timedelta(hours=1),
        callback_mine=True,
    )
    CallListEntry.objects.exclude(pk=third.pk).update(status=Status.CLOSED)
    later = NOW + dt.timedelta(hours=2)
    assert entry_claim_next(actor=other_phoner, now=later) is None
    assert entry_claim_next(actor=phoner, now=later) == third


def test_no_answers_retry_after_the_delay_up_to_the_maximum(call_list, phoner):
    first, *_ = entries(call_list)
    CallListEntry.objects.exclude(pk=first.pk).update(status=Status.CLOSED)
    moment = NOW
    for attempt in range(1, 3):
        register_at = call_register(
            actor=phoner, entry=first, outcome=Outcome.NO_ANSWER, now=moment
        )
        first.refresh_from_db()
        assert register_at.outcome == Outcome.NO_ANSWER
        assert (first.status, first.attempts) == (Status.RETRY, attempt)
        assert first.next_call_at == moment + dt.timedelta(minutes=60)
        # Not before its retry time…
        assert entry_claim_next(actor=phoner, now=moment + dt.timedelta(minutes=59)) is None
        # …then again.
        moment += dt.timedelta(minutes=60)
        assert entry_claim_next(actor=phoner, now=moment) == first
    call_register(actor=phoner, entry=first, outcome=Outcome.BUSY, now=moment)
    first.refresh_from_db()
    assert (first.status, first.attempts) == (Status.CLOSED, 3)
    assert entry_claim_next(actor=phoner, now=moment + dt.timedelta(days=1)) is None


@pytest.mark.parametrize(
    ("outcome", "extra"),
    [(Outcome.WRONG_NUMBER, {}), (Outcome.NOT_INTERESTED, {"reason": "no_need"})],
)
def test_closing_outcomes_end_calling_the_firm(call_list, phoner, outcome, extra):
    first, *_ = entries(call_list)
    register(phoner, first, outcome, **extra)
    first.refresh_from_db()
    assert first.status == Status.CLOSED
    with pytest.raises(Conflict):
        register(phoner, first, Outcome.NO_ANSWER)


def test_not_interested_needs_a_reason(call_list, phoner):
    first, *_ = entries(call_list)
    with pytest.raises(ApplicationError) as refused:
        register(phoner, first, Outcome.NOT_INTERESTED)
    assert "reason" in refused.value.field_errors
    assert not CallAttempt.objects.exists()


def test_a_call_back_needs_a_future_time(call_list, phoner):
    first, *_ = entries(call_list)
    with pytest.raises(ApplicationError):
        register(phoner, first, Outcome.CALL_BACK)
    with pytest.raises(ApplicationError):
        register(phoner, first, Outcome.CALL_BACK, callback_at=NOW - dt.timedelta(minutes=1))


def test_do_not_contact_is_saved_at_once_and_never_overwritten(call_list, phoner, reference):
    first, *_ = entries(call_list)
    # The same firm is also on another campaign's list.
    other = released_call_list(CampaignFactory(), call_list.jobcentre, companies=0)
    other_entry = CallListEntry.objects.create(
        call_list=other, company=first.company, vetting=CallListEntry.Vetting.APPROVED
    )
    register(phoner, first, Outcome.DO_NOT_CONTACT)
    first.company.refresh_from_db()
    assert first.company.do_not_contact and first.company.do_not_contact_at == NOW
    other_entry.refresh_from_db()
    assert other_entry.status == Status.CLOSED
    with pytest.raises(Conflict):
        register(phoner, other_entry, Outcome.NO_ANSWER)
    assert entry_claim_next(actor=phoner, campaign_id=other.campaign_id, now=NOW) is None
    first.company.refresh_from_db()
    assert first.company.do_not_contact


def test_each_call_stores_the_script_version_used(call_list, phoner):
    first, second, _ = entries(call_list)
    assert register(phoner, first, Outcome.BUSY).script.version == 1
    CallScript.objects.create(
        campaign=call_list.campaign, track=call_list.track, version=2, body="Ny version"
    )
    assert register(phoner, second, Outcome.BUSY).script.version == 2


def test_unreleased_lists_and_excluded_firms_are_never_called(call_list, phoner):
    first, second, third = entries(call_list)
    CallListEntry.objects.filter(pk=second.pk).update(
        vetting=CallListEntry.Vetting.EXCLUDED, exclusion_reason="customer"
    )
    assert entry_claim_next(actor=phoner, now=NOW) == first
    assert entry_claim_next(actor=phoner, now=NOW) == first  # my claim, handed back to me
    register(phoner, first, Outcome.WRONG_NUMBER)
    assert entry_claim_next(actor=phoner, now=NOW) == third
    CallList.objects.filter(pk=call_list.pk).update(status=CallList.Status.VETTING)
    assert entry_claim_next(actor=phoner, now=NOW + dt.timedelta(hours=1)) is None
    with pytest.raises(PermissionDenied):
        register(phoner, third, Outcome.BUSY)


def test_only_phoners_call(call_list, make_user):
    consultant = make_user("konsulent", Role.CONSULTANT)
    with pytest.raises(PermissionDenied):
        entry_claim_next(actor=consultant, now=NOW)
    with pytest.raises(PermissionDenied):
        register(consultant, entries(call_list)[0], Outcome.BUSY)


def test_search_finds_a_firm_by_cvr_name_or_phone(call_list):
    first, *_ = entries(call_list)
    company = first.company
    assert list(entries_search(query=company.cvr)) == [first]
    assert list(entries_search(query=company.name)) == [first]
    assert list(entries_search(query=f"+45 {company.phone[:4]} {company.phone[4:]}")) == [first]
    assert list(entries_search(query="")) == []


def test_the_entry_records_when_its_firm_was_first_called_and_first_reached(call_list, phoner):
    first, *_ = entries(call_list)
    register(phoner, first, Outcome.NO_ANSWER)
    first.refresh_from_db()
    assert (first.first_called_at, first.reached_at) == (NOW, None)

    later = NOW + dt.timedelta(hours=2)
    call_register(
        actor=phoner,
        entry=first,
        outcome=Outcome.CALL_BACK,
        callback_at=later + dt.timedelta(days=1),
        now=later,
    )
    first.refresh_from_db()
    assert (first.first_called_at, first.reached_at) == (NOW, later)


def test_the_migration_fills_in_the_call_times_from_the_calls_there_are(call_list, phoner):
    reached, unanswered, uncalled = entries(call_list)
    for entry, outcome, hours in (
        (reached, Outcome.BUSY, 0),
        (reached, Outcome.NOT_INTERESTED, 3),
        (reached, Outcome.WRONG_NUMBER, 1),
        (unanswered, Outcome.NO_ANSWER, 2),
        (unanswered, Outcome.BUSY, 1),
    ):
        CallAttempt.objects.create(
            entry=entry, phoner=phoner, outcome=outcome, called_at=NOW + dt.timedelta(hours=hours)
        )

    migration.call_times_fill(apps, None)

    times = dict(CallListEntry.objects.values_list("pk", "first_called_at"))
    reached_at = dict(CallListEntry.objects.values_list("pk", "reached_at"))
    assert times[reached.pk] == NOW and reached_at[reached.pk] == NOW + dt.timedelta(hours=3)
    assert times[unanswered.pk] == NOW + dt.timedelta(hours=1)
    assert reached_at[unanswered.pk] is None
    assert times[uncalled.pk] is None and reached_at[uncalled.pk] is None
