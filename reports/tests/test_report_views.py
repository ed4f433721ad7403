"""The dashboard pages on the hand-built campaign (reports/tests/conftest.py): who may see
them, what they show, where each figure leads, the downloads and the number of queries."""

import csv
import html
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultants.models import RarArea

EN = {"headers": {"Accept-Language": "en"}}
PAGES = [
    "reports:index",
    "reports:table1",
    "reports:funnel",
    "reports:lead-time",
    "reports:outcomes",
    "reports:followups",
    "reports:jobcentres",
    "reports:visits",
]
# <td id="table-row-column"><a href="url"><span hidden>…</span>figure</a>
CELL = re.compile(
    r'<td class="[^"]*" id="(?P<id>[^"]+)">(?:<strong[^>]*><span[^>]*>[^<]*</span>)?'
    r'<a href="(?P<url>[^"]+)"><span class="visually-hidden">[^<]*</span>(?P<value>[0-9]+)</a>'
)


def cells(response) -> dict[str, tuple[str, int]]:
    """{cell id: (link, figure)} of every linked figure on the page."""
    text = response.content.decode()
    return {m["id"]: (html.unescape(m["url"]), int(m["value"])) for m in CELL.finditer(text)}


def listed(client, url: str) -> set[int]:
    """The ids of the visits on the drill-down list (one page is enough here)."""
    response = client.get(url, **EN)
    assert response.status_code == 200, response.content[:500]
    return {int(pk) for pk in re.findall(r'<tr id="visit-(\d+)"', response.content.decode())}


@pytest.fixture
def agency(client, world):
    client.force_login(world.agency)
    return client


def area(name: str) -> int:
    return RarArea.objects.get(name=name).pk


# --- Who may see them ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anna", "consultant_user"])
def test_phoners_and_consultants_get_403_on_every_page(client, world, who):
    client.force_login(getattr(world, who))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name
        assert client.get(reverse(name), {"format": "csv"}).status_code == 403, name


def test_anonymous_users_are_sent_to_log_in(client, world):
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_coordinator_sees_only_their_jobcentre_whatever_the_parameters(client, world):
    client.force_login(world.coordinator)
    response = client.get(
        reverse("reports:table1"),
        {"campaign": world.campaign.pk, "jobcentre": world.aar.pk, "rar_area": area("Fyn")},
        **EN,
    )
    assert response.status_code == 200
    figures = cells(response)
    hovedstaden = area("Hovedstaden")
    assert figures["table1-booked-total"][1] == 5  # KBH's v1-v4, v6
    assert figures[f"table1-booked-{hovedstaden}"][1] == 5
    assert f"table1-booked-{area('Østjylland')}" not in figures
    assert 'name="jobcentre"' not in response.content.decode()
    # The lists behind the figures too: asking for Aarhus gives København's visits.
    url = reverse("reports:visits") + f"?campaign={world.campaign.pk}&jobcentre={world.aar.pk}"
    assert listed(client, url) == {world.v1.pk, world.v2.pk, world.v3.pk, world.v4.pk, world.v6.pk}


def test_the_navigation_offers_the_dashboard_to_agency_and_coordinators_only(client, world):
    link = f'href="{reverse("reports:index")}"'
    for user, shown in ((world.agency, True), (world.coordinator, True), (world.anna, False)):
        client.force_login(user)
        assert (link in client.get(reverse("home"), **EN).content.decode()) is shown


# --- What they show ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES[:-1])
def test_every_page_has_a_chart_drawn_from_json_and_a_table(agency, world, name):
    response = agency.get(reverse(name), {"campaign": world.campaign.pk}, **EN)
    assert response.status_code == 200
    text = response.content.decode()
    assert '<canvas id="report-chart"' in text and 'data-chart="report-chart-data"' in text
    assert '<script id="report-chart-data" type="application/json">' in text
    assert "vendor/chartjs/chart.umd.min.js" in text and "js/reports.js" in text
    assert "<caption>" in text and '<th scope="col"' in text and '<th scope="row"' in text
    assert "format=csv" in text and "format=xlsx" in text


def test_the_latest_campaign_is_the_default(agency, world):
    response = agency.get(reverse("reports:table1"), **EN)
    assert cells(response)["table1-booked-total"][1] == 10  # Vinter, not Forår


def test_table1_figures_and_the_visits_behind_them(agency, world):
    response = agency.get(reverse("reports:table1"), {"campaign": world.campaign.pk}, **EN)
    figures = cells(response)
    hovedstaden, ostjylland = area("Hovedstaden"), area("Østjylland")
    assert figures[f"table1-booked-{hovedstaden}"][1] == 5
    assert figures[f"table1-outcome_registered-{ostjylland}"][1] == 2
    assert figures["table1-refugee_places-total"][1] == 3
    assert figures[f"table1-followups-overdue-{hovedstaden}"][1] == 1

    w = world
    assert listed(agency, figures[f"table1-booked-{hovedstaden}"][0]) == {
        w.v1.pk, w.v2.pk, w.v3.pk, w.v4.pk, w.v6.pk
    }  # fmt: skip
    assert listed(agency, figures[f"table1-followups-overdue-{hovedstaden}"][0]) == {w.v2.pk}
    assert listed(agency, figures["table1-jobservice_agreements-total"][0]) == {w.v7.pk}
    assert listed(agency, figures["table1-job_order-total"][0]) == {w.v1.pk, w.v7.pk}
    # Where a figure counts visits, the list behind it has exactly that many.
    for cell_id, (url, value) in figures.items():
        row = cell_id.split("-")[1]
        if row in ("booked", "outcome_registered", "outcome"):
            assert len(listed(agency, url)) == value, cell_id


def test_the_drill_down_keeps_the_filter(agency, world):
    figures = cells(
        agency.get(reverse("reports:table1"), {"campaign": world.campaign.pk, "track": "2"}, **EN)
    )
    url, value = figures["table1-booked-total"]
    assert "track=2" in url and value == 9
    assert world.v7.pk not in listed(agency, url)


def test_funnel_per_phoner_links_to_their_visits(agency, world):
    response = agency.get(
        reverse("reports:funnel"), {"campaign": world.campaign.pk, "by": "phoner"}, **EN
    )
    figures = cells(response)
    url, value = figures[f"funnel-{world.anna.pk}-survey_answered"]
    assert value == 1 and listed(agency, url) == {world.v1.pk}
    assert figures["funnel-None-booked"][1] == 7
    assert len(listed(agency, figures["funnel-None-booked"][0])) == 7
    assert figures["funnel-total-booked"][1] == 10
    # Firms are not visits: their stages are not links.
    assert "funnel-total-imported" not in figures
    assert 'id="funnel-total-imported">7</td>' in response.content.decode()


def test_lead_time_links_to_the_cancelled_visits_of_a_bin(agency, world):
    figures = cells(agency.get(reverse("reports:lead-time"), {"campaign": world.campaign.pk}))
    url, value = figures["lead-time-42-cancelled"]
    assert value == 2 and listed(agency, url) == {world.v3.pk, world.v11.pk}
    assert listed(agency, figures["lead-time-0-visits"][0]) == {
        world.v1.pk,
        world.v4.pk,
        world.v9.pk,
    }


def test_consultant_no_shows_are_highlighted_with_more_than_colour(agency, world):
    response = agency.get(reverse("reports:outcomes"), {"campaign": world.campaign.pk}, **EN)
    text = response.content.decode()
    hovedstaden = area("Hovedstaden")
    cell_id = f"outcomes-areas-{hovedstaden}-no_show_consultant"
    cell = re.search(rf'<td class="[^"]*table-warning[^"]*" id="{cell_id}">(.*?)</td>', text)
    assert cell is not None
    assert "⚠" in cell[1] and "Consultants did not show" in cell[1]
    url, value = cells(response)[f"outcomes-areas-{hovedstaden}-no_show_consultant"]
    assert value == 1 and listed(agency, url) == {world.v4.pk}
    assert 'id="outcomes-areas-total-no_show_company"' in text
    assert (
        "table-warning"
        not in re.search(r'<td class="([^"]*)" id="outcomes-areas-total-no_show_company"', text)[1]
    )


def test_followups_per_consultant_link_to_their_visits(agency, world):
    figures = cells(agency.get(reverse("reports:followups"), {"campaign": world.campaign.pk}))
    url, value = figures[f"followups-consultants-{world.kbh1.pk}-late"]
    assert value == 1 and listed(agency, url) == {world.v1.pk}
    url, value = figures[f"followups-jobcentres-{world.aar.pk}-open"]
    assert value == 1 and listed(agency, url) == {world.v7.pk}


def test_a_long_consultant_list_shows_the_most_overdue_and_downloads_whole(
    agency, world, monkeypatch
):
    monkeypatch.setattr("reports.presenters.CONSULTANTS_SHOWN", 2)
    params = {"campaign": world.campaign.pk}
    response = agency.get(reverse("reports:followups"), params, **EN)
    text = response.content.decode()
    # Karl has one overdue follow-up, Kirsten one done late, Aase none of either.
    shown = re.findall(r'<tr id="followups-consultants-(\d+)">', text)
    assert shown == [str(world.kbh2.pk), str(world.kbh1.pk)]
    assert 'id="followups-consultants-shown"' in text
    assert 'id="followups-consultants-total"' in text  # the total is of them all

    download = agency.get(
        reverse("reports:followups"), {**params, "format": "csv", "table": "followups-consultants"}
    )
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[0].split(" (")[0] for row in rows[1:]] == ["Karl", "Kirsten", "Aase", rows[-1][0]]


def test_a_short_consultant_list_is_shown_whole(agency, world):
    text = agency.get(reverse("reports:followups"), {"campaign": world.campaign.pk}).content
    assert len(re.findall(rb'<tr id="followups-consultants-\d+">', text)) == 3
    assert b'id="followups-consultants-shown"' not in text


def test_jobcentres_link_to_their_visits(agency, world):
    figures = cells(agency.get(reverse("reports:jobcentres"), {"campaign": world.campaign.pk}))
    url, value = figures[f"jobcentres-{world.ode.pk}-outcome_registered"]
    assert value == 2 and listed(agency, url) == {world.v10.pk, world.v11.pk}
    url, value = figures[f"jobcentres-{world.kbh.pk}-held"]
    assert value == 2 and listed(agency, url) == {world.v1.pk, world.v2.pk}


def test_the_index_links_every_page_and_the_survey_results(agency, world):
    text = agency.get(reverse("reports:index"), {"campaign": world.campaign.pk}, **EN)
    text = text.content.decode()
    for name in PAGES[1:-1]:
        assert f'href="{reverse(name)}?campaign={world.campaign.pk}"' in text, name
    assert "/surveys/results/" in text
    assert reverse("phoner_reports:index") in text


# --- Bad parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, field",
    [
        ({"campaign": "999999"}, "campaign"),
        ({"campaign": "x"}, "campaign"),
        ({"track": "3"}, "track"),
        ({"rar_area": "999999"}, "rar_area"),
        ({"date_from": "1 Dec"}, "date_from"),
        ({"date_from": "2025-12-10", "date_to": "2025-12-01"}, "date_to"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(agency, world, params, field):
    response = agency.get(reverse("reports:table1"), params, **EN)
    assert response.status_code == 400
    assert f'id="id_{field}-errors"' in response.content.decode()


@pytest.mark.parametrize(
    "name, params",
    [
        ("reports:funnel", {"by": "weather"}),
        ("reports:table1", {"format": "pdf"}),
        ("reports:table1", {"format": "csv", "table": "nothing"}),
        ("reports:visits", {"state": "asleep"}),
        ("reports:visits", {"lead": "5"}),
        ("reports:visits", {"consultant": "999999"}),
    ],
)
def test_bad_page_parameters_are_a_400(agency, world, name, params):
    response = agency.get(reverse(name), params, **EN)
    assert response.status_code == 400
    assert 'id="report-error"' in response.content.decode()


# --- Downloads -----------------------------------------------------------------------------------


def test_table1_downloads_as_csv_and_xlsx_with_the_same_numbers(agency, world):
    params = {"campaign": world.campaign.pk}
    response = agency.get(reverse("reports:table1"), {**params, "format": "csv"}, **EN)
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="table1.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Figure", "Whole country"] and rows[0][-1] == "Sjælland"
    header = rows[0]
    booked = dict(zip(header, rows[1], strict=True))
    assert (booked["Figure"], booked["Whole country"], booked["Hovedstaden"]) == (
        "Booked visits",
        "10",
        "5",
    )

    response = agency.get(reverse("reports:table1"), {**params, "format": "xlsx"}, **EN)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == header
    assert values[1][:2] == ["Booked visits", 10]
    assert [[str(v) for v in row] for row in values] == rows


def test_every_table_downloads(agency, world):
    tables = {
        "reports:index": ["funnel"],
        "reports:funnel": ["funnel"],
        "reports:lead-time": ["lead-time"],
        "reports:outcomes": ["outcomes-areas", "outcomes-jobcentres"],
        "reports:followups": ["followups-jobcentres", "followups-consultants"],
        "reports:jobcentres": ["jobcentres"],
    }
    for name, keys in tables.items():
        for key in keys:
            for fmt in ("csv", "xlsx"):
                response = agency.get(
                    reverse(name), {"campaign": world.campaign.pk, "format": fmt, "table": key}
                )
                assert response.status_code == 200, (name, key, fmt)
                assert f'filename="{key}.{fmt}"' in response["Content-Disposition"]
                if fmt == "xlsx":
                    openpyxl.load_workbook(io.BytesIO(response.content))


def test_the_outcomes_download_has_counts_and_shares(agency, world):
    response = agency.get(
        reverse("reports:outcomes"),
        {"campaign": world.campaign.pk, "format": "xlsx", "table": "outcomes-jobcentres"},
        **EN,
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    header = rows["Jobcentre"]
    kbh = dict(zip(header, rows["Jobcenter København"], strict=True))
    assert kbh["Visits"] == 5
    assert kbh["Consultant did not show"] == 1
    assert kbh["Consultant did not show (%)"] == 20.0
    assert dict(zip(header, rows["In all"], strict=True))["Visits"] == 10


# --- Queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, params, most",
    [
        ("reports:index", {}, 16),
        ("reports:table1", {}, 16),
        ("reports:funnel", {"by": "jobcentre"}, 16),
        ("reports:lead-time", {}, 16),
        ("reports:outcomes", {}, 16),
        ("reports:followups", {}, 16),
        ("reports:jobcentres", {}, 16),
        ("reports:visits", {"state": "held"}, 16),
        ("reports:visits", {"followup": "overdue"}, 16),
    ],
)
def test_each_page_takes_the_same_number_of_queries_whatever_the_data(
    agency, world, name, params, most, django_assert_max_num_queries
):
    params = {"campaign": world.campaign.pk, **params}
    agency.get(reverse(name), params)  # warm the session and the content types
    with CaptureQueriesContext(connection) as small:
        assert agency.get(reverse(name), params).status_code == 200
    world.more(30)
    with django_assert_max_num_queries(most), CaptureQueriesContext(connection) as large:
        assert agency.get(reverse(name), params).status_code == 200
    assert len(large) == len(small)
