"""The survey results page and its export, on the data set of results_data.py."""

import csv
import io
import json

import openpyxl
import pytest
from django.urls import reverse

from consultants.models import Coordinator
from consultants.roles import Role
from surveys.tests import results_data
from surveys.tests.results_data import COMMENT_K1, COMMENT_K1_MASKED

EN = {"Accept-Language": "en"}
RESPONSES = [f"K{n}" for n in range(1, 7)] + [f"A{n}" for n in range(1, 8)]


@pytest.fixture
def world(reference):
    return results_data.build()


@pytest.fixture
def agency_client(client, make_user):
    client.force_login(make_user("agency", Role.AGENCY))
    return client


def page(client, world, **params):
    return client.get(
        reverse("survey_results:index"), {"campaign": world.campaign.pk, **params}, headers=EN
    )


def test_the_page_shows_the_figures_in_tables_under_the_charts(agency_client, world):
    response = page(agency_client, world)
    assert response.status_code == 200
    html = response.content.decode()
    results = response.context["results"]
    assert (results.rate.invited, results.rate.opened, results.rate.answered) == (16, 15, 13)
    # The response rate: 13 of 16 answered = 81%, 15 of 16 opened = 94%.
    assert "81%" in html and "94%" in html
    # Overall satisfaction: mean 49/13 = 3.77, 9 of 13 answered 4-5 = 69%.
    assert "Mean 3.77 (1–5); 69% answered 4 or 5." in html
    # "prepared": mean 3.50, 4 of 8 = 50%.
    assert "3.50" in html
    # The crosstab's one cell with enough answers: on time, 5 answers, mean 4.80, 100%.
    assert '<tr data-group="on_time">' in html and "4.80" in html
    assert "fewer than 5 answers" in html
    # Every chart has a canvas and a table of its figures after it.
    charts = json.loads(
        html.split('<script id="survey-charts" type="application/json">')[1].split("</script>")[0]
    )
    assert charts
    for chart in charts:
        assert f'<canvas id="{chart["id"]}" role="img"' in html
    assert html.count('class="table table-sm') >= len(charts)
    overall = next(c for c in charts if c["labels"][0] == ["Very dissatisfied"])
    assert overall["datasets"][0]["data"] == pytest.approx(
        [100 / 13, 100 / 13, 200 / 13, 500 / 13, 400 / 13]
    )
    # A suppressed figure is left out of the chart (null), not drawn as 0.
    means = next(c for c in charts if any("the price?" in " ".join(x) for x in c["labels"]))
    assert None in means["datasets"][0]["data"]
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "js/survey-results.js" in html


def test_the_comments_are_masked(agency_client, world):
    html = page(agency_client, world).content.decode()
    assert "Ring til […] på [phone] eller [e-mail]." in html
    for secret in ("Jens", "12 34 56 78", "jens.hansen@firma.dk", "Mette Madsen"):
        assert secret not in html
    assert COMMENT_K1 not in html


def test_the_comments_are_paginated(agency_client, world):
    for number in range(25):
        results_data.invite(
            world.surveys["company-track-2"],
            world.campaign,
            answers={"comments": f"Kommentar nummer {number}"},
            booking=results_data.visit(
                world.campaign,
                world.kbh,
                "2",
                lead_days=3,
                starts_at=world.visits["K1"].starts_at,
            ),
        )
    first = page(agency_client, world)
    assert first.context["comments"].pages == 2
    assert 'href="?campaign=' in first.content.decode()
    second = page(agency_client, world, page=2)
    assert second.context["comments"].page == 2
    assert len(second.context["comments"].comments) == 27 - 20


def test_filters_narrow_the_page(agency_client, world):
    response = page(agency_client, world, track="1", rar_area=world.aarhus.rar_area_id)
    assert response.context["results"].rate.answered == 5
    response = page(agency_client, world, jobcentre=world.kbh.pk)
    assert response.context["results"].rate.answered == 6


def test_a_bad_filter_is_refused_with_the_form(agency_client, world):
    response = page(agency_client, world, jobcentre=999999, track="7")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"jobcentre", "track"}


def test_the_export_opens_with_openpyxl_one_row_per_response(agency_client, world):
    response = agency_client.get(
        reverse("survey_results:export"), {"campaign": world.campaign.pk, "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="survey-answers.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 13
    assert sorted(row[0] for row in body) == sorted(world.invitations[k].pk for k in RESPONSES)
    comments = [row[header.index("comments")] for row in body]
    assert COMMENT_K1_MASKED in comments
    assert not any("@" in (c or "") for c in comments)


def test_the_export_as_csv_has_one_row_per_response(agency_client, world):
    response = agency_client.get(
        reverse("survey_results:export"),
        {"campaign": world.campaign.pk, "track": "1", "format": "csv"},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert len(body) == 5
    assert {row[header.index("track")] for row in body} == {"1"}
    assert {row[header.index("jobcentre")] for row in body} == {"Jobcenter Aarhus"}


def test_an_unknown_export_format_is_a_bad_request(agency_client, world):
    response = agency_client.get(reverse("survey_results:export"), {"format": "pdf"})
    assert response.status_code == 400


@pytest.mark.parametrize("role", [Role.PHONER, Role.CONSULTANT, Role.COORDINATOR])
def test_only_agency_staff_see_the_results(client, make_user, world, role):
    user = make_user("someone", role)
    if role == Role.COORDINATOR:
        Coordinator.objects.create(user=user, jobcentre=world.kbh)
    client.force_login(user)
    assert page(client, world).status_code == 403
    assert client.get(reverse("survey_results:export")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for name in ("survey_results:index", "survey_results:export"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_agency_staff_find_the_page_in_the_navigation(agency_client, world):
    home = agency_client.get(reverse("home"), headers=EN).content.decode()
    assert f'href="{reverse("survey_results:index")}">Survey results' in home
