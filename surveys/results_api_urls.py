"""Survey results and survey definitions under /api/v1/ (config/api_urls.py)."""

from django.urls import path

from surveys import results_api

urlpatterns = [
    path("survey-results/", results_api.SurveyResultsView.as_view(), name="api-survey-results"),
    path(
        "survey-results/comments/",
        results_api.SurveyCommentsView.as_view(),
        name="api-survey-results-comments",
    ),
    path(
        "survey-results/export/",
        results_api.SurveyExportView.as_view(),
        name="api-survey-results-export",
    ),
    path("surveys/", results_api.SurveyDefinitionListView.as_view(), name="api-survey-list"),
    path(
        "surveys/<int:pk>/",
        results_api.SurveyDefinitionDetailView.as_view(),
        name="api-survey-detail",
    ),
    path(
        "surveys/<int:pk>/new-version/",
        results_api.SurveyNewVersionView.as_view(),
        name="api-survey-new-version",
    ),
]
