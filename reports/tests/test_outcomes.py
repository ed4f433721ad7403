"""Outcome shares on the hand-built campaign (reports/tests/conftest.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.outcomes import outcome_shares


def test_counts_and_shares_per_area(world):
    report = outcome_shares(world.filters())
    areas = {r.name: r for r in report.areas}
    assert len(areas) == 8
    assert areas["Hovedstaden"].counts == {
        "held": 1,  # v1
        "held_short": 1,  # v2
        "held_phone": 0,
        "cancelled": 1,  # v3 (cancelled by the company, no outcome yet)
        "no_show_company": 0,
        "no_show_consultant": 1,  # v4
        "booked": 1,  # v6, outcome missing
    }
    assert areas["Hovedstaden"].visits == 5
    assert areas["Hovedstaden"].share("no_show_consultant") == 1 / 5
    assert areas["Østjylland"].counts["cancelled"] == 1  # v8, by the jobcentre
    assert areas["Østjylland"].counts["held_phone"] == 1
    assert areas["Fyn"].counts["no_show_company"] == 1
    assert areas["Fyn"].counts["cancelled"] == 1
    assert areas["Bornholm"].visits == 0 and areas["Bornholm"].share("held") is None


def test_per_jobcentre_and_in_all(world):
    report = outcome_shares(world.filters())
    assert [r.name for r in report.jobcentres] == [
        "Jobcenter Aarhus",
        "Jobcenter København",
        "Jobcenter Odense",
    ]
    assert report.jobcentres[0].counts["held"] == 1  # v7
    assert report.total.visits == 10
    assert report.total.counts["cancelled"] == 3
    assert sum(report.total.shares.values()) == pytest.approx(1)


def test_filters_narrow_it(world):
    report = outcome_shares(world.filters(track="1"))
    assert report.total.visits == 1 and report.total.counts["held"] == 1


def test_a_constant_number_of_queries(world, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as small:
        outcome_shares(world.filters())
    world.more(12)
    with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as large:
        outcome_shares(world.filters())
    assert len(large) == len(small)
