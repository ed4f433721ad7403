"""The phoners' workspace as an API: the same services and scoping as its pages."""

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.api import BookingSerializer
from bookings.services import SlotUnavailable, call_book
from bookings.slots import SlotSearch, find_slots
from bookings.workspace import entry_for_phoner
from campaign.calls import (
    call_register,
    contact_history,
    current_script,
    entries_search,
    entry_claim_next,
)
from campaign.models import CallAttempt, CallListEntry, Company, Track
from consultants.permissions import HasRole
from consultants.roles import Role


class CompanyCardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = [
            "id",
            "cvr",
            "name",
            "employees",
            "sites",
            "address",
            "postcode",
            "city",
            "phone",
            "email",
            "contact_name",
            "contact_role",
            "do_not_contact",
        ]


class CallSerializer(serializers.ModelSerializer):
    script_version = serializers.IntegerField(source="script.version", default=None)
    campaign = serializers.CharField(source="campaign_name", default=None)

    class Meta:
        model = CallAttempt
        fields = [
            "id",
            "called_at",
            "outcome",
            "reason",
            "note",
            "callback_at",
            "phoner",
            "script_version",
            "campaign",
        ]


class EntrySerializer(serializers.ModelSerializer):
    company = CompanyCardSerializer()
    campaign = serializers.IntegerField(source="call_list.campaign_id")
    track = serializers.CharField(source="call_list.track")
    jobcentre = serializers.CharField(source="call_list.jobcentre.name")
    history = serializers.SerializerMethodField()
    script = serializers.SerializerMethodField()

    class Meta:
        model = CallListEntry
        fields = [
            "id",
            "company",
            "campaign",
            "track",
            "jobcentre",
            "status",
            "attempts",
            "next_call_at",
            "history",
            "script",
        ]

    def get_history(self, entry) -> list[dict]:
        return CallSerializer(contact_history(entry.company), many=True).data

    def get_script(self, entry) -> dict | None:
        script = current_script(entry.call_list)
        return {"version": script.version, "body": script.body} if script else None


class EntrySummarySerializer(serializers.ModelSerializer):
    company = CompanyCardSerializer()
    campaign = serializers.IntegerField(source="call_list.campaign_id")
    track = serializers.CharField(source="call_list.track")

    class Meta:
        model = CallListEntry
        fields = ["id", "company", "campaign", "track", "status", "next_call_at"]


class NextInput(serializers.Serializer):
    campaign = serializers.IntegerField(required=False)
    track = serializers.ChoiceField(choices=Track.choices, required=False)


class CallInput(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[c for c in CallAttempt.Outcome.choices if c[0] != CallAttempt.Outcome.BOOKED]
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    reason = serializers.ChoiceField(
        choices=CallAttempt.NotInterested.choices, required=False, allow_blank=True
    )
    callback_at = serializers.DateTimeField(required=False)
    callback_mine = serializers.BooleanField(required=False, default=False)


class BookInput(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    consultant = serializers.IntegerField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class OfferSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    local_ids = serializers.ListField(child=serializers.IntegerField())
    jobservice_ids = serializers.ListField(child=serializers.IntegerField())


class SlotsSerializer(serializers.Serializer):
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    quota = serializers.IntegerField()
    quota_left = serializers.IntegerField()
    reason = serializers.CharField()
    offers = OfferSerializer(many=True)
    free_by_consultant = serializers.DictField(child=serializers.IntegerField())


def slots_data(search: SlotSearch) -> dict:
    return SlotsSerializer(search).data


class PhonerView(APIView):
    permission_classes = [HasRole]
    roles = (Role.PHONER, Role.AGENCY)


class NextView(PhonerView):
    @extend_schema(
        request=NextInput,
        responses={200: EntrySerializer, 204: OpenApiResponse(description="Queue empty")},
        summary="Claim the next company to call",
    )
    def post(self, request):
        data = NextInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = entry_claim_next(
            actor=request.user,
            campaign_id=data.validated_data.get("campaign"),
            track=data.validated_data.get("track"),
        )
        if entry is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(EntrySerializer(entry_for_phoner(request.user, entry.pk)).data)


class EntryView(PhonerView):
    @extend_schema(responses=EntrySerializer, summary="A company card with its contact history")
    def get(self, request, pk: int):
        return Response(EntrySerializer(entry_for_phoner(request.user, pk)).data)


class CallView(PhonerView):
    @extend_schema(request=CallInput, responses={201: CallSerializer}, summary="Register a call")
    def post(self, request, pk: int):
        entry = entry_for_phoner(request.user, pk)
        data = CallInput(data=request.data)
        data.is_valid(raise_exception=True)
        call = call_register(actor=request.user, entry=entry, **data.validated_data)
        return Response(CallSerializer(call).data, status=status.HTTP_201_CREATED)


class SlotsView(PhonerView):
    @extend_schema(
        parameters=[OpenApiParameter("consultant", int, description="Preferred consultant")],
        responses=SlotsSerializer,
        summary="Free times for the company's visit",
    )
    def get(self, request, pk: int):
        entry = entry_for_phoner(request.user, pk)
        consultant = request.query_params.get("consultant")
        search = find_slots(
            campaign=entry.call_list.campaign,
            jobcentre=entry.call_list.jobcentre,
            track=entry.call_list.track,
            now=timezone.now(),
            consultant_id=int(consultant) if consultant and consultant.isdigit() else None,
        )
        return Response(slots_data(search))


class BookView(PhonerView):
    @extend_schema(
        request=BookInput,
        responses={201: BookingSerializer, 409: SlotsSerializer},
        summary="Book the visit (records the call as booked)",
    )
    def post(self, request, pk: int):
        entry = entry_for_phoner(request.user, pk)
        data = BookInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            booking = call_book(
                actor=request.user,
                entry=entry,
                starts_at=data.validated_data["starts_at"],
                consultant_id=data.validated_data.get("consultant"),
                note=data.validated_data.get("note", ""),
            )
        except SlotUnavailable as taken:
            body = {"detail": str(taken.message), "slots": slots_data(taken.search)}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class SearchView(PhonerView):
    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="CVR, name or phone")],
        responses=EntrySummarySerializer(many=True),
        summary="Find a company that calls back",
    )
    def get(self, request):
        entries = entries_search(query=request.query_params.get("q", ""))
        return Response(EntrySummarySerializer(entries, many=True).data)


urlpatterns = [
    path("workspace/next/", NextView.as_view(), name="api-workspace-next"),
    path("workspace/search/", SearchView.as_view(), name="api-workspace-search"),
    path("workspace/entries/<int:pk>/", EntryView.as_view(), name="api-workspace-entry"),
    path("workspace/entries/<int:pk>/calls/", CallView.as_view(), name="api-workspace-call"),
    path("workspace/entries/<int:pk>/slots/", SlotsView.as_view(), name="api-workspace-slots"),
    path("workspace/entries/<int:pk>/book/", BookView.as_view(), name="api-workspace-book"),
]
