"""The jobcentre comparison on the hand-built campaign (reports/tests/conftest.py)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.jobcentres import jobcentre_comparison


def test_quota_visits_registration_rate_and_agreements_per_held_visit(world):
    report = jobcentre_comparison(world.filters())
    rows = {r.name: r for r in report.jobcentres}
    assert list(rows) == ["Jobcenter Aarhus", "Jobcenter København", "Jobcenter Odense"]
    kbh = rows["Jobcenter København"]
    # Quota 10 (not Forår's 99); v1-v4, v6 booked and past; held v1, v2; outcomes v1, v2,
    # v4; agreements: job order and internship at v1, refugee places at v2.
    assert (kbh.quota, kbh.booked, kbh.held, kbh.ended, kbh.outcome_registered) == (
        10,
        5,
        2,
        5,
        3,
    )
    assert kbh.outcome_registration_rate == 3 / 5
    assert (kbh.agreements, kbh.positions) == (3, 6)
    assert kbh.agreements_per_held_visit == 3 / 2
    aar = rows["Jobcenter Aarhus"]
    assert (aar.quota, aar.booked, aar.held, aar.outcome_registered, aar.agreements) == (
        5,
        3,
        2,
        2,
        2,
    )
    ode = rows["Jobcenter Odense"]
    assert (ode.quota, ode.held, ode.agreements_per_held_visit) == (4, 0, None)
    assert ode.outcome_registration_rate == 1.0
    assert (report.total.quota, report.total.booked, report.total.agreements) == (19, 10, 5)


def test_only_visits_whose_time_has_passed_await_an_outcome(world):
    before = timezone.make_aware(dt.datetime(2025, 12, 11))
    rows = {r.name: r for r in jobcentre_comparison(world.filters(), now=before).jobcentres}
    kbh = rows["Jobcenter København"]
    assert kbh.ended == 3  # v1 (3 Dec), v4 (5th), v2 (10th)
    assert kbh.outcome_registration_rate == 1.0


def test_filters_narrow_it(world):
    report = jobcentre_comparison(world.filters(jobcentre=world.ode))
    assert [r.name for r in report.jobcentres] == ["Jobcenter Odense"]
    other = jobcentre_comparison(world.filters(campaign=world.other))
    assert [(r.name, r.quota, r.booked) for r in other.jobcentres] == [
        ("Jobcenter København", 99, 1)
    ]


def test_a_constant_number_of_queries(world, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as small:
        jobcentre_comparison(world.filters())
    world.more(12)
    with django_assert_max_num_queries(5), CaptureQueriesContext(connection) as large:
        report = jobcentre_comparison(world.filters())
    assert len(large) == len(small)
    assert len(report.jobcentres) == 7
