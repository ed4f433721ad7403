"""Pages for importing companies from a file, under /import/."""

from django.urls import path

from campaign import import_views

urlpatterns = [
    path("", import_views.upload, name="import-upload"),
    path("<int:pk>/", import_views.detail, name="import-detail"),
    path("<int:pk>/progress/", import_views.progress, name="import-progress"),
    path("<int:pk>/commit/", import_views.commit, name="import-commit"),
    path("<int:pk>/discard/", import_views.discard, name="import-discard"),
]
