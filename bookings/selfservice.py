"""The company's self-service link, read side: which visit a token opens, and the times the
company may move it to. Shared by the page (selfservice_views) and the API
(selfservice_api); the writes are bookings.changes."""

import datetime as dt
import itertools
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Attendee, Booking, BookingLink, BookingState
from bookings.slots import LOCAL_TZ, Offer, find_slots
from common.errors import ApplicationError, NotFound
from common.tokens import token_hash

# One rate-limit budget per client address for the pages and the API together.
RATE_SCOPE = "selfservice"


class LinkGone(ApplicationError):
    """The link existed but no longer works: the visit started, was cancelled or moved."""

    status_code = 410
    default_message = _("This link no longer works.")


# What a wrong or dead link answers. Deliberately the same words whatever the visit, so
# the answer tells nothing about it.
UNKNOWN_LINK = _("This link is not valid. Please use the link in your latest e-mail.")
DEAD_LINK = _(
    "This link no longer works: the visit has started, been cancelled or been moved. "
    "If your visit was moved, you received a new link by e-mail."
)


def link_resolve(*, token: str, now: dt.datetime | None = None) -> BookingLink:
    """The live link for `token`, with its booking. NotFound for a token that was never
    issued; LinkGone for a revoked or expired link or a visit that is no longer booked."""
    now = now or timezone.now()
    link = (
        BookingLink.objects.select_related(
            "booking__company", "booking__campaign", "booking__jobcentre"
        )
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None:
        raise NotFound(UNKNOWN_LINK)
    if (
        link.revoked_at is not None
        or link.expires_at <= now
        or link.booking.state != BookingState.BOOKED
    ):
        raise LinkGone(DEAD_LINK)
    return link


def visit_attendees(booking: Booking) -> list[Attendee]:
    """Who comes: the active attendees, the local consultant first."""
    return sorted(
        booking.attendees.filter(is_active=True).select_related("consultant"),
        key=lambda a: (a.role != Attendee.Role.LOCAL, a.consultant.name),
    )


@dataclass(frozen=True)
class MoveOptions:
    offers: list[Offer]
    same_consultant: bool  # the times keep the visit's consultant (False: anyone's times)

    def by_day(self) -> list[tuple[dt.date, list[Offer]]]:
        def day(offer: Offer) -> dt.date:
            return offer.starts_at.astimezone(LOCAL_TZ).date()

        return [(d, list(group)) for d, group in itertools.groupby(self.offers, key=day)]


def move_options(*, booking: Booking, now: dt.datetime | None = None) -> MoveOptions:
    """The times the visit may move to, inside the booking window: those at which its local
    consultant is free, or, when that consultant has none, every free time (another
    consultant then takes the visit). The visit's own time is left out."""
    now = now or timezone.now()
    local_id = (
        booking.attendees.filter(is_active=True, role=Attendee.Role.LOCAL)
        .values_list("consultant_id", flat=True)
        .first()
    )

    def offers(consultant_id):
        search = find_slots(
            campaign=booking.campaign,
            jobcentre=booking.jobcentre,
            track=booking.track,
            now=now,
            consultant_id=consultant_id,
            exclude_booking=booking,
        )
        return [o for o in search.offers if o.starts_at != booking.starts_at]

    if local_id is not None:
        kept = offers(local_id)
        if kept:
            return MoveOptions(kept, same_consultant=True)
    return MoveOptions(offers(None), same_consultant=False)
