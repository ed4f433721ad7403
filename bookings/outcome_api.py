"""What came of visits, as an API: register a visit's outcome with its agreements and
follow-ups in one request, list follow-ups and mark them done, record an agreement's filled
positions, list the visits missing an outcome. The same services (bookings.outcomes) and
scoping as the pages: consultants and coordinators see their own jobcentre (another
jobcentre's visits, agreements and follow-ups are 404), agency staff everything, phoners
nothing (403)."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import (
    Agreement,
    Booking,
    FollowUp,
    Outcome,
)
from bookings.outcomes import (
    DESCRIPTION_MAX_LENGTH,
    DONE_NOTE_MAX_LENGTH,
    MAX_POSITIONS,
    REASON_MAX_LENGTH,
    FollowUpStatus,
    agreement_filled,
    agreements_for,
    followup_default_due,
    followup_default_owner,
    followup_done,
    followups_filter,
    followups_for,
    outcome_register,
    outcomes_missing_for,
)
from bookings.queries import bookings_for
from common.errors import NotFound
from common.http import int_or_none
from consultants.permissions import HasRole
from consultants.roles import Role, consultant_of

TAGS = ["outcomes"]

# --- Serializers -----------------------------------------------------------------------------


# One serializer per model for reading and writing (read-only fields marked): each choice
# set then belongs to one schema component, named after it (AgreementKindEnum, ...).


class AgreementSerializer(serializers.ModelSerializer):
    positions = serializers.IntegerField(min_value=1, max_value=MAX_POSITIONS, default=1)

    class Meta:
        model = Agreement
        fields = ["id", "kind", "positions", "filled_positions", "filled_on"]
        read_only_fields = ["id", "filled_positions", "filled_on"]


class FollowUpSerializer(serializers.ModelSerializer):
    visit = serializers.IntegerField(source="outcome.booking_id", read_only=True)
    company = serializers.CharField(source="outcome.booking.company.name", read_only=True)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    owner = serializers.IntegerField(
        source="owner_id",
        required=False,
        help_text=_(
            "A consultant of the visit's jobcentre. Default: the local consultant at the visit."
        ),
    )
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    due_on = serializers.DateField(
        required=False, help_text=_("Default: today plus the campaign's follow-up period.")
    )
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "visit",
            "company",
            "kind",
            "description",
            "owner",
            "owner_name",
            "due_on",
            "overdue",
            "done_at",
            "done_note",
        ]
        read_only_fields = ["id", "done_at", "done_note"]

    def get_overdue(self, followup) -> bool:
        return followup.done_at is None and followup.due_on < timezone.localdate()


class OutcomeSerializer(serializers.ModelSerializer):
    """A visit's outcome; posted (without the read-only fields) to register it."""

    visit = serializers.IntegerField(source="booking_id", read_only=True)
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        allow_blank=True,
        required=False,
        default="",
        help_text=_("The company's reason; required when it cancelled."),
    )
    note = serializers.CharField(allow_blank=True, required=False, default="")
    agreements = AgreementSerializer(
        many=True, required=False, default=list, help_text=_("Only for a held visit.")
    )
    followups = FollowUpSerializer(
        many=True, required=False, default=list, help_text=_("Only for a held visit.")
    )

    class Meta:
        model = Outcome
        fields = [
            "id",
            "visit",
            "kind",
            "reason",
            "note",
            "registered_by",
            "registered_at",
            "agreements",
            "followups",
        ]
        read_only_fields = ["id", "registered_by", "registered_at"]


class FollowUpDoneInput(serializers.Serializer):
    note = serializers.CharField(
        max_length=DONE_NOTE_MAX_LENGTH, allow_blank=True, required=False, default=""
    )


class AgreementFilledInput(serializers.Serializer):
    filled_positions = serializers.IntegerField(min_value=0)
    filled_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Required unless 0.")
    )


class MissingVisitSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)
    jobcentre_name = serializers.CharField(source="jobcentre.name", read_only=True)
    consultants = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "campaign",
            "track",
            "company",
            "company_name",
            "jobcentre",
            "jobcentre_name",
            "starts_at",
            "ends_at",
            "consultants",
        ]
        read_only_fields = fields

    def get_consultants(self, booking) -> list[int]:
        return [attendee.consultant_id for attendee in booking.active_attendees]


# --- Views -----------------------------------------------------------------------------------


class OutcomeAPIView(APIView):
    permission_classes = [HasRole]
    roles = (Role.CONSULTANT, Role.COORDINATOR, Role.AGENCY)


def _outcome_answer(outcome: Outcome) -> dict:
    outcome = (
        Outcome.objects.select_related("booking")
        .prefetch_related("agreements", "followups__owner", "followups__outcome__booking__company")
        .get(pk=outcome.pk)
    )
    return OutcomeSerializer(outcome).data


class VisitOutcome(OutcomeAPIView):
    def booking(self, pk: int) -> Booking:
        return get_object_or_404(bookings_for(self.request.user).select_related("campaign"), pk=pk)

    @extend_schema(
        tags=TAGS,
        responses={200: OutcomeSerializer, 404: OpenApiResponse(description="Not registered")},
        summary="The visit's outcome with its agreements and follow-ups",
    )
    def get(self, request: Request, pk: int) -> Response:
        booking = self.booking(pk)
        outcome = Outcome.objects.filter(booking=booking).first()
        if outcome is None:
            raise NotFound(_("No outcome has been registered for this visit."))
        return Response(_outcome_answer(outcome))

    @extend_schema(
        tags=TAGS,
        request=OutcomeSerializer,
        responses={
            201: OutcomeSerializer,
            400: OpenApiResponse(description="Refused, with field errors"),
            409: OpenApiResponse(description="Already registered, or the visit is not booked"),
        },
        summary="Register the visit's outcome, with its agreements and follow-ups",
    )
    def post(self, request: Request, pk: int) -> Response:
        """After the visit's start, once. Sets the visit's state to the outcome."""
        booking = self.booking(pk)
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        followups = values["followups"]
        if followups:
            default_owner = followup_default_owner(booking)
            default_due = followup_default_due(booking)
            followups = [
                {
                    "kind": row["kind"],
                    "description": row.get("description", ""),
                    "due_on": row.get("due_on", default_due),
                    "owner": row.get("owner_id", default_owner),
                }
                for row in followups
            ]
        outcome = outcome_register(
            actor=request.user,
            booking=booking,
            kind=values["kind"],
            reason=values["reason"],
            note=values["note"],
            agreements=[
                {"kind": row["kind"], "positions": row["positions"]} for row in values["agreements"]
            ],
            followups=followups,
        )
        return Response(_outcome_answer(outcome), status=status.HTTP_201_CREATED)


STATUS_PARAMETER = OpenApiParameter(
    "status",
    str,
    enum=[value for value, _label in FollowUpStatus.CHOICES],
    description="open (default), overdue, done or all",
)


@extend_schema(
    tags=TAGS,
    parameters=[
        STATUS_PARAMETER,
        OpenApiParameter("owner", int, description="Only this consultant's"),
        OpenApiParameter("mine", bool, description="Only the caller's own"),
        OpenApiParameter("jobcentre", int, description="Only this jobcentre's"),
    ],
    summary="Follow-ups, open ones by due date (overdue first)",
)
class FollowUpList(generics.ListAPIView):
    permission_classes = [HasRole]
    roles = (Role.CONSULTANT, Role.COORDINATOR, Role.AGENCY)
    serializer_class = FollowUpSerializer
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        owner_id = int_or_none(params.get("owner"))
        if params.get("mine") in ("1", "true", "True"):
            consultant = consultant_of(self.request.user)
            owner_id = consultant.pk if consultant else -1
        status_ = params.get("status", FollowUpStatus.OPEN)
        if status_ not in dict(FollowUpStatus.CHOICES):
            status_ = FollowUpStatus.OPEN
        return followups_filter(
            followups_for(self.request.user),
            status=status_,
            owner_id=owner_id,
            jobcentre_id=int_or_none(params.get("jobcentre")),
        )


class FollowUpDone(OutcomeAPIView):
    @extend_schema(
        tags=TAGS,
        request=FollowUpDoneInput,
        responses={200: FollowUpSerializer, 409: OpenApiResponse(description="Already done")},
        summary="Mark a follow-up done, with a note",
    )
    def post(self, request: Request, pk: int) -> Response:
        followup = get_object_or_404(followups_for(request.user), pk=pk)
        data = FollowUpDoneInput(data=request.data)
        data.is_valid(raise_exception=True)
        followup = followup_done(actor=request.user, followup=followup, **data.validated_data)
        return Response(FollowUpSerializer(followups_for(request.user).get(pk=followup.pk)).data)


class AgreementFilled(OutcomeAPIView):
    @extend_schema(
        tags=TAGS,
        request=AgreementFilledInput,
        responses=AgreementSerializer,
        summary="Record how many of an agreement's positions were filled, and when",
    )
    def post(self, request: Request, pk: int) -> Response:
        agreement = get_object_or_404(agreements_for(request.user), pk=pk)
        data = AgreementFilledInput(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = agreement_filled(actor=request.user, agreement=agreement, **data.validated_data)
        return Response(AgreementSerializer(agreement).data)


@extend_schema(
    tags=TAGS,
    parameters=[
        OpenApiParameter("consultant", int, description="Only this consultant's visits"),
        OpenApiParameter("mine", bool, description="Only the caller's own visits"),
        OpenApiParameter("jobcentre", int, description="Only this jobcentre's visits"),
    ],
    summary="Visits whose time has passed without an outcome, oldest first",
)
class OutcomesMissingList(generics.ListAPIView):
    permission_classes = [HasRole]
    roles = (Role.CONSULTANT, Role.COORDINATOR, Role.AGENCY)
    serializer_class = MissingVisitSerializer
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        consultant_id = int_or_none(params.get("consultant"))
        if params.get("mine") in ("1", "true", "True"):
            consultant = consultant_of(self.request.user)
            consultant_id = consultant.pk if consultant else -1
        return outcomes_missing_for(
            self.request.user,
            consultant_id=consultant_id,
            jobcentre_id=int_or_none(params.get("jobcentre")),
        )


urlpatterns = [
    path("visits/<int:pk>/outcome/", VisitOutcome.as_view(), name="api-visit-outcome"),
    path("followups/", FollowUpList.as_view(), name="api-followups"),
    path("followups/<int:pk>/done/", FollowUpDone.as_view(), name="api-followup-done"),
    path("agreements/<int:pk>/filled/", AgreementFilled.as_view(), name="api-agreement-filled"),
    path("outcomes-missing/", OutcomesMissingList.as_view(), name="api-outcomes-missing"),
]
