"""Pages for accepting campaigns and vetting call lists, under /vetting/."""

from django.urls import path

from campaign import vetting_views as views

app_name = "vetting"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("participations/<int:pk>/", views.participation_detail, name="participation"),
    path(
        "participations/<int:pk>/accept/",
        views.participation_accept,
        name="participation-accept",
    ),
    path(
        "participations/<int:pk>/quota/",
        views.participation_quota,
        name="participation-quota",
    ),
    path("lists/<int:pk>/", views.call_list_detail, name="call-list"),
    path("lists/<int:pk>/entries/<int:entry_pk>/vet/", views.entry_vet, name="entry-vet"),
    path("lists/<int:pk>/vet/", views.entries_bulk_vet, name="bulk-vet"),
    path("lists/<int:pk>/release/", views.call_list_release, name="release"),
    path("lists/<int:pk>/deadline/", views.call_list_deadline, name="deadline"),
]
