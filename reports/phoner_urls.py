"""The phoner statistics page, at /reports/phoners/ (config/urls.py)."""

from django.urls import path

from reports import phoner_views

app_name = "phoner_reports"

urlpatterns = [
    path("", phoner_views.phoner_report, name="index"),
]
