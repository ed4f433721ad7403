"""All REST resources under /api/v1/, one router for the project."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from bookings.api import BookingViewSet
from campaign.api import CampaignViewSet, CompanyViewSet
from consultants.api import ConsultantViewSet, JobcentreViewSet, RarAreaViewSet

router = DefaultRouter()
router.register("rar-areas", RarAreaViewSet, basename="rar-area")
router.register("jobcentres", JobcentreViewSet, basename="jobcentre")
router.register("consultants", ConsultantViewSet, basename="consultant")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("companies", CompanyViewSet, basename="company")
router.register("bookings", BookingViewSet, basename="booking")

urlpatterns = [
    *router.urls,
    path("", include("campaign.import_api")),
    path("", include("campaign.vetting_api")),
    path("", include("bookings.workspace_api")),
    path("", include("bookings.selfservice_api")),
    path("", include("surveys.api_urls")),
    path("", include("surveys.results_api_urls")),
    path("", include("reports.phoner_api")),
    path("", include("reports.api_urls")),
    path("", include("bookings.visit_api")),
    path("", include("bookings.outcome_api")),
    path("", include("consultants.availability_api")),
    path("", include("bookings.overview_api")),
]
