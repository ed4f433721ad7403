"""The report endpoints under /api/v1/reports/ on the hand-built campaign
(reports/tests/conftest.py): the same figures as the pages, the same filter and scoping."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultants.models import RarArea

ENDPOINTS = [
    "api-reports-table1",
    "api-reports-funnel",
    "api-reports-lead-time",
    "api-reports-outcomes",
    "api-reports-followups",
    "api-reports-jobcentres",
]


@pytest.fixture
def agency(client, world):
    client.force_login(world.agency)
    return client


def get(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.content[:500]
    return response.json()


@pytest.mark.parametrize("who", ["anna", "consultant_user"])
def test_phoners_and_consultants_get_403_on_every_endpoint(client, world, who):
    client.force_login(getattr(world, who))
    for name in ENDPOINTS:
        assert client.get(reverse(name)).status_code == 403, name


def test_anonymous_callers_are_refused(client, world):
    for name in ENDPOINTS:
        assert client.get(reverse(name)).status_code in (401, 403), name


def test_table1_returns_one_object_per_area_and_a_total(agency, world):
    data = get(agency, "api-reports-table1", campaign=world.campaign.pk)
    assert data["campaign"] == world.campaign.pk
    assert [a["name"] for a in data["areas"]] == list(
        RarArea.objects.order_by("position").values_list("name", flat=True)
    )
    areas = {a["name"]: a for a in data["areas"]}
    kbh = areas["Hovedstaden"]
    assert kbh["rar_area"] == RarArea.objects.get(name="Hovedstaden").pk
    assert (kbh["booked"], kbh["outcome_registered"]) == (5, 3)
    assert kbh["outcomes"] == {
        "held": 1,
        "held_short": 1,
        "held_phone": 0,
        "cancelled_company": 0,
        "no_show_company": 0,
        "no_show_consultant": 1,
    }
    assert kbh["agreements"]["job_order"] == 2 and kbh["agreements"]["internship"] == 1
    assert kbh["refugee_places"] == 3
    assert kbh["followups"] == {"agreed": 3, "on_time": 1, "late": 1, "overdue": 1, "open": 0}
    total = data["total"]
    assert total["rar_area"] is None
    assert (total["booked"], total["outcome_registered"], total["jobservice_agreements"]) == (
        10,
        7,
        1,
    )
    assert total["agreements"]["job_order"] == 3


def test_table1_takes_track_area_and_dates(agency, world):
    fyn = RarArea.objects.get(name="Fyn")
    data = get(agency, "api-reports-table1", campaign=world.campaign.pk, rar_area=fyn.pk)
    assert [a["name"] for a in data["areas"]] == ["Fyn"] and data["total"]["booked"] == 2
    data = get(agency, "api-reports-table1", campaign=world.campaign.pk, track="1")
    assert data["total"]["booked"] == 1
    data = get(
        agency,
        "api-reports-table1",
        campaign=world.campaign.pk,
        date_from="2025-12-01",
        date_to="2025-12-10",
    )
    assert data["total"]["booked"] == 4


def test_the_other_endpoints(agency, world):
    c = world.campaign.pk
    funnel = get(agency, "api-reports-funnel", campaign=c, by="track")
    assert funnel["by"] == "track"
    assert [r["key"] for r in funnel["rows"]] == ["1", "2"]
    assert funnel["total"]["stages"]["imported"] == 7
    assert funnel["total"]["stages"]["survey_answered"] == 2
    phoners = get(agency, "api-reports-funnel", campaign=c, by="phoner")
    anna = next(r for r in phoners["rows"] if r["key"] == str(world.anna.pk))
    assert anna["stages"]["imported"] is None and anna["stages"]["called"] == 3
    assert get(agency, "api-reports-funnel", campaign=c)["rows"] == []

    lead = get(agency, "api-reports-lead-time", campaign=c)
    assert [(b["label"], b["visits"], b["cancelled"]) for b in lead["bins"]][-1] == ("42+", 3, 2)
    assert lead["bins"][-1]["cancelled_share"] == pytest.approx(2 / 3)
    assert lead["total"]["visits"] == 10

    outcomes = get(agency, "api-reports-outcomes", campaign=c)
    assert outcomes["total"]["counts"]["cancelled"] == 3
    assert outcomes["total"]["shares"]["cancelled"] == pytest.approx(0.3)
    assert len(outcomes["areas"]) == 8 and len(outcomes["jobcentres"]) == 3

    followups = get(agency, "api-reports-followups", campaign=c)
    kbh = next(r for r in followups["jobcentres"] if r["id"] == world.kbh.pk)
    assert (kbh["agreed"], kbh["on_time"], kbh["late"], kbh["overdue"]) == (3, 1, 1, 1)
    assert followups["total"]["agreed"] == 5

    jobcentres = get(agency, "api-reports-jobcentres", campaign=c)
    ode = next(r for r in jobcentres["jobcentres"] if r["jobcentre"] == world.ode.pk)
    assert (ode["quota"], ode["booked"], ode["outcome_registration_rate"]) == (4, 2, 1.0)
    assert ode["agreements_per_held_visit"] is None


def test_a_coordinator_gets_their_jobcentre_whatever_they_ask(client, world):
    client.force_login(world.coordinator)
    c = world.campaign.pk
    data = get(client, "api-reports-table1", campaign=c, jobcentre=world.aar.pk)
    assert [a["name"] for a in data["areas"]] == ["Hovedstaden"]
    assert data["total"]["booked"] == 5
    jobcentres = get(client, "api-reports-jobcentres", campaign=c, jobcentre=world.ode.pk)
    assert [r["jobcentre"] for r in jobcentres["jobcentres"]] == [world.kbh.pk]
    funnel = get(client, "api-reports-funnel", campaign=c, by="jobcentre")
    assert [r["key"] for r in funnel["rows"]] == [str(world.kbh.pk)]
    followups = get(client, "api-reports-followups", campaign=c)
    assert {r["id"] for r in followups["consultants"]} == {world.kbh1.pk, world.kbh2.pk}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"campaign": "999999"}, "campaign"),
        ({"track": "3"}, "track"),
        ({"jobcentre": "x"}, "jobcentre"),
        ({"date_to": "2025-13-01"}, "date_to"),
        ({"date_from": "2025-12-10", "date_to": "2025-12-01"}, "date_to"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_the_field(agency, world, params, field):
    for name in ENDPOINTS:
        response = agency.get(reverse(name), params)
        assert response.status_code == 400, name
        assert field in response.json()["errors"], name


def test_a_bad_grouping_is_a_400(agency, world):
    response = agency.get(reverse("api-reports-funnel"), {"by": "weather"})
    assert response.status_code == 400 and "by" in response.json()["errors"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_constant_number_of_queries(agency, world, name, django_assert_max_num_queries):
    params = {"campaign": world.campaign.pk, "by": "phoner"}
    agency.get(reverse(name), params)
    with CaptureQueriesContext(connection) as small:
        agency.get(reverse(name), params)
    world.more(20)
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as large:
        agency.get(reverse(name), params)
    assert len(large) == len(small)


def test_the_endpoints_are_in_the_openapi_schema(tmp_path, db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    schema = (tmp_path / "s.yml").read_text()
    for path in ("table1", "funnel", "lead-time", "outcomes", "followups", "jobcentres"):
        assert f"/api/v1/reports/{path}/:" in schema, path
    assert "rar_area" in schema and "date_from" in schema
