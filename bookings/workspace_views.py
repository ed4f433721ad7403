"""The phoners' workspace: next company, the company card, one-click outcomes, the slot
finder and booking. Every action goes through the same services as the API."""

import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.services import SlotUnavailable, call_book
from bookings.slots import LOCAL_TZ, SlotSearch, find_slots
from bookings.workspace import WorkspaceFilter, entry_for_phoner
from campaign.calls import (
    call_register,
    contact_history,
    current_script,
    entries_search,
    entry_claim_next,
    entry_release,
)
from campaign.models import CallAttempt, CallList, CallListEntry, Campaign
from common.errors import ApplicationError
from common.http import int_or_none
from consultants.permissions import role_required
from consultants.roles import Role

PHONERS = (Role.PHONER, Role.AGENCY)


def _filter(request) -> WorkspaceFilter:
    return WorkspaceFilter.from_params(request.GET or request.POST, request.session)


@role_required(*PHONERS)
def workspace(request):
    chosen = _filter(request)
    chosen.remember(request.session)
    now = timezone.now()
    campaigns = Campaign.objects.filter(call_lists__status=CallList.Status.RELEASED).distinct()
    callbacks = (
        CallListEntry.objects.filter(status=CallListEntry.Status.CALLBACK)
        .filter(Q(callback_for=request.user) | Q(callback_for__isnull=True))
        .select_related("company", "call_list__campaign")
        .order_by("next_call_at")[:20]
    )
    today = CallAttempt.objects.filter(
        phoner=request.user, called_at__date=timezone.localdate(now)
    ).aggregate(
        calls=Count("id"),
        booked=Count("id", filter=Q(outcome=CallAttempt.Outcome.BOOKED)),
    )
    return render(
        request,
        "bookings/workspace.html",
        {
            "campaigns": campaigns,
            "chosen": chosen,
            "callbacks": callbacks,
            "today": today,
            "now": now,
        },
    )


@require_POST
@role_required(*PHONERS)
def next_company(request):
    chosen = _filter(request)
    chosen.remember(request.session)
    entry = entry_claim_next(actor=request.user, campaign_id=chosen.campaign_id, track=chosen.track)
    if entry is None:
        messages.info(request, _("No company is due for a call right now."))
        return redirect("workspace")
    return redirect("workspace-entry", entry.pk)


@role_required(*PHONERS)
def entry_card(request, pk: int):
    entry = entry_for_phoner(request.user, pk)
    consultant_id = int_or_none(request.GET.get("consultant"))
    search = _slots(entry, consultant_id)
    return render(
        request,
        "bookings/workspace_entry.html",
        {
            "entry": entry,
            "company": entry.company,
            "history": contact_history(entry.company),
            "bookings": entry.company.bookings.select_related("campaign").order_by("-starts_at"),
            "script": current_script(entry.call_list),
            "outcomes": CallAttempt.Outcome,
            "reasons": CallAttempt.NotInterested.choices,
            **_slot_context(search, consultant_id),
            "callable": entry.status
            not in (CallListEntry.Status.BOOKED, CallListEntry.Status.CLOSED)
            and not entry.company.do_not_contact,
        },
    )


@role_required(*PHONERS)
def entry_slots(request, pk: int):
    """The slot panel alone, for htmx when the phoner prefers a consultant."""
    entry = entry_for_phoner(request.user, pk)
    consultant_id = int_or_none(request.GET.get("consultant"))
    search = _slots(entry, consultant_id)
    return render(
        request,
        "bookings/workspace_entry.html#slots",
        {"entry": entry, **_slot_context(search, consultant_id)},
    )


@require_POST
@role_required(*PHONERS)
def entry_call(request, pk: int):
    entry = entry_for_phoner(request.user, pk)
    outcome = request.POST.get("outcome", "")
    callback_at = _local_datetime(request.POST.get("callback_at"))
    try:
        call_register(
            actor=request.user,
            entry=entry,
            outcome=outcome,
            note=request.POST.get("note", "")[:500],
            reason=request.POST.get("reason", ""),
            callback_at=callback_at,
            callback_mine=request.POST.get("callback_mine") == "on",
        )
    except ApplicationError as error:
        messages.error(request, _explain(error))
        return redirect("workspace-entry", entry.pk)
    messages.success(
        request,
        _("%(company)s: %(outcome)s saved.")
        % {"company": entry.company.name, "outcome": CallAttempt.Outcome(outcome).label},
    )
    if request.POST.get("then") == "next":
        return next_company(request)
    return redirect("workspace")


@require_POST
@role_required(*PHONERS)
def entry_book(request, pk: int):
    entry = entry_for_phoner(request.user, pk)
    starts_at = parse_datetime(request.POST.get("starts_at", ""))
    if starts_at is None:
        messages.error(request, _("Choose a time for the visit."))
        return redirect("workspace-entry", entry.pk)
    try:
        booking = call_book(
            actor=request.user,
            entry=entry,
            starts_at=starts_at,
            consultant_id=int_or_none(request.POST.get("consultant")),
            note=request.POST.get("note", "")[:500],
        )
    except SlotUnavailable as taken:
        messages.warning(request, str(taken.message))
        return redirect("workspace-entry", entry.pk)
    except ApplicationError as error:
        messages.error(request, _explain(error))
        return redirect("workspace-entry", entry.pk)
    names = ", ".join(a.consultant.name for a in booking.attendees.select_related("consultant"))
    messages.success(
        request,
        _("Visit booked at %(company)s on %(when)s with %(who)s. Confirmation goes out by e-mail.")
        % {
            "company": entry.company.name,
            "when": timezone.localtime(booking.starts_at).strftime("%d-%m-%Y %H:%M"),
            "who": names,
        },
    )
    return redirect("workspace")


@require_POST
@role_required(*PHONERS)
def entry_skip(request, pk: int):
    entry = entry_for_phoner(request.user, pk)
    entry_release(actor=request.user, entry=entry)
    return next_company(request)


@role_required(*PHONERS)
def search(request):
    query = request.GET.get("q", "")
    results = entries_search(query=query) if query else []
    return render(request, "bookings/workspace_search.html", {"q": query, "results": results})


def _slots(entry: CallListEntry, consultant_id: int | None) -> SlotSearch:
    return find_slots(
        campaign=entry.call_list.campaign,
        jobcentre=entry.call_list.jobcentre,
        track=entry.call_list.track,
        now=timezone.now(),
        consultant_id=consultant_id,
    )


def _slot_context(search: SlotSearch, consultant_id: int | None) -> dict:
    """Free times grouped by day, and each consultant's count of free times (the phoner sees
    how much each has left). On track 1 the choice is of the local consultant."""
    days = [
        (day, list(offers))
        for day, offers in groupby(
            search.offers, key=lambda o: o.starts_at.astimezone(LOCAL_TZ).date()
        )
    ]
    choices = [
        (consultant, search.free_by_consultant.get(consultant.pk, 0))
        for consultant in search.consultants.values()
        if consultant.kind == consultant.Kind.LOCAL
    ]
    return {
        "search": search,
        "days": days,
        "consultant_choices": choices,
        "consultant_id": consultant_id,
    }


def _local_datetime(value: str | None) -> dt.datetime | None:
    """<input type=datetime-local> sends a naive local time."""
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=LOCAL_TZ)
    return parsed


def _explain(error: ApplicationError) -> str:
    details = "; ".join(str(m) for msgs in error.field_errors.values() for m in msgs)
    return f"{error.message} {details}".strip()
