"""Every write of jobcentre acceptance and call-list vetting, one function per use case, each
in one transaction.

A coordinator accepts a campaign for their jobcentre with a quota (the visits it can take),
vets the firms on its call lists (approve, or exclude with a reason) and releases each list
to the phoners. Agency staff may do all of it for any jobcentre. Every service checks the
actor with consultants.roles.can_manage_jobcentre, so the HTML views and the API refuse the
same things.
"""

import copy
import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from auditlog.cid import get_cid
from auditlog.context import auditlog_value
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaign.models import CallList, CallListEntry, Participation
from campaign.queries import quota_used
from common.errors import ApplicationError, Conflict, PermissionDenied
from consultants.models import Coordinator
from consultants.roles import can_manage_jobcentre
from notifications.services import Outgoing, messages_cancel, messages_enqueue

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)
DEADLINE_REMINDER_KIND = "vetting-deadline"
DEADLINE_REMINDER_TIME = dt.time(8, 0)

# The decisions a vetter can make, by the name the forms and the API use.
Decision = CallListEntry.Vetting
Reason = CallListEntry.ExclusionReason


def _require_manager(actor, jobcentre_id: int) -> None:
    if not can_manage_jobcentre(actor, jobcentre_id):
        raise PermissionDenied(
            _("Only agency staff and the jobcentre's own coordinator may do this.")
        )


# --- Participation: acceptance and quota -----------------------------------------------------


def quota_check(*, quota: int, used: int, minimum: int = 0) -> None:
    """Refuse a quota below `minimum` or below the visits already booked (`used`)."""
    if quota < minimum:
        message = ngettext(
            "The quota must be at least %(minimum)d visit.",
            "The quota must be at least %(minimum)d visits.",
            minimum,
        ) % {"minimum": minimum}
        raise ApplicationError(message, field_errors={"quota": [message]})
    if quota < used:
        message = ngettext(
            "%(used)d visit is already booked, so the quota cannot be lower than %(used)d.",
            "%(used)d visits are already booked, so the quota cannot be lower than %(used)d.",
            used,
        ) % {"used": used}
        raise ApplicationError(message, field_errors={"quota": [message]})


def _lock_participation(participation: Participation) -> Participation:
    # The same row booking_create locks before it counts the quota: holding it, no visit can
    # be booked for this jobcentre while we compare the new quota with the count.
    return Participation.objects.select_for_update().get(pk=participation.pk)


@transaction.atomic
def participation_accept(*, actor, participation: Participation, quota: int) -> Participation:
    """The jobcentre accepts the campaign and says how many visits it can take."""
    _require_manager(actor, participation.jobcentre_id)
    locked = _lock_participation(participation)
    if locked.accepted_at is not None:
        raise Conflict(
            _("The jobcentre has already accepted this campaign. Change the quota instead.")
        )
    if locked.campaign.ends_on < timezone.localdate():
        raise ApplicationError(_("The campaign has ended and can no longer be accepted."))
    used = quota_used(campaign_id=locked.campaign_id, jobcentre_id=locked.jobcentre_id)
    quota_check(quota=quota, used=used, minimum=1)
    locked.quota = quota
    locked.accepted_at = timezone.now()
    locked.accepted_by = actor
    locked.save(update_fields=["quota", "accepted_at", "accepted_by"])
    return locked


@transaction.atomic
def participation_quota_set(*, actor, participation: Participation, quota: int) -> Participation:
    """Change a jobcentre's quota, never below the visits already booked."""
    _require_manager(actor, participation.jobcentre_id)
    locked = _lock_participation(participation)
    used = quota_used(campaign_id=locked.campaign_id, jobcentre_id=locked.jobcentre_id)
    quota_check(quota=quota, used=used)
    if locked.quota != quota:
        locked.quota = quota
        locked.save(update_fields=["quota"])
    return locked


# --- Vetting the firms on a call list ---------------------------------------------------------


def _lock_call_list(call_list: CallList) -> CallList:
    # Vetting, releasing and the deadline all lock the list first, so a release never races
    # a vetting decision (no firm is left pending on a released list).
    return (
        CallList.objects.select_for_update(of=("self",))
        .select_related("campaign", "jobcentre")
        .get(pk=call_list.pk)
    )


def _require_vetting(call_list: CallList) -> None:
    if call_list.status != CallList.Status.VETTING:
        raise ApplicationError(
            _(
                "This call list has already been released to the phoners; its vetting and "
                "deadline can no longer be changed."
            )
        )


def _decision_fields(actor, decision: str, reason: str, note: str, now: dt.datetime) -> dict:
    """The field values a decision writes, after checking reason and note."""
    note = (note or "").strip()
    if decision == Decision.EXCLUDED:
        if reason not in Reason.values:
            message = _("Choose why the firm is excluded.")
            raise ApplicationError(message, field_errors={"reason": [message]})
        if reason == Reason.OTHER and not note:
            message = _("Describe the reason when it is 'Other'.")
            raise ApplicationError(message, field_errors={"note": [message]})
        max_length = CallListEntry._meta.get_field("exclusion_note").max_length
        if len(note) > max_length:
            message = _("The note may be at most %(max)d characters.") % {"max": max_length}
            raise ApplicationError(message, field_errors={"note": [message]})
        return {
            "vetting": decision,
            "exclusion_reason": reason,
            "exclusion_note": note,
            "vetted_by": actor,
            "vetted_at": now,
        }
    if decision == Decision.APPROVED:
        return {
            "vetting": decision,
            "exclusion_reason": "",
            "exclusion_note": "",
            "vetted_by": actor,
            "vetted_at": now,
        }
    if decision == Decision.PENDING:  # undo: back to "not vetted"
        return {
            "vetting": decision,
            "exclusion_reason": "",
            "exclusion_note": "",
            "vetted_by": None,
            "vetted_at": None,
        }
    message = _("Unknown decision.")
    raise ApplicationError(message, field_errors={"decision": [message]})


def _apply(*, actor, entries: list[CallListEntry], fields: dict) -> list[CallListEntry]:
    """Write one decision to many entries in one UPDATE, and one audit-log row per entry.

    A list holds up to thousands of firms, so "exclude all matching" cannot save them one by
    one. queryset.update() sends no signals, so the audit rows django-auditlog would have
    written on save() are written here, in its own format, in one bulk INSERT."""
    changed = [
        e
        for e in entries
        if (e.vetting, e.exclusion_reason, e.exclusion_note)
        != (fields["vetting"], fields["exclusion_reason"], fields["exclusion_note"])
    ]
    if not changed:
        return []
    CallListEntry.objects.filter(pk__in=[e.pk for e in changed]).update(**fields)

    content_type = ContentType.objects.get_for_model(CallListEntry)
    cid = get_cid()
    # The request's address, as the AuditlogMiddleware gives it to the rows it writes.
    remote_addr = auditlog_value.get({}).get("remote_addr")
    now = fields.get("vetted_at") or timezone.now()
    log_rows = []
    for entry in changed:
        before = copy.copy(entry)
        for name, value in fields.items():
            setattr(entry, name, value)
        changes = model_instance_diff(before, entry, fields_to_check=list(fields))
        log_rows.append(
            LogEntry(
                content_type=content_type,
                object_pk=str(entry.pk),
                object_id=entry.pk,
                object_repr=str(entry),
                action=LogEntry.Action.UPDATE,
                changes=changes,
                actor=actor,
                actor_email=getattr(actor, "email", None),
                cid=cid,
                remote_addr=remote_addr,
                timestamp=now,
            )
        )
    LogEntry.objects.bulk_create(log_rows, batch_size=1000)
    return changed


@transaction.atomic
def entries_vet(
    *,
    actor,
    call_list: CallList,
    entry_ids: Iterable[int],
    decision: str,
    reason: str = "",
    note: str = "",
) -> int:
    """Approve, exclude (with a reason; "other" needs a note) or reset to "not vetted" the
    given firms on a call list. Returns how many entries changed."""
    _require_manager(actor, call_list.jobcentre_id)
    locked = _lock_call_list(call_list)
    _require_vetting(locked)
    fields = _decision_fields(actor, decision, reason, note, timezone.now())
    ids = set(entry_ids)
    if not ids:
        message = _("Select at least one firm.")
        raise ApplicationError(message, field_errors={"entry_ids": [message]})
    entries = list(
        CallListEntry.objects.filter(call_list=locked, pk__in=ids)
        .select_related("company")
        .order_by("pk")
    )
    if len(entries) != len(ids):
        message = _("Some of the selected firms are not on this call list.")
        raise ApplicationError(message, field_errors={"entry_ids": [message]})
    for entry in entries:
        entry.call_list = locked  # str(entry) for the audit log, without a query per entry
    return len(_apply(actor=actor, entries=entries, fields=fields))


# --- Releasing a list and its deadline ----------------------------------------------------


def _deadline_ref(call_list: CallList) -> str:
    return f"call-list:{call_list.pk}"


@transaction.atomic
def call_list_release(*, actor, call_list: CallList, approve_pending: bool = False) -> CallList:
    """Release a vetted list to the phoners. Firms not yet vetted block the release, unless
    `approve_pending` approves them first. Cancels the pending deadline reminder."""
    _require_manager(actor, call_list.jobcentre_id)
    locked = _lock_call_list(call_list)
    _require_vetting(locked)
    if not Participation.objects.filter(
        campaign_id=locked.campaign_id, jobcentre_id=locked.jobcentre_id, accepted_at__isnull=False
    ).exists():
        raise ApplicationError(
            _("The jobcentre must accept the campaign before its call lists are released.")
        )
    pending = list(
        CallListEntry.objects.filter(call_list=locked, vetting=Decision.PENDING)
        .select_related("company")
        .order_by("pk")
    )
    if pending and not approve_pending:
        raise ApplicationError(
            ngettext(
                "%(count)d firm is not vetted yet. Vet it, or release and approve the rest.",
                "%(count)d firms are not vetted yet. Vet them, or release and approve the rest.",
                len(pending),
            )
            % {"count": len(pending)},
            extra={"pending": len(pending)},
        )
    now = timezone.now()
    if pending:
        for entry in pending:
            entry.call_list = locked
        _apply(
            actor=actor,
            entries=pending,
            fields=_decision_fields(actor, Decision.APPROVED, "", "", now),
        )
    locked.status = CallList.Status.RELEASED
    locked.released_at = now
    locked.save(update_fields=["status", "released_at"])
    messages_cancel(subject_ref=_deadline_ref(locked), kinds=[DEADLINE_REMINDER_KIND])
    return locked


def deadline_due_at(deadline: dt.date) -> dt.datetime:
    """The reminder goes out at 08:00 Copenhagen time on the deadline day."""
    return dt.datetime.combine(deadline, DEADLINE_REMINDER_TIME, LOCAL_TZ)


@transaction.atomic
def call_list_deadline_set(*, actor, call_list: CallList, deadline: dt.date | None) -> CallList:
    """Set (or clear, with None) the date by which the jobcentre vets the list. Each of the
    jobcentre's coordinators gets a reminder on the morning of the deadline; a changed
    deadline cancels the old reminders and schedules new ones."""
    _require_manager(actor, call_list.jobcentre_id)
    locked = _lock_call_list(call_list)
    _require_vetting(locked)
    if deadline is not None and deadline < timezone.localdate():
        message = _("The deadline cannot be in the past.")
        raise ApplicationError(message, field_errors={"vetting_deadline": [message]})
    if locked.vetting_deadline == deadline:
        return locked
    locked.vetting_deadline = deadline
    locked.save(update_fields=["vetting_deadline"])

    ref = _deadline_ref(locked)
    messages_cancel(subject_ref=ref, kinds=[DEADLINE_REMINDER_KIND])
    if deadline is None:
        return locked
    coordinators = Coordinator.objects.filter(jobcentre_id=locked.jobcentre_id).select_related(
        "user"
    )
    outgoing = [
        Outgoing(
            # The brief's key, plus the recipient: a jobcentre may have several coordinators
            # and the outbox keeps one row per key.
            key=f"{ref}:{DEADLINE_REMINDER_KIND}:{deadline.isoformat()}:user-{c.user_id}",
            kind=DEADLINE_REMINDER_KIND,
            subject_ref=ref,
            to_email=c.user.email,
            to_name=c.user.get_full_name(),
            due_at=deadline_due_at(deadline),
            context={
                "call_list": locked.pk,
                "campaign": locked.campaign.name,
                "jobcentre": locked.jobcentre.name,
                "track": locked.track,
                "deadline": deadline.isoformat(),
            },
        )
        for c in coordinators
        if c.user.email
    ]
    messages_enqueue(messages=outgoing)
    return locked
