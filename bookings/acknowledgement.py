"""Consultants confirming that a visit is in their calendar: an attendee acknowledges
their own attendance (attendee_acknowledge), and the booked visits still waiting for an
acknowledgement in the user's scope (unacknowledged_for) make the coordinator's list. The
reminders and escalations while a visit is unacknowledged are bookings.schedules.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Attendee, Booking, BookingState
from bookings.queries import bookings_for
from common.errors import PermissionDenied
from consultants.roles import consultant_of

# --- Acknowledging ---------------------------------------------------------------------------


@transaction.atomic
def attendee_acknowledge(*, actor, booking: Booking, now: dt.datetime | None = None) -> Attendee:
    """The actor confirms the visit is in their calendar: sets acknowledged_at on their own
    active attendee row. Doing it again changes nothing. Only an attendee may."""
    consultant = consultant_of(actor)
    row = None
    if consultant is not None:
        row = (
            Attendee.objects.select_for_update()
            .select_related("consultant")
            .filter(booking_id=booking.pk, consultant=consultant, is_active=True)
            .first()
        )
    if row is None:
        raise PermissionDenied(_("Only a consultant who attends this visit can acknowledge it."))
    if row.acknowledged_at is None:
        row.acknowledged_at = now or timezone.now()
        row.save(update_fields=["acknowledged_at"])  # save(): the audit log sees it
    return row


def unacknowledged_for(user, *, now: dt.datetime | None = None) -> QuerySet[Booking]:
    """Booked visits not over yet that an attendee has not acknowledged, in the user's
    scope (a coordinator: their jobcentre), the oldest booking first."""
    now = now or timezone.now()
    waiting = Attendee.objects.filter(
        booking=OuterRef("pk"), is_active=True, acknowledged_at__isnull=True
    )
    return (
        bookings_for(user)
        .filter(state=BookingState.BOOKED, ends_at__gt=now)
        .filter(Exists(waiting))
        .prefetch_related(
            Prefetch(
                "attendees",
                queryset=Attendee.objects.filter(is_active=True)
                .select_related("consultant")
                .order_by("role", "pk"),
                to_attr="active_attendees",
            )
        )
        .order_by("booked_at", "pk")
    )
