"""The dashboards' figures as JSON under /api/v1/reports/, for agency staff (everything) and
coordinators (their own jobcentre, forced). The same filter (reports.filters) and the same
aggregates as the pages; a bad parameter is a 400 naming the field."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import AgreementKind, OutcomeKind
from campaign.models import Track
from common.errors import ApplicationError
from consultants.permissions import HasRole
from consultants.roles import Role
from reports.filters import ReportFilter, report_filter
from reports.followups import STATUSES, followup_compliance
from reports.funnel import DIMENSIONS, STAGES, funnel
from reports.jobcentres import jobcentre_comparison
from reports.leadtime import lead_time
from reports.outcomes import GROUPS, outcome_shares
from reports.table1 import table1

FILTER_PARAMETERS = [
    OpenApiParameter(
        "campaign", OpenApiTypes.INT, description="The campaign's id; default: the latest."
    ),
    OpenApiParameter("track", OpenApiTypes.STR, enum=Track.values, description="Only this track."),
    OpenApiParameter(
        "rar_area",
        OpenApiTypes.INT,
        description="Only this RAR area (its id). Ignored for coordinators.",
    ),
    OpenApiParameter(
        "jobcentre",
        OpenApiTypes.INT,
        description="Only this jobcentre (its id). Coordinators always get their own.",
    ),
    OpenApiParameter(
        "date_from",
        OpenApiTypes.DATE,
        description="Only visits starting on or after this day (local time).",
    ),
    OpenApiParameter(
        "date_to",
        OpenApiTypes.DATE,
        description="Only visits starting on or before this day (local time).",
    ),
]


def _fields(names, field_factory) -> dict:
    return {name: field_factory() for name in names}


# --- Serializers (output only) ---------------------------------------------------------------

ReportOutcomeCountsSerializer = type(
    "ReportOutcomeCountsSerializer",
    (serializers.Serializer,),
    _fields(OutcomeKind.values, serializers.IntegerField),
)
ReportAgreementPositionsSerializer = type(
    "ReportAgreementPositionsSerializer",
    (serializers.Serializer,),
    _fields(AgreementKind.values, serializers.IntegerField),
)
ReportFollowUpFiguresSerializer = type(
    "ReportFollowUpFiguresSerializer",
    (serializers.Serializer,),
    _fields(STATUSES, serializers.IntegerField),
)
ReportFunnelStagesSerializer = type(
    "ReportFunnelStagesSerializer",
    (serializers.Serializer,),
    _fields(STAGES, lambda: serializers.IntegerField(allow_null=True)),
)
ReportOutcomeGroupCountsSerializer = type(
    "ReportOutcomeGroupCountsSerializer",
    (serializers.Serializer,),
    _fields(GROUPS, serializers.IntegerField),
)
ReportOutcomeGroupSharesSerializer = type(
    "ReportOutcomeGroupSharesSerializer",
    (serializers.Serializer,),
    _fields(GROUPS, lambda: serializers.FloatField(allow_null=True)),
)


class ReportTable1ColumnSerializer(serializers.Serializer):
    rar_area = serializers.IntegerField(allow_null=True, help_text="Null for the whole country.")
    name = serializers.CharField()
    booked = serializers.IntegerField(help_text="Visits booked (a moved visit once).")
    outcome_registered = serializers.IntegerField(help_text="Visits with a registered outcome.")
    outcomes = ReportOutcomeCountsSerializer(help_text="Visits per registered outcome.")
    agreements = ReportAgreementPositionsSerializer(
        help_text="Positions agreed per kind of agreement."
    )
    refugee_places = serializers.IntegerField(help_text="Company places for refugees agreed.")
    jobservice_agreements = serializers.IntegerField(help_text="Jobservice agreements made.")
    followups = ReportFollowUpFiguresSerializer()


class ReportTable1Serializer(serializers.Serializer):
    campaign = serializers.IntegerField(allow_null=True)
    areas = ReportTable1ColumnSerializer(many=True)
    total = ReportTable1ColumnSerializer()


class ReportFunnelRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text="The group: a track, an area's, a jobcentre's or a phoner's id; null in the "
        "total (and for visits booked by no one).",
    )
    name = serializers.CharField()
    stages = ReportFunnelStagesSerializer()


class ReportFunnelSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(allow_null=True)
    by = serializers.CharField(allow_null=True)
    rows = ReportFunnelRowSerializer(many=True)
    total = ReportFunnelRowSerializer()


class ReportLeadTimeBinSerializer(serializers.Serializer):
    start = serializers.IntegerField(help_text="First day of the bin.")
    end = serializers.IntegerField(allow_null=True, help_text="Last day; null: open-ended.")
    label = serializers.CharField()
    visits = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    cancelled_share = serializers.FloatField(allow_null=True)


class ReportLeadTimeSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(allow_null=True)
    bins = ReportLeadTimeBinSerializer(many=True)
    total = ReportLeadTimeBinSerializer()


class ReportOutcomeRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    visits = serializers.IntegerField()
    counts = ReportOutcomeGroupCountsSerializer()
    shares = ReportOutcomeGroupSharesSerializer()


class ReportOutcomesSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(allow_null=True)
    areas = ReportOutcomeRowSerializer(many=True)
    jobcentres = ReportOutcomeRowSerializer(many=True)
    total = ReportOutcomeRowSerializer()


class ReportComplianceRowSerializer(ReportFollowUpFiguresSerializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    jobcentre = serializers.CharField(help_text="A consultant's jobcentre; empty otherwise.")
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text="Done on time, of those done or overdue."
    )


class ReportFollowUpsSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(allow_null=True)
    jobcentres = ReportComplianceRowSerializer(many=True)
    consultants = ReportComplianceRowSerializer(many=True)
    total = ReportComplianceRowSerializer()


class ReportJobcentreRowSerializer(serializers.Serializer):
    jobcentre = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    rar_area = serializers.CharField()
    quota = serializers.IntegerField()
    booked = serializers.IntegerField()
    held = serializers.IntegerField()
    ended = serializers.IntegerField(help_text="Booked visits whose time has passed.")
    outcome_registered = serializers.IntegerField()
    outcome_registration_rate = serializers.FloatField(
        allow_null=True, help_text="outcome_registered / ended."
    )
    agreements = serializers.IntegerField()
    positions = serializers.IntegerField()
    agreements_per_held_visit = serializers.FloatField(allow_null=True)


class ReportJobcentresSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(allow_null=True)
    jobcentres = ReportJobcentreRowSerializer(many=True)
    total = ReportJobcentreRowSerializer()


# --- Views -------------------------------------------------------------------------------------


class ReportView(APIView):
    """Agency staff and coordinators (their own jobcentre)."""

    permission_classes = [HasRole]
    roles = (Role.AGENCY, Role.COORDINATOR)

    def report_filter(self, request: Request) -> ReportFilter:
        return report_filter(request.user, request.query_params)


def _campaign(filters: ReportFilter) -> int | None:
    return filters.campaign.pk if filters.campaign else None


def _compliance_row(row) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "jobcentre": row.jobcentre,
        **row.figures.as_dict(),
        "on_time_rate": row.figures.on_time_rate,
    }


class Table1View(ReportView):
    @extend_schema(
        operation_id="reports_table1",
        tags=["reports"],
        parameters=FILTER_PARAMETERS,
        responses={200: ReportTable1Serializer},
        summary="Table 1: visits, outcomes, agreements and follow-ups per RAR area",
        description="One object per RAR area (all 8 unless narrowed) and the whole country.",
    )
    def get(self, request: Request) -> Response:
        filters = self.report_filter(request)
        data = {"campaign": _campaign(filters), **table1(filters).as_dict()}
        return Response(ReportTable1Serializer(data).data)


class FunnelView(ReportView):
    @extend_schema(
        operation_id="reports_funnel",
        tags=["reports"],
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter(
                "by",
                OpenApiTypes.STR,
                enum=list(DIMENSIONS),
                description="Also per group; absent: the total only.",
            ),
        ],
        responses={200: ReportFunnelSerializer},
        summary="The funnel from firms imported to surveys answered",
    )
    def get(self, request: Request) -> Response:
        filters = self.report_filter(request)
        by = request.query_params.get("by") or None
        if by is not None and by not in DIMENSIONS:
            message = _("Group the funnel by track, rar_area, jobcentre or phoner.")
            raise ApplicationError(message, field_errors={"by": [message]})
        report = funnel(filters, by=by)
        rows = [
            {**row.as_dict(), "key": None if row.key is None else str(row.key)}
            for row in report.rows
        ]
        data = {
            "campaign": _campaign(filters),
            "by": by,
            "rows": rows,
            "total": report.total.as_dict(),
        }
        return Response(ReportFunnelSerializer(data).data)


class LeadTimeView(ReportView):
    @extend_schema(
        operation_id="reports_lead_time",
        tags=["reports"],
        parameters=FILTER_PARAMETERS,
        responses={200: ReportLeadTimeSerializer},
        summary="Cancellation by lead time (days from booking to visit, weekly bins)",
    )
    def get(self, request: Request) -> Response:
        filters = self.report_filter(request)
        report = lead_time(filters)
        total = {**report.total.as_dict(), "label": "", "end": None}
        data = {
            "campaign": _campaign(filters),
            "bins": [b.as_dict() for b in report.bins],
            "total": total,
        }
        return Response(ReportLeadTimeSerializer(data).data)


class OutcomesView(ReportView):
    @extend_schema(
        operation_id="reports_outcomes",
        tags=["reports"],
        parameters=FILTER_PARAMETERS,
        responses={200: ReportOutcomesSerializer},
        summary="What became of the visits, per RAR area and jobcentre",
    )
    def get(self, request: Request) -> Response:
        filters = self.report_filter(request)
        report = outcome_shares(filters)
        data = {
            "campaign": _campaign(filters),
            "areas": [r.as_dict() for r in report.areas],
            "jobcentres": [r.as_dict() for r in report.jobcentres],
            "total": report.total.as_dict(),
        }
        return Response(ReportOutcomesSerializer(data).data)


class FollowUpsView(ReportView):
    @extend_schema(
        operation_id="reports_followups",
        tags=["reports"],
        parameters=FILTER_PARAMETERS,
        responses={200: ReportFollowUpsSerializer},
        summary="Follow-up compliance per jobcentre and consultant",
    )
    def get(self, request: Request) -> Response:
        filters = self.report_filter(request)
        report = followup_compliance(filters)
        data = {
            "campaign": _campaign(filters),
            "jobcentres": [_compliance_row(r) for r in report.jobcentres],
            "consultants": [_compliance_row(r) for r in report.consultants],
            "total": {
                "id": None,
                "name": "",
                "jobcentre": "",
                **report.total.as_dict(),
                "on_time_rate": report.total.on_time_rate,
            },
        }
        return Response(ReportFollowUpsSerializer(data).data)


class JobcentresView(ReportView):
    @extend_schema(
        operation_id="reports_jobcentres",
        tags=["reports"],
        parameters=FILTER_PARAMETERS,
        responses={200: ReportJobcentresSerializer},
        summary="Jobcentres compared: quota, visits, outcome registration, agreements",
    )
    def get(self, request: Request) -> Response:
        filters = self.report_filter(request)
        report = jobcentre_comparison(filters)
        data = {
            "campaign": _campaign(filters),
            "jobcentres": [r.as_dict() for r in report.jobcentres],
            "total": report.total.as_dict(),
        }
        return Response(ReportJobcentresSerializer(data).data)
