"""The availability API under /api/v1/availability/: a consultant's working hours, absences
and visit caps, with the same services and permissions as the page."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from consultants import availability
from consultants.availability import WEEKDAY_KEYS
from consultants.models import Absence, Consultant
from consultants.permissions import HasRole
from consultants.roles import Role

KEEPERS = (Role.CONSULTANT, Role.COORDINATOR, Role.AGENCY)


# --- Serializers ---------------------------------------------------------------------------


class IntervalSerializer(serializers.Serializer):
    starts_at = serializers.TimeField(format="%H:%M", help_text="From, local time (HH:MM).")
    ends_at = serializers.TimeField(format="%H:%M", help_text="To, local time (HH:MM).")


class WeekSerializer(serializers.Serializer):
    """Per weekday the intervals worked; a weekday left out or empty is a day off."""

    monday = IntervalSerializer(many=True, required=False)
    tuesday = IntervalSerializer(many=True, required=False)
    wednesday = IntervalSerializer(many=True, required=False)
    thursday = IntervalSerializer(many=True, required=False)
    friday = IntervalSerializer(many=True, required=False)
    saturday = IntervalSerializer(many=True, required=False)
    sunday = IntervalSerializer(many=True, required=False)

    def week(self) -> availability.Week:
        data = self.validated_data
        return {
            day: [(i["starts_at"], i["ends_at"]) for i in data.get(key, [])]
            for day, key in enumerate(WEEKDAY_KEYS)
        }

    @staticmethod
    def from_week(week: availability.Week) -> dict:
        return {
            key: [
                {"starts_at": s.strftime("%H:%M"), "ends_at": e.strftime("%H:%M")}
                for s, e in week.get(day, [])
            ]
            for day, key in enumerate(WEEKDAY_KEYS)
        }


class CapsSerializer(serializers.Serializer):
    max_visits_per_day = serializers.IntegerField(
        min_value=1, max_value=availability.MAX_VISITS_PER_DAY
    )
    max_visits_per_week = serializers.IntegerField(
        min_value=1, max_value=availability.MAX_VISITS_PER_WEEK
    )


class AbsenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Absence
        fields = ["id", "consultant", "kind", "starts_at", "ends_at", "note"]
        read_only_fields = ["id", "consultant"]


class CollisionSerializer(serializers.Serializer):
    """A booked visit of the consultant inside the absence."""

    booking = serializers.IntegerField(source="booking_id")
    company = serializers.CharField(source="booking.company.name")
    starts_at = serializers.DateTimeField(source="booking.starts_at")
    ends_at = serializers.DateTimeField(source="booking.ends_at")
    role = serializers.CharField()


class AbsenceWithCollisionsSerializer(serializers.Serializer):
    absence = AbsenceSerializer()
    collisions = CollisionSerializer(many=True)


class AvailabilitySerializer(serializers.Serializer):
    consultant = serializers.IntegerField()
    name = serializers.CharField()
    working_hours = WeekSerializer()
    max_visits_per_day = serializers.IntegerField()
    max_visits_per_week = serializers.IntegerField()
    absences = AbsenceSerializer(
        many=True, help_text="Absences that have not ended yet, in order of start."
    )


# --- Views ---------------------------------------------------------------------------------


class _ConsultantView(APIView):
    permission_classes = [HasRole]
    roles = KEEPERS

    def consultant(self, pk: int) -> Consultant:
        # Consultants the user may not keep are not found (404), as on the page.
        return get_object_or_404(availability.editable_consultants(self.request.user), pk=pk)


@extend_schema(tags=["availability"])
class AvailabilityDetail(_ConsultantView):
    @extend_schema(
        responses=AvailabilitySerializer,
        summary="A consultant's working hours, caps and coming absences",
    )
    def get(self, request: Request, pk: int) -> Response:
        consultant = self.consultant(pk)
        absences = consultant.absences.filter(ends_at__gt=timezone.now()).order_by("starts_at")
        return Response(
            {
                "consultant": consultant.pk,
                "name": consultant.name,
                "working_hours": WeekSerializer.from_week(availability.week_of(consultant)),
                "max_visits_per_day": consultant.max_visits_per_day,
                "max_visits_per_week": consultant.max_visits_per_week,
                "absences": AbsenceSerializer(absences, many=True).data,
            }
        )


@extend_schema(tags=["availability"])
class WorkingHoursView(_ConsultantView):
    @extend_schema(responses=WeekSerializer, summary="A consultant's weekly working hours")
    def get(self, request: Request, pk: int) -> Response:
        return Response(WeekSerializer.from_week(availability.week_of(self.consultant(pk))))

    @extend_schema(
        request=WeekSerializer,
        responses=WeekSerializer,
        summary="Replace the weekly working hours (all weekdays at once)",
        description=(
            "Each interval must end after it starts; the intervals of one day must not "
            "overlap. Errors are given per weekday."
        ),
    )
    def put(self, request: Request, pk: int) -> Response:
        consultant = self.consultant(pk)
        data = WeekSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        week = availability.working_hours_set(
            actor=request.user, consultant=consultant, week=data.week()
        )
        return Response(WeekSerializer.from_week(week))


@extend_schema(tags=["availability"])
class CapsView(_ConsultantView):
    @extend_schema(responses=CapsSerializer, summary="The most visits a day and a week")
    def get(self, request: Request, pk: int) -> Response:
        return Response(CapsSerializer(self.consultant(pk)).data)

    @extend_schema(
        request=CapsSerializer,
        responses=CapsSerializer,
        summary="Set the most visits a day and a week",
    )
    def put(self, request: Request, pk: int) -> Response:
        consultant = self.consultant(pk)
        data = CapsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consultant = availability.visit_caps_set(
            actor=request.user,
            consultant=consultant,
            per_day=data.validated_data["max_visits_per_day"],
            per_week=data.validated_data["max_visits_per_week"],
        )
        return Response(CapsSerializer(consultant).data)


@extend_schema(tags=["availability"])
class AbsenceList(generics.ListAPIView):
    """A consultant's absences, newest first."""

    permission_classes = [HasRole]
    roles = KEEPERS
    serializer_class = AbsenceSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Absence.objects.none()
        consultant = get_object_or_404(
            availability.editable_consultants(self.request.user), pk=self.kwargs["pk"]
        )
        return consultant.absences.order_by("-starts_at", "-pk")

    @extend_schema(
        request=AbsenceSerializer,
        responses={201: AbsenceWithCollisionsSerializer},
        summary="Add an absence; the answer lists the booked visits it collides with",
    )
    def post(self, request: Request, pk: int) -> Response:
        consultant = get_object_or_404(availability.editable_consultants(request.user), pk=pk)
        data = AbsenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        created = availability.absence_create(
            actor=request.user,
            consultant=consultant,
            kind=values["kind"],
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            note=values.get("note", ""),
        )
        return Response(
            AbsenceWithCollisionsSerializer(
                {"absence": created.absence, "collisions": created.collisions}
            ).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["availability"])
class AbsenceDetail(APIView):
    permission_classes = [HasRole]
    roles = KEEPERS

    def absence(self, pk: int) -> Absence:
        return get_object_or_404(
            Absence.objects.select_related("consultant").filter(
                consultant__in=availability.editable_consultants(self.request.user)
            ),
            pk=pk,
        )

    @extend_schema(
        responses=AbsenceWithCollisionsSerializer,
        summary="One absence, with the booked visits it collides with",
    )
    def get(self, request: Request, pk: int) -> Response:
        absence = self.absence(pk)
        collisions = availability.collisions_of([absence])[absence.pk]
        return Response(
            AbsenceWithCollisionsSerializer({"absence": absence, "collisions": collisions}).data
        )

    @extend_schema(responses={204: None}, summary="Remove an absence")
    def delete(self, request: Request, pk: int) -> Response:
        availability.absence_delete(actor=request.user, absence=self.absence(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("availability/<int:pk>/", AvailabilityDetail.as_view(), name="api-availability"),
    path(
        "availability/<int:pk>/working-hours/",
        WorkingHoursView.as_view(),
        name="api-availability-working-hours",
    ),
    path("availability/<int:pk>/caps/", CapsView.as_view(), name="api-availability-caps"),
    path(
        "availability/<int:pk>/absences/",
        AbsenceList.as_view(),
        name="api-availability-absences",
    ),
    path(
        "availability/absences/<int:pk>/",
        AbsenceDetail.as_view(),
        name="api-availability-absence",
    ),
]
