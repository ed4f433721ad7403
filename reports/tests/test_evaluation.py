"""The evaluation report on the hand-built campaign (reports/tests/conftest.py) with survey
answers added below: its figures equal hand counts and the aggregates they come from, its
sentences name them, and the page, the PDF and the API answer the right people with them.

Survey answers (the shipped questionnaires; tokens of this module's own):
- company track 2: v2, v4, v6, v10 and v11 answered; overall satisfaction 5, 4, 4, 2, 3;
  "prepared" 5, 5, 4, 3, 3; follow-up agreed yes, yes, no, no, yes. v8 invited, no answer.
  With the world's own invitations (v1 answered, v9 not): 6 of 8 answered (75 %); satisfied
  3 of 5 (60 %), dissatisfied 1 of 5 (20 %); "prepared" mean 4.0, 4-5 60 %.
- company track 1: only the world's v7, answered: 1 of 1; every figure suppressed (< 5).
- consultants: Kirsten, Karl, Aase, Ole and Rasmus answered; meeting quality 5, 4, 4, 3, 2
  (4-5: 60 %), meeting effect 4, 4, 4, 4, 1 (80 %); one more Aarhus consultant invited, no
  answer: 5 of 6 (83 %).
"""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from consultants.models import RarArea
from reports import evaluation_views
from reports.evaluation import evaluation
from reports.evaluation_summary import number, percent
from reports.evaluation_views import static_file
from reports.filters import report_filter
from reports.followups import followup_compliance
from reports.funnel import funnel
from reports.jobcentres import jobcentre_comparison
from reports.leadtime import lead_time
from reports.outcomes import outcome_shares
from reports.table1 import table1
from surveys.invitations import CONSULTANT_SURVEY_KEY
from surveys.models import Answer, Invitation
from surveys.results import ResultsFilter, survey_results
from surveys.shipped import shipped_surveys_load
from tests.factories import ConsultantFactory

EN = {"headers": {"Accept-Language": "en"}}


def invite(survey, campaign, token: str, *, answers=None, **subject) -> Invitation:
    now = timezone.now()
    invitation = Invitation.objects.create(
        survey=survey,
        campaign=campaign,
        email="svar@firma.invalid",
        token_hash=token.rjust(64, "0"),
        created_at=now - dt.timedelta(days=5),
        expires_at=now + dt.timedelta(days=30),
        submitted_at=now - dt.timedelta(days=1) if answers is not None else None,
        **subject,
    )
    for key, value in (answers or {}).items():
        Answer.objects.create(
            invitation=invitation, question=survey.questions.get(key=key), value=value
        )
    return invitation


@pytest.fixture
def answered(world):
    surveys = shipped_surveys_load()
    track2 = surveys["company-track-2"]
    for visit, overall, prepared, agreed in (
        (world.v2, 5, 5, True),
        (world.v4, 4, 5, True),
        (world.v6, 4, 4, False),
        (world.v10, 2, 3, False),
        (world.v11, 3, 3, True),
    ):
        invite(
            track2,
            world.campaign,
            f"e{visit.pk}",
            booking=visit,
            answers={
                "overall_satisfaction": overall,
                "prepared": prepared,
                "followup_agreed": agreed,
            },
        )
    invite(track2, world.campaign, f"e{world.v8.pk}", booking=world.v8)
    consultants = surveys[CONSULTANT_SURVEY_KEY]
    for consultant, quality, effect in (
        (world.kbh1, 5, 4),
        (world.kbh2, 4, 4),
        (world.aar1, 4, 4),
        (world.ode1, 3, 4),
        (world.rep, 2, 1),
    ):
        invite(
            consultants,
            world.campaign,
            f"c{consultant.pk}",
            consultant=consultant,
            answers={"meeting_quality": quality, "meeting_effect": effect},
        )
    silent = ConsultantFactory(name="Asger", jobcentre=world.aar)
    invite(consultants, world.campaign, f"c{silent.pk}", consultant=silent)
    return world


# --- The figures -----------------------------------------------------------------------------


def test_the_figures_are_the_hand_counts(answered):
    world = answered
    ev = evaluation(world.filters(), user=world.agency)

    assert (ev.period.starts_on, ev.period.ends_on) == (dt.date(2025, 11, 1), dt.date(2026, 2, 1))
    assert (ev.period.first_visit, ev.period.last_visit) == (
        dt.date(2025, 12, 3),
        dt.date(2026, 1, 12),
    )
    p = ev.participation
    assert (p.jobcentres, p.jobcentres_with_visits, p.quota) == (3, 3, 19)
    assert (p.consultants, p.jobservice_representatives) == (4, 1)  # kbh1, kbh2, aar1, ode1; rep

    v = ev.visits
    assert (v.booked, v.held, v.cancelled, v.no_show_company, v.no_show_consultant) == (
        10,
        4,
        3,
        1,
        1,
    )
    assert (v.outcome_registered, v.outcome_registered_share) == (7, 0.7)
    assert v.cancelled_share == 0.3
    tracks = {t.track: t for t in v.tracks}
    assert (tracks["1"].booked, tracks["1"].held, tracks["1"].survey_answered) == (1, 1, 1)
    assert (tracks["2"].booked, tracks["2"].held, tracks["2"].outcome_registered) == (9, 3, 6)
    assert (tracks["2"].with_agreements, tracks["2"].survey_answered) == (2, 6)

    # Lead times: v1 2, v2 9, v4 6, v6 21, v8 28 (cancelled), v9 2, v10 16 under six weeks;
    # v3 44 (cancelled), v7 42, v11 78 (cancelled) six weeks or more.
    split = ev.lead_split
    assert (split.horizon_days, split.within.visits, split.within.cancelled) == (42, 7, 1)
    assert (split.beyond.visits, split.beyond.cancelled) == (3, 2)

    agreements = ev.table1.total.agreements
    assert (agreements["job_order"], agreements["internship"]) == (3, 1)
    assert (ev.table1.total.refugee_places, ev.table1.total.jobservice_agreements) == (3, 1)
    f = ev.followups.total
    assert (f.agreed, f.on_time, f.late, f.overdue, f.open) == (5, 2, 1, 1, 1)

    track1, track2, consultants = ev.company_track1, ev.company_track2, ev.consultants
    assert (track1.rate.invited, track1.rate.answered) == (1, 1)
    assert track1.satisfied is None and track1.dissatisfied is None  # suppressed
    assert (track2.rate.invited, track2.rate.answered) == (8, 6)
    assert track2.satisfied == pytest.approx(0.6)
    assert track2.dissatisfied == pytest.approx(0.2)
    assert track2.followup_agreed == pytest.approx(0.6)
    prepared = next(q for q in track2.items if q.key == "prepared")
    assert (prepared.n, prepared.mean, prepared.share_high) == (5, pytest.approx(4.0), 0.6)
    assert (consultants.rate.invited, consultants.rate.answered) == (6, 5)
    assert consultants.share_high("meeting_quality") == pytest.approx(0.6)
    assert consultants.share_high("meeting_effect") == pytest.approx(0.8)

    highlights = {h.key: [(i.name, i.value) for i in h.items] for h in ev.highlights}
    assert highlights["most_booked"] == [("Jobcenter København", 5)]
    assert highlights["highest_registration"] == [("Jobcenter Odense", 1.0)]
    assert highlights["lowest_registration"] == [("Jobcenter København", 0.6)]
    assert highlights["lowest_area_registration"] == [("Hovedstaden", 0.6)]
    assert highlights["consultant_no_shows"] == [("Jobcenter København", 1)]
    assert highlights["overdue_followups"] == [("Jobcenter København", 1)]


def test_the_figures_are_the_aggregates_own(answered):
    world = answered
    filters = world.filters()
    now = timezone.now()
    today = timezone.localdate(now)
    ev = evaluation(filters, user=world.agency, now=now)

    assert ev.table1 == table1(filters, today=today)
    assert ev.lead_time == lead_time(filters)
    assert ev.outcomes == outcome_shares(filters)
    # The report lists the follow-ups per jobcentre, not per consultant.
    assert ev.followups == followup_compliance(filters, today=today, per_consultant=False)
    assert ev.followups.jobcentres == followup_compliance(filters, today=today).jobcentres
    assert ev.jobcentres == jobcentre_comparison(filters)  # every visit has ended
    total = funnel(filters).total.stages
    assert ev.visits.booked == total["booked"] == ev.lead_time.total.visits
    assert ev.visits.held == total["held"]
    assert ev.visits.outcome_registered == total["outcome_registered"]
    assert ev.visits.cancelled == ev.lead_time.total.cancelled
    by_track = {row.key: row.stages for row in funnel(filters, by="track").rows}
    for track in ev.visits.tracks:
        assert track.booked == by_track[track.track]["booked"]
        assert track.survey_answered == by_track[track.track]["survey_answered"]

    results = survey_results(
        user=world.agency, filters=ResultsFilter(campaign=world.campaign.pk, track="2")
    )
    assert ev.company_track2.rate == results.rate
    assert list(ev.company_track2.questions.values()) == results.questions
    consultants = survey_results(
        user=world.agency,
        filters=ResultsFilter(campaign=world.campaign.pk, survey_key=CONSULTANT_SURVEY_KEY),
    )
    assert ev.consultants.rate == consultants.rate


def test_a_coordinator_gets_their_jobcentre_only(answered):
    world = answered
    filters = report_filter(world.coordinator, {"campaign": world.campaign.pk})
    ev = evaluation(filters, user=world.coordinator)

    assert (ev.visits.booked, ev.visits.cancelled, ev.visits.outcome_registered) == (5, 1, 3)
    assert (ev.participation.jobcentres, ev.participation.consultants) == (1, 2)
    assert [r.name for r in ev.jobcentres.jobcentres] == ["Jobcenter København"]
    assert ev.highlights == []  # one jobcentre: nothing to compare
    # Track 2 in Copenhagen: v1, v2, v4, v6 invited and answered; 3 ratings: suppressed.
    assert (ev.company_track2.rate.invited, ev.company_track2.rate.answered) == (4, 4)
    assert ev.company_track2.satisfied is None
    assert (ev.consultants.rate.invited, ev.consultants.rate.answered) == (2, 2)


def test_a_track_filter_leaves_the_other_tracks_survey_out(answered):
    world = answered
    ev = evaluation(world.filters(track="2"), user=world.agency)
    assert ev.company_track1 is None
    assert [t.track for t in ev.visits.tracks] == ["2"]
    assert ev.visits.booked == 9
    with translation.override("en"):
        text = " ".join(evaluation(world.filters(track="2"), user=world.agency).summary)
    assert "In all, 9 company visits were booked in track 2." in text
    assert "In track 1" not in text


def test_an_empty_campaign_says_so(world):
    with translation.override("en"):
        ev = evaluation(
            world.filters(track="1", rar_area=RarArea.objects.get(name="Fyn")), user=world.agency
        )
    assert ev.visits.booked == 0
    assert "No visits were booked for this choice." in ev.summary


# --- The sentences ---------------------------------------------------------------------------


def test_the_summary_names_the_figures(answered):
    world = answered
    with translation.override("en"):
        summary = evaluation(world.filters(), user=world.agency).summary
    assert summary == [
        "The campaign ran from Nov. 1, 2025 to Feb. 1, 2026. "
        "The visits took place from Dec. 3, 2025 to Jan. 12, 2026.",
        "3 jobcentres took part in the campaign.",
        "Visits were booked in the calendars of 4 consultants.",
        "In all, 10 company visits were booked: 1 in track 1 (Jobservice Danmark) and 9 in "
        "track 2 (jobcentres).",
        "3 of the visits (30%) were cancelled after they were booked.",
        "Of the visits booked less than 6 weeks ahead, 14% were cancelled; of those booked 6 "
        "weeks or more ahead, 67%.",
        "In 1 visit the consultant did not show.",
        "Outcomes were registered for 7 of the 10 visits booked (70%).",
        "Positions agreed at the visits, which the companies wanted filled (not hires): job "
        "orders 3, company internships 1, company places for refugees 3.",
        "5 follow-ups were agreed at the visits: 2 done on time, 1 done late, 1 overdue and 1 "
        "not yet due.",
        "In track 1, 1 of the 1 companies invited answered the survey (100%).",
        "In track 2, 6 of the 8 companies invited answered the survey (75%). 60% of those who "
        "rated the meeting were satisfied or very satisfied, 20% dissatisfied or very "
        "dissatisfied.",
        "5 of the 6 consultants invited answered their survey (83%). 60% rated the quality of "
        "the meetings good or very good. 80% rated the effect of the meetings good or very good.",
    ]


def test_numbers_and_shares_are_written_as_the_report_writes_them(db):
    with translation.override("da"):
        assert number(3966) == "3.966"
    with translation.override("en"):
        assert number(3966) == "3,966"
        assert percent(2611 / 3966) == "66%"
        assert percent(0.125) == "13%"  # half up, not to even


# --- The page --------------------------------------------------------------------------------


def test_agency_staff_get_the_report_page(client, answered):
    world = answered
    client.force_login(world.agency)
    response = client.get(reverse("reports:evaluation"), {"campaign": world.campaign.pk}, **EN)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Evaluation of Vinter" in text
    for section in ("summary", "about", "bookings", "outcomes", "followups", "companies"):
        assert f'id="{section}"' in text
    assert 'id="table-table1"' in text and 'id="table1-booked-total"' in text
    assert "In all, 10 company visits were booked" in text
    assert reverse("reports:evaluation-pdf") in text
    assert 'id="print-report"' in text
    assert "css/print-report.css" in text


def test_a_coordinator_gets_the_report_of_their_jobcentre(client, answered):
    world = answered
    client.force_login(world.coordinator)
    response = client.get(
        reverse("reports:evaluation"),
        {"campaign": world.campaign.pk, "jobcentre": world.aar.pk},
        **EN,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "In all, 5 company visits were booked" in text
    assert "Jobcenter Aarhus" not in text


def test_a_date_filter_narrows_the_visits_and_says_the_surveys_are_not(client, answered):
    world = answered
    client.force_login(world.agency)
    response = client.get(
        reverse("reports:evaluation"),
        {"campaign": world.campaign.pk, "date_from": "2025-12-01", "date_to": "2025-12-10"},
        **EN,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "In all, 4 company visits were booked" in text  # v1, v2, v4, v9
    assert "The survey figures follow the campaign, track and place chosen" in text


@pytest.mark.parametrize("who", ["anna", "consultant_user"])
def test_phoners_and_consultants_get_403(client, world, who):
    client.force_login(getattr(world, who))
    for name in ("reports:evaluation", "reports:evaluation-pdf", "api-reports-evaluation"):
        assert client.get(reverse(name)).status_code == 403, name


def test_a_bad_filter_is_a_400_naming_the_field(client, world):
    client.force_login(world.agency)
    response = client.get(reverse("reports:evaluation"), {"date_from": "tomorrow"}, **EN)
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_the_dashboards_link_to_the_report(client, world):
    client.force_login(world.agency)
    response = client.get(reverse("reports:index"), {"campaign": world.campaign.pk}, **EN)
    assert f"{reverse('reports:evaluation')}?campaign={world.campaign.pk}" in (
        response.content.decode()
    )


def test_the_page_takes_a_fixed_number_of_queries(client, answered, django_assert_max_num_queries):
    world = answered
    client.force_login(world.agency)
    url = reverse("reports:evaluation")
    with django_assert_max_num_queries(60):
        assert client.get(url, {"campaign": world.campaign.pk}).status_code == 200
    world.more(12)
    with django_assert_max_num_queries(60):
        response = client.get(url, {"campaign": world.campaign.pk}, **EN)
    assert "In all, 22 company visits were booked" in response.content.decode()


# --- The PDF ---------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str | None:
    """The PDF's text with pypdf, else poppler's pdftotext, else None (neither is here)."""
    try:
        import pypdf
    except ImportError:
        pypdf = None
    if pypdf is not None:
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
        return done.stdout.decode()
    return None


@pytest.mark.parametrize("who", ["agency", "coordinator"])
def test_the_pdf_is_a_pdf_of_the_report(client, answered, who):
    world = answered
    client.force_login(getattr(world, who))
    response = client.get(reverse("reports:evaluation-pdf"), {"campaign": world.campaign.pk}, **EN)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="evaluation-vinter.pdf"' in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    text = pdf_text(pdf)
    if text is not None:
        assert "Vinter" in text
        assert "Table 1" in text
        booked = "10" if who == "agency" else "5"
        assert f"In all, {booked} company visits were booked" in " ".join(text.split())


def test_without_weasyprint_the_pdf_is_a_503_and_its_link_is_hidden(client, world, monkeypatch):
    monkeypatch.setattr(evaluation_views, "_weasyprint", lambda: None)
    client.force_login(world.agency)
    page = client.get(reverse("reports:evaluation"), **EN)
    assert page.status_code == 200
    assert reverse("reports:evaluation-pdf") not in page.content.decode()
    response = client.get(reverse("reports:evaluation-pdf"), **EN)
    assert response.status_code == 503
    assert "WeasyPrint" in response.content.decode()


def test_the_pdf_gets_its_stylesheet_from_the_finders(client, world, monkeypatch):
    fetched = []

    def spy(url):
        fetched.append(url)
        return static_file(url)

    monkeypatch.setattr(evaluation_views, "static_file", spy)
    client.force_login(world.agency)
    response = client.get(reverse("reports:evaluation-pdf"), {"campaign": world.campaign.pk})
    assert response.status_code == 200
    assert fetched == ["http://testserver/static/css/print-report.css"]


def test_the_pdf_reads_static_files_from_the_finders_and_nothing_else(db):
    css, media_type = static_file("http://testserver/static/css/print-report.css")
    assert b"@media print" in css and media_type == "text/css"
    for url in (
        "http://testserver/reports/evaluation/",
        "file:///etc/passwd",
        "http://testserver/static/../../etc/passwd",
        "http://testserver/static/css/nothing-here.css",
    ):
        with pytest.raises(ValueError):
            static_file(url)


# --- The API ---------------------------------------------------------------------------------


def test_the_api_returns_the_same_figures(client, answered):
    world = answered
    client.force_login(world.agency)
    response = client.get(reverse("api-reports-evaluation"), {"campaign": world.campaign.pk}, **EN)
    assert response.status_code == 200, response.content[:500]
    data = response.json()
    with translation.override("en"):
        ev = evaluation(world.filters(), user=world.agency)
    assert data["campaign"]["name"] == "Vinter"
    assert data["period"]["first_visit"] == "2025-12-03"
    assert data["visits"]["booked"] == 10
    assert [t["booked"] for t in data["visits"]["tracks"]] == [1, 9]
    assert data["lead_time"]["within"] == {"visits": 7, "cancelled": 1, "cancelled_share": 1 / 7}
    assert data["table1"]["total"]["agreements"]["job_order"] == 3
    assert data["followups"]["overdue"] == 1
    assert data["surveys"]["company_track_2"]["answered"] == 6
    assert data["surveys"]["company_track_1"]["satisfied_share"] is None
    assert data["surveys"]["consultants"]["invited"] == 6
    assert data["summary"] == ev.summary
    assert len(data["jobcentres"]["rows"]) == 3


def test_the_api_scopes_a_coordinator(client, answered):
    world = answered
    client.force_login(world.coordinator)
    response = client.get(
        reverse("api-reports-evaluation"), {"campaign": world.campaign.pk, "rar_area": 1}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["visits"]["booked"] == 5
    assert data["filter"]["jobcentre"] == world.kbh.pk


def test_the_api_takes_a_fixed_number_of_queries(client, answered, django_assert_max_num_queries):
    world = answered
    client.force_login(world.agency)
    world.more(8)
    with django_assert_max_num_queries(55):
        response = client.get(reverse("api-reports-evaluation"), {"campaign": world.campaign.pk})
    assert response.json()["visits"]["booked"] == 18
