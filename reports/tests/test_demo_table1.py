"""After `seed_demo --scale report`, the live Table 1 is the report's: for track 2 every RAR
area's column, for both tracks the national column (demo/data/table1.csv, a copy of
../shared/reference/table1.csv). Seeded once for the class, rolled back afterwards, as in
demo/tests/test_seed_demo.py."""

import csv
import html
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse

from bookings.models import AgreementKind
from campaign.models import Campaign
from consultants.models import RarArea
from demo.generator import DEMO_CAMPAIGN, seed_demo

TABLE1 = Path(__file__).resolve().parents[2] / "demo" / "data" / "table1.csv"
NATIONAL = "Hele landet"
ROWS = {
    "Antal bookede møder i alt": "booked",
    "Møder med tilbagemelding": "outcome_registered",
    "Jobordre/rekruttering": AgreementKind.JOB_ORDER,
    "Opkvalificeringsjob": AgreementKind.SKILLS_JOB,
    "Voksenlærling": AgreementKind.ADULT_APPRENTICE,
    "Jobrotation": AgreementKind.JOB_ROTATION,
    "Løntilskud": AgreementKind.WAGE_SUBSIDY,
    "Virksomhedspraktik": AgreementKind.INTERNSHIP,
    "Fagpilot": AgreementKind.FAGPILOT,
    "Fastholdelse": AgreementKind.RETENTION,
}
CELL = re.compile(
    r'<td class="[^"]*" id="table1-(?P<row>[a-z_]+)-(?P<column>[a-z0-9]+)">'
    r'<a href="[^"]+"><span class="visually-hidden">[^<]*</span>(?P<value>[0-9]+)</a>'
)


def table1() -> dict[str, dict[str, int]]:
    """{row: {column: figure}} straight from the CSV."""
    with TABLE1.open(encoding="utf-8", newline="") as handle:
        return {
            row.pop("row"): {k: int(v) for k, v in row.items()} for row in csv.DictReader(handle)
        }


def api_figure(column: dict, row: str) -> int:
    if row in ("booked", "outcome_registered"):
        return column[row]
    return column["agreements"][row]


@pytest.fixture(scope="class")
def report(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(seed=1, scale="report", live=False)
        connection.check_constraints()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def agency(client):
    client.force_login(get_user_model().objects.get(username="agency"))
    return client


@pytest.mark.usefixtures("report", "db")
class TestTable1AtTheReportsScale:
    def page(self, client, **params) -> dict[tuple[str, str], int]:
        campaign = Campaign.objects.get(name=DEMO_CAMPAIGN)
        response = client.get(
            reverse("reports:table1"),
            {"campaign": campaign.pk, **params},
            headers={"Accept-Language": "en"},
        )
        assert response.status_code == 200
        text = html.unescape(response.content.decode())
        return {(m["row"], m["column"]): int(m["value"]) for m in CELL.finditer(text)}

    def test_the_page_for_track_2_shows_the_reports_area_columns(self, agency):
        figures = self.page(agency, track="2")
        areas = {a.name: str(a.pk) for a in RarArea.objects.all()}
        expected = table1()
        for name, row in ROWS.items():
            for area, column in areas.items():
                assert figures[row, column] == expected[name][area], (name, area)

    def test_the_page_for_both_tracks_shows_the_reports_national_column(self, agency):
        figures = self.page(agency)
        for name, row in ROWS.items():
            assert figures[row, "total"] == table1()[name][NATIONAL], name
        assert figures["refugee_places", "total"] == 210

    def test_the_api_gives_the_same_columns(self, agency):
        campaign = Campaign.objects.get(name=DEMO_CAMPAIGN)
        url = reverse("api-reports-table1")
        track2 = agency.get(url, {"campaign": campaign.pk, "track": "2"}).json()
        both = agency.get(url, {"campaign": campaign.pk}).json()
        expected = table1()
        for name, row in ROWS.items():
            for column in track2["areas"]:
                assert api_figure(column, row) == expected[name][column["name"]], (name, column)
            assert api_figure(both["total"], row) == expected[name][NATIONAL], name
        assert both["total"]["refugee_places"] == 210
        assert both["total"]["followups"]["agreed"] == 1509
