"""The company's self-service pages, at /visit/ (config/urls.py). No log-in: the token is
the key."""

from django.urls import path

from bookings import selfservice_views as views

app_name = "selfservice"

urlpatterns = [
    path("<str:token>/", views.visit, name="visit"),
    path("<str:token>/cancel/", views.visit_cancel, name="cancel"),
    path("<str:token>/move/", views.visit_move, name="move"),
]
