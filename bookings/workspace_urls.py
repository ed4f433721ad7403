from django.urls import path

from bookings import workspace_views as views

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("next/", views.next_company, name="workspace-next"),
    path("search/", views.search, name="workspace-search"),
    path("entry/<int:pk>/", views.entry_card, name="workspace-entry"),
    path("entry/<int:pk>/slots/", views.entry_slots, name="workspace-slots"),
    path("entry/<int:pk>/call/", views.entry_call, name="workspace-call"),
    path("entry/<int:pk>/book/", views.entry_book, name="workspace-book"),
    path("entry/<int:pk>/skip/", views.entry_skip, name="workspace-skip"),
]
