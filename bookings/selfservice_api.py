"""The company's self-service link as an API, under /api/v1/self-service/{token}/: the same
token rules, services and rate limit as the pages (bookings.selfservice_views). No log-in
and no session: the token is the only credential, so there is no CSRF to check either."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.utils.decorators import method_decorator
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.changes import booking_cancel, booking_move
from bookings.models import Booking
from bookings.selfservice import RATE_SCOPE, link_resolve, move_options, visit_attendees
from bookings.services import SlotUnavailable
from common.ratelimit import ratelimit

TAG = "self-service"
TOKEN = OpenApiParameter(
    "token",
    str,
    OpenApiParameter.PATH,
    description="The token from the company's e-mail (the last part of its /visit/ link).",
)


class SelfServiceErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class SelfServicePersonSerializer(serializers.Serializer):
    name = serializers.CharField(source="consultant.name")
    role = serializers.CharField(help_text="local (jobcentre consultant) or jobservice")


class SelfServiceVisitSerializer(serializers.ModelSerializer):
    company = serializers.CharField(source="company.name")
    jobcentre = serializers.CharField(source="jobcentre.name")
    consultants = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "starts_at",
            "ends_at",
            "state",
            "location",
            "track",
            "company",
            "contact_name",
            "jobcentre",
            "consultants",
        ]

    @extend_schema_field(SelfServicePersonSerializer(many=True))
    def get_consultants(self, booking: Booking) -> list:
        return SelfServicePersonSerializer(visit_attendees(booking), many=True).data


class SelfServiceSlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class SelfServiceSlotsSerializer(serializers.Serializer):
    same_consultant = serializers.BooleanField(
        help_text="True: the times keep the visit's consultant. False: that consultant has "
        "no other free time, and another consultant would come."
    )
    slots = SelfServiceSlotSerializer(many=True)


class SelfServiceCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=Booking._meta.get_field("cancel_reason").max_length,
        help_text="Why the company cancels.",
    )


class SelfServiceCancelledSerializer(serializers.Serializer):
    state = serializers.CharField()


class SelfServiceMoveSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="One of the times from .../slots/.")


class SelfServiceMovedSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The new link's token; the old one stops working now.")
    visit = SelfServiceVisitSerializer()


class SelfServiceSlotTakenSerializer(SelfServiceErrorSerializer):
    slots = SelfServiceSlotSerializer(many=True)


LINK_ERRORS = {
    404: OpenApiResponse(SelfServiceErrorSerializer, description="No such link."),
    410: OpenApiResponse(
        SelfServiceErrorSerializer,
        description="The link no longer works: the visit started, was cancelled or moved.",
    ),
    429: OpenApiResponse(
        SelfServiceErrorSerializer, description="Too many requests from this address."
    ),
}


@method_decorator([login_not_required, ratelimit(RATE_SCOPE, json=True)], name="dispatch")
class SelfServiceView(APIView):
    """Base: anyone with a token; no authentication, no session."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class VisitView(SelfServiceView):
    """When, who and where: the visit the company's link opens."""

    @extend_schema(
        operation_id="self_service_visit",
        tags=[TAG],
        parameters=[TOKEN],
        responses={200: SelfServiceVisitSerializer, **LINK_ERRORS},
        summary="The company's visit: when, who and where",
    )
    def get(self, request, token: str):
        booking = link_resolve(token=token).booking
        return Response(SelfServiceVisitSerializer(booking).data)


class CancelView(SelfServiceView):
    """Cancel the visit on the company's behalf. The consultants are told and the link
    stops working."""

    @extend_schema(
        operation_id="self_service_cancel",
        tags=[TAG],
        parameters=[TOKEN],
        request=SelfServiceCancelSerializer,
        responses={
            200: SelfServiceCancelledSerializer,
            400: OpenApiResponse(description='Field errors: {"reason": ["..."]}.'),
            **LINK_ERRORS,
        },
        summary="Cancel the visit, with a reason",
    )
    def post(self, request, token: str):
        link = link_resolve(token=token)
        serializer = SelfServiceCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = booking_cancel(
            actor=None,
            booking=link.booking,
            by="company",
            reason=serializer.validated_data["reason"],
        )
        return Response({"state": booking.state})


class SlotsView(SelfServiceView):
    """The free times inside the booking window the visit can move to."""

    @extend_schema(
        operation_id="self_service_slots",
        tags=[TAG],
        parameters=[TOKEN],
        responses={200: SelfServiceSlotsSerializer, **LINK_ERRORS},
        summary="The times the visit can move to",
        description="Free times inside the booking window at which the visit's consultant "
        "can come; when that consultant has none, every free time.",
    )
    def get(self, request, token: str):
        booking = link_resolve(token=token).booking
        options = move_options(booking=booking)
        return Response(
            SelfServiceSlotsSerializer(
                {"same_consultant": options.same_consultant, "slots": options.offers}
            ).data
        )


class MoveView(SelfServiceView):
    """Move the visit to one of the free times. The answer holds the new link's token; the
    old link stops working."""

    @extend_schema(
        operation_id="self_service_move",
        tags=[TAG],
        parameters=[TOKEN],
        request=SelfServiceMoveSerializer,
        responses={
            200: SelfServiceMovedSerializer,
            400: OpenApiResponse(description='Field errors: {"starts_at": ["..."]}.'),
            409: OpenApiResponse(
                SelfServiceSlotTakenSerializer,
                description="The time is not free; the times free now.",
            ),
            **LINK_ERRORS,
        },
        summary="Move the visit to another free time",
    )
    def post(self, request, token: str):
        link = link_resolve(token=token)
        serializer = SelfServiceMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            new = booking_move(
                actor=None, booking=link.booking, starts_at=serializer.validated_data["starts_at"]
            )
        except SlotUnavailable as exc:
            options = move_options(booking=link.booking)
            body = {"detail": str(exc.message), "slots": options.offers}
            return Response(SelfServiceSlotTakenSerializer(body).data, status=exc.status_code)
        return Response(
            {"token": new.self_service_token, "visit": SelfServiceVisitSerializer(new).data}
        )


urlpatterns = [
    path("self-service/<str:token>/", VisitView.as_view(), name="selfservice-api-visit"),
    path(
        "self-service/<str:token>/cancel/",
        CancelView.as_view(),
        name="selfservice-api-cancel",
    ),
    path("self-service/<str:token>/slots/", SlotsView.as_view(), name="selfservice-api-slots"),
    path("self-service/<str:token>/move/", MoveView.as_view(), name="selfservice-api-move"),
]
