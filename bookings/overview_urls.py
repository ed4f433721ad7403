"""The coordinator's overview and the lists behind its figures, under /overview/."""

from django.urls import path

from bookings import overview_views as views

urlpatterns = [
    path("", views.overview_page, name="coordinator-overview"),
    path(
        "<int:jobcentre>/<int:campaign>/<slug:figure>/",
        views.overview_list,
        name="overview-list",
    ),
]
