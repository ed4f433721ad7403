"""The coordinator's API under /api/v1/: the overview of a jobcentre in a campaign, and
reassigning a visit to another consultant (who is free, and doing it). The same services,
definitions and permissions as the pages (bookings.overview_views, bookings.reassign)."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.api import BookingSerializer
from bookings.models import Booking, BookingState
from bookings.overview_views import choose, overview
from bookings.queries import bookings_for
from bookings.reassign import REASON_MAX_LENGTH, booking_reassign, reassign_candidates
from common.errors import ApplicationError, NotFound, PermissionDenied
from consultants.models import Consultant
from consultants.permissions import HasRole
from consultants.roles import Role, can_manage_jobcentre

# --- Overview --------------------------------------------------------------------------------


class OverviewRowSerializer(serializers.Serializer):
    consultant = serializers.IntegerField(allow_null=True, help_text="Null in the totals.")
    name = serializers.CharField()
    visits = serializers.IntegerField()
    booked = serializers.IntegerField()
    held = serializers.IntegerField(help_text="Held, held but short, held by phone.")
    cancelled = serializers.IntegerField(help_text="By the company or the jobcentre.")
    moved = serializers.IntegerField()
    no_show = serializers.IntegerField(help_text="The company's or the consultant's.")
    unacknowledged = serializers.IntegerField(
        help_text="Booked visits the consultant has not acknowledged."
    )
    outcome_missing = serializers.IntegerField(help_text="Still booked after they ended.")
    followups_overdue = serializers.IntegerField(help_text="Not done, due before today.")


class OverviewSerializer(serializers.Serializer):
    jobcentre = serializers.IntegerField()
    campaign = serializers.IntegerField()
    quota = serializers.IntegerField()
    quota_used = serializers.IntegerField()
    quota_left = serializers.IntegerField()
    states = serializers.DictField(
        child=serializers.IntegerField(), help_text="Visits per state, every state."
    )
    consultants = OverviewRowSerializer(many=True)
    totals = OverviewRowSerializer(
        help_text="Each visit once (a track-1 visit counts in two consultants' rows)."
    )


@extend_schema(
    tags=["overview"],
    parameters=[
        OpenApiParameter(
            "campaign",
            OpenApiTypes.INT,
            required=False,
            description="Default: the latest campaign the jobcentre takes part in.",
        )
    ],
    responses=OverviewSerializer,
    summary="A jobcentre's quota, visits by state and what needs chasing, per consultant",
)
class OverviewView(APIView):
    """Coordinators see their own jobcentre; agency staff any."""

    permission_classes = [HasRole]
    roles = (Role.COORDINATOR, Role.AGENCY)

    def get(self, request: Request, jobcentre: int) -> Response:
        jobcentre_, campaign, _choices = choose(
            request.user, str(jobcentre), request.query_params.get("campaign", "")
        )
        if campaign is None:
            raise NotFound(_("The jobcentre takes part in no campaign."))
        figures = overview(campaign=campaign, jobcentre=jobcentre_)
        data = {
            "jobcentre": jobcentre_.pk,
            "campaign": campaign.pk,
            "quota": figures.quota,
            "quota_used": figures.quota_used,
            "quota_left": figures.quota_left,
            "states": figures.states,
            "consultants": [row.as_dict() for row in figures.rows],
            "totals": figures.totals.as_dict(),
        }
        return Response(OverviewSerializer(data).data)


# --- Reassigning a visit ---------------------------------------------------------------------


class CandidateSerializer(serializers.Serializer):
    consultant = serializers.IntegerField(source="consultant.pk")
    name = serializers.CharField(source="consultant.name")
    is_current = serializers.BooleanField()
    is_free = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why the consultant cannot take it; empty: free.")


class CandidatesSerializer(serializers.Serializer):
    visit = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    changeable = serializers.BooleanField(help_text="Booked and not started: can be reassigned.")
    candidates = CandidateSerializer(many=True)


class ReassignSerializer(serializers.Serializer):
    consultant = serializers.IntegerField(help_text="The consultant to take the visit.")
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


@extend_schema(tags=["visits"])
class ReassignView(APIView):
    permission_classes = [HasRole]
    roles = (Role.COORDINATOR, Role.AGENCY)

    def booking(self, pk: int) -> Booking:
        booking = get_object_or_404(
            bookings_for(self.request.user).select_related("campaign", "company", "jobcentre"),
            pk=pk,
        )
        if not can_manage_jobcentre(self.request.user, booking.jobcentre_id):
            raise PermissionDenied()
        return booking

    @extend_schema(
        responses=CandidatesSerializer,
        summary="The jobcentre's consultants, and whether each is free at the visit's time",
    )
    def get(self, request: Request, pk: int) -> Response:
        booking = self.booking(pk)
        data = {
            "visit": booking.pk,
            "starts_at": booking.starts_at,
            "ends_at": booking.ends_at,
            "changeable": booking.state == BookingState.BOOKED
            and booking.starts_at > timezone.now(),
            "candidates": reassign_candidates(booking),
        }
        return Response(CandidatesSerializer(data).data)

    @extend_schema(
        request=ReassignSerializer,
        responses=BookingSerializer,
        summary="Give the visit to another consultant of the jobcentre",
        description=(
            "409 naming why when the consultant is not free then (another visit, away, "
            "outside working hours, the day's or week's maximum); 400 for someone outside "
            "the jobcentre or without a reason."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        booking = self.booking(pk)
        data = ReassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultant = Consultant.objects.filter(pk=data.validated_data["consultant"]).first()
        if consultant is None:
            message = _("No such consultant.")
            raise ApplicationError(message, field_errors={"consultant": [message]})
        booking = booking_reassign(
            actor=request.user,
            booking=booking,
            consultant=consultant,
            reason=data.validated_data["reason"],
        )
        return Response(BookingSerializer(Booking.objects.get(pk=booking.pk)).data)


urlpatterns = [
    path("overview/<int:jobcentre>/", OverviewView.as_view(), name="api-overview"),
    path("visits/<int:pk>/reassign/", ReassignView.as_view(), name="api-visit-reassign"),
]
