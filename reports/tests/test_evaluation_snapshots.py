"""The evaluation report kept ready (reports.evaluation_snapshots): served while fresh,
computed again when stale, on another day or on request, one per filter and language,
recomputed by the Celery job for the reports in use, and never shared across scopes."""

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from consultants.models import Coordinator
from reports import evaluation_snapshots
from reports.evaluation_snapshots import (
    READ_WITHIN,
    evaluation_snapshot,
    evaluation_snapshots_refresh,
    snapshot_compute,
    snapshot_key,
)
from reports.models import EvaluationSnapshot
from reports.tasks import evaluation_snapshots_refresh as refresh_task
from tests.threads import at_once

MAX_AGE = dt.timedelta(seconds=settings.EVALUATION_SNAPSHOT_MAX_AGE)


def booked(world, **params) -> int:
    """Visits booked as the evaluation endpoint gives them (kept or computed)."""
    response = world.client.get(
        reverse("api-reports-evaluation"), {"campaign": world.campaign.pk, **params}
    )
    assert response.status_code == 200
    return response.json()["visits"]["booked"]


@pytest.fixture
def agency(client, world):
    client.force_login(world.agency)
    world.client = client
    return world


def test_a_second_reader_gets_the_kept_report_in_few_queries(agency, django_assert_max_num_queries):
    world = agency
    url = reverse("reports:evaluation")
    assert world.client.get(url, {"campaign": world.campaign.pk}).status_code == 200
    assert EvaluationSnapshot.objects.count() == 1
    world.more(3)  # new visits: the kept report does not know them yet
    with django_assert_max_num_queries(12):
        response = world.client.get(url, {"campaign": world.campaign.pk})
    assert response.status_code == 200
    snapshot = EvaluationSnapshot.objects.get()
    assert snapshot.page in response.content.decode()
    assert 'id="report-recompute"' in response.content.decode()


def test_recompute_now_counts_what_came_since(agency):
    world = agency
    before = booked(world)
    world.more(3)
    assert booked(world) == before  # kept
    assert booked(world, recompute="1") == before + 3
    assert booked(world) == before + 3  # and kept again
    page = world.client.get(
        reverse("reports:evaluation"), {"campaign": world.campaign.pk, "recompute": "1"}
    )
    assert page.status_code == 200
    assert EvaluationSnapshot.objects.filter(language="da").get().figures["visits"]["booked"] == (
        before + 3
    )


def test_a_stale_report_or_one_of_yesterday_is_computed_again(world):
    filters = world.filters()
    now = timezone.now()
    first = evaluation_snapshot(filters, user=world.agency, now=now)
    world.more(2)

    kept = evaluation_snapshot(filters, user=world.agency, now=now + MAX_AGE / 2)
    assert kept.computed_at == first.computed_at
    assert kept.figures == first.figures
    assert EvaluationSnapshot.objects.get().read_at == now + MAX_AGE / 2

    stale = evaluation_snapshot(filters, user=world.agency, now=now + MAX_AGE * 2)
    assert stale.computed_at == now + MAX_AGE * 2
    assert stale.figures["visits"]["booked"] == first.figures["visits"]["booked"] + 2

    # Just after midnight the report is of another day (what is overdue changes), however
    # young it is.
    midnight = dt.datetime.combine(
        timezone.localdate(now) + dt.timedelta(days=1), dt.time.min, timezone.get_current_timezone()
    )
    evaluation_snapshot(filters, user=world.agency, now=midnight - dt.timedelta(minutes=1))
    after = evaluation_snapshot(filters, user=world.agency, now=midnight + dt.timedelta(minutes=1))
    assert after.today == timezone.localdate(midnight)
    assert after.computed_at == midnight + dt.timedelta(minutes=1)
    assert EvaluationSnapshot.objects.count() == 1


def test_one_snapshot_per_filter_and_language(world):
    filters = world.filters()
    with translation.override("da"):
        danish = evaluation_snapshot(filters, user=world.agency)
    with translation.override("en"):
        english = evaluation_snapshot(filters, user=world.agency)
        track1 = evaluation_snapshot(world.filters(track="1"), user=world.agency)
    assert len({danish.pk, english.pk, track1.pk}) == 3
    assert danish.page != english.page
    assert danish.figures["visits"]["booked"] == english.figures["visits"]["booked"]
    assert danish.figures["table1"] == english.figures["table1"]
    assert danish.figures["summary"] != english.figures["summary"]
    assert track1.figures["visits"]["booked"] < english.figures["visits"]["booked"]


def test_a_coordinator_never_reads_the_agency_report(client, world):
    """The agency's report of all jobcentres is kept first; the coordinator, asking with the
    same parameters, gets their own jobcentre's, kept apart."""
    client.force_login(world.agency)
    url = reverse("api-reports-evaluation")
    everything = client.get(url, {"campaign": world.campaign.pk}).json()
    client.force_login(world.coordinator)
    own = client.get(url, {"campaign": world.campaign.pk}).json()
    assert own["filter"]["jobcentre"] == world.kbh.pk
    assert own["visits"]["booked"] < everything["visits"]["booked"]
    assert [row["name"] for row in own["jobcentres"]["rows"]] == [world.kbh.name]
    keys = set(EvaluationSnapshot.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert any(f"scope={world.kbh.pk}" in key for key in keys)


def test_without_a_campaign_nothing_is_kept(client, reference, make_user):
    from consultants.roles import Role

    client.force_login(make_user("agency", Role.AGENCY))
    assert client.get(reverse("reports:evaluation")).status_code == 200
    assert client.get(reverse("api-reports-evaluation")).json()["campaign"] is None
    assert not EvaluationSnapshot.objects.exists()


# --- The Celery job --------------------------------------------------------------------------


def test_the_job_recomputes_the_reports_in_use_and_drops_the_rest(world):
    now = timezone.now()
    filters = {name: world.filters(**fields) for name, fields in (
        ("in use", {}),
        ("fresh", {"track": "1"}),
        ("not read lately", {"track": "2"}),
        ("forgotten", {"rar_area": world.kbh.rar_area}),
    )}  # fmt: skip
    computed = now - MAX_AGE / 2
    for name, f in filters.items():
        snapshot_compute(f, user=world.agency, now=now - MAX_AGE if name != "fresh" else now)
    EvaluationSnapshot.objects.filter(key=snapshot_key(filters["in use"], "da")).update(
        read_at=computed
    )
    EvaluationSnapshot.objects.filter(key=snapshot_key(filters["not read lately"], "da")).update(
        read_at=now - READ_WITHIN - dt.timedelta(hours=1)
    )
    EvaluationSnapshot.objects.filter(key=snapshot_key(filters["forgotten"], "da")).update(
        read_at=now - dt.timedelta(days=settings.EVALUATION_SNAPSHOT_KEEP_DAYS + 1)
    )
    world.more(2)

    assert evaluation_snapshots_refresh(now=now) == {
        "refreshed": 1,
        "dropped": 0,
        "failed": 0,
        "deleted": 1,
    }
    by_key = {s.key: s for s in EvaluationSnapshot.objects.all()}
    assert set(by_key) == {
        snapshot_key(filters[n], "da") for n in ("in use", "fresh", "not read lately")
    }
    in_use = by_key[snapshot_key(filters["in use"], "da")]
    assert in_use.computed_at == now
    assert in_use.read_at == computed  # recomputing is not reading
    assert (
        in_use.figures["visits"]["booked"]
        == (
            evaluation_snapshot(filters["in use"], user=world.agency, recompute=True).figures[
                "visits"
            ]["booked"]
        )
    )
    assert by_key[snapshot_key(filters["not read lately"], "da")].computed_at == now - MAX_AGE


def test_the_job_recomputes_in_the_readers_language(world):
    now = timezone.now()
    with translation.override("en"):
        snapshot_compute(world.filters(), user=world.agency, now=now - MAX_AGE)
    evaluation_snapshots_refresh(now=now)
    snapshot = EvaluationSnapshot.objects.get()
    assert snapshot.language == "en"
    assert snapshot.computed_at == now
    with translation.override("en"):
        expected = snapshot_compute(world.filters(), user=world.agency, now=now)
    assert snapshot.figures["summary"] == expected.figures["summary"]


def test_a_reader_who_lost_the_right_loses_the_snapshot(world):
    now = timezone.now()
    scoped = world.filters(jobcentre=world.kbh, scoped=True)
    snapshot_compute(scoped, user=world.coordinator, now=now - MAX_AGE)
    snapshot_compute(world.filters(), user=world.agency, now=now - MAX_AGE)
    # The coordinator now coordinates another jobcentre: the kept report of København goes.
    Coordinator.objects.filter(user=world.coordinator).update(jobcentre=world.aar)
    world.agency.is_active = False
    world.agency.save()
    result = evaluation_snapshots_refresh(now=now)
    assert result["dropped"] == 2
    assert not EvaluationSnapshot.objects.exists()


def test_one_failing_report_does_not_stop_the_others(world, caplog):
    now = timezone.now()
    broken = world.filters(track="1")
    snapshot_compute(broken, user=world.agency, now=now - MAX_AGE)
    snapshot_compute(world.filters(), user=world.agency, now=now - MAX_AGE)
    real = evaluation_snapshots.snapshot_compute

    def compute(filters, **kwargs):
        if filters.track == "1":
            raise RuntimeError("the report cannot be computed")
        return real(filters, **kwargs)

    with mock.patch.object(evaluation_snapshots, "snapshot_compute", compute):
        result = evaluation_snapshots_refresh(now=now)
    assert result == {"refreshed": 1, "dropped": 0, "failed": 1, "deleted": 0}
    assert "recomputing failed" in caplog.text
    kept = EvaluationSnapshot.objects.get(key=snapshot_key(broken, "da"))
    assert kept.computed_at == now - MAX_AGE  # left as it was, for the next run


def test_the_task_is_on_the_beat_schedule_and_runs(world):
    entry = settings.CELERY_BEAT_SCHEDULE["reports-evaluation-snapshots"]
    assert entry["task"] == refresh_task.name
    snapshot_compute(world.filters(), user=world.agency, now=timezone.now() - MAX_AGE)
    assert refresh_task.apply().get()["refreshed"] == 1


# --- Two readers at once ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_readers_computing_one_report_keep_one_snapshot(world):
    filters = world.filters()

    def read():
        with translation.override("da"):
            return evaluation_snapshot(filters, user=world.agency).pk

    results = at_once([read, read])
    assert all(isinstance(r, int) for r in results), results
    assert EvaluationSnapshot.objects.count() == 1
