"""The survey results on the hand-built data set of surveys/tests/results_data.py: every
figure below is worked out by hand from the table there."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from bookings.models import FollowUp
from campaign.models import Track
from consultants.models import Coordinator
from consultants.roles import Role
from surveys.results import (
    DEFAULT_OUTCOME_KEY,
    SUPPRESS_BELOW,
    ResultsFilter,
    survey_results,
)
from surveys.results_export import export_table, survey_comments
from surveys.shipped import SHIPPED_SURVEYS_JSON
from surveys.tests import results_data
from surveys.tests.results_data import COMMENT_A3, COMMENT_K1_MASKED


@pytest.fixture
def world(reference):
    return results_data.build()


@pytest.fixture
def agency(make_user):
    return make_user("agency", Role.AGENCY)


def results(user, world, **filters):
    with translation.override("en"):
        return survey_results(
            user=user, filters=ResultsFilter(campaign=world.campaign.pk, **filters)
        )


def question(result, key):
    return next(q for q in result.questions if q.key == key)


def counts(q):
    return {choice.value: choice.count for choice in q.choices}


def cells(crosstab):
    return {c.key: (c.n, c.mean, c.share_high, c.suppressed) for c in crosstab.cells}


def test_the_default_outcome_question_is_a_shipped_scale_question():
    shipped = json.loads(SHIPPED_SURVEYS_JSON.read_text(encoding="utf-8"))["surveys"]
    company = [s for s in shipped if s["audience"] == "company"]
    for survey in company:
        (overall,) = [q for q in survey["questions"] if q["key"] == DEFAULT_OUTCOME_KEY]
        assert [c["value"] for c in overall["choices"]] == [1, 2, 3, 4, 5]
    assert SUPPRESS_BELOW == 5


def test_the_response_rate_counts_invited_opened_and_submitted(world, agency):
    rate = results(agency, world).rate
    # 13 responses, K7 and K8 opened but not submitted, K9 never opened.
    assert (rate.invited, rate.opened, rate.answered) == (16, 15, 13)
    assert rate.answered_rate == pytest.approx(13 / 16)
    assert rate.opened_rate == pytest.approx(15 / 16)


def test_a_scale_question_has_its_mean_share_satisfied_and_distribution(world, agency):
    overall = question(results(agency, world), "overall_satisfaction")
    # K8's saved but unsubmitted 1 does not count.
    assert overall.n == 13
    assert overall.is_scale and not overall.suppressed
    assert overall.mean == pytest.approx(49 / 13)
    assert overall.share_high == pytest.approx(9 / 13)
    assert counts(overall) == {1: 1, 2: 1, 3: 2, 4: 5, 5: 4}
    assert [c.label for c in overall.choices][0] == "Very dissatisfied"
    assert overall.choices[3].share == pytest.approx(5 / 13)


def test_a_likert_item_has_its_mean_and_distribution(world, agency):
    prepared = question(results(agency, world), "prepared")
    assert prepared.kind == "likert"
    assert prepared.n == 8
    assert prepared.mean == pytest.approx(28 / 8)
    assert prepared.share_high == pytest.approx(4 / 8)
    assert counts(prepared) == {1: 0, 2: 2, 3: 2, 4: 2, 5: 2}
    assert prepared.choices[0].label == "1 – Not at all"


def test_a_figure_from_fewer_than_five_answers_is_suppressed(world, agency):
    price = question(results(agency, world), "importance_price")
    assert price.n == 3
    assert price.suppressed
    assert price.mean is None and price.share_high is None
    assert {c.count for c in price.choices} == {None}
    assert {c.share for c in price.choices} == {None}


def test_yes_no_multiple_and_single_choices_are_counted_with_shares(world, agency):
    result = results(agency, world)
    agreed = question(result, "followup_agreed")
    assert agreed.n == 8
    assert counts(agreed) == {True: 5, False: 3}
    assert agreed.choices[0].share == pytest.approx(5 / 8)
    assert [c.label for c in agreed.choices] == ["Yes", "No"]

    kinds = question(result, "followup_kinds")
    assert kinds.n == 5  # respondents; a firm with two kinds counts in both
    chosen = counts(kinds)
    assert (chosen["internship"], chosen["job_order"], chosen["wage_subsidy"]) == (2, 4, 1)
    assert chosen["flex_job"] == 0
    shares = {c.value: c.share for c in kinds.choices}
    assert shares["job_order"] == pytest.approx(4 / 5)

    role = question(result, "respondent_role")
    assert role.n == 6
    assert counts(role) == {"owner": 3, "director": 1, "hr_manager": 1, "other": 1}
    assert role.mean is None and not role.is_scale


def test_satisfaction_by_whether_the_follow_ups_were_done_on_time(world, agency):
    by_followup = results(agency, world).crosstabs[0]
    assert by_followup.dimension == "followup"
    assert cells(by_followup) == {
        # K1 5, K2 4, K6 5, A3 5, A4 5: K1 done at 23:30 on the due date is on time.
        "on_time": (5, pytest.approx(24 / 5), pytest.approx(1.0), False),
        # K3 (one done 00:30 the day after: late in local time), A2.
        "late": (2, None, None, True),
        "pending": (1, None, None, True),  # A1
        "not_done": (2, None, None, True),  # K4, A7
        "none": (3, None, None, True),  # K5, A5, A6
    }


def test_satisfaction_by_track(world, agency):
    by_track = results(agency, world).crosstabs[1]
    assert by_track.dimension == "track"
    assert cells(by_track) == {
        Track.JOBCENTRE: (8, pytest.approx(28 / 8), pytest.approx(5 / 8), False),
        Track.JOBSERVICE: (5, pytest.approx(21 / 5), pytest.approx(4 / 5), False),
    }


def test_satisfaction_by_lead_time(world, agency):
    by_lead = results(agency, world).crosstabs[2]
    assert by_lead.dimension == "lead_time"
    assert [c.label for c in by_lead.cells] == [
        "0–13 days",
        "14–27 days",
        "28–41 days",
        "42 days or more",
    ]
    assert cells(by_lead) == {
        # K1 5 d, K2 13 d (booked later in the day than the visit), A3 3 d, A4 10 d, A6 1 d.
        "0-13": (5, pytest.approx(23 / 5), pytest.approx(1.0), False),
        "14-27": (3, None, None, True),  # K3 14 d, K4, K5 27 d (28 d by UTC dates)
        "28-41": (3, None, None, True),  # K6, A1 41 d, A7 28 d
        "42+": (2, None, None, True),  # A2 42 d, A5
    }


def test_another_outcome_question_can_be_crosstabbed(world, agency):
    with translation.override("en"):
        result = survey_results(
            user=agency,
            filters=ResultsFilter(campaign=world.campaign.pk),
            outcome_key="prepared",
        )
    assert result.outcome_key == "prepared"
    by_track = {c.key: c.n for c in result.crosstabs[1].cells}
    assert by_track == {Track.JOBCENTRE: 8, Track.JOBSERVICE: 0}


def test_an_unknown_outcome_question_falls_back_to_overall_satisfaction(world, agency):
    result = survey_results(
        user=agency,
        filters=ResultsFilter(campaign=world.campaign.pk),
        outcome_key="respondent_role",  # not a scale
    )
    assert result.outcome_key == "overall_satisfaction"


def test_filters_narrow_the_responses(world, agency):
    track1 = results(agency, world, track=Track.JOBSERVICE)
    assert track1.rate.answered == 5
    assert question(track1, "overall_satisfaction").mean == pytest.approx(21 / 5)
    assert question(track1, "prepared").n == 0

    capital = results(agency, world, rar_area=world.hovedstaden.pk)
    assert (capital.rate.invited, capital.rate.opened, capital.rate.answered) == (9, 8, 6)
    assert question(capital, "overall_satisfaction").mean == pytest.approx(23 / 6)
    assert question(capital, "overall_satisfaction").share_high == pytest.approx(4 / 6)

    aarhus = results(agency, world, jobcentre=world.aarhus.pk)
    assert aarhus.rate.answered == 7
    assert question(aarhus, "overall_satisfaction").mean == pytest.approx(26 / 7)

    with translation.override("en"):
        everything = survey_results(user=agency, filters=ResultsFilter())
        other = survey_results(user=agency, filters=ResultsFilter(campaign=world.other_campaign.pk))
    assert everything.rate.answered == 14  # the other campaign's response too
    assert other.rate.answered == 1
    assert question(other, "overall_satisfaction").suppressed


def test_a_survey_key_reads_that_survey_only(world, agency):
    result = survey_results(
        user=agency,
        filters=ResultsFilter(campaign=world.campaign.pk, survey_key="consultant-campaign"),
    )
    assert result.rate.answered == 1
    assert question(result, "meeting_quality").n == 1
    assert "overall_satisfaction" not in {q.key for q in result.questions}
    # The crosstabs read a scale of this survey; no visit is behind it.
    assert result.outcome_key == "material_catalogue"
    assert all(cell.n == 0 for crosstab in result.crosstabs for cell in crosstab.cells)


def test_numbers_have_their_mean_and_median(world, agency):
    survey = world.surveys["jobcentre-followup"]
    for jobcentre, values in ((world.kbh, (2, 4, 4, 7, 10)), (world.aarhus, (1, 1, 1, 1))):
        for value in values:
            results_data.invite(
                survey,
                world.campaign,
                answers={"firms_still_cooperating": value},
                jobcentre=jobcentre,
            )

    def firms(**filters):
        result = survey_results(
            user=agency, filters=ResultsFilter(survey_key="jobcentre-followup", **filters)
        )
        return question(result, "firms_still_cooperating")

    kbh = firms(jobcentre=world.kbh.pk)
    assert (kbh.n, kbh.mean, kbh.median, kbh.suppressed) == (5, pytest.approx(27 / 5), 4, False)
    aarhus = firms(jobcentre=world.aarhus.pk)
    assert (aarhus.n, aarhus.mean, aarhus.median, aarhus.suppressed) == (4, None, None, True)
    both = firms()
    assert (both.n, both.mean, both.median) == (9, pytest.approx(31 / 9), 2)


def test_answers_to_every_version_of_a_key_count_together(world, agency):
    from surveys.definitions import survey_version_create

    track2 = world.surveys["company-track-2"]
    newer = survey_version_create(source=track2)
    booking = results_data.visit(
        world.campaign,
        world.kbh,
        Track.JOBCENTRE,
        lead_days=3,
        starts_at=world.visits["K1"].starts_at,
    )
    results_data.invite(newer, world.campaign, answers={"overall_satisfaction": 5}, booking=booking)
    overall = question(results(agency, world), "overall_satisfaction")
    assert overall.n == 14
    assert overall.mean == pytest.approx(54 / 14)


def test_comments_are_masked_newest_first_with_their_visit(world, agency):
    page = survey_comments(user=agency, filters=ResultsFilter(campaign=world.campaign.pk))
    assert page.count == 2  # K2's empty comment is not one
    assert [c.text for c in page.comments] == [COMMENT_A3, COMMENT_K1_MASKED]
    k1 = page.comments[1]
    assert k1.jobcentre == "Jobcenter København"
    assert k1.visit_date == world.visits["K1"].starts_at.date()
    assert k1.track == Track.JOBCENTRE

    second = survey_comments(
        user=agency, filters=ResultsFilter(campaign=world.campaign.pk), page=2, per_page=1
    )
    assert (second.page, second.pages, [c.text for c in second.comments]) == (
        2,
        2,
        [COMMENT_K1_MASKED],
    )


def test_the_export_has_one_row_per_response_with_the_visit_keys(world, agency):
    header, rows = export_table(user=agency, filters=ResultsFilter(campaign=world.campaign.pk))
    rows = list(rows)
    assert len(rows) == 13
    assert header[:12] == [
        "invitation",
        "survey",
        "survey_version",
        "campaign",
        "track",
        "booking",
        "company_cvr",
        "jobcentre",
        "rar_area",
        "visit_date",
        "outcome",
        "submitted_at",
    ]
    assert header[12:14] == ["visit_held", "cancel_reason"]
    k1 = dict(zip(header, rows[0], strict=True))
    booking = world.visits["K1"]
    assert k1["invitation"] == world.invitations["K1"].pk
    assert (k1["survey"], k1["survey_version"], k1["campaign"]) == ("company-track-2", 1, "Vinter")
    assert (k1["booking"], k1["company_cvr"]) == (booking.pk, booking.company.cvr)
    assert (k1["jobcentre"], k1["rar_area"]) == ("Jobcenter København", "Hovedstaden")
    assert (k1["outcome"], k1["overall_satisfaction"]) == ("held", 5)
    assert k1["followup_kinds"] == "internship | job_order"
    assert k1["followup_agreed"] == "yes"
    assert k1["comments"] == COMMENT_K1_MASKED
    assert k1["cancel_reason"] is None
    a3 = dict(zip(header, rows[8], strict=True))
    assert (a3["survey"], a3["track"]) == ("company-track-1", Track.JOBSERVICE)


def test_results_are_scoped_to_the_reader(world, make_user):
    coordinator = make_user("koordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=coordinator, jobcentre=world.aarhus)
    assert results(coordinator, world).rate.answered == 7
    phoner = make_user("phoner", Role.PHONER)
    assert results(phoner, world).rate.invited == 0


def test_a_follow_up_done_after_midnight_local_time_is_late_though_not_in_utc(world):
    """A2's follow-up, done 00:30 Copenhagen time the day after its due date, is counted
    late above; in UTC it was still the due date."""
    late = FollowUp.objects.get(outcome__booking=world.visits["A2"])
    assert late.done_at.astimezone(dt.UTC).date() == late.due_on


def _responses(world, count):
    """`count` more responses, each with a visit, an attendee, follow-ups and a comment."""
    for number in range(count):
        booking = results_data.visit(
            world.other_campaign,
            world.kbh,
            Track.JOBCENTRE,
            lead_days=number % 50,
            starts_at=world.visits["K1"].starts_at,
        )
        results_data.followups(booking, world.consultant, (timezone.localdate(), None))
        results_data.invite(
            world.surveys["company-track-2"],
            world.other_campaign,
            answers={
                "visit_held": "held",
                "overall_satisfaction": 1 + number % 5,
                "prepared": 1 + number % 5,
                "followup_agreed": True,
                "followup_kinds": ["job_order"],
                "comments": f"Kommentar {number}",
            },
            booking=booking,
        )


def _read_everything(user, filters):
    survey_results(user=user, filters=filters)
    survey_comments(user=user, filters=filters)
    header, rows = export_table(user=user, filters=filters)
    return len(list(rows))


def test_the_number_of_queries_does_not_grow_with_the_responses(
    world, agency, django_assert_max_num_queries
):
    filters = ResultsFilter(campaign=world.other_campaign.pk)
    _responses(world, 4)  # and the noise response: 5
    with CaptureQueriesContext(connection) as five:
        assert _read_everything(agency, filters) == 5
    _responses(world, 45)
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert _read_everything(agency, filters) == 50
