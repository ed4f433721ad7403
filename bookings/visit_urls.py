"""The consultants' pages about visits, at /visits/ (config/urls.py)."""

from django.urls import path

from bookings import visit_views as views

urlpatterns = [
    path("<int:pk>/", views.detail, name="visit-detail"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="visit-acknowledge"),
    path("<int:pk>/move/", views.move, name="visit-move"),
    path("<int:pk>/cancel/", views.cancel, name="visit-cancel"),
    path("unacknowledged/", views.unacknowledged, name="visits-unacknowledged"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/events/", views.events, name="calendar-events"),
    path("calendar/feed/rotate/", views.feed_rotate, name="calendar-feed-rotate"),
    path("calendar/feed/revoke/", views.feed_revoke, name="calendar-feed-revoke"),
]
