"""The consultants' secret calendar subscriptions, at /calendar/ (config/urls.py). No
log-in: the token in the address is the key (bookings.feed)."""

from django.urls import path

from bookings import visit_views as views

urlpatterns = [
    path("<str:token>.ics", views.feed, name="calendar-feed"),
]
