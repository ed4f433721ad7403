"""The consultants' calendar: whose calendar the user may look at (calendar_scope), the
range asked for, the visits in it as events coloured by state or by consultant
(calendar_events, fullcalendar_event), and the secret calendar-feed link
(feed_token_rotate, feed_token_revoke), stored only as its hash. Shared by the pages
(bookings.visit_views) and the API (bookings.visit_api); the feed's iCalendar output is
bookings.feed.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from bookings.models import Attendee, BookingState
from bookings.queries import bookings_for
from bookings.slots import LOCAL_TZ
from bookings.visits import CANCELLED_STATES, STAFF
from common.errors import ApplicationError, NotFound, PermissionDenied
from common.tokens import new_token, token_hash
from consultants.models import Consultant
from consultants.roles import (
    Role,
    can_manage_jobcentre,
    consultant_of,
    has_role,
    is_agency,
    jobcentre_id_of,
)

# --- The calendar ----------------------------------------------------------------------------

# Dark enough for white text (WCAG AA); a state also has a marker and a label.
STATE_COLOURS = {
    BookingState.BOOKED: "#0a58ca",
    BookingState.HELD: "#146c43",
    BookingState.HELD_SHORT: "#146c43",
    BookingState.HELD_PHONE: "#146c43",
    BookingState.CANCELLED_COMPANY: "#6c757d",
    BookingState.CANCELLED_JOBCENTRE: "#6c757d",
    BookingState.MOVED: "#6c757d",
    BookingState.NO_SHOW_COMPANY: "#b02a37",
    BookingState.NO_SHOW_CONSULTANT: "#b02a37",
}
STATE_MARKERS = {
    BookingState.BOOKED: "●",
    BookingState.HELD: "✓",
    BookingState.HELD_SHORT: "✓",
    BookingState.HELD_PHONE: "✓",
    BookingState.CANCELLED_COMPANY: "✕",
    BookingState.CANCELLED_JOBCENTRE: "✕",
    BookingState.MOVED: "→",
    BookingState.NO_SHOW_COMPANY: "!",
    BookingState.NO_SHOW_CONSULTANT: "!",
}
CONSULTANT_COLOURS = (
    "#0a58ca",
    "#146c43",
    "#6f42c1",
    "#b02a37",
    "#0f5963",
    "#8a4b08",
    "#7a1f5c",
    "#1c3d7a",
    "#495057",
    "#5c6b00",
)
MAX_RANGE = dt.timedelta(days=100)


@dataclass(frozen=True)
class CalendarScope:
    """Whose calendar: `selected` (None: all of `choices` side by side), what the user may
    choose from, and a colour for each of them."""

    selected: Consultant | None
    own: Consultant | None
    choices: list[Consultant]
    can_see_all: bool

    @property
    def colours(self) -> dict[int, str]:
        return {
            c.pk: CONSULTANT_COLOURS[i % len(CONSULTANT_COLOURS)]
            for i, c in enumerate(self.choices)
        }

    @property
    def value(self) -> str:
        return str(self.selected.pk) if self.selected else "all"


def managed_consultants(user) -> QuerySet[Consultant]:
    """Consultants whose calendars the user may look at besides their own: every active
    one for agency staff, their jobcentre's for a coordinator, none otherwise."""
    if is_agency(user):
        return Consultant.objects.filter(is_active=True)
    jobcentre_id = jobcentre_id_of(user)
    if has_role(user, Role.COORDINATOR) and jobcentre_id is not None:
        return Consultant.objects.filter(is_active=True, jobcentre_id=jobcentre_id)
    return Consultant.objects.none()


def calendar_scope(user, consultant: str | int | None = None) -> CalendarScope:
    """Resolve the calendar asked for: '' or None is one's own (or everyone's, for a
    coordinator without a calendar of their own), 'all' everyone's the user manages, an
    id that consultant's. Anything else is NotFound, so nobody learns of other people."""
    own = consultant_of(user) if has_role(user, *STAFF) else None
    managed = list(managed_consultants(user).order_by("name", "pk"))
    choices = list(managed)
    if own is not None and all(c.pk != own.pk for c in choices):
        choices.insert(0, own)
    can_see_all = is_agency(user) or (
        has_role(user, Role.COORDINATOR) and jobcentre_id_of(user) is not None
    )
    value = str(consultant or "").strip()
    if value in ("", "me"):
        if own is not None:
            selected = own
        elif can_see_all:
            selected = None
        else:
            raise NotFound(_("You have no calendar."))
    elif value == "all":
        if not can_see_all:
            raise NotFound(_("No such calendar."))
        selected = None
    else:
        selected = next((c for c in choices if str(c.pk) == value), None)
        if selected is None:
            raise NotFound(_("No such calendar."))
    return CalendarScope(selected=selected, own=own, choices=choices, can_see_all=can_see_all)


def parse_moment(value: str | None, field: str) -> dt.datetime | None:
    """A datetime from a query parameter: ISO 8601 with or without offset (without: local
    time), or a date (its local midnight)."""
    if not value:
        return None
    value = value.strip().replace(" ", "+")  # a '+' in a query string arrives as ' '
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is not None:
            moment = dt.datetime.combine(day, dt.time.min)
    if moment is None:
        message = _("Not a date or time.")
        raise ApplicationError(message, field_errors={field: [message]})
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment


def calendar_range(start: str | None, end: str | None, *, now=None) -> tuple:
    """[start, end) from the query; by default this week (Monday to Monday)."""
    begin = parse_moment(start, "start")
    finish = parse_moment(end, "end")
    if begin is None:
        today = timezone.localtime(now or timezone.now(), LOCAL_TZ).date()
        monday = today - dt.timedelta(days=today.weekday())
        begin = dt.datetime.combine(monday, dt.time.min, LOCAL_TZ)
    if finish is None:
        finish = begin + dt.timedelta(days=7)
    if finish <= begin:
        message = _("The end must be after the start.")
        raise ApplicationError(message, field_errors={"end": [message]})
    if finish - begin > MAX_RANGE:
        message = _("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE.days}
        raise ApplicationError(message, field_errors={"end": [message]})
    return begin, finish


@dataclass(frozen=True)
class CalendarEvent:
    id: int
    url: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    company: str
    cvr: str
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    track: str
    track_label: str
    state: str
    state_label: str
    marker: str
    colour: str
    consultants: list[str]
    consultant_ids: list[int]
    acknowledged: bool


def calendar_events(
    *, user, scope: CalendarScope, start: dt.datetime, end: dt.datetime
) -> list[CalendarEvent]:
    """The visits in [start, end) of the chosen calendar: the consultant's visits (those
    they attend, and those cancelled while they were on them), or, for everyone, each visit
    of the user's scope once, coloured by its local consultant. Moved bookings are left
    out: the booking that replaced them is the visit. A fixed number of queries."""
    visits = (
        bookings_for(user)
        .filter(starts_at__lt=end, ends_at__gt=start)
        .exclude(state=BookingState.MOVED)
    )
    if scope.selected is not None:
        theirs = Attendee.objects.filter(booking=OuterRef("pk"), consultant=scope.selected)
        visits = visits.filter(
            Exists(theirs.filter(is_active=True)) | (Q(state__in=CANCELLED_STATES) & Exists(theirs))
        )
    visits = visits.prefetch_related(
        Prefetch(
            "attendees",
            queryset=Attendee.objects.select_related("consultant").order_by("role", "pk"),
        )
    ).order_by("starts_at", "pk")
    colours = scope.colours
    events = []
    for booking in visits:
        cancelled = booking.state in CANCELLED_STATES
        shown = [a for a in booking.attendees.all() if a.is_active or cancelled]
        if scope.selected is not None:
            mine = [a for a in shown if a.consultant_id == scope.selected.pk]
            acknowledged = any(a.acknowledged_at for a in mine)
            colour = STATE_COLOURS.get(booking.state, "#495057")
        else:
            acknowledged = bool(shown) and all(a.acknowledged_at for a in shown if a.is_active)
            local = next((a for a in shown if a.role == Attendee.Role.LOCAL), None)
            first = local or (shown[0] if shown else None)
            colour = colours.get(first.consultant_id, "#495057") if first else "#495057"
        company = booking.company
        events.append(
            CalendarEvent(
                id=booking.pk,
                url=reverse("visit-detail", kwargs={"pk": booking.pk}),
                starts_at=booking.starts_at,
                ends_at=booking.ends_at,
                company=company.name,
                cvr=company.cvr,
                address=booking.location,
                contact_name=booking.contact_name,
                contact_phone=booking.contact_phone,
                contact_email=booking.contact_email,
                track=booking.track,
                track_label=str(booking.get_track_display()),
                state=booking.state,
                state_label=str(booking.get_state_display()),
                marker=STATE_MARKERS.get(booking.state, "•"),
                colour=colour,
                consultants=[a.consultant.name for a in shown],
                consultant_ids=[a.consultant_id for a in shown],
                acknowledged=acknowledged,
            )
        )
    return events


def fullcalendar_event(event: CalendarEvent) -> dict:
    """One event in FullCalendar's format. Times are local wall-clock times without an
    offset: the page runs FullCalendar in the site's time zone (settings.TIME_ZONE)."""

    def local(moment):
        return timezone.localtime(moment, LOCAL_TZ).replace(tzinfo=None).isoformat()

    classes = [f"vb-state-{event.state}"]
    if event.state in CANCELLED_STATES:
        classes.append("vb-cancelled")
    if event.state == BookingState.BOOKED and not event.acknowledged:
        classes.append("vb-unacknowledged")
    return {
        "id": str(event.id),
        "title": f"{event.marker} {event.company}",
        "start": local(event.starts_at),
        "end": local(event.ends_at),
        "url": event.url,
        "backgroundColor": event.colour,
        "borderColor": event.colour,
        "textColor": "#ffffff",
        "classNames": classes,
        "extendedProps": {
            "company": event.company,
            "address": event.address,
            "contact": event.contact_name,
            "phone": event.contact_phone,
            "track": event.track_label,
            "state": event.state,
            "stateLabel": event.state_label,
            "marker": event.marker,
            "consultants": event.consultants,
            "acknowledged": event.acknowledged,
        },
    }


# --- The calendar feed link ------------------------------------------------------------------


def _require_feed_manager(actor, consultant: Consultant) -> None:
    own = consultant.user_id is not None and consultant.user_id == getattr(actor, "pk", None)
    manages = is_agency(actor) or (
        consultant.jobcentre_id is not None and can_manage_jobcentre(actor, consultant.jobcentre_id)
    )
    if not (own or manages):
        raise PermissionDenied(_("You may not change this consultant's calendar link."))


def feed_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("calendar-feed", kwargs={"token": token})


@transaction.atomic
def feed_token_rotate(*, actor, consultant: Consultant) -> str:
    """A new secret calendar-subscription link for the consultant (by themselves, their
    coordinator or agency staff): a 256-bit token, stored only as its hash, so the old link
    stops working. Returns the token; it cannot be shown again."""
    _require_feed_manager(actor, consultant)
    token = new_token()
    consultant.feed_token_hash = token_hash(token)
    consultant.save(update_fields=["feed_token_hash"])
    return token


@transaction.atomic
def feed_token_revoke(*, actor, consultant: Consultant) -> bool:
    """Switch the consultant's calendar link off. Returns whether there was one."""
    _require_feed_manager(actor, consultant)
    had_one = consultant.feed_token_hash is not None
    if had_one:
        consultant.feed_token_hash = None
        consultant.save(update_fields=["feed_token_hash"])
    return had_one
