"""Phoner statistics as an API for agency staff: GET /api/v1/reports/phoners/."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign.models import Campaign, Track
from consultants.permissions import HasRole
from consultants.roles import Role
from reports.phoners import phoner_stats


class PhonerReportQuerySerializer(serializers.Serializer):
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    track = serializers.ChoiceField(choices=Track.choices, required=False, allow_blank=True)


class CallFiguresSerializer(serializers.Serializer):
    calls = serializers.IntegerField()
    hours = serializers.IntegerField(
        help_text="Hours worked: distinct clock hours with at least one call."
    )
    calls_per_hour = serializers.FloatField(allow_null=True)
    contacts = serializers.IntegerField(
        help_text="Contacts reached: calls not ending in no_answer, busy or wrong_number."
    )
    bookings = serializers.IntegerField(help_text="Calls with the outcome booked.")
    booking_rate = serializers.FloatField(
        allow_null=True, help_text="bookings / contacts; null without contacts."
    )


class ScriptFiguresSerializer(CallFiguresSerializer):
    script = serializers.IntegerField(source="script_id", allow_null=True)
    campaign = serializers.CharField()
    track = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)


class PhonerFiguresSerializer(CallFiguresSerializer):
    phoner = serializers.IntegerField(source="phoner_id")
    name = serializers.CharField()
    visits = serializers.IntegerField(
        help_text="Visits the phoner booked (a moved visit once, as its replacement)."
    )
    visits_cancelled = serializers.IntegerField(
        help_text="Of those, the ones now cancelled by the company or the jobcentre."
    )
    cancellation_rate = serializers.FloatField(
        allow_null=True, help_text="visits_cancelled / visits; null without visits."
    )
    scripts = ScriptFiguresSerializer(many=True)


class PhonerTotalSerializer(CallFiguresSerializer):
    visits = serializers.IntegerField()
    visits_cancelled = serializers.IntegerField()
    cancellation_rate = serializers.FloatField(allow_null=True)


class PhonerReportSerializer(serializers.Serializer):
    phoners = PhonerFiguresSerializer(many=True)
    total = PhonerTotalSerializer()


class PhonerReportView(APIView):
    """Per phoner and per call-script version: calls, hours worked, calls per hour,
    contacts reached, bookings and booking rate; per phoner also how many of their booked
    visits were cancelled later. Agency staff only."""

    permission_classes = [HasRole]
    roles = (Role.AGENCY,)

    @extend_schema(
        operation_id="reports_phoners",
        tags=["reports"],
        parameters=[
            OpenApiParameter("campaign", int, description="Only this campaign (its id)."),
            OpenApiParameter("track", str, enum=Track.values, description="Only this track."),
        ],
        responses={200: PhonerReportSerializer},
        summary="Phoner statistics",
    )
    def get(self, request):
        query = PhonerReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report = phoner_stats(
            campaign=query.validated_data.get("campaign"),
            track=query.validated_data.get("track") or None,
        )
        return Response(PhonerReportSerializer(report).data)


urlpatterns = [
    path("reports/phoners/", PhonerReportView.as_view(), name="phoner-report-api"),
]
