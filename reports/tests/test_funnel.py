"""The funnel on the hand-built campaign (reports/tests/conftest.py), counted by hand."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.funnel import funnel

STAGES = (
    "imported",
    "approved",
    "called",
    "reached",
    "booked",
    "held",
    "outcome_registered",
    "with_agreements",
    "survey_answered",
)


def stages(row):
    return tuple(row.stages[s] for s in STAGES)


def test_the_total_funnel(world):
    report = funnel(world.filters())
    # Firms: e1-e5 at KBH and e6-e7 at AAR (7), e5 excluded (6 approved); called e1, e2, e3,
    # e6 (4); reached e2, e3 (not interested counts: someone answered), e6 (3).
    # Visits: 10 (v5 moved); held v1, v2, v7, v9; outcomes v1, v2, v4, v7, v9, v10, v11;
    # with agreements v1, v2, v7; surveys answered v1, v7 (v9's was not).
    assert stages(report.total) == (7, 6, 4, 3, 10, 4, 7, 3, 2)
    assert report.rows == []


def test_per_track(world):
    rows = {r.key: r for r in funnel(world.filters(), by="track").rows}
    assert stages(rows["2"]) == (5, 4, 3, 2, 9, 3, 6, 2, 1)
    assert stages(rows["1"]) == (2, 2, 1, 1, 1, 1, 1, 1, 1)
    assert [r.key for r in funnel(world.filters(), by="track").rows] == ["1", "2"]


@pytest.mark.parametrize("by", [None, "track", "phoner"])
def test_the_visit_stages_alone(world, by):
    """firms=False (the evaluation report) leaves the firm stages out, the rest as counted;
    a phoner who only called has no row."""
    with CaptureQueriesContext(connection) as with_firms:
        whole = funnel(world.filters(), by=by)
    with CaptureQueriesContext(connection) as without:
        alone = funnel(world.filters(), by=by, firms=False)
    assert len(without) < len(with_firms)
    full_rows = {r.key: r for r in whole.rows}
    for row, full in [(r, full_rows[r.key]) for r in alone.rows] + [(alone.total, whole.total)]:
        assert stages(row)[:4] == (None,) * 4
        assert stages(row)[4:] == stages(full)[4:]
    for key in set(full_rows) - {r.key for r in alone.rows}:
        assert stages(full_rows[key])[4:] == (0,) * 5


def test_per_area_and_jobcentre(world):
    areas = {r.name: r for r in funnel(world.filters(), by="rar_area").rows}
    assert set(areas) == {"Hovedstaden", "Østjylland", "Fyn"}
    assert stages(areas["Hovedstaden"]) == (5, 4, 3, 2, 5, 2, 3, 2, 1)
    assert stages(areas["Østjylland"]) == (2, 2, 1, 1, 3, 2, 2, 1, 1)
    assert stages(areas["Fyn"]) == (0, 0, 0, 0, 2, 0, 2, 0, 0)
    jobcentres = {r.key: r for r in funnel(world.filters(), by="jobcentre").rows}
    assert stages(jobcentres[world.kbh.pk]) == stages(areas["Hovedstaden"])
    assert [r.name for r in funnel(world.filters(), by="jobcentre").rows] == [
        "Jobcenter Aarhus",
        "Jobcenter København",
        "Jobcenter Odense",
    ]


def test_per_phoner(world):
    rows = {r.name: r for r in funnel(world.filters(), by="phoner").rows}
    # Anna called e1, e2, e3 (e3 twice) and reached e2, e3; booked v1, v2.
    assert stages(rows["Anna Andersen"]) == (None, None, 3, 2, 2, 2, 2, 2, 1)
    # Bo called e6 in Vinter (his Forår call does not count) and booked v7.
    assert stages(rows["Bo Berg"]) == (None, None, 1, 1, 1, 1, 1, 1, 1)
    # Visits booked by no one: v3, v4, v6, v8, v9, v10, v11.
    [no_one] = [r for r in funnel(world.filters(), by="phoner").rows if r.key is None]
    assert stages(no_one) == (None, None, 0, 0, 7, 1, 4, 0, 0)


def test_filters_narrow_it(world):
    kbh = funnel(world.filters(jobcentre=world.kbh))
    assert stages(kbh.total) == (5, 4, 3, 2, 5, 2, 3, 2, 1)
    # The dates narrow only the visit stages (call lists have no date).
    early = funnel(world.filters(date_from=dt.date(2025, 12, 1), date_to=dt.date(2025, 12, 5)))
    assert stages(early.total) == (7, 6, 4, 3, 3, 2, 3, 1, 1)  # v1, v4, v9
    other = funnel(world.filters(campaign=world.other))
    assert stages(other.total) == (1, 1, 1, 1, 1, 1, 1, 1, 1)


def test_an_unknown_grouping_is_refused(world):
    with pytest.raises(ValueError):
        funnel(world.filters(), by="weather")


@pytest.mark.parametrize("by", [None, "track", "rar_area", "jobcentre", "phoner"])
def test_a_constant_number_of_queries(world, by, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as small:
        funnel(world.filters(), by=by)
    world.more(12)
    with django_assert_max_num_queries(7), CaptureQueriesContext(connection) as large:
        report = funnel(world.filters(), by=by)
    assert len(large) == len(small)
    assert report.total.stages["booked"] == 22
