"""The survey results page and its export, at /surveys/results/ (config/urls.py)."""

from django.urls import path

from surveys import results_views

app_name = "survey_results"

urlpatterns = [
    path("", results_views.results_page, name="index"),
    path("export/", results_views.results_export, name="export"),
]
