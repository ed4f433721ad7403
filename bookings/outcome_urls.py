"""Outcome pages, under /visits/."""

from django.urls import path

from bookings import outcome_views

urlpatterns = [
    path("<int:pk>/outcome/", outcome_views.visit_outcome, name="visit-outcome"),
    path("followups/", outcome_views.followup_list, name="followups"),
    path("followups/<int:pk>/done/", outcome_views.followup_done_view, name="followup-done"),
    path(
        "agreements/<int:pk>/filled/",
        outcome_views.agreement_filled_view,
        name="agreement-filled",
    ),
    path("outcomes-missing/", outcome_views.outcomes_missing, name="outcomes-missing"),
]
