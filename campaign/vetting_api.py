"""API for accepting campaigns and vetting call lists, under /api/v1/vetting/. The same
services and queries as the vetting pages: coordinators act on their own jobcentre (other
jobcentres' rows are 404), agency staff on every jobcentre, other roles get 403."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign import vetting
from campaign.models import CallList, CallListEntry, Company, Participation
from campaign.queries import (
    CallListEntryFilter,
    call_list_entries_for,
    call_lists_for,
    call_lists_with_progress,
    participations_for,
    vetting_progress,
    with_progress,
)
from common.errors import ApplicationError
from consultants.permissions import HasRole
from consultants.roles import Role

# --- Serializers -----------------------------------------------------------------------------


class ParticipationSerializer(serializers.ModelSerializer):
    campaign_name = serializers.CharField(source="campaign.name", read_only=True)
    jobcentre_name = serializers.CharField(source="jobcentre.name", read_only=True)
    booked = serializers.IntegerField(
        read_only=True, help_text=_("Visits booked that hold a place in the quota.")
    )

    class Meta:
        model = Participation
        fields = [
            "id",
            "campaign",
            "campaign_name",
            "jobcentre",
            "jobcentre_name",
            "quota",
            "booked",
            "accepted_at",
            "accepted_by",
        ]
        read_only_fields = fields


class QuotaSerializer(serializers.Serializer):
    quota = serializers.IntegerField(min_value=0)


class CallListSerializer(serializers.ModelSerializer):
    campaign_name = serializers.CharField(source="campaign.name", read_only=True)
    jobcentre_name = serializers.CharField(source="jobcentre.name", read_only=True)
    total_count = serializers.IntegerField(read_only=True)
    pending_count = serializers.IntegerField(read_only=True)
    approved_count = serializers.IntegerField(read_only=True)
    excluded_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CallList
        fields = [
            "id",
            "campaign",
            "campaign_name",
            "jobcentre",
            "jobcentre_name",
            "track",
            "status",
            "vetting_deadline",
            "released_at",
            "total_count",
            "pending_count",
            "approved_count",
            "excluded_count",
        ]
        read_only_fields = fields


class EntryCompanySerializer(serializers.ModelSerializer):
    municipality_name = serializers.CharField(source="municipality.name", read_only=True)

    class Meta:
        model = Company
        fields = [
            "id",
            "cvr",
            "name",
            "employees",
            "sites",
            "postcode",
            "city",
            "municipality",
            "municipality_name",
        ]
        read_only_fields = fields


class CallListEntrySerializer(serializers.ModelSerializer):
    company = EntryCompanySerializer(read_only=True)

    class Meta:
        model = CallListEntry
        fields = [
            "id",
            "position",
            "company",
            "vetting",
            "exclusion_reason",
            "exclusion_note",
            "vetted_by",
            "vetted_at",
        ]
        read_only_fields = fields


class VetSerializer(serializers.Serializer):
    # Named as the entry's own fields, so the schema shares their enums.
    vetting = serializers.ChoiceField(
        choices=CallListEntry.Vetting.choices,
        help_text=_("approved, excluded, or pending to undo a decision."),
    )
    exclusion_reason = serializers.ChoiceField(
        choices=CallListEntry.ExclusionReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required to exclude."),
    )
    exclusion_note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text=_("Required when the reason is 'other'."),
    )
    entry_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text=_("The entries to vet; or use all_matching."),
    )
    all_matching = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Vet every entry matching the filter in the query string (the filters of the "
            "entries list)."
        ),
    )

    def validate(self, attrs):
        if attrs["all_matching"] == bool(attrs["entry_ids"]):
            raise serializers.ValidationError(
                {"entry_ids": [_("Give either entry_ids or all_matching, not both.")]}
            )
        return attrs


VET_FIELD_NAMES = {"decision": "vetting", "reason": "exclusion_reason", "note": "exclusion_note"}


class ReleaseSerializer(serializers.Serializer):
    approve_pending = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Approve the entries not yet vetted, then release."),
    )


class DeadlineSerializer(serializers.Serializer):
    vetting_deadline = serializers.DateField(allow_null=True)


# --- Views ---------------------------------------------------------------------------------


class VettingAPIView(APIView):
    permission_classes = [HasRole]
    roles = (Role.COORDINATOR, Role.AGENCY)

    def call_list(self, pk: int) -> CallList:
        return get_object_or_404(call_lists_for(self.request.user), pk=pk)

    def call_list_answer(self, call_list: CallList) -> Response:
        call_list = with_progress(CallList.objects.select_related("campaign", "jobcentre")).get(
            pk=call_list.pk
        )
        return Response(CallListSerializer(call_list).data)


@extend_schema(tags=["vetting"])
class ParticipationList(generics.ListAPIView):
    """The campaigns each jobcentre is invited to, with quota and visits booked."""

    permission_classes = [HasRole]
    roles = (Role.COORDINATOR, Role.AGENCY)
    serializer_class = ParticipationSerializer
    filterset_fields = ["campaign", "jobcentre"]

    def get_queryset(self):
        return participations_for(self.request.user)


class _ParticipationWrite(VettingAPIView):
    service = staticmethod(vetting.participation_quota_set)

    def post(self, request: Request, pk: int) -> Response:
        participation = get_object_or_404(participations_for(request.user), pk=pk)
        data = QuotaSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.service(
            actor=request.user, participation=participation, quota=data.validated_data["quota"]
        )
        return Response(ParticipationSerializer(participations_for(request.user).get(pk=pk)).data)


@extend_schema(
    tags=["vetting"],
    request=QuotaSerializer,
    responses=ParticipationSerializer,
    summary="Accept the campaign for the jobcentre, with its quota",
)
class ParticipationAccept(_ParticipationWrite):
    service = staticmethod(vetting.participation_accept)


@extend_schema(
    tags=["vetting"],
    request=QuotaSerializer,
    responses=ParticipationSerializer,
    summary="Change the jobcentre's quota (never below the visits booked)",
)
class ParticipationQuota(_ParticipationWrite):
    service = staticmethod(vetting.participation_quota_set)


@extend_schema(tags=["vetting"])
class CallListList(generics.ListAPIView):
    """The user's call lists with their vetting progress."""

    permission_classes = [HasRole]
    roles = (Role.COORDINATOR, Role.AGENCY)
    serializer_class = CallListSerializer
    filterset_fields = ["campaign", "jobcentre", "track", "status"]

    def get_queryset(self):
        return call_lists_with_progress(self.request.user)


@extend_schema(tags=["vetting"])
class CallListDetail(generics.RetrieveAPIView):
    """One call list with its vetting progress."""

    permission_classes = [HasRole]
    roles = (Role.COORDINATOR, Role.AGENCY)
    serializer_class = CallListSerializer

    def get_queryset(self):
        return call_lists_with_progress(self.request.user)


@extend_schema(tags=["vetting"])
class EntryList(generics.ListAPIView):
    """The firms on one call list, filtered and paginated."""

    permission_classes = [HasRole]
    roles = (Role.COORDINATOR, Role.AGENCY)
    serializer_class = CallListEntrySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CallListEntryFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return CallListEntry.objects.none()
        call_list = get_object_or_404(call_lists_for(self.request.user), pk=self.kwargs["pk"])
        return (
            call_list_entries_for(self.request.user)
            .filter(call_list=call_list)
            .order_by("position", "pk")
        )


@extend_schema(
    tags=["vetting"],
    request=VetSerializer,
    # With all_matching, the query string filters the entries as on the entries list.
    parameters=[
        OpenApiParameter(name, str, description=str(f.label), required=False)
        for name, f in CallListEntryFilter.base_filters.items()
    ],
    responses=inline_serializer(
        "VetResult",
        {
            "changed": serializers.IntegerField(),
            "pending": serializers.IntegerField(),
            "approved": serializers.IntegerField(),
            "excluded": serializers.IntegerField(),
            "total": serializers.IntegerField(),
        },
    ),
    summary="Approve or exclude entries, chosen by id or by filter",
)
class EntriesVet(VettingAPIView):
    def post(self, request: Request, pk: int) -> Response:
        call_list = self.call_list(pk)
        data = VetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["all_matching"]:
            filterset = CallListEntryFilter(
                request.query_params,
                queryset=call_list_entries_for(request.user).filter(call_list=call_list),
            )
            if not filterset.is_valid():
                raise ApplicationError(
                    _("The filter is not valid."),
                    field_errors={k: list(v) for k, v in filterset.errors.items()},
                )
            entry_ids = list(filterset.qs.values_list("pk", flat=True))
            if not entry_ids:
                raise ApplicationError(_("No firm matches the filter."))
        else:
            entry_ids = values["entry_ids"]
        try:
            changed = vetting.entries_vet(
                actor=request.user,
                call_list=call_list,
                entry_ids=entry_ids,
                decision=values["vetting"],
                reason=values["exclusion_reason"],
                note=values["exclusion_note"],
            )
        except ApplicationError as error:
            # The service names its arguments; the API body names the entry's fields.
            error.field_errors = {
                VET_FIELD_NAMES.get(name, name): errors
                for name, errors in error.field_errors.items()
            }
            raise
        return Response({"changed": changed, **vetting_progress(call_list)})


@extend_schema(
    tags=["vetting"],
    request=ReleaseSerializer,
    responses=CallListSerializer,
    summary="Release the call list to the phoners",
)
class CallListRelease(VettingAPIView):
    def post(self, request: Request, pk: int) -> Response:
        call_list = self.call_list(pk)
        data = ReleaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call_list = vetting.call_list_release(
            actor=request.user,
            call_list=call_list,
            approve_pending=data.validated_data["approve_pending"],
        )
        return self.call_list_answer(call_list)


@extend_schema(
    tags=["vetting"],
    request=DeadlineSerializer,
    responses=CallListSerializer,
    summary="Set or clear the vetting deadline (schedules the coordinators' reminder)",
)
class CallListDeadline(VettingAPIView):
    def post(self, request: Request, pk: int) -> Response:
        call_list = self.call_list(pk)
        data = DeadlineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        call_list = vetting.call_list_deadline_set(
            actor=request.user,
            call_list=call_list,
            deadline=data.validated_data["vetting_deadline"],
        )
        return self.call_list_answer(call_list)


urlpatterns = [
    path("vetting/participations/", ParticipationList.as_view(), name="vetting-participations"),
    path(
        "vetting/participations/<int:pk>/accept/",
        ParticipationAccept.as_view(),
        name="vetting-participation-accept",
    ),
    path(
        "vetting/participations/<int:pk>/quota/",
        ParticipationQuota.as_view(),
        name="vetting-participation-quota",
    ),
    path("vetting/call-lists/", CallListList.as_view(), name="vetting-call-lists"),
    path("vetting/call-lists/<int:pk>/", CallListDetail.as_view(), name="vetting-call-list"),
    path(
        "vetting/call-lists/<int:pk>/entries/",
        EntryList.as_view(),
        name="vetting-call-list-entries",
    ),
    path(
        "vetting/call-lists/<int:pk>/entries/vet/",
        EntriesVet.as_view(),
        name="vetting-call-list-vet",
    ),
    path(
        "vetting/call-lists/<int:pk>/release/",
        CallListRelease.as_view(),
        name="vetting-call-list-release",
    ),
    path(
        "vetting/call-lists/<int:pk>/deadline/",
        CallListDeadline.as_view(),
        name="vetting-call-list-deadline",
    ),
]
