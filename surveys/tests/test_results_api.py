"""The survey results API, on the data set of results_data.py: the same figures as the page,
suppressed flags, filters, masked comments, the export, and who may call it."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from consultants.models import Coordinator
from consultants.roles import Role
from surveys.tests import results_data
from surveys.tests.results_data import COMMENT_A3, COMMENT_K1_MASKED

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(reference):
    return results_data.build()


@pytest.fixture
def agency_client(client, make_user):
    client.force_login(make_user("agency", Role.AGENCY))
    return client


def get(client, name, **params):
    return client.get(reverse(name), params, headers=EN)


def by_key(items):
    return {item["key"]: item for item in items}


def test_the_results_have_the_hand_computed_figures(agency_client, world):
    response = get(agency_client, "api-survey-results", campaign=world.campaign.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["suppress_below"] == 5
    rate = body["rate"]
    assert (rate["invited"], rate["opened"], rate["answered"]) == (16, 15, 13)
    assert rate["answered_rate"] == pytest.approx(13 / 16)

    questions = by_key(body["questions"])
    overall = questions["overall_satisfaction"]
    assert (overall["n"], overall["suppressed"], overall["is_scale"]) == (13, False, True)
    assert overall["mean"] == pytest.approx(49 / 13)
    assert overall["share_high"] == pytest.approx(9 / 13)
    assert [c["count"] for c in overall["choices"]] == [1, 1, 2, 5, 4]
    assert overall["choices"][4]["label"] == "Very satisfied"

    price = questions["importance_price"]
    assert (price["n"], price["suppressed"], price["mean"]) == (3, True, None)
    assert {c["count"] for c in price["choices"]} == {None}

    kinds = {c["value"]: c["count"] for c in questions["followup_kinds"]["choices"]}
    assert (kinds["internship"], kinds["job_order"], kinds["wage_subsidy"]) == (2, 4, 1)
    agreed = [(c["value"], c["count"]) for c in questions["followup_agreed"]["choices"]]
    assert agreed == [(True, 5), (False, 3)]
    assert "comments" not in questions  # free text is in the comments, not counted

    assert body["outcome_key"] == "overall_satisfaction"
    crosstabs = {c["dimension"]: by_key(c["cells"]) for c in body["crosstabs"]}
    on_time = crosstabs["followup"]["on_time"]
    assert (on_time["n"], on_time["suppressed"]) == (5, False)
    assert on_time["mean"] == pytest.approx(4.8)
    late = crosstabs["followup"]["late"]
    assert (late["n"], late["suppressed"], late["mean"], late["share_high"]) == (
        2,
        True,
        None,
        None,
    )
    assert crosstabs["track"]["1"]["mean"] == pytest.approx(4.2)
    assert crosstabs["track"]["2"]["share_high"] == pytest.approx(5 / 8)
    assert crosstabs["lead_time"]["0-13"]["mean"] == pytest.approx(23 / 5)
    assert crosstabs["lead_time"]["42+"]["suppressed"] is True


def test_filters_and_the_crosstab_question_are_parameters(agency_client, world):
    body = get(
        agency_client,
        "api-survey-results",
        campaign=world.campaign.pk,
        rar_area=world.hovedstaden.pk,
        question="prepared",
    ).json()
    assert body["rate"]["answered"] == 6
    assert by_key(body["questions"])["overall_satisfaction"]["mean"] == pytest.approx(23 / 6)
    assert body["outcome_key"] == "prepared"

    track1 = get(agency_client, "api-survey-results", campaign=world.campaign.pk, track="1")
    assert track1.json()["rate"]["answered"] == 5

    consultants = get(agency_client, "api-survey-results", survey="consultant-campaign")
    assert consultants.json()["rate"]["answered"] == 1


def test_a_bad_filter_gets_field_errors(agency_client, world):
    response = get(agency_client, "api-survey-results", campaign=999999, survey="nope")
    assert response.status_code == 400
    assert set(response.json()) == {"campaign", "survey"}


def test_the_comments_are_masked_and_paginated(agency_client, world):
    body = get(agency_client, "api-survey-results-comments", campaign=world.campaign.pk).json()
    assert (body["count"], body["page"], body["pages"]) == (2, 1, 1)
    assert [c["text"] for c in body["comments"]] == [COMMENT_A3, COMMENT_K1_MASKED]
    assert body["comments"][1]["jobcentre"] == "Jobcenter København"
    assert body["comments"][1]["visit_date"] == str(world.visits["K1"].starts_at.date())


def test_the_export_comes_as_xlsx_and_csv(agency_client, world):
    xlsx = get(
        agency_client, "api-survey-results-export", campaign=world.campaign.pk, format="xlsx"
    )
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 13
    assert COMMENT_K1_MASKED in [row[rows[0].index("comments")] for row in rows[1:]]

    text = get(
        agency_client, "api-survey-results-export", campaign=world.campaign.pk, format="csv"
    ).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1 + 13
    assert "jens.hansen@firma.dk" not in text and "12 34 56 78" not in text


def test_an_unknown_export_format_is_a_json_error(agency_client, world):
    response = get(agency_client, "api-survey-results-export", format="pdf")
    assert response.status_code == 400
    assert "pdf" in response.json()["detail"]


@pytest.mark.parametrize("role", [Role.PHONER, Role.CONSULTANT, Role.COORDINATOR])
def test_only_agency_staff_call_the_results_api(client, make_user, world, role):
    user = make_user("someone", role)
    if role == Role.COORDINATOR:
        Coordinator.objects.create(user=user, jobcentre=world.kbh)
    client.force_login(user)
    for name in (
        "api-survey-results",
        "api-survey-results-comments",
        "api-survey-results-export",
        "api-survey-list",
    ):
        assert get(client, name).status_code == 403, name
    detail = reverse("api-survey-detail", kwargs={"pk": world.surveys["company-track-2"].pk})
    assert client.get(detail).status_code == 403


def test_anonymous_callers_are_refused(client, world):
    for name in ("api-survey-results", "api-survey-results-export", "api-survey-list"):
        assert get(client, name).status_code in (401, 403), name


def test_the_schema_documents_the_endpoints(tmp_path, db):
    call_command("spectacular", "--validate", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    for path in (
        "/api/v1/survey-results/",
        "/api/v1/survey-results/comments/",
        "/api/v1/survey-results/export/",
        "/api/v1/surveys/",
        "/api/v1/surveys/{id}/",
        "/api/v1/surveys/{id}/new-version/",
    ):
        assert f"{path}:" in schema, path
