"""Outcome pages, under /visits/."""

from django.urls import path

from bookings import followup_views, outcome_views

urlpatterns = [
    path("<int:pk>/outcome/", outcome_views.visit_outcome, name="visit-outcome"),
    path("followups/", followup_views.followup_list, name="followups"),
    path("followups/<int:pk>/done/", followup_views.followup_done_view, name="followup-done"),
    path(
        "agreements/<int:pk>/filled/",
        followup_views.agreement_filled_view,
        name="agreement-filled",
    ),
    path("outcomes-missing/", followup_views.outcomes_missing, name="outcomes-missing"),
]
