"""Table 1 on the hand-built campaign (reports/tests/conftest.py), every figure counted by
hand from the list of visits there."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultants.models import RarArea
from reports.table1 import table1

AREAS = [
    "Nordjylland",
    "Vestjylland",
    "Østjylland",
    "Fyn",
    "Sydjylland",
    "Bornholm",
    "Hovedstaden",
    "Sjælland",
]


def by_name(report):
    return {column.name: column for column in report.areas}


def test_it_lists_the_eight_areas_in_the_reports_order_with_the_country(world):
    report = table1(world.filters())
    assert [c.name for c in report.areas] == AREAS
    assert report.total.rar_area is None


def test_booked_visits_and_outcomes_per_area(world):
    areas = by_name(table1(world.filters()))
    # KBH: v1-v4 and v6 (v5 was moved: counted once, as v6). AAR: v7-v9. ODE: v10, v11.
    assert {n: c.booked for n, c in areas.items()} == {
        **dict.fromkeys(AREAS, 0),
        "Hovedstaden": 5,
        "Østjylland": 3,
        "Fyn": 2,
    }
    assert areas["Hovedstaden"].outcome_registered == 3  # v1, v2, v4
    assert areas["Østjylland"].outcome_registered == 2  # v7, v9
    assert areas["Fyn"].outcome_registered == 2  # v10, v11
    assert areas["Hovedstaden"].outcomes == {
        "held": 1,
        "held_short": 1,
        "held_phone": 0,
        "cancelled_company": 0,  # v3 was cancelled without an outcome
        "no_show_company": 0,
        "no_show_consultant": 1,
    }
    assert areas["Fyn"].outcomes["cancelled_company"] == 1
    assert areas["Fyn"].outcomes["no_show_company"] == 1


def test_positions_per_kind_refugee_places_and_jobservice_agreements(world):
    report = table1(world.filters())
    areas = by_name(report)
    assert areas["Hovedstaden"].agreements["job_order"] == 2
    assert areas["Hovedstaden"].agreements["internship"] == 1
    assert areas["Hovedstaden"].refugee_places == 3
    assert areas["Østjylland"].agreements["job_order"] == 1
    assert areas["Østjylland"].jobservice_agreements == 1
    assert areas["Hovedstaden"].jobservice_agreements == 0
    assert report.total.agreements["job_order"] == 3  # not Forår's 5
    assert report.total.refugee_places == 3
    assert report.total.jobservice_agreements == 1
    assert sum(report.total.agreements.values()) == 2 + 1 + 3 + 1 + 1


def test_followups_agreed_on_time_late_and_overdue(world):
    report = table1(world.filters(), today=world.today)
    areas = by_name(report)
    kbh = areas["Hovedstaden"].followups
    assert (kbh.agreed, kbh.on_time, kbh.late, kbh.overdue, kbh.open) == (3, 1, 1, 1, 0)
    aar = areas["Østjylland"].followups
    # F5 was done at 23:30 local time on its due date: on time (in UTC it is the same day).
    assert (aar.agreed, aar.on_time, aar.late, aar.overdue, aar.open) == (2, 1, 0, 0, 1)
    total = report.total.followups
    assert (total.agreed, total.on_time, total.late, total.overdue, total.open) == (5, 2, 1, 1, 1)


def test_the_national_column_is_the_sum_of_the_areas(world):
    report = table1(world.filters())
    assert report.total.booked == 10
    assert report.total.outcome_registered == 7
    assert report.total.outcomes["held"] == 2


def test_filters_narrow_by_track_area_jobcentre_dates_and_campaign(world):
    track2 = table1(world.filters(track="2"))
    assert track2.total.booked == 9  # all but v7
    assert by_name(track2)["Østjylland"].booked == 2
    assert by_name(track2)["Østjylland"].jobservice_agreements == 0
    assert track2.total.followups.agreed == 4  # F5 left of Aarhus

    fyn = RarArea.objects.get(name="Fyn")
    narrowed = table1(world.filters(rar_area=fyn))
    assert [c.name for c in narrowed.areas] == ["Fyn"]
    assert narrowed.total.booked == 2

    aarhus = table1(world.filters(jobcentre=world.aar))
    assert [c.name for c in aarhus.areas] == ["Østjylland"]
    assert (aarhus.total.booked, aarhus.total.outcome_registered) == (3, 2)

    # Visits starting 1-10 December: v1 (3rd), v4 (5th), v9 (4th), v2 (10th, the last day).
    december = table1(world.filters(date_from=dt.date(2025, 12, 1), date_to=dt.date(2025, 12, 10)))
    assert december.total.booked == 4
    assert december.total.refugee_places == 3

    other = table1(world.filters(campaign=world.other))
    assert other.total.booked == 1
    assert other.total.agreements["job_order"] == 5


def test_a_constant_number_of_queries_whatever_the_data(world, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as small:
        table1(world.filters())
    world.more(24)
    with django_assert_max_num_queries(5), CaptureQueriesContext(connection) as large:
        report = table1(world.filters())
    assert len(large) == len(small)
    assert report.total.booked == 10 + 24


@pytest.mark.parametrize("track", [None, "2"])
def test_as_dict_has_one_object_per_area_and_a_total(world, track):
    data = table1(world.filters(track=track)).as_dict()
    assert len(data["areas"]) == 8
    assert set(data["total"]) >= {
        "rar_area",
        "booked",
        "outcome_registered",
        "outcomes",
        "agreements",
        "refugee_places",
        "jobservice_agreements",
        "followups",
    }
