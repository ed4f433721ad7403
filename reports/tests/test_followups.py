"""Follow-up compliance on the hand-built campaign (reports/tests/conftest.py)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.followups import followup_compliance


def figures(f):
    return (f.agreed, f.on_time, f.late, f.overdue, f.open)


def test_per_jobcentre(world):
    report = followup_compliance(world.filters(), today=world.today)
    rows = {r.name: r.figures for r in report.jobcentres}
    assert set(rows) == {"Jobcenter København", "Jobcenter Aarhus"}
    # KBH: F1 on time, F2 late, F3 overdue. AAR: F4 open (due in 30 days), F5 done at 23:30
    # on its due day: on time.
    assert figures(rows["Jobcenter København"]) == (3, 1, 1, 1, 0)
    assert figures(rows["Jobcenter Aarhus"]) == (2, 1, 0, 0, 1)
    assert figures(report.total) == (5, 2, 1, 1, 1)
    assert rows["Jobcenter København"].on_time_rate == 1 / 3
    assert rows["Jobcenter Aarhus"].on_time_rate == 1.0


def test_per_consultant(world):
    report = followup_compliance(world.filters(), today=world.today)
    rows = {r.name: r for r in report.consultants}
    assert [r.name for r in report.consultants] == ["Aase", "Karl", "Kirsten"]
    assert figures(rows["Kirsten"].figures) == (2, 1, 1, 0, 0)
    assert figures(rows["Karl"].figures) == (1, 0, 0, 1, 0)
    assert figures(rows["Aase"].figures) == (2, 1, 0, 0, 1)
    assert rows["Aase"].jobcentre == "Jobcenter Aarhus"


def test_overdue_depends_on_today(world):
    # On 24 December F3 was due that day: open, not overdue.
    report = followup_compliance(world.filters(), today=dt.date(2025, 12, 24))
    kbh = {r.name: r.figures for r in report.jobcentres}["Jobcenter København"]
    assert (kbh.overdue, kbh.open) == (0, 1)


def test_filters_narrow_it(world):
    report = followup_compliance(world.filters(track="1"), today=world.today)
    assert figures(report.total) == (1, 0, 0, 0, 1)  # F4
    other = followup_compliance(world.filters(campaign=world.other), today=world.today)
    assert figures(other.total) == (1, 0, 0, 1, 0)


def test_a_constant_number_of_queries(world, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as small:
        followup_compliance(world.filters())
    world.more(12)
    with django_assert_max_num_queries(4), CaptureQueriesContext(connection) as large:
        report = followup_compliance(world.filters())
    assert len(large) == len(small)
    assert report.total.agreed == 17
