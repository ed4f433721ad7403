"""Read API for the reference data and consultants."""

from rest_framework import serializers, viewsets

from consultants.models import Consultant, Jobcentre, RarArea
from consultants.queries import consultants_for


class RarAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = RarArea
        fields = ["id", "name", "position"]


class JobcentreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Jobcentre
        fields = ["id", "name", "rar_area", "email", "phone"]


class ConsultantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consultant
        fields = [
            "id",
            "name",
            "kind",
            "jobcentre",
            "email",
            "phone",
            "max_visits_per_day",
            "max_visits_per_week",
            "is_active",
        ]


class RarAreaViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = RarArea.objects.all()
    serializer_class = RarAreaSerializer


class JobcentreViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Jobcentre.objects.select_related("rar_area")
    serializer_class = JobcentreSerializer
    filterset_fields = ["rar_area"]


class ConsultantViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ConsultantSerializer
    filterset_fields = ["jobcentre", "kind", "is_active"]

    def get_queryset(self):
        return consultants_for(self.request.user)
