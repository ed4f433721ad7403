"""The dashboards' endpoints under /api/v1/reports/ (included by config/api_urls.py)."""

from django.urls import path

from reports import api, evaluation_api

urlpatterns = [
    path("reports/table1/", api.Table1View.as_view(), name="api-reports-table1"),
    path("reports/funnel/", api.FunnelView.as_view(), name="api-reports-funnel"),
    path("reports/lead-time/", api.LeadTimeView.as_view(), name="api-reports-lead-time"),
    path("reports/outcomes/", api.OutcomesView.as_view(), name="api-reports-outcomes"),
    path("reports/followups/", api.FollowUpsView.as_view(), name="api-reports-followups"),
    path("reports/jobcentres/", api.JobcentresView.as_view(), name="api-reports-jobcentres"),
    path(
        "reports/evaluation/",
        evaluation_api.EvaluationView.as_view(),
        name="api-reports-evaluation",
    ),
]
