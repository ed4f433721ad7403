"""iCalendar (RFC 5545) for the consultants' calendars: the secret subscription feed at
/calendar/<token>.ics, and the .ics attachment of a visit's e-mails (RFC 5546 REQUEST and
CANCEL), built with the icalendar library.

One visit is one event, whatever happened to it. A move keeps the old booking (state
'moved') and books a new one that replaces it; the event's UID is that of the chain's
first booking, ``booking-<root id>@visitbook``, so a calendar updates the event in place
instead of showing two. SEQUENCE grows with every change (bookings.visits.chain_sequence);
a cancelled visit, or one the consultant was taken off, stays in the feed as
STATUS:CANCELLED for FEED_PAST_DAYS after it, so subscribed calendars drop it.
"""

import datetime as dt
from collections import defaultdict
from email.utils import parseaddr
from typing import Literal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from bookings.models import Attendee, Booking, BookingState
from bookings.visits import CANCELLED_STATES, chain_sequence, move_chains, visit_url
from common.tokens import token_hash
from consultants.models import Consultant

FEED_PAST_DAYS = 90
PRODID = "-//Visitbook//Visitbook visits//DA"
UTC = dt.UTC


def visit_uid(root: Booking) -> str:
    """The stable UID of a visit: its chain's first booking."""
    return f"booking-{root.pk}@visitbook"


def consultant_for_feed(token: str) -> Consultant | None:
    """The active consultant whose calendar link `token` is, or None (wrong or revoked)."""
    if not token:
        return None
    return Consultant.objects.filter(feed_token_hash=token_hash(token), is_active=True).first()


def _calendar(name: str = "", method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
    return calendar


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _description(booking: Booking, attendees: list[Attendee]) -> str:
    company = booking.company
    lines = [
        f"{_('Contact person')}: {booking.contact_name or '–'}",
        f"{_('Phone')}: {booking.contact_phone or '–'}",
        f"{_('E-mail')}: {booking.contact_email or '–'}",
        f"{_('CVR number')}: {company.cvr}",
        f"{_('Track')}: {booking.get_track_display()}",
        f"{_('State')}: {booking.get_state_display()}",
    ]
    if attendees:
        names = ", ".join(f"{a.consultant.name} ({a.get_role_display()})" for a in attendees)
        lines.append(f"{_('Who comes')}: {names}")
    lines.append(f"{_('Visit page')}: {visit_url(booking)}")
    return "\n".join(lines)


def _event(
    booking: Booking,
    *,
    uid: str,
    sequence: int,
    status: str,
    stamp: dt.datetime,
    modified: dt.datetime,
    created: dt.datetime,
    attendees: list[Attendee],
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(stamp))
    event.add("last-modified", _utc(modified))
    event.add("created", _utc(created))
    event.add("dtstart", _utc(booking.starts_at))
    event.add("dtend", _utc(booking.ends_at))
    event.add("summary", f"{booking.company.name} – {booking.get_track_display()}")
    if booking.location:
        event.add("location", booking.location)
    event.add("description", _description(booking, attendees))
    event.add("url", visit_url(booking))
    event.add("status", status)
    event.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    return event


def feed_ics(consultant: Consultant, *, now: dt.datetime | None = None) -> bytes:
    """The consultant's calendar: one VEVENT per visit they attend or attended, from
    FEED_PAST_DAYS ago on. CONFIRMED while they are on it; CANCELLED when the visit was
    cancelled, or moved or reassigned to someone else (then at the time they had it)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=FEED_PAST_DAYS)
    rows = list(
        Attendee.objects.filter(consultant=consultant, booking__starts_at__gte=cutoff)
        .select_related("booking__company", "booking__campaign", "booking__jobcentre")
        .order_by("booking__starts_at", "pk")
    )
    chains = move_chains({row.booking_id: row.booking for row in rows}.values())
    rows_by_root: dict[int, list[Attendee]] = defaultdict(list)
    for row in rows:
        rows_by_root[chains[row.booking_id][0].pk].append(row)

    # What each chain shows: the current booking while the consultant is on it, else the
    # last booking they were on.
    shown: list[tuple[list[Booking], Booking, str, list[Attendee]]] = []
    for root_id, their_rows in rows_by_root.items():
        chain = chains[root_id]
        head = chain[-1]
        on_head = [r for r in their_rows if r.booking_id == head.pk]
        if head.state in CANCELLED_STATES and on_head:
            shown.append((chain, head, "CANCELLED", their_rows))
        elif head.state not in (*CANCELLED_STATES, BookingState.MOVED) and any(
            r.is_active for r in on_head
        ):
            shown.append((chain, head, "CONFIRMED", their_rows))
        else:
            theirs = {r.booking_id for r in their_rows}
            last = [b for b in chain if b.pk in theirs][-1]
            shown.append((chain, last, "CANCELLED", their_rows))

    others: dict[int, list[Attendee]] = defaultdict(list)
    for attendee in (
        Attendee.objects.filter(booking_id__in=[b.pk for _c, b, _s, _r in shown], is_active=True)
        .select_related("consultant")
        .order_by("role", "pk")
    ):
        others[attendee.booking_id].append(attendee)

    with translation.override(consultant.language):
        calendar = _calendar(name=f"Visitbook: {consultant.name}")
        calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        for chain, booking, status, their_rows in sorted(
            shown, key=lambda item: (item[1].starts_at, item[1].pk)
        ):
            modified = max(b.changed_at for b in chain)
            calendar.add_component(
                _event(
                    booking,
                    uid=visit_uid(chain[0]),
                    sequence=chain_sequence(chain, their_rows),
                    status=status,
                    # Without METHOD, DTSTAMP is the time the event was last revised.
                    stamp=modified,
                    modified=modified,
                    created=chain[0].booked_at,
                    attendees=others.get(booking.pk, []),
                )
            )
        return calendar.to_ical()


def _address(email: str, name: str = "", **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    for key, value in params.items():
        address.params[key.upper()] = value
    return address


def ics_for_booking(
    booking: Booking,
    *,
    method: Literal["REQUEST", "CANCEL"],
    attendee: Attendee,
    now: dt.datetime | None = None,
) -> bytes:
    """The .ics for an e-mail about the visit to one attendee: METHOD:REQUEST puts it in
    (or updates it in) their calendar, METHOD:CANCEL takes it out. Same UID and SEQUENCE
    as the feed, so the e-mail and the subscription agree about the event."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"method must be REQUEST or CANCEL, not {method!r}")
    now = now or timezone.now()
    booking = Booking.objects.select_related("company", "campaign", "jobcentre").get(pk=booking.pk)
    chain = move_chains([booking])[booking.pk]
    consultant = attendee.consultant
    their_rows = list(
        Attendee.objects.filter(booking_id__in=[b.pk for b in chain], consultant=consultant)
    )
    attendees = list(
        booking.attendees.filter(is_active=True).select_related("consultant").order_by("role")
    )
    organizer_name, organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)

    with translation.override(consultant.language):
        calendar = _calendar(method=method)
        event = _event(
            booking,
            uid=visit_uid(chain[0]),
            sequence=chain_sequence(chain, their_rows),
            status="CONFIRMED" if method == "REQUEST" else "CANCELLED",
            stamp=now,
            modified=max(b.changed_at for b in chain),
            created=chain[0].booked_at,
            attendees=attendees,
        )
        event.add("organizer", _address(organizer_email, organizer_name or "Visitbook"))
        recipients = [attendee] if method == "CANCEL" else attendees
        if all(a.pk != attendee.pk for a in recipients):
            recipients = [attendee, *recipients]
        for person in recipients:
            event.add(
                "attendee",
                _address(
                    person.consultant.email,
                    person.consultant.name,
                    role="REQ-PARTICIPANT",
                    partstat="ACCEPTED" if method == "REQUEST" else "DECLINED",
                    rsvp="FALSE",
                ),
            )
        calendar.add_component(event)
        return calendar.to_ical()


def ics_for_company(booking: Booking, *, language: str = "da") -> bytes:
    """The .ics for the company's own calendar (its confirmation, a new time): METHOD:PUBLISH,
    one event with the visit's UID and SEQUENCE, who comes, and none of the jobcentre's
    internal details (the visit page is for staff)."""
    booking = Booking.objects.select_related("company", "campaign", "jobcentre").get(pk=booking.pk)
    chain = move_chains([booking])[booking.pk]
    names = ", ".join(
        a.consultant.name
        for a in booking.attendees.filter(is_active=True)
        .select_related("consultant")
        .order_by("role")
    )
    with translation.override(language):
        calendar = _calendar(method="PUBLISH")
        event = Event()
        event.add("uid", visit_uid(chain[0]))
        event.add("sequence", chain_sequence(chain))
        event.add("dtstamp", _utc(timezone.now()))
        event.add("dtstart", _utc(booking.starts_at))
        event.add("dtend", _utc(booking.ends_at))
        event.add("summary", _("Visit from %(jobcentre)s") % {"jobcentre": booking.jobcentre.name})
        if booking.location:
            event.add("location", booking.location)
        if names:
            event.add("description", f"{_('Who comes')}: {names}")
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
        return calendar.to_ical()
