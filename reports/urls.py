"""The agency's dashboards, at /reports/ (config/urls.py). The phoner statistics keep their
own /reports/phoners/ (reports.phoner_urls)."""

from django.urls import path

from reports import evaluation_views, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("table1/", views.table1_page, name="table1"),
    path("funnel/", views.funnel_page, name="funnel"),
    path("lead-time/", views.leadtime_page, name="lead-time"),
    path("outcomes/", views.outcomes_page, name="outcomes"),
    path("followups/", views.followups_page, name="followups"),
    path("jobcentres/", views.jobcentres_page, name="jobcentres"),
    path("visits/", views.visits_page, name="visits"),
    path("evaluation/", evaluation_views.evaluation_page, name="evaluation"),
    path("evaluation.pdf", evaluation_views.evaluation_pdf, name="evaluation-pdf"),
]
