"""Every write about visits, one function per use case, each in one transaction."""

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Attendee, Booking, BookingLink
from bookings.schedules import schedule_new_booking
from bookings.slots import SlotSearch, find_slots
from campaign.calls import call_create
from campaign.models import (
    CallAttempt,
    CallList,
    CallListEntry,
    Campaign,
    Company,
    Participation,
    Track,
)
from common.errors import ApplicationError, Conflict, PermissionDenied
from common.tokens import new_token, token_hash
from consultants.models import Consultant
from consultants.roles import Role, can_manage_jobcentre, has_role


class SlotUnavailable(Conflict):
    """The time was taken (or left the window) while the phoner looked at it. Carries the
    fresh search so the page can offer other times at once."""

    default_message = _("That time has just been taken. Here are the times free now.")

    def __init__(self, search: SlotSearch, message=None):
        super().__init__(message, extra={"search": search})
        self.search = search


def _pick(candidates: tuple[int, ...], preferred: int | None, load: dict[int, int]) -> int:
    if preferred in candidates:
        return preferred
    # Spread visits: the consultant with the most free time left takes it.
    return max(candidates, key=lambda cid: (load.get(cid, 0), -cid))


def _notify_new_booking(
    booking: Booking, attendees: list[Attendee], link_token: str, now: dt.datetime
) -> None:
    """Outbox rows for the company's confirmation, each attendee's notice and the visit's
    reminders and escalations (bookings.schedules has the schedule); the notifications app
    renders and sends them."""
    schedule_new_booking(booking, attendees, link_token, now)


def attendees_seat(
    booking: Booking, consultants: list[Consultant], *, on_taken: Callable[[], Exception]
) -> list[Attendee]:
    """Seat the consultants at the visit: one active Attendee each, busy until the visit's
    end plus the campaign's travel buffer. Saved one by one so the audit log sees them.

    The database's no-overlap rule has the last word: when someone else's visit took one of
    them in between (the locks make it rare, the exclusion constraint impossible), the error
    `on_taken()` gives is raised, which rolls the caller's transaction back."""
    buffer = dt.timedelta(minutes=booking.campaign.travel_buffer_minutes)
    attendees = [
        Attendee(
            booking=booking,
            consultant=consultant,
            role=Attendee.Role.LOCAL
            if consultant.kind == Consultant.Kind.LOCAL
            else Attendee.Role.JOBSERVICE,
            starts_at=booking.starts_at,
            blocked_until=booking.ends_at + buffer,
        )
        for consultant in consultants
    ]
    try:
        with transaction.atomic():
            for attendee in attendees:
                attendee.save()
    except IntegrityError as exc:
        raise on_taken() from exc
    return attendees


def booking_link_create(*, booking: Booking) -> str:
    """A company self-service link for the visit: a 256-bit random token, stored as its
    hash, valid until the visit starts. Returns the token (shown once, in the e-mail)."""
    token = new_token()
    BookingLink.objects.create(
        booking=booking, token_hash=token_hash(token), expires_at=booking.starts_at
    )
    return token


@transaction.atomic
def booking_create(
    *,
    actor,
    campaign: Campaign,
    company: Company,
    track: str,
    starts_at: dt.datetime,
    consultant_id: int | None = None,
    call: CallAttempt | None = None,
    call_list: CallList | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a visit at `starts_at`: one local consultant (track 2), or a Jobservice
    representative and a local consultant (track 1), chosen among those free then
    (`consultant_id` first, if free). Raises SlotUnavailable with fresh times when the time
    is no longer free."""
    now = now or timezone.now()
    jobcentre = company.municipality.jobcentre
    if company.do_not_contact:
        raise ApplicationError(_("This company has asked not to be contacted."))
    if track not in Track.values:
        raise ApplicationError(_("Unknown track."), field_errors={"track": [_("Unknown track.")]})

    # Lock order, always the same so two bookings never deadlock: the jobcentre's
    # participation row (serialises its quota), then the candidate consultants by id.
    # Under the locks the search below sees every booking committed before us.
    Participation.objects.select_for_update().filter(campaign=campaign, jobcentre=jobcentre).first()
    search = find_slots(
        campaign=campaign,
        jobcentre=jobcentre,
        track=track,
        now=now,
        window=(starts_at, starts_at + dt.timedelta(minutes=campaign.visit_minutes)),
    )
    offer = search.offer_at(starts_at)
    if offer is None:
        raise SlotUnavailable(_fresh(campaign, company, track, now))
    local_id = _pick(offer.local_ids, consultant_id, search.free_by_consultant)
    chosen = [local_id]
    if track == Track.JOBSERVICE:
        chosen.append(_pick(offer.jobservice_ids, consultant_id, search.free_by_consultant))
    list(Consultant.objects.select_for_update().filter(pk__in=chosen).order_by("pk"))

    booking = Booking.objects.create(
        campaign=campaign,
        track=track,
        company=company,
        jobcentre=jobcentre,
        starts_at=offer.starts_at,
        ends_at=offer.ends_at,
        location=", ".join(
            p for p in (company.address, f"{company.postcode} {company.city}".strip()) if p
        ),
        contact_name=company.contact_name,
        contact_email=company.email,
        contact_phone=company.phone,
        booked_by=actor if getattr(actor, "is_authenticated", False) else None,
        call_list=call_list,
        call=call,
        booked_at=now,
    )
    attendees = attendees_seat(
        booking,
        [search.consultants[cid] for cid in chosen],
        on_taken=lambda: SlotUnavailable(_fresh(campaign, company, track, now)),
    )
    token = booking_link_create(booking=booking)
    _notify_new_booking(booking, attendees, token, now)
    return booking


def _fresh(campaign, company, track, now) -> SlotSearch:
    return find_slots(
        campaign=campaign, jobcentre=company.municipality.jobcentre, track=track, now=now
    )


@transaction.atomic
def call_book(
    *,
    actor,
    entry: CallListEntry,
    starts_at: dt.datetime,
    consultant_id: int | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Booking:
    """The phoner's "booked" outcome: the call, the visit and the entry's new status in one
    transaction. If the time was taken meanwhile nothing is recorded and SlotUnavailable
    carries fresh times."""
    now = now or timezone.now()
    if not has_role(actor, Role.PHONER, Role.AGENCY):
        raise PermissionDenied(_("Only phoners book from call lists."))
    entry = (
        CallListEntry.objects.select_for_update()
        .select_related("call_list__campaign", "company__municipality__jobcentre")
        .get(pk=entry.pk)
    )
    if entry.company.do_not_contact:
        raise ApplicationError(_("This company has asked not to be contacted."))
    if (
        entry.call_list.status != CallList.Status.RELEASED
        or entry.vetting != CallListEntry.Vetting.APPROVED
        or entry.status in (CallListEntry.Status.BOOKED, CallListEntry.Status.CLOSED)
    ):
        raise Conflict(_("This company cannot be booked from this call list."))
    call = call_create(
        entry=entry, phoner=actor, outcome=CallAttempt.Outcome.BOOKED, note=note, called_at=now
    )
    booking = booking_create(
        actor=actor,
        campaign=entry.call_list.campaign,
        company=entry.company,
        track=entry.call_list.track,
        starts_at=starts_at,
        consultant_id=consultant_id,
        call=call,
        call_list=entry.call_list,
        now=now,
    )
    entry.status = CallListEntry.Status.BOOKED
    entry.next_call_at = entry.claimed_by = entry.claimed_until = entry.callback_for = None
    entry.save()
    return booking


def booking_create_for(
    *,
    actor,
    campaign: Campaign,
    company: Company,
    track: str,
    starts_at: dt.datetime,
    consultant_id: int | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a visit outside a call list (the API's POST /bookings/): phoners and agency staff
    for any company, a coordinator for companies of their own jobcentre."""
    jobcentre_id = company.municipality.jobcentre_id
    if not (has_role(actor, Role.PHONER, Role.AGENCY) or can_manage_jobcentre(actor, jobcentre_id)):
        raise PermissionDenied(_("You may not book visits for this company."))
    return booking_create(
        actor=actor,
        campaign=campaign,
        company=company,
        track=track,
        starts_at=starts_at,
        consultant_id=consultant_id,
        now=now,
    )
