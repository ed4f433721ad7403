from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("config.api_urls")),
    path("import/", include("campaign.import_urls")),
    path("vetting/", include("campaign.vetting_urls")),
    path("workspace/", include("bookings.workspace_urls")),
    path("visit/", include("bookings.selfservice_urls")),
    path("survey/", include("surveys.urls")),
    path("surveys/results/", include("surveys.results_urls")),
    path("reports/phoners/", include("reports.phoner_urls")),
    path("reports/", include("reports.urls")),
    path("visits/", include("bookings.visit_urls")),
    path("visits/", include("bookings.outcome_urls")),
    path("visits/", include("bookings.reassign_urls")),
    path("availability/", include("consultants.availability_urls")),
    path("overview/", include("bookings.overview_urls")),
    path("calendar/", include("bookings.feed_urls")),
]
