"""Read API for campaigns and companies."""

from rest_framework import serializers, viewsets

from campaign.models import Campaign, Company
from campaign.queries import companies_for


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "starts_on",
            "ends_on",
            "min_notice_working_days",
            "max_horizon_days",
            "visit_minutes",
            "travel_buffer_minutes",
            "followup_due_days",
            "recontact_days",
        ]


class CompanySerializer(serializers.ModelSerializer):
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
            "municipality",
            "phone",
            "email",
            "contact_name",
            "contact_role",
            "last_jobcentre_cooperation",
            "do_not_contact",
        ]


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer


class CompanyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CompanySerializer
    filterset_fields = ["cvr", "municipality"]

    def get_queryset(self):
        return companies_for(self.request.user)
