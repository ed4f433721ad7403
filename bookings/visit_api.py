"""The consultants' visits and calendars as an API, under /api/v1/: a visit with its
history and messages; acknowledge, move and cancel it; the unacknowledged visits; the
calendar's events; and the calendar-feed link. The same services (bookings.visits,
bookings.history, bookings.acknowledgement, bookings.calendar, bookings.changes) and
scoping (bookings_for) as the pages: another jobcentre's visits and consultants are 404,
phoners are refused (403)."""

from auditlog.context import auditlog_value
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.acknowledgement import attendee_acknowledge, unacknowledged_for
from bookings.calendar import (
    calendar_events,
    calendar_range,
    calendar_scope,
    feed_token_revoke,
    feed_token_rotate,
    feed_url,
)
from bookings.changes import booking_cancel
from bookings.history import VisitOverview, visit_overview
from bookings.models import Attendee, Booking
from bookings.selfservice import move_options
from bookings.services import SlotUnavailable
from bookings.visits import REASON_MAX_LENGTH, STAFF, visit_move, visit_url, visits_for
from campaign.models import Company
from common.errors import NotFound
from consultants.permissions import HasRole
from consultants.roles import Role

TAGS = ["visits"]
CALENDAR_TAGS = ["calendar"]

# --- Serializers -----------------------------------------------------------------------------


class VisitErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class VisitCompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "cvr", "name", "address", "postcode", "city"]


class VisitAttendeeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="consultant.name", read_only=True)

    class Meta:
        model = Attendee
        fields = ["id", "consultant", "name", "role", "is_active", "acknowledged_at"]
        read_only_fields = fields


class VisitHistoryItemSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(help_text="Who made the change.")
    action = serializers.CharField(help_text="What changed, in the user's language.")
    reason = serializers.CharField(allow_blank=True, help_text="Why, where one was given.")
    booking = serializers.IntegerField(
        source="booking_id", allow_null=True, help_text="The booking of the chain it concerns."
    )


class VisitMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    to_email = serializers.EmailField()
    to_name = serializers.CharField(allow_blank=True)
    due_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    state = serializers.CharField(help_text="pending, sending, sent, cancelled or failed.")


class VisitDetailSerializer(serializers.ModelSerializer):
    """A visit as the visit page shows it. `history` is newest first and covers the whole
    chain of moves; `chain` lists the chain's bookings, first booking first."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    company = VisitCompanySerializer(read_only=True)
    jobcentre_name = serializers.CharField(source="jobcentre.name", read_only=True)
    booked_by_name = serializers.SerializerMethodField()
    call_list_name = serializers.SerializerMethodField()
    replaced_by = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    chain = serializers.SerializerMethodField()
    attendees = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    can_acknowledge = serializers.SerializerMethodField()
    can_change = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "campaign",
            "track",
            "state",
            "state_label",
            "starts_at",
            "ends_at",
            "location",
            "contact_name",
            "contact_phone",
            "contact_email",
            "company",
            "jobcentre",
            "jobcentre_name",
            "booked_at",
            "booked_by",
            "booked_by_name",
            "call_list",
            "call_list_name",
            "cancel_reason",
            "replaces",
            "replaced_by",
            "url",
            "chain",
            "attendees",
            "history",
            "messages",
            "can_acknowledge",
            "can_change",
        ]
        read_only_fields = fields

    @property
    def overview(self) -> VisitOverview:
        return self.context["overview"]

    def get_booked_by_name(self, booking) -> str:
        user = booking.booked_by
        return (user.get_full_name() or user.username) if user else ""

    def get_call_list_name(self, booking) -> str:
        return str(booking.call_list) if booking.call_list_id else ""

    def get_replaced_by(self, booking) -> int | None:
        following = [b for b in self.overview.chain if b.replaces_id == booking.pk]
        return following[0].pk if following else None

    def get_url(self, booking) -> str:
        return visit_url(booking)

    def get_chain(self, booking) -> list[int]:
        return [b.pk for b in self.overview.chain]

    @extend_schema_field(VisitAttendeeSerializer(many=True))
    def get_attendees(self, booking) -> list[dict]:
        return VisitAttendeeSerializer(self.overview.attendees, many=True).data

    @extend_schema_field(VisitHistoryItemSerializer(many=True))
    def get_history(self, booking) -> list[dict]:
        return VisitHistoryItemSerializer(self.overview.history, many=True).data

    @extend_schema_field(VisitMessageSerializer(many=True))
    def get_messages(self, booking) -> list[dict]:
        return VisitMessageSerializer(self.overview.messages, many=True).data

    def get_can_acknowledge(self, booking) -> bool:
        return self.overview.can_acknowledge

    def get_can_change(self, booking) -> bool:
        return self.overview.can_change


class VisitSlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class VisitSlotsSerializer(serializers.Serializer):
    same_consultant = serializers.BooleanField(
        help_text="True: the times keep the visit's consultant. False: that consultant has no "
        "other free time, and another consultant would take the visit."
    )
    slots = VisitSlotSerializer(many=True)


class VisitSlotTakenSerializer(VisitErrorSerializer):
    slots = VisitSlotSerializer(many=True)


class VisitMoveSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="One of the times from .../slots/.")
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, help_text="Why the visit is moved (kept in its history)."
    )


class VisitCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, help_text="Why the jobcentre cancels; the company is told."
    )


class UnacknowledgedVisitSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)
    jobcentre_name = serializers.CharField(source="jobcentre.name", read_only=True)
    waiting_for = serializers.SerializerMethodField(
        help_text="The attendees who have not acknowledged the visit."
    )

    class Meta:
        model = Booking
        fields = [
            "id",
            "booked_at",
            "starts_at",
            "ends_at",
            "track",
            "company",
            "company_name",
            "jobcentre",
            "jobcentre_name",
            "waiting_for",
        ]
        read_only_fields = fields

    @extend_schema_field(VisitAttendeeSerializer(many=True))
    def get_waiting_for(self, booking) -> list[dict]:
        waiting = [a for a in booking.active_attendees if a.acknowledged_at is None]
        return VisitAttendeeSerializer(waiting, many=True).data


class CalendarEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The visit (booking) id.")
    url = serializers.CharField(help_text="The visit page.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    company = serializers.CharField()
    cvr = serializers.CharField()
    address = serializers.CharField(allow_blank=True)
    contact_name = serializers.CharField(allow_blank=True)
    contact_phone = serializers.CharField(allow_blank=True)
    contact_email = serializers.CharField(allow_blank=True)
    track = serializers.CharField(help_text="1 or 2.")
    track_label = serializers.CharField()
    state = serializers.CharField(help_text="The booking's state (see BookingStateEnum).")
    state_label = serializers.CharField()
    marker = serializers.CharField(help_text="A symbol for the state, besides its colour.")
    colour = serializers.CharField(
        help_text="By state for one consultant; by consultant for everyone's."
    )
    consultants = serializers.ListField(child=serializers.CharField())
    consultant_ids = serializers.ListField(child=serializers.IntegerField())
    acknowledged = serializers.BooleanField()


class CalendarFeedInputSerializer(serializers.Serializer):
    consultant = serializers.IntegerField(
        required=False,
        help_text="Whose link: default one's own. Coordinators: a consultant of their "
        "jobcentre; agency staff: anyone.",
    )


class CalendarFeedLinkSerializer(serializers.Serializer):
    consultant = serializers.IntegerField()
    url = serializers.CharField(
        help_text="The secret iCalendar address; shown only now. Earlier links stop working."
    )


class CalendarFeedRevokedSerializer(serializers.Serializer):
    consultant = serializers.IntegerField()
    revoked = serializers.BooleanField(help_text="False: there was no link.")


# --- Views -----------------------------------------------------------------------------------

NOT_FOUND = OpenApiResponse(VisitErrorSerializer, description="Not found, or not yours to see.")


class VisitAPIView(APIView):
    permission_classes = [HasRole]
    roles = STAFF

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The audit log's middleware runs before DRF authenticates, so a request signed in
        # by HTTP Basic would be logged without its actor: name it now.
        context = auditlog_value.get(None)
        if context is not None and context.get("actor") is None and request.user.is_authenticated:
            context["actor"] = request.user

    def visit(self, request, pk: int) -> Booking:
        return get_object_or_404(visits_for(request.user), pk=pk)


def _detail(request, booking: Booking) -> dict:
    booking = visits_for(request.user).get(pk=booking.pk)
    overview = visit_overview(user=request.user, booking=booking)
    return VisitDetailSerializer(booking, context={"overview": overview}).data


class VisitDetailView(VisitAPIView):
    @extend_schema(
        operation_id="visit_detail",
        tags=TAGS,
        responses={200: VisitDetailSerializer, 404: NOT_FOUND},
        summary="A visit with its attendees, history and messages",
    )
    def get(self, request, pk: int):
        return Response(_detail(request, self.visit(request, pk)))


class VisitAcknowledgeView(VisitAPIView):
    @extend_schema(
        operation_id="visit_acknowledge",
        tags=TAGS,
        request=None,
        responses={
            200: VisitAttendeeSerializer,
            403: OpenApiResponse(VisitErrorSerializer, description="You do not attend it."),
            404: NOT_FOUND,
        },
        summary="Acknowledge the visit (an attendee; doing it again changes nothing)",
    )
    def post(self, request, pk: int):
        attendee = attendee_acknowledge(actor=request.user, booking=self.visit(request, pk))
        return Response(VisitAttendeeSerializer(attendee).data)


class VisitSlotsView(VisitAPIView):
    @extend_schema(
        operation_id="visit_slots",
        tags=TAGS,
        responses={200: VisitSlotsSerializer, 404: NOT_FOUND},
        summary="The free times the visit can move to",
    )
    def get(self, request, pk: int):
        options = move_options(booking=self.visit(request, pk))
        return Response(
            VisitSlotsSerializer(
                {"same_consultant": options.same_consultant, "slots": options.offers}
            ).data
        )


class VisitMoveView(VisitAPIView):
    @extend_schema(
        operation_id="visit_move",
        tags=TAGS,
        request=VisitMoveSerializer,
        responses={
            200: OpenApiResponse(VisitDetailSerializer, description="The visit at its new time."),
            400: OpenApiResponse(description='Field errors: {"reason": ["..."]}.'),
            404: NOT_FOUND,
            409: OpenApiResponse(
                VisitSlotTakenSerializer,
                description="The time is not free (the times free now), or the visit can "
                "no longer change.",
            ),
        },
        summary="Move the visit to another free time, with a reason",
    )
    def post(self, request, pk: int):
        booking = self.visit(request, pk)
        data = VisitMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            new = visit_move(
                actor=request.user,
                booking=booking,
                starts_at=data.validated_data["starts_at"],
                reason=data.validated_data["reason"],
            )
        except SlotUnavailable as exc:
            options = move_options(booking=booking)
            body = {"detail": str(exc.message), "slots": options.offers}
            return Response(VisitSlotTakenSerializer(body).data, status=exc.status_code)
        return Response(_detail(request, new))


class VisitCancelView(VisitAPIView):
    @extend_schema(
        operation_id="visit_cancel",
        tags=TAGS,
        request=VisitCancelSerializer,
        responses={
            200: VisitDetailSerializer,
            400: OpenApiResponse(description='Field errors: {"reason": ["..."]}.'),
            404: NOT_FOUND,
            409: OpenApiResponse(VisitErrorSerializer, description="No longer booked."),
        },
        summary="Cancel the visit on the jobcentre's behalf, with a reason",
    )
    def post(self, request, pk: int):
        booking = self.visit(request, pk)
        data = VisitCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = booking_cancel(
            actor=request.user,
            booking=booking,
            by="jobcentre",
            reason=data.validated_data["reason"],
        )
        return Response(_detail(request, booking))


class UnacknowledgedList(generics.ListAPIView):
    """Booked visits not over yet that an attendee has not acknowledged, the oldest
    booking first: a coordinator's jobcentre, or everything for agency staff."""

    permission_classes = [HasRole]
    roles = (Role.COORDINATOR, Role.AGENCY)
    serializer_class = UnacknowledgedVisitSerializer
    filter_backends: list = []

    def get_queryset(self):
        return unacknowledged_for(self.request.user)

    @extend_schema(operation_id="visits_unacknowledged", tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CalendarEventsView(VisitAPIView):
    @extend_schema(
        operation_id="calendar_events",
        tags=CALENDAR_TAGS,
        parameters=[
            OpenApiParameter(
                "start", str, description="ISO 8601 date or time (default: this Monday)."
            ),
            OpenApiParameter(
                "end", str, description="ISO 8601, at most 100 days on (default: a week on)."
            ),
            OpenApiParameter(
                "consultant",
                str,
                description="A consultant id, 'all' (coordinators and agency staff: everyone "
                "side by side), or empty for one's own calendar.",
            ),
        ],
        responses={
            200: CalendarEventSerializer(many=True),
            400: OpenApiResponse(VisitErrorSerializer, description="Bad start or end."),
            404: NOT_FOUND,
        },
        summary="The visits in a calendar between two times",
    )
    def get(self, request):
        scope = calendar_scope(request.user, request.query_params.get("consultant"))
        start, end = calendar_range(
            request.query_params.get("start"), request.query_params.get("end")
        )
        found = calendar_events(user=request.user, scope=scope, start=start, end=end)
        return Response(CalendarEventSerializer(found, many=True).data)


def _feed_consultant(request):
    data = CalendarFeedInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    scope = calendar_scope(request.user, data.validated_data.get("consultant"))
    if scope.selected is None:
        raise NotFound(_("No such calendar."))
    return scope.selected


class CalendarFeedRotateView(VisitAPIView):
    @extend_schema(
        operation_id="calendar_feed_rotate",
        tags=CALENDAR_TAGS,
        request=CalendarFeedInputSerializer,
        responses={201: CalendarFeedLinkSerializer, 404: NOT_FOUND},
        summary="Make a new secret calendar link (the old one stops working)",
    )
    def post(self, request):
        consultant = _feed_consultant(request)
        token = feed_token_rotate(actor=request.user, consultant=consultant)
        response = Response(
            {"consultant": consultant.pk, "url": feed_url(token)}, status=status.HTTP_201_CREATED
        )
        response["Cache-Control"] = "no-store"
        return response


class CalendarFeedRevokeView(VisitAPIView):
    @extend_schema(
        operation_id="calendar_feed_revoke",
        tags=CALENDAR_TAGS,
        request=CalendarFeedInputSerializer,
        responses={200: CalendarFeedRevokedSerializer, 404: NOT_FOUND},
        summary="Switch the calendar link off",
    )
    def post(self, request):
        consultant = _feed_consultant(request)
        revoked = feed_token_revoke(actor=request.user, consultant=consultant)
        return Response({"consultant": consultant.pk, "revoked": revoked})


urlpatterns = [
    path("visits/<int:pk>/", VisitDetailView.as_view(), name="api-visit-detail"),
    path(
        "visits/<int:pk>/acknowledge/",
        VisitAcknowledgeView.as_view(),
        name="api-visit-acknowledge",
    ),
    path("visits/<int:pk>/slots/", VisitSlotsView.as_view(), name="api-visit-slots"),
    path("visits/<int:pk>/move/", VisitMoveView.as_view(), name="api-visit-move"),
    path("visits/<int:pk>/cancel/", VisitCancelView.as_view(), name="api-visit-cancel"),
    path(
        "visits/unacknowledged/",
        UnacknowledgedList.as_view(),
        name="api-visits-unacknowledged",
    ),
    path("calendar/events/", CalendarEventsView.as_view(), name="api-calendar-events"),
    path(
        "calendar/feed/rotate/",
        CalendarFeedRotateView.as_view(),
        name="api-calendar-feed-rotate",
    ),
    path(
        "calendar/feed/revoke/",
        CalendarFeedRevokeView.as_view(),
        name="api-calendar-feed-revoke",
    ),
]
