"""Pages for a consultant's working hours, absences and visit caps, under /availability/."""

from django.urls import path

from consultants import availability_views as views

urlpatterns = [
    path("", views.availability_page, name="availability"),
    path("<int:consultant_pk>/hours/", views.working_hours_save, name="availability-hours"),
    path("<int:consultant_pk>/caps/", views.caps_save, name="availability-caps"),
    path(
        "<int:consultant_pk>/absences/",
        views.absence_add,
        name="availability-absence-create",
    ),
    path(
        "absences/<int:pk>/delete/",
        views.absence_remove,
        name="availability-absence-delete",
    ),
]
