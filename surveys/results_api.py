"""Survey results and survey definitions under /api/v1/, for agency staff: the same figures,
comments and export as the results page (surveys.results_views, whose filter form reads the
parameters here too), the survey versions with their questions, and making a new version.
"""

from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign.models import Track
from common.exports import FORMATS, table_download
from consultants.permissions import HasRole
from consultants.roles import Role
from surveys.definitions import survey_version_create
from surveys.models import Answer, Question, Survey
from surveys.results import survey_results
from surveys.results_export import export_table, survey_comments
from surveys.results_views import ResultsFilterForm

FILTER_PARAMETERS = [
    OpenApiParameter("campaign", OpenApiTypes.INT, description="Only this campaign (its id)."),
    OpenApiParameter(
        "survey",
        OpenApiTypes.STR,
        description="A survey key (every version of it); default: every company survey.",
    ),
    OpenApiParameter(
        "track", OpenApiTypes.STR, enum=Track.values, description="The visit's track."
    ),
    OpenApiParameter("rar_area", OpenApiTypes.INT, description="The visit's RAR area (its id)."),
    OpenApiParameter("jobcentre", OpenApiTypes.INT, description="The visit's jobcentre (its id)."),
]


def _filter_form(request: Request) -> ResultsFilterForm:
    form = ResultsFilterForm(request.query_params)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return form


class AgencyOnly:
    permission_classes = [HasRole]
    roles = (Role.AGENCY,)


# --- Results ---------------------------------------------------------------------------------


class ResponseRateSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    opened = serializers.IntegerField(help_text="Invitations opened or submitted.")
    answered = serializers.IntegerField(help_text="Invitations submitted: the responses.")
    opened_rate = serializers.FloatField(allow_null=True, help_text="opened / invited.")
    answered_rate = serializers.FloatField(allow_null=True, help_text="answered / invited.")


class ChoiceCountSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="The stored answer value.")
    label = serializers.CharField()
    count = serializers.IntegerField(allow_null=True, help_text="Null when suppressed.")
    share = serializers.FloatField(
        allow_null=True,
        help_text="count / n; null when suppressed. Multiple choice: may add up to over 1.",
    )


class QuestionResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField(help_text="likert, single, multiple, yes_no or number.")
    text = serializers.CharField()
    n = serializers.IntegerField(help_text="Responses that answered the question.")
    suppressed = serializers.BooleanField(
        help_text="Fewer answers than suppress_below: every figure below is null."
    )
    is_scale = serializers.BooleanField(help_text="A 1-5 scale (Likert, or a choice of 1-5).")
    mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True, help_text="Number questions only.")
    share_high = serializers.FloatField(
        allow_null=True, help_text="Share answering 4 or 5 on a scale (satisfied, likely)."
    )
    choices = ChoiceCountSerializer(many=True)


class CrosstabCellSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    n = serializers.IntegerField()
    suppressed = serializers.BooleanField()
    mean = serializers.FloatField(allow_null=True)
    share_high = serializers.FloatField(allow_null=True)


class CrosstabSerializer(serializers.Serializer):
    dimension = serializers.CharField(
        help_text="followup (none, on_time, late, pending, not_done), track, or lead_time "
        "(days from booking to visit: 0-13, 14-27, 28-41, 42+)."
    )
    title = serializers.CharField()
    cells = CrosstabCellSerializer(many=True)


class SurveyResultsSerializer(serializers.Serializer):
    rate = ResponseRateSerializer()
    questions = QuestionResultSerializer(many=True)
    outcome_key = serializers.CharField(
        allow_null=True, help_text="The question the crosstabs read."
    )
    outcome_text = serializers.CharField(allow_blank=True)
    crosstabs = CrosstabSerializer(many=True)
    suppress_below = serializers.IntegerField(
        help_text="A figure from fewer answers than this is null and flagged suppressed."
    )


class SurveyResultsView(AgencyOnly, APIView):
    @extend_schema(
        operation_id="survey_results",
        tags=["survey results"],
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "question",
                OpenApiTypes.STR,
                description="The 1-5 question key the crosstabs read; default: "
                "overall_satisfaction.",
            ),
        ],
        responses={200: SurveyResultsSerializer},
        summary="Response rate, every question's figures and the crosstabs",
    )
    def get(self, request: Request) -> Response:
        form = _filter_form(request)
        results = survey_results(
            user=request.user, filters=form.results_filter(), outcome_key=form.outcome_key()
        )
        return Response(SurveyResultsSerializer(results).data)


class CommentSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="Masked: e-mail, phone and CVR numbers, names.")
    question_key = serializers.CharField()
    survey_key = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    visit_date = serializers.DateField(allow_null=True)
    jobcentre = serializers.CharField()
    track = serializers.CharField()


class CommentPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    comments = CommentSerializer(many=True)


class SurveyCommentsView(AgencyOnly, APIView):
    @extend_schema(
        operation_id="survey_results_comments",
        tags=["survey results"],
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("page", OpenApiTypes.INT, description="Page, from 1."),
        ],
        responses={200: CommentPageSerializer},
        summary="The free-text answers, masked, newest first",
    )
    def get(self, request: Request) -> Response:
        form = _filter_form(request)
        page = survey_comments(
            user=request.user,
            filters=form.results_filter(),
            page=request.query_params.get("page") or 1,
        )
        return Response(CommentPageSerializer(page).data)


class IgnoreFormatParameter(DefaultContentNegotiation):
    """?format= names the file here, not a renderer: errors are answered in JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class SurveyExportView(AgencyOnly, APIView):
    content_negotiation_class = IgnoreFormatParameter

    @extend_schema(
        operation_id="survey_results_export",
        tags=["survey results"],
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=list(FORMATS), description="Default: csv."
            ),
        ],
        responses={
            (200, FORMATS["csv"].split(";")[0]): OpenApiTypes.BINARY,
            (200, FORMATS["xlsx"]): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="An unknown format or filter."),
        },
        summary="Every response as a CSV or XLSX table, one row each",
        description=(
            "One row per submitted response: invitation, survey key and version, campaign, "
            "track, visit, company CVR, jobcentre, RAR area, visit date, outcome, submitted "
            'at, then one column per question key (multiple choices joined with " | ", free '
            "text masked)."
        ),
    )
    def get(self, request: Request):
        form = _filter_form(request)
        header, rows = export_table(user=request.user, filters=form.results_filter())
        return table_download(
            "survey-answers", header, rows, fmt=request.query_params.get("format")
        )


# --- Definitions -----------------------------------------------------------------------------


class QuestionDefinitionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        read_only=True, help_text="likert, single, multiple, yes_no, number or text."
    )

    class Meta:
        model = Question
        fields = [
            "id",
            "key",
            "position",
            "kind",
            "text",
            "text_en",
            "required",
            "choices",
            "condition",
        ]
        read_only_fields = fields


class SurveyDefinitionSerializer(serializers.ModelSerializer):
    audience = serializers.CharField(read_only=True, help_text="company, consultant or jobcentre.")
    track = serializers.CharField(read_only=True, help_text='"1", "2" or "" (no track).')
    has_answers = serializers.BooleanField(
        read_only=True, help_text="Answered versions are never edited: make a new version."
    )
    questions = QuestionDefinitionSerializer(many=True, read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "key",
            "version",
            "audience",
            "track",
            "title",
            "title_en",
            "intro",
            "intro_en",
            "created_at",
            "has_answers",
            "questions",
        ]
        read_only_fields = fields


def _definitions():
    return Survey.objects.annotate(
        has_answers=Exists(Answer.objects.filter(question__survey=OuterRef("pk")))
    ).prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("position")))


@extend_schema(tags=["surveys"])
class SurveyDefinitionListView(AgencyOnly, generics.ListAPIView):
    serializer_class = SurveyDefinitionSerializer
    filterset_fields = ["key", "audience", "track"]

    def get_queryset(self):
        return _definitions().order_by("key", "-version")

    @extend_schema(summary="Every survey version with its questions, newest first per key")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["surveys"])
class SurveyDefinitionDetailView(AgencyOnly, generics.RetrieveAPIView):
    serializer_class = SurveyDefinitionSerializer

    def get_queryset(self):
        return _definitions()

    @extend_schema(summary="One survey version with its questions")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SurveyNewVersionView(AgencyOnly, APIView):
    @extend_schema(
        operation_id="surveys_new_version",
        tags=["surveys"],
        request=None,
        responses={201: SurveyDefinitionSerializer},
        summary="Copy this version, with its questions, as the key's next version",
        description=(
            "The copy gets the number one above the key's highest version; the version "
            "copied is left as it is (answered versions are never edited)."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        source = get_object_or_404(Survey, pk=pk)
        copy = survey_version_create(source=source)
        return Response(
            SurveyDefinitionSerializer(_definitions().get(pk=copy.pk)).data,
            status=status.HTTP_201_CREATED,
        )
