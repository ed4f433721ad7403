"""A visit as the consultants' pages and API see it: which visits a user may open
(visits_for) and who may change them, the groups of states, the chain of bookings a visit
becomes when it is moved (move_chains, chain_sequence), the visit page's address, and staff
moving a visit with a reason (visit_move, around bookings.changes.booking_move). Shared by
the pages (bookings.visit_views), the API (bookings.visit_api), the iCalendar output
(bookings.feed) and the e-mail (bookings.renderers).
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from bookings.changes import booking_move
from bookings.models import Attendee, Booking, BookingState
from bookings.queries import bookings_for
from bookings.slots import RELEASED_STATES
from common.errors import ApplicationError, PermissionDenied
from consultants.roles import Role

CANCELLED_STATES = (BookingState.CANCELLED_COMPANY, BookingState.CANCELLED_JOBCENTRE)

# Who may open visit pages and change visits there (scoped by bookings_for).
STAFF = (Role.CONSULTANT, Role.COORDINATOR, Role.AGENCY)
REASON_MAX_LENGTH = Booking._meta.get_field("cancel_reason").max_length


def visits_for(user) -> QuerySet[Booking]:
    """The visits the user may open: bookings_for(user), with what the visit page shows."""
    return bookings_for(user).select_related(
        "company__municipality",
        "booked_by",
        "call_list__campaign",
        "call_list__jobcentre",
        "replaces",
        "replaced_by",
    )


def display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


# --- Moves: a visit's chain of bookings ------------------------------------------------------


def move_chains(bookings: Iterable[Booking]) -> dict[int, list[Booking]]:
    """Each booking's chain of moves, first booking first, keyed by every booking's id in it.

    A move keeps the old booking (state 'moved') and books a new one that `replaces` it, so
    one visit is a chain. Loads the missing links a level at a time: one query per move
    in the longest chain, whatever the number of bookings."""
    known = {b.pk: b for b in bookings}
    base = Booking.objects.select_related("company", "campaign", "jobcentre", "booked_by")
    missing = {b.replaces_id for b in known.values() if b.replaces_id} - set(known)
    while missing:
        found = list(base.filter(pk__in=missing))
        known.update((b.pk, b) for b in found)
        missing = {b.replaces_id for b in found if b.replaces_id} - set(known)
    frontier = set(known)
    while frontier:
        found = list(base.filter(replaces_id__in=frontier).exclude(pk__in=list(known)))
        known.update((b.pk, b) for b in found)
        frontier = {b.pk for b in found}

    successor = {b.replaces_id: b for b in known.values() if b.replaces_id}
    chains: dict[int, list[Booking]] = {}
    for booking in known.values():
        if booking.pk in chains:
            continue
        root = booking
        while root.replaces_id and root.replaces_id in known:
            root = known[root.replaces_id]
        chain = [root]
        while chain[-1].pk in successor:
            chain.append(successor[chain[-1].pk])
        for link in chain:
            chains[link.pk] = chain
    return chains


def chain_sequence(chain: list[Booking], rows: Iterable[Attendee] = ()) -> int:
    """The iCalendar SEQUENCE of a visit as one consultant sees it; it grows with every
    change: each booking's own revision (bumped by every change), one more per move, and
    one more each time the consultant was taken off a visit that went on without them
    (`rows`: that consultant's attendee rows in the chain)."""
    states = {b.pk: b.state for b in chain}
    dropped = sum(
        1
        for row in rows
        if not row.is_active and states.get(row.booking_id) not in (*RELEASED_STATES, None)
    )
    return sum(b.sequence for b in chain) + len(chain) - 1 + dropped


def visit_url(booking: Booking) -> str:
    """The visit page's full address, for e-mail and calendar entries."""
    return settings.SITE_URL.rstrip("/") + reverse("visit-detail", kwargs={"pk": booking.pk})


# --- Moving (staff) -------------------------------------------------------------------------


def visit_move(
    *,
    actor,
    booking: Booking,
    starts_at: dt.datetime,
    reason: str,
    now: dt.datetime | None = None,
) -> Booking:
    """Staff move a visit to another free time, saying why (bookings.changes.booking_move;
    the reason goes into the visit's history)."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Please give a reason for the move.")
        raise ApplicationError(message, field_errors={"reason": [message]})
    if len(reason) > REASON_MAX_LENGTH:
        message = _("Please keep the reason under %(count)d characters.") % {
            "count": REASON_MAX_LENGTH
        }
        raise ApplicationError(message, field_errors={"reason": [message]})
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    return booking_move(actor=actor, booking=booking, starts_at=starts_at, reason=reason, now=now)
