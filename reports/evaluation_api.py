"""The evaluation report's figures as JSON: GET /api/v1/reports/evaluation/, for agency staff
(everything) and coordinators (their own jobcentre, forced), with the dashboards' filter. The
same figures and summary sentences as /reports/evaluation/ (reports.evaluation); the
sentences come in the request's language. Answered from the kept report while it is fresh
(reports.evaluation_snapshots); `computed_at` says when it was computed."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from reports.api import (
    FILTER_PARAMETERS,
    ReportFollowUpFiguresSerializer,
    ReportJobcentreRowSerializer,
    ReportLeadTimeBinSerializer,
    ReportOutcomeRowSerializer,
    ReportTable1ColumnSerializer,
    ReportView,
)
from reports.evaluation_snapshots import evaluation_snapshot


class EvaluationCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class EvaluationFilterSerializer(serializers.Serializer):
    track = serializers.CharField(allow_null=True)
    rar_area = serializers.IntegerField(allow_null=True)
    jobcentre = serializers.IntegerField(allow_null=True, help_text="A coordinator's own, forced.")
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)


class EvaluationPeriodSerializer(serializers.Serializer):
    starts_on = serializers.DateField(allow_null=True, help_text="The campaign's first day.")
    ends_on = serializers.DateField(allow_null=True, help_text="The campaign's last day.")
    first_visit = serializers.DateField(allow_null=True, help_text="The first visit's day.")
    last_visit = serializers.DateField(allow_null=True, help_text="The last visit's day.")


class EvaluationParticipationSerializer(serializers.Serializer):
    jobcentres = serializers.IntegerField(help_text="Jobcentres with a quota or with visits.")
    jobcentres_with_visits = serializers.IntegerField()
    quota = serializers.IntegerField(help_text="The jobcentres' quotas summed.")
    consultants = serializers.IntegerField(help_text="Local consultants with visits.")
    jobservice_representatives = serializers.IntegerField()


class EvaluationTrackSerializer(serializers.Serializer):
    track = serializers.CharField()
    label = serializers.CharField()
    booked = serializers.IntegerField()
    held = serializers.IntegerField()
    outcome_registered = serializers.IntegerField()
    with_agreements = serializers.IntegerField()
    survey_answered = serializers.IntegerField()


class EvaluationVisitsSerializer(serializers.Serializer):
    booked = serializers.IntegerField(help_text="Visits booked (a moved visit once).")
    held = serializers.IntegerField(help_text="Held, held but short or held by phone.")
    cancelled = serializers.IntegerField(help_text="Cancelled by the company or the jobcentre.")
    cancelled_share = serializers.FloatField(allow_null=True, help_text="Of the visits booked.")
    no_show_company = serializers.IntegerField()
    no_show_consultant = serializers.IntegerField()
    no_show_consultant_share = serializers.FloatField(allow_null=True)
    outcome_registered = serializers.IntegerField()
    outcome_registered_share = serializers.FloatField(
        allow_null=True, help_text="Of the visits booked (the report's 66 %)."
    )
    tracks = EvaluationTrackSerializer(many=True)


class EvaluationLeadGroupSerializer(serializers.Serializer):
    visits = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    cancelled_share = serializers.FloatField(allow_null=True)


class EvaluationLeadTimeSerializer(serializers.Serializer):
    horizon_days = serializers.IntegerField(help_text="42: six weeks.")
    within = EvaluationLeadGroupSerializer(help_text="Booked less than horizon_days ahead.")
    beyond = EvaluationLeadGroupSerializer(help_text="Booked horizon_days or more ahead.")
    bins = ReportLeadTimeBinSerializer(many=True)


class EvaluationOutcomesSerializer(serializers.Serializer):
    areas = ReportOutcomeRowSerializer(many=True)
    total = ReportOutcomeRowSerializer()


class EvaluationTable1Serializer(serializers.Serializer):
    areas = ReportTable1ColumnSerializer(many=True)
    total = ReportTable1ColumnSerializer()


class EvaluationFollowUpRowSerializer(ReportFollowUpFiguresSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    on_time_rate = serializers.FloatField(allow_null=True)


class EvaluationFollowUpsSerializer(ReportFollowUpFiguresSerializer):
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text="Done on time, of those done or overdue."
    )
    jobcentres = EvaluationFollowUpRowSerializer(many=True)


class EvaluationSurveyItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    n = serializers.IntegerField(help_text="Answers.")
    suppressed = serializers.BooleanField(help_text="Too few answers to show the figures.")
    mean = serializers.FloatField(allow_null=True)
    share_high = serializers.FloatField(allow_null=True, help_text="Answering 4 or 5.")


class EvaluationSurveySerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    invited = serializers.IntegerField()
    opened = serializers.IntegerField()
    answered = serializers.IntegerField()
    answered_rate = serializers.FloatField(allow_null=True)
    satisfied_share = serializers.FloatField(
        allow_null=True, help_text="Overall satisfaction 4 or 5 (companies)."
    )
    dissatisfied_share = serializers.FloatField(
        allow_null=True, help_text="Overall satisfaction 1 or 2 (companies)."
    )
    followup_agreed_share = serializers.FloatField(allow_null=True)
    items = EvaluationSurveyItemSerializer(many=True, help_text="The 1-5 scale questions.")


class EvaluationSurveysSerializer(serializers.Serializer):
    suppress_below = serializers.IntegerField(
        help_text="A figure from fewer answers than this is null."
    )
    company_track_1 = EvaluationSurveySerializer(
        allow_null=True, help_text="Null when the filter keeps only track 2."
    )
    company_track_2 = EvaluationSurveySerializer(
        allow_null=True, help_text="Null when the filter keeps only track 1."
    )
    consultants = EvaluationSurveySerializer()


class EvaluationHighlightItemSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.FloatField()
    kind = serializers.ChoiceField(choices=["int", "percent"], help_text="percent: a fraction.")


class EvaluationHighlightSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    items = EvaluationHighlightItemSerializer(many=True)


class EvaluationJobcentresSerializer(serializers.Serializer):
    rows = ReportJobcentreRowSerializer(many=True)
    total = ReportJobcentreRowSerializer()
    highlights = EvaluationHighlightSerializer(many=True)


class EvaluationSerializer(serializers.Serializer):
    campaign = EvaluationCampaignSerializer(allow_null=True)
    filter = EvaluationFilterSerializer()
    today = serializers.DateField(help_text="The day overdue follow-ups are counted on.")
    computed_at = serializers.DateTimeField(
        help_text=(
            "When the figures were computed. The report is kept and recomputed every few "
            "minutes while in use; recompute=1 computes it now."
        )
    )
    period = EvaluationPeriodSerializer()
    participation = EvaluationParticipationSerializer()
    visits = EvaluationVisitsSerializer()
    lead_time = EvaluationLeadTimeSerializer()
    outcomes = EvaluationOutcomesSerializer()
    table1 = EvaluationTable1Serializer()
    followups = EvaluationFollowUpsSerializer()
    surveys = EvaluationSurveysSerializer()
    jobcentres = EvaluationJobcentresSerializer()
    summary = serializers.ListField(
        child=serializers.CharField(), help_text="The summary's sentences."
    )


class EvaluationView(ReportView):
    @extend_schema(
        operation_id="reports_evaluation",
        tags=["reports"],
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "recompute",
                int,
                enum=[1],
                description="1: compute the figures now instead of reading the kept ones.",
            ),
        ],
        responses={200: EvaluationSerializer},
        summary="The evaluation report's figures and summary",
        description=(
            "Every figure of the printable evaluation report (/reports/evaluation/): "
            "participation, visits per track, cancellation by lead time, outcomes, Table 1, "
            "follow-ups, survey response rates and satisfaction, the jobcentres compared, "
            "and the summary's sentences in the request's language."
        ),
    )
    def get(self, request: Request) -> Response:
        filters = self.report_filter(request)
        snapshot = evaluation_snapshot(
            filters, user=request.user, recompute=request.query_params.get("recompute") == "1"
        )
        data = {**snapshot.figures, "computed_at": snapshot.computed_at}
        return Response(EvaluationSerializer(data).data)
