from django.db.models import Q, QuerySet

from bookings.models import Booking
from consultants.roles import Role, consultant_of, has_role, is_agency, jobcentre_q


def bookings_for(user) -> QuerySet[Booking]:
    """Visits the user may see. Agency: all. Coordinators and jobcentre consultants: their
    jobcentre's. Jobservice representatives: the visits they attend. Phoners: the visits
    they booked."""
    queryset = Booking.objects.select_related("company", "jobcentre", "campaign")
    if is_agency(user):
        return queryset
    scope = jobcentre_q(user)
    consultant = consultant_of(user)
    if consultant is not None:
        scope |= Q(attendees__consultant=consultant)
    if has_role(user, Role.PHONER):
        scope |= Q(booked_by=user)
    return queryset.filter(scope).distinct()
