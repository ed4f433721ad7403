"""The visits API."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from bookings.models import Attendee, Booking
from bookings.queries import bookings_for
from bookings.services import SlotUnavailable, booking_create_for
from campaign.models import Campaign, Company, Track


class AttendeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendee
        fields = ["consultant", "role", "is_active", "acknowledged_at"]


class BookingSerializer(serializers.ModelSerializer):
    attendees = AttendeeSerializer(many=True, read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "campaign",
            "track",
            "company",
            "jobcentre",
            "starts_at",
            "ends_at",
            "state",
            "location",
            "booked_at",
            "attendees",
        ]


class BookingCreateInput(serializers.Serializer):
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all())
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.select_related("municipality__jobcentre")
    )
    track = serializers.ChoiceField(choices=Track.choices)
    starts_at = serializers.DateTimeField()
    consultant = serializers.IntegerField(required=False)


class BookingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookingSerializer
    filterset_fields = ["campaign", "track", "state", "jobcentre"]

    def get_queryset(self):
        return bookings_for(self.request.user).prefetch_related("attendees")

    @extend_schema(request=BookingCreateInput, responses={201: BookingSerializer})
    def create(self, request):
        """Book a visit outside a call list: phoners and agency staff for any company,
        a coordinator for companies of their own jobcentre. 409 with fresh times when the
        time is taken."""
        data = BookingCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            booking = booking_create_for(
                actor=request.user,
                campaign=data.validated_data["campaign"],
                company=data.validated_data["company"],
                track=data.validated_data["track"],
                starts_at=data.validated_data["starts_at"],
                consultant_id=data.validated_data.get("consultant"),
            )
        except SlotUnavailable as taken:
            offers = [o.starts_at for o in taken.search.offers[:50]]
            return Response(
                {"detail": str(taken.message), "free_times": offers},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)
