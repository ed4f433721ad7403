"""The phoners' tallies (campaign.models.PhonerHour and PhonerFirms): kept with every call,
equal to a count over the calls however they were written, and right when one phoner's calls
are registered at the same moment."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from campaign.calls import call_register, call_tallies_rebuild, current_script
from campaign.models import CallAttempt, CallListEntry, PhonerFirms, PhonerHour
from common.errors import ApplicationError
from consultants.models import Jobcentre
from consultants.roles import Role
from tests.factories import CampaignFactory, released_call_list
from tests.threads import at_once

migration = importlib.import_module("campaign.migrations.0006_phoner_tallies")
NOW = dt.datetime(2026, 12, 7, 9, 5, tzinfo=dt.UTC)
Outcome = CallAttempt.Outcome


def tallies() -> tuple[dict, dict]:
    """{(phoner, campaign, track, script, hour): (calls, contacts, bookings)} and
    {(phoner, list): (firms called, firms reached)} of every tally row."""
    hours = {
        (h.phoner_id, h.campaign_id, h.track, h.script_id, h.hour): (
            h.calls,
            h.contacts,
            h.bookings,
        )
        for h in PhonerHour.objects.all()
    }
    firms = {
        (f.phoner_id, f.call_list_id): (f.called, f.reached) for f in PhonerFirms.objects.all()
    }
    return hours, firms


@pytest.fixture
def call_list(reference):
    campaign = CampaignFactory(call_retry_minutes=30, call_max_attempts=5)
    return released_call_list(
        campaign, Jobcentre.objects.get(name="Jobcenter København"), companies=4
    )


@pytest.fixture
def phoners(make_user):
    return make_user("anna", Role.PHONER), make_user("bo", Role.PHONER)


def calls_made(call_list, phoners) -> None:
    """Two phoners on the same firms over two hours, through the service."""
    anna, bo = phoners
    first, second, third, _fourth = call_list.entries.order_by("position")

    def call(phoner, entry, outcome, minutes, **kwargs):
        entry = CallListEntry.objects.get(pk=entry.pk)
        moment = NOW + dt.timedelta(minutes=minutes)
        call_register(actor=phoner, entry=entry, outcome=outcome, now=moment, **kwargs)

    call(anna, first, Outcome.NO_ANSWER, 0)
    call(anna, second, Outcome.BUSY, 10)
    call(anna, first, Outcome.NO_ANSWER, 40)  # Anna's second call to the same firm
    call(bo, first, Outcome.CALL_BACK, 70, callback_at=NOW + dt.timedelta(days=1))
    call(bo, second, Outcome.NO_ANSWER, 75)
    call(anna, second, Outcome.NOT_INTERESTED, 80, reason="no_time")
    call(anna, third, Outcome.WRONG_NUMBER, 85)


def test_every_call_is_counted_in_its_phoners_hour_and_list(call_list, phoners):
    anna, bo = phoners
    calls_made(call_list, phoners)
    script = getattr(current_script(call_list), "pk", None)
    nine, ten = NOW.replace(minute=0), NOW.replace(hour=10, minute=0)
    track = (call_list.campaign_id, call_list.track, script)
    hours, firms = tallies()
    assert hours == {
        (anna.pk, *track, nine): (3, 0, 0),  # 09:05, 09:15, 09:45: no one reached
        (anna.pk, *track, ten): (2, 1, 0),  # 10:25 not interested, 10:30 wrong number
        (bo.pk, *track, ten): (2, 1, 0),  # 10:15 call back, 10:20 no answer
    }
    assert firms == {
        # Anna called three firms (the first twice) and reached one; Bo called two, reached
        # one.
        (anna.pk, call_list.pk): (3, 1),
        (bo.pk, call_list.pk): (2, 1),
    }


def test_a_rebuild_counts_what_the_calls_counted(call_list, phoners):
    calls_made(call_list, phoners)
    kept = tallies()
    PhonerHour.objects.update(calls=0)
    PhonerFirms.objects.all().delete()
    assert call_tallies_rebuild() == (3, 2)
    assert tallies() == kept


def test_the_migration_counts_the_calls_there_were(call_list, phoners):
    calls_made(call_list, phoners)
    kept = tallies()
    PhonerHour.objects.all().delete()
    PhonerFirms.objects.all().delete()
    migration.phoner_tallies_count(apps, None)
    assert tallies() == kept


def test_a_refused_call_counts_nothing(call_list, phoners):
    entry = call_list.entries.order_by("position").first()
    with pytest.raises(ApplicationError):  # not interested needs a reason
        call_register(actor=phoners[0], entry=entry, outcome=Outcome.NOT_INTERESTED, now=NOW)
    assert not PhonerHour.objects.exists() and not PhonerFirms.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_one_phoners_calls_at_the_same_moment_are_all_counted(call_list, phoners):
    """The same phoner in two tabs registers two firms in the same second: both calls land
    in the one row for that hour (its row lock, or the unique constraint on creating it)."""
    anna, _bo = phoners
    entries = list(call_list.entries.order_by("position"))

    def register(entry):
        return lambda: call_register(actor=anna, entry=entry, outcome=Outcome.NO_ANSWER, now=NOW)

    for round_ in range(3):
        results = at_once([register(e) for e in entries])
        assert all(isinstance(r, CallAttempt) for r in results), results
        (hour,) = PhonerHour.objects.filter(phoner=anna)
        (firms,) = PhonerFirms.objects.filter(phoner=anna)
        assert hour.calls == 4 * (round_ + 1)
        assert firms.called == 4
        CallListEntry.objects.update(status="open", next_call_at=None)
