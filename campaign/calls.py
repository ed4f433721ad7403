"""The phoners' calls: the queue of who to call next, and what each call's outcome does.

The queue, in order: call-backs that are due (agreed with me, or with anyone), then fresh
firms in the list's order, then no-answers whose retry time has come. A firm handed to a
phoner is claimed for a while so that two phoners never get the same one.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import (
    CallAttempt,
    CallList,
    CallListEntry,
    CallScript,
    Company,
    PhonerFirms,
    PhonerHour,
    PhonerScriptTotals,
    PhonerWorkedHours,
)
from common.errors import ApplicationError, Conflict, PermissionDenied
from consultants.roles import Role, has_role

CLAIM_FOR = dt.timedelta(minutes=15)
Outcome = CallAttempt.Outcome
Status = CallListEntry.Status

# Outcomes that end calling a firm on this list.
CLOSING = {Outcome.WRONG_NUMBER, Outcome.NOT_INTERESTED, Outcome.DO_NOT_CONTACT}
UNANSWERED = {Outcome.NO_ANSWER, Outcome.BUSY}


def callable_entries(*, campaign_id: int | None = None, track: str | None = None) -> QuerySet:
    """Entries a phoner may call: approved, on a released list, firm not on the
    do-not-contact list."""
    entries = CallListEntry.objects.filter(
        call_list__status=CallList.Status.RELEASED,
        vetting=CallListEntry.Vetting.APPROVED,
        company__do_not_contact=False,
    )
    if campaign_id is not None:
        entries = entries.filter(call_list__campaign_id=campaign_id)
    if track is not None:
        entries = entries.filter(call_list__track=track)
    return entries


def _require_phoner(actor) -> None:
    if not has_role(actor, Role.PHONER, Role.AGENCY):
        raise PermissionDenied(_("Only phoners make calls."))


@transaction.atomic
def entry_claim_next(
    *, actor, campaign_id: int | None = None, track: str | None = None, now=None
) -> CallListEntry | None:
    """Hand the phoner the next firm to call, claimed for CLAIM_FOR; None when the queue is
    empty. Concurrent phoners never get the same firm (SKIP LOCKED)."""
    _require_phoner(actor)
    now = now or timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now) | Q(claimed_by=actor)
    due_callback = Q(status=Status.CALLBACK, next_call_at__lte=now) & (
        Q(callback_for__isnull=True) | Q(callback_for=actor)
    )
    fresh = Q(status=Status.OPEN)
    due_retry = Q(status=Status.RETRY, next_call_at__lte=now)
    queue = (
        callable_entries(campaign_id=campaign_id, track=track)
        .filter(free)
        .filter(due_callback | fresh | due_retry)
        .annotate(
            rank=Case(
                When(status=Status.CALLBACK, then=Value(0)),
                When(status=Status.OPEN, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "next_call_at", "call_list_id", "position", "id")
    )
    entry = queue.select_for_update(skip_locked=True, of=("self",)).first()
    if entry is None:
        return None
    entry.claimed_by = actor
    entry.claimed_until = now + CLAIM_FOR
    entry.save(update_fields=["claimed_by", "claimed_until"])
    return entry


def current_script(call_list: CallList) -> CallScript | None:
    return (
        CallScript.objects.filter(campaign_id=call_list.campaign_id, track=call_list.track)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def call_create(
    *,
    entry: CallListEntry,
    phoner,
    outcome: str,
    called_at: dt.datetime,
    note: str = "",
    reason: str = "",
    callback_at: dt.datetime | None = None,
) -> CallAttempt:
    """Record a call to the firm of `entry` with the list's current script, count it in the
    phoner's tallies (PhonerHour, PhonerScriptTotals, PhonerWorkedHours, PhonerFirms), and
    note on the entry when the firm was first called and first reached. The caller holds the
    entry's row lock, moves it along the queue and saves it."""
    call_list = entry.call_list
    script = current_script(call_list)
    earlier = CallAttempt.objects.filter(entry=entry, phoner=phoner)
    first_call = not earlier.exists()
    first_reach = outcome not in CallAttempt.NOT_REACHED and (
        first_call or not earlier.exclude(outcome__in=CallAttempt.NOT_REACHED).exists()
    )
    attempt = CallAttempt.objects.create(
        entry=entry,
        phoner=phoner,
        script=script,
        outcome=outcome,
        note=note,
        reason=reason,
        callback_at=callback_at,
        called_at=called_at,
    )
    _count_call(phoner, call_list, script, outcome, called_at)
    if first_call or first_reach:
        firms, _created = PhonerFirms.objects.select_for_update().get_or_create(
            phoner=phoner, call_list=call_list
        )
        firms.count(first_call=first_call, first_reach=first_reach)
        firms.save(update_fields=["called", "reached"])
    entry.note_call(attempt)
    return attempt


def _count_call(phoner, call_list: CallList, script, outcome: str, called_at) -> None:
    """Count a call into its phoner's hour, script totals and, the first time they call in
    that clock hour, their hours worked."""
    keys = {"phoner": phoner, "campaign_id": call_list.campaign_id, "track": call_list.track}
    hour, new_hour = PhonerHour.objects.select_for_update().get_or_create(
        **keys, script=script, hour=PhonerHour.hour_of(called_at)
    )
    hour.count(outcome)
    hour.save(update_fields=["calls", "contacts", "bookings"])
    totals, _created = PhonerScriptTotals.objects.select_for_update().get_or_create(
        **keys, script=script
    )
    totals.count(outcome)
    totals.hours += new_hour
    totals.save(update_fields=["calls", "contacts", "bookings", "hours"])
    if not new_hour:
        return
    # The rows this clock hour counts in are locked before asking whether another of the
    # phoner's hour rows (another script, track or campaign) already counted it there: a
    # second call in the same clock hour from another tab waits, then sees this one.
    rows = [
        PhonerWorkedHours.objects.select_for_update().get_or_create(phoner=phoner, **scope)[0]
        for scope in PhonerWorkedHours.scopes(call_list.campaign_id, call_list.track)
    ]
    others = set(
        PhonerHour.objects.filter(phoner=phoner, hour=hour.hour)
        .exclude(pk=hour.pk)
        .values_list("campaign_id", "track")
    )
    for worked in rows:
        if not any(
            worked.campaign_id in (None, campaign_id) and worked.track in ("", track)
            for campaign_id, track in others
        ):
            worked.hours += 1
            worked.save(update_fields=["hours"])


def phoner_totals_rebuild() -> tuple[int, int]:
    """Sum the phoners' hours (PhonerHour) again into their script totals and hours worked,
    replacing those there are. Returns the rows written to each."""
    totals = [
        PhonerScriptTotals(**row)
        for row in PhonerHour.objects.values("phoner_id", "campaign_id", "track", "script_id")
        .annotate(
            hours=Count("pk"),
            calls=Sum("calls"),
            contacts=Sum("contacts"),
            bookings=Sum("bookings"),
        )
        .order_by()
    ]
    worked = [
        PhonerWorkedHours(**{"campaign_id": None, "track": "", **row})
        for scope in PhonerWorkedHours.SCOPES
        for row in PhonerHour.objects.values("phoner_id", *scope)
        .annotate(hours=Count("hour", distinct=True))
        .order_by()
    ]
    with transaction.atomic():
        PhonerScriptTotals.objects.all().delete()
        PhonerWorkedHours.objects.all().delete()
        PhonerScriptTotals.objects.bulk_create(totals, batch_size=2000)
        PhonerWorkedHours.objects.bulk_create(worked, batch_size=2000)
    return len(totals), len(worked)


def call_tallies_rebuild() -> tuple[int, int]:
    """Count every call again into the tallies call_create keeps (PhonerHour, PhonerFirms and
    the sums over the hours), replacing those there are: for calls written without
    call_create (the demo's bulk data). Returns the hour and firm rows written."""
    hours: dict[tuple, PhonerHour] = {}
    firms: dict[tuple, PhonerFirms] = {}
    called: set[tuple[int, int]] = set()
    reached: set[tuple[int, int]] = set()
    calls = CallAttempt.objects.order_by("called_at", "pk").values_list(
        "phoner_id",
        "entry_id",
        "entry__call_list_id",
        "entry__call_list__campaign_id",
        "entry__call_list__track",
        "script_id",
        "outcome",
        "called_at",
    )
    for (
        phoner_id,
        entry_id,
        list_id,
        campaign_id,
        track,
        script_id,
        outcome,
        called_at,
    ) in calls.iterator(chunk_size=5000):
        hour = PhonerHour.hour_of(called_at)
        key = (phoner_id, campaign_id, track, script_id, hour)
        if key not in hours:
            hours[key] = PhonerHour(
                phoner_id=phoner_id,
                campaign_id=campaign_id,
                track=track,
                script_id=script_id,
                hour=hour,
            )
        hours[key].count(outcome)
        if (phoner_id, list_id) not in firms:
            firms[phoner_id, list_id] = PhonerFirms(phoner_id=phoner_id, call_list_id=list_id)
        firm = (phoner_id, entry_id)
        first_call = firm not in called
        first_reach = outcome not in CallAttempt.NOT_REACHED and firm not in reached
        firms[phoner_id, list_id].count(first_call=first_call, first_reach=first_reach)
        called.add(firm)
        if first_reach:
            reached.add(firm)
    with transaction.atomic():
        PhonerHour.objects.all().delete()
        PhonerFirms.objects.all().delete()
        PhonerHour.objects.bulk_create(hours.values(), batch_size=2000)
        PhonerFirms.objects.bulk_create(firms.values(), batch_size=2000)
        phoner_totals_rebuild()
    return len(hours), len(firms)


@transaction.atomic
def call_register(
    *,
    actor,
    entry: CallListEntry,
    outcome: str,
    note: str = "",
    reason: str = "",
    callback_at: dt.datetime | None = None,
    callback_mine: bool = False,
    now: dt.datetime | None = None,
) -> CallAttempt:
    """Record a call and move the firm along the queue. `booked` is not registered here:
    booking a visit records its call (bookings.services.call_book)."""
    _require_phoner(actor)
    now = now or timezone.now()
    entry = (
        CallListEntry.objects.select_for_update()
        .select_related("call_list__campaign", "company")
        .get(pk=entry.pk)
    )
    _check_callable(entry)
    if outcome not in Outcome.values or outcome == Outcome.BOOKED:
        raise ApplicationError(
            _("Choose an outcome."), field_errors={"outcome": [_("Not a call outcome here.")]}
        )
    if outcome == Outcome.CALL_BACK:
        if callback_at is None:
            raise ApplicationError(
                _("A call-back needs a time."), field_errors={"callback_at": [_("Required.")]}
            )
        if callback_at <= now:
            raise ApplicationError(
                _("The call-back time has passed."),
                field_errors={"callback_at": [_("Choose a time in the future.")]},
            )
    if outcome == Outcome.NOT_INTERESTED and reason not in CallAttempt.NotInterested.values:
        raise ApplicationError(
            _("Say why the company is not interested."),
            field_errors={"reason": [_("Required.")]},
        )

    attempt = call_create(
        entry=entry,
        phoner=actor,
        outcome=outcome,
        note=note,
        reason=reason if outcome == Outcome.NOT_INTERESTED else "",
        callback_at=callback_at if outcome == Outcome.CALL_BACK else None,
        called_at=now,
    )
    campaign = entry.call_list.campaign
    entry.claimed_by = None
    entry.claimed_until = None
    entry.callback_for = None
    if outcome in UNANSWERED:
        entry.attempts += 1
        if entry.attempts >= campaign.call_max_attempts:
            entry.status, entry.next_call_at = Status.CLOSED, None
        else:
            entry.status = Status.RETRY
            entry.next_call_at = now + dt.timedelta(minutes=campaign.call_retry_minutes)
    elif outcome == Outcome.CALL_BACK:
        entry.status, entry.next_call_at = Status.CALLBACK, callback_at
        entry.callback_for = actor if callback_mine else None
    else:  # wrong number, not interested, do not contact
        entry.status, entry.next_call_at = Status.CLOSED, None
    entry.save()
    if outcome == Outcome.DO_NOT_CONTACT:
        # Saved at once and for good: no later outcome, list or import clears it.
        Company.objects.filter(pk=entry.company_id).update(
            do_not_contact=True, do_not_contact_at=now
        )
        CallListEntry.objects.filter(company_id=entry.company_id).exclude(
            status=Status.BOOKED
        ).update(status=Status.CLOSED, next_call_at=None)
    return attempt


def _check_callable(entry: CallListEntry) -> None:
    if entry.company.do_not_contact:
        raise Conflict(_("This company has asked not to be contacted."))
    if (
        entry.call_list.status != CallList.Status.RELEASED
        or entry.vetting != CallListEntry.Vetting.APPROVED
    ):
        raise PermissionDenied(_("This company is not on a released call list."))
    if entry.status in (Status.BOOKED, Status.CLOSED):
        raise Conflict(_("Calling this company on this list has ended."))


def entry_release(*, actor, entry: CallListEntry) -> None:
    """Give a claimed firm back to the queue without a call (the phoner skipped it)."""
    CallListEntry.objects.filter(pk=entry.pk, claimed_by=actor).update(
        claimed_by=None, claimed_until=None
    )


def entries_search(*, query: str, campaign_id: int | None = None) -> QuerySet:
    """Find the firm that calls back: by CVR, name or phone number (digits only)."""
    query = query.strip()
    entries = CallListEntry.objects.filter(
        call_list__status=CallList.Status.RELEASED
    ).select_related("company", "call_list__jobcentre", "call_list__campaign")
    if campaign_id is not None:
        entries = entries.filter(call_list__campaign_id=campaign_id)
    if not query:
        return entries.none()
    digits = "".join(ch for ch in query if ch.isdigit())
    match = Q(company__name__icontains=query)
    if len(digits) >= 4:
        match |= Q(company__cvr__startswith=digits) | Q(company__phone__contains=digits[-8:])
    return entries.filter(match).order_by("company__name", "-call_list__campaign_id")[:50]


def contact_history(company: Company) -> QuerySet:
    """Every call to the firm, in any campaign, newest first."""
    return (
        CallAttempt.objects.filter(entry__company=company)
        .select_related("phoner", "script", "entry__call_list__campaign")
        .order_by("-called_at")
        .annotate(campaign_name=F("entry__call_list__campaign__name"))
    )
