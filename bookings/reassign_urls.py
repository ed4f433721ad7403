"""The page for giving a visit to another consultant, under /visits/."""

from django.urls import path

from bookings import reassign_views as views

urlpatterns = [
    path("<int:pk>/reassign/", views.visit_reassign, name="visit-reassign"),
]
