"""Cancellation by lead time on the hand-built campaign (reports/tests/conftest.py)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.leadtime import lead_time


def figures(report):
    return {b.label: (b.visits, b.cancelled) for b in report.bins}


def test_visits_and_cancellations_per_weekly_bin(world):
    report = lead_time(world.filters())
    # Leads: v1 2, v4 6 (booked at 00:30 local time: 7 days in UTC, still week 0 here),
    # v9 2 | v2 9 | v10 16 | v6 21 | v8 28 (cancelled) | none | v3 44 (cancelled),
    # v7 42, v11 78 (cancelled). v5 was moved and is not counted.
    assert figures(report) == {
        "0-6": (3, 0),
        "7-13": (1, 0),
        "14-20": (1, 0),
        "21-27": (1, 0),
        "28-34": (1, 1),
        "35-41": (0, 0),
        "42+": (3, 2),
    }
    assert [b.start for b in report.bins] == [0, 7, 14, 21, 28, 35, 42]
    assert report.bins[-1].end is None and report.bins[0].end == 6
    assert report.bins[-1].cancelled_share == 2 / 3
    assert report.bins[5].cancelled_share is None
    assert (report.total.visits, report.total.cancelled) == (10, 3)


def test_filters_narrow_it(world):
    assert figures(lead_time(world.filters(track="1")))["42+"] == (1, 0)  # v7
    kbh = figures(lead_time(world.filters(jobcentre=world.kbh)))
    assert kbh["0-6"] == (2, 0) and kbh["42+"] == (1, 1)


def test_one_query_whatever_the_data(world, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as small:
        lead_time(world.filters())
    world.more(15)
    with django_assert_max_num_queries(1), CaptureQueriesContext(connection) as large:
        report = lead_time(world.filters())
    assert len(large) == len(small) == 1
    assert report.total.visits == 25
