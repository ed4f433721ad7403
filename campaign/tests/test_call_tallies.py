"""The phoners' tallies (campaign.models.PhonerHour, PhonerFirms, PhonerScriptTotals and
PhonerWorkedHours): kept with every call, equal to a count over the calls however they were
written, and right when one phoner's calls are registered at the same moment."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from campaign.calls import (
    call_register,
    call_tallies_rebuild,
    current_script,
    phoner_totals_rebuild,
)
from campaign.models import (
    CallAttempt,
    CallListEntry,
    CallScript,
    PhonerFirms,
    PhonerHour,
    PhonerScriptTotals,
    PhonerWorkedHours,
    Track,
)
from common.errors import ApplicationError
from consultants.models import Jobcentre
from consultants.roles import Role
from tests.factories import CampaignFactory, released_call_list
from tests.threads import at_once

migration = importlib.import_module("campaign.migrations.0006_phoner_tallies")
totals_migration = importlib.import_module("campaign.migrations.0007_phoner_totals")
NOW = dt.datetime(2026, 12, 7, 9, 5, tzinfo=dt.UTC)
Outcome = CallAttempt.Outcome


def totals() -> tuple[dict, dict]:
    """{(phoner, campaign, track, script): (hours, calls, contacts, bookings)} and
    {(phoner, campaign, track): hours worked} of every row of the sums over the hours."""
    scripts = {
        (t.phoner_id, t.campaign_id, t.track, t.script_id): (
            t.hours,
            t.calls,
            t.contacts,
            t.bookings,
        )
        for t in PhonerScriptTotals.objects.all()
    }
    worked = {
        (w.phoner_id, w.campaign_id, w.track): w.hours for w in PhonerWorkedHours.objects.all()
    }
    return scripts, worked


def tallies() -> tuple[dict, dict, tuple[dict, dict]]:
    """{(phoner, campaign, track, script, hour): (calls, contacts, bookings)},
    {(phoner, list): (firms called, firms reached)} of every tally row, and the totals()."""
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
    return hours, firms, totals()


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
    hours, firms, (scripts, worked) = tallies()
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
    assert scripts == {(anna.pk, *track): (2, 5, 1, 0), (bo.pk, *track): (1, 2, 1, 0)}
    campaign, track_ = call_list.campaign_id, call_list.track
    assert worked == {
        (phoner.pk, *scope): n
        for phoner, n in ((anna, 2), (bo, 1))
        # In the campaign's track, the campaign, the track over all campaigns, in all.
        for scope in ((campaign, track_), (campaign, ""), (None, track_), (None, ""))
    }


def test_a_rebuild_counts_what_the_calls_counted(call_list, phoners):
    calls_made(call_list, phoners)
    kept = tallies()
    PhonerHour.objects.update(calls=0)
    PhonerFirms.objects.all().delete()
    PhonerScriptTotals.objects.update(hours=0)
    PhonerWorkedHours.objects.all().delete()
    assert call_tallies_rebuild() == (3, 2)
    assert tallies() == kept


def test_the_migration_counts_the_calls_there_were(call_list, phoners):
    calls_made(call_list, phoners)
    kept = tallies()
    PhonerHour.objects.all().delete()
    PhonerFirms.objects.all().delete()
    PhonerScriptTotals.objects.all().delete()
    PhonerWorkedHours.objects.all().delete()
    migration.phoner_tallies_count(apps, None)
    totals_migration.phoner_totals_sum(apps, None)
    assert tallies() == kept


def test_an_hour_under_two_scripts_in_both_tracks_and_two_campaigns_is_worked_once(
    call_list, phoners, reference
):
    """Anna calls at 09:05 under version 1, at 09:15 under version 2 (written meanwhile), at
    09:25 on a track-1 list and at 09:35 for another campaign, then at 10:05 under version 2:
    the script totals count each script's own hours, her hours worked count 09 once in every
    scope it falls in. The sums kept call by call equal the sums made afresh from the hours."""
    anna, _bo = phoners
    jobcentre = call_list.jobcentre
    campaign = call_list.campaign
    track_1 = released_call_list(campaign, jobcentre, track=Track.JOBSERVICE, companies=1)
    other = released_call_list(CampaignFactory(), jobcentre, companies=1)
    first, second, third, _fourth = call_list.entries.order_by("position")

    def call(entry, minutes):
        entry = CallListEntry.objects.get(pk=entry.pk)
        moment = NOW + dt.timedelta(minutes=minutes)
        call_register(actor=anna, entry=entry, outcome=Outcome.NO_ANSWER, now=moment)

    v1 = current_script(call_list)
    call(first, 0)
    v2 = CallScript.objects.create(campaign=campaign, track=call_list.track, version=2, body="…")
    call(second, 10)
    call(track_1.entries.get(), 20)
    call(other.entries.get(), 30)
    call(third, 60)

    scripts, worked = totals()
    track = call_list.track
    assert {key[3]: value[:2] for key, value in scripts.items() if key[1] == campaign.pk} == {
        v1.pk: (1, 1),  # hours, calls
        v2.pk: (2, 2),
        current_script(track_1).pk: (1, 1),
    }
    assert {key[1:]: hours for key, hours in worked.items()} == {
        (campaign.pk, track): 2,  # 09 and 10
        (campaign.pk, ""): 2,  # 09 (both tracks) and 10
        (campaign.pk, Track.JOBSERVICE): 1,
        (other.campaign_id, track): 1,
        (other.campaign_id, ""): 1,
        (None, track): 2,  # 09 (both campaigns) and 10
        (None, Track.JOBSERVICE): 1,
        (None, ""): 2,  # 09 (everywhere) and 10
    }
    kept = totals()
    assert phoner_totals_rebuild() == (4, 8)
    assert totals() == kept


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
        (script,) = PhonerScriptTotals.objects.filter(phoner=anna)
        assert hour.calls == script.calls == 4 * (round_ + 1)
        assert firms.called == 4
        assert script.hours == 1
        assert set(PhonerWorkedHours.objects.values_list("hours", flat=True)) == {1}
        CallListEntry.objects.update(status="open", next_call_at=None)


@pytest.mark.django_db(transaction=True)
def test_one_phoners_calls_under_two_scripts_at_the_same_moment_are_one_hour_worked(
    call_list, phoners, reference
):
    """Two tabs, one on each track, register a call in the same second, hour after hour:
    two hour rows (two scripts) each time, one hour worked for the campaign in both tracks
    and in all."""
    anna, _bo = phoners
    track_1 = released_call_list(
        call_list.campaign, call_list.jobcentre, track=Track.JOBSERVICE, companies=1
    )
    entries = [call_list.entries.order_by("position").first(), track_1.entries.get()]

    def register(entry, hour):
        moment = NOW + dt.timedelta(hours=hour)
        return lambda: call_register(actor=anna, entry=entry, outcome=Outcome.NO_ANSWER, now=moment)

    # From the second round on every hours-worked row exists, so only its lock (not the
    # unique constraint on creating it) keeps the two tabs apart.
    rounds = 3
    for hour in range(rounds):
        results = at_once([register(entry, hour) for entry in entries])
        assert all(isinstance(r, CallAttempt) for r in results), results
        CallListEntry.objects.update(status="open", next_call_at=None)
    assert PhonerHour.objects.filter(phoner=anna).count() == 2 * rounds
    worked = {(w.campaign_id, w.track): w.hours for w in PhonerWorkedHours.objects.all()}
    assert worked == {
        (call_list.campaign_id, call_list.track): rounds,
        (call_list.campaign_id, Track.JOBSERVICE): rounds,
        (call_list.campaign_id, ""): rounds,
        (None, call_list.track): rounds,
        (None, Track.JOBSERVICE): rounds,
        (None, ""): rounds,
    }
