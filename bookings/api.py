"""Read API for visits."""

from rest_framework import serializers, viewsets

from bookings.models import Attendee, Booking
from bookings.queries import bookings_for


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


class BookingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookingSerializer
    filterset_fields = ["campaign", "track", "state", "jobcentre"]

    def get_queryset(self):
        return bookings_for(self.request.user).prefetch_related("attendees")
