"""Importing the companies of a campaign track from a CSV or XLSX file.

upload -> parse (a broken file is refused as a whole, nothing stored) -> validate every row
into a preview (accepted, rejected, duplicates) -> confirm (one transaction) or discard.

Validation reads the database in a fixed number of queries per file, never per row. Files
longer than settings.IMPORT_ASYNC_ROWS are validated and stored by Celery tasks
(campaign.tasks) while the page shows progress. The rows live on the ImportBatch as JSON;
messages are kept as codes with parameters and translated when shown.

Reading a file is in campaign.import_files, checking a row in campaign.import_rows.
"""

import logging
import math

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.import_files import import_file_read
from campaign.import_rows import (
    DuplicateKind,
    chunks,
    clean_cvr,
    clean_row,
    duplicates,
    eligibility,
    issue_text,
    known_about,
)
from campaign.models import CallList, CallListEntry, Campaign, Company, ImportBatch, Track
from common.errors import ApplicationError, Conflict, PermissionDenied
from consultants.models import Municipality
from consultants.roles import is_agency

logger = logging.getLogger(__name__)

# Progress is written at most ~20 times per file, and not at all for short files.
PROGRESS_MIN_ROWS = 250
PROGRESS_STEPS = 20

ACCEPTED = "accepted"
REJECTED = "rejected"
DUPLICATE = "duplicate"
RUNNING = (ImportBatch.Status.VALIDATING, ImportBatch.Status.IMPORTING)


def _require_agency(actor) -> None:
    if not is_agency(actor):
        raise PermissionDenied(_("Only agency staff may import companies."))


def import_batches_for(user) -> QuerySet[ImportBatch]:
    """Agency staff see every import; nobody else sees any."""
    queryset = ImportBatch.objects.select_related("campaign", "uploaded_by")
    return queryset if is_agency(user) else queryset.none()


# --- Validating a batch ---------------------------------------------------------------------


def _progress(batch: ImportBatch, done: int) -> bool:
    """Record progress; False once the batch is no longer being validated (discarded)."""
    return bool(
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATING).update(
            processed_rows=done
        )
    )


def import_batch_validate(*, batch: ImportBatch) -> ImportBatch:
    """Validate every row of a batch into its preview. Runs once: a batch no longer being
    validated is left alone. Not one transaction on purpose: progress must be visible while
    it runs; the result is written in a single conditional update at the end."""
    if batch.status != ImportBatch.Status.VALIDATING:
        return batch
    try:
        rows = _validate_rows(batch)
    except Exception:
        _fail(batch, ImportBatch.Status.VALIDATING, _("The file could not be checked."))
        raise
    if rows is None:  # discarded meanwhile
        batch.refresh_from_db(fields=["status", "processed_rows"])
        return batch
    stored = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATING).update(
        status=ImportBatch.Status.PREVIEW, rows=rows, processed_rows=len(rows)
    )
    if stored:
        batch.status, batch.rows, batch.processed_rows = ImportBatch.Status.PREVIEW, rows, len(rows)
    else:
        batch.refresh_from_db(fields=["status", "processed_rows"])
    return batch


def _validate_rows(batch: ImportBatch) -> list[dict] | None:
    campaign = batch.campaign
    today = timezone.localdate()
    cvrs = sorted({clean_cvr(row["raw"]["cvr"]) for row in batch.rows} - {""})
    known = known_about(campaign, cvrs)
    step = max(PROGRESS_MIN_ROWS, math.ceil(len(batch.rows) / PROGRESS_STEPS))
    first_row_of: dict[str, int] = {}
    rows = []
    for done, item in enumerate(batch.rows, start=1):
        values, errors = clean_row(item["raw"], known.municipalities, today)
        row = {"row": item["row"], "raw": item["raw"], "values": values, "errors": errors}
        row.update(duplicates=[], flags=[], eligibility=None, status=REJECTED)
        if values["municipality_code"] in known.municipalities:
            row["municipality"] = known.municipalities[values["municipality_code"]]
        cvr = values["cvr"]
        if not any(e.get("field") == "cvr" for e in errors):
            row["company_id"] = known.companies.get(cvr, {}).get("id")
            row["duplicates"] = duplicates(
                cvr, first_row_of.get(cvr), known, campaign.recontact_days
            )
            first_row_of.setdefault(cvr, item["row"])
        if not errors:
            reason, eligible, flags = eligibility(batch.track, values, today)
            row["eligibility"], row["flags"] = reason, flags
            if row["duplicates"]:
                row["status"] = DUPLICATE
            elif eligible:
                row["status"] = ACCEPTED
            else:
                row["errors"] = [reason]
        rows.append(row)
        if done % step == 0 and done < len(batch.rows) and not _progress(batch, done):
            return None
    return rows


def _fail(batch: ImportBatch, status: str, message) -> None:
    ImportBatch.objects.filter(pk=batch.pk, status=status).update(
        status=ImportBatch.Status.FAILED, error=str(message)
    )
    batch.status, batch.error = ImportBatch.Status.FAILED, str(message)


# --- The use cases --------------------------------------------------------------------------


def import_batch_create(
    *, actor, campaign: Campaign, track: str, filename: str, content: bytes
) -> ImportBatch:
    """Read an uploaded file into a new batch and validate it: here for a short file, in a
    Celery task for a long one. A file that cannot be read stores nothing."""
    _require_agency(actor)
    if track not in Track.values:
        raise ApplicationError(
            _("Choose track 1 or track 2."), field_errors={"track": [_("Unknown track.")]}
        )
    rows = import_file_read(filename=filename, content=content)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            campaign=campaign,
            track=track,
            uploaded_by=actor,
            filename=filename[-255:],
            content=content,
            total_rows=len(rows),
            rows=rows,
        )
        if batch.total_rows > settings.IMPORT_ASYNC_ROWS:
            from campaign.tasks import import_validate

            transaction.on_commit(lambda: import_validate.delay(batch.pk))
            return batch
    return import_batch_validate(batch=batch)


def import_batch_commit(*, actor, batch: ImportBatch) -> ImportBatch:
    """Confirm a previewed batch: store its accepted rows, here for a short list and in a
    Celery task for a long one. Only one confirmation wins."""
    _require_agency(actor)
    if batch.status != ImportBatch.Status.PREVIEW:
        raise Conflict(
            _("This import is not waiting for confirmation; it is “%(status)s”.")
            % {"status": batch.get_status_display()}
        )
    accepted = sum(1 for row in batch.rows if row["status"] == ACCEPTED)
    if not accepted:
        raise ApplicationError(_("No row was accepted, so there is nothing to import."))
    if accepted <= settings.IMPORT_ASYNC_ROWS:
        batch, stored = _store(batch=batch, expected=ImportBatch.Status.PREVIEW)
        if not stored:
            raise Conflict()
        return batch
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
        status=ImportBatch.Status.IMPORTING, error=""
    )
    if not claimed:
        raise Conflict()
    batch.status = ImportBatch.Status.IMPORTING
    from campaign.tasks import import_commit

    transaction.on_commit(lambda: import_commit.delay(batch.pk))
    return batch


def import_batch_store(*, batch: ImportBatch) -> ImportBatch:
    """Store the accepted rows of a batch confirmed for the background (status importing).
    A batch in any other state is left alone, so a redelivered task does nothing twice."""
    return _store(batch=batch, expected=ImportBatch.Status.IMPORTING)[0]


def _store(*, batch: ImportBatch, expected: str) -> tuple[ImportBatch, bool]:
    """Store the accepted rows in one transaction: all or nothing. Returns the batch and
    whether this call stored it. On failure the batch is marked failed with the reason and
    Conflict is raised."""
    try:
        with transaction.atomic():
            # The lock serialises two confirmations (or a redelivered task): the second
            # waits, then sees the batch is no longer in the expected state.
            locked = ImportBatch.objects.select_for_update().select_related("campaign")
            locked = locked.get(pk=batch.pk)
            if locked.status != expected:
                return locked, False
            _store_rows(locked)
            locked.status = ImportBatch.Status.DONE
            locked.committed_at = timezone.now()
            locked.error = ""
            locked.save(update_fields=["status", "committed_at", "error", "rows"])
            return locked, True
    except ApplicationError as exc:
        reason = exc.message
    except IntegrityError:
        reason = _(
            "A company in the file was put on a call list or changed by someone else after "
            "the preview."
        )
    except DatabaseError:
        logger.exception("Import %s could not be stored", batch.pk)
        reason = _("The database refused the companies.")
    text = _("Nothing was imported: %(reason)s Upload the file again to see a fresh preview.")
    text = text % {"reason": reason}
    _fail(batch, expected, text)
    raise Conflict(text)


COMPANY_FIELDS = {
    "name": "name",
    "employees": "employees",
    "sites": "sites",
    "address": "address",
    "postcode": "postcode",
    "city": "city",
    "phone": "phone",
    "email": "email",
    "contact_name": "contact_name",
    "contact_role": "contact_role",
    "last_cooperation": "last_jobcentre_cooperation",
}


def _store_rows(batch: ImportBatch) -> None:
    accepted = [row for row in batch.rows if row["status"] == ACCEPTED]
    cvrs = [row["values"]["cvr"] for row in accepted]
    existing = {
        company.cvr: company
        for chunk in chunks(cvrs)
        for company in Company.objects.select_for_update().filter(cvr__in=chunk)
    }
    municipalities = {
        code: (pk, jobcentre_id)
        for code, pk, jobcentre_id in Municipality.objects.values_list("code", "pk", "jobcentre_id")
    }
    created, updated = [], []
    for row in accepted:
        values = row["values"]
        fields = {attr: values[key] for key, attr in COMPANY_FIELDS.items()}
        fields["municipality_id"] = municipalities[values["municipality_code"]][0]
        company = existing.get(values["cvr"])
        if company is None:
            created.append(Company(cvr=values["cvr"], **fields))
            row["result"] = "created"
            continue
        if company.do_not_contact:
            raise ApplicationError(
                _("%(company)s was put on the do-not-contact list after the preview.")
                % {"company": company}
            )
        # The file updates what it holds; an empty cell keeps what we knew.
        for attr, value in fields.items():
            if value not in ("", None):
                setattr(company, attr, value)
        updated.append(company)
        row["result"] = "updated"
    # Bulk writes keep a long file fast; the batch itself records who imported what.
    Company.objects.bulk_create(created, batch_size=1000)
    Company.objects.bulk_update(
        updated, [*COMPANY_FIELDS.values(), "municipality_id"], batch_size=1000
    )
    companies = {c.cvr: c for c in [*created, *updated]}

    jobcentre_of = {
        row["values"]["cvr"]: municipalities[row["values"]["municipality_code"]][1]
        for row in accepted
    }
    call_lists = {
        cl.jobcentre_id: cl
        for cl in CallList.objects.select_for_update().filter(
            campaign=batch.campaign, track=batch.track, jobcentre_id__in=set(jobcentre_of.values())
        )
    }
    missing = [
        CallList(campaign=batch.campaign, jobcentre_id=jobcentre_id, track=batch.track)
        for jobcentre_id in sorted(set(jobcentre_of.values()) - call_lists.keys())
    ]
    for call_list in CallList.objects.bulk_create(missing):
        call_lists[call_list.jobcentre_id] = call_list
    # New entries go after those already on the list, in the order of the file.
    last_position = dict(
        CallListEntry.objects.filter(call_list__in=list(call_lists.values()))
        .values_list("call_list")
        .annotate(last=Max("position"))
    )
    entries = []
    for row in accepted:
        call_list = call_lists[jobcentre_of[row["values"]["cvr"]]]
        last_position[call_list.pk] = last_position.get(call_list.pk, 0) + 1
        entries.append(
            CallListEntry(
                call_list=call_list,
                company=companies[row["values"]["cvr"]],
                position=last_position[call_list.pk],
            )
        )
        row["call_list_id"] = call_list.pk
    CallListEntry.objects.bulk_create(entries, batch_size=1000)


def import_batch_discard(*, actor, batch: ImportBatch) -> ImportBatch:
    """Throw a batch away before it is imported; its file and rows are deleted."""
    _require_agency(actor)
    discarded = ImportBatch.objects.filter(
        pk=batch.pk,
        status__in=[
            ImportBatch.Status.VALIDATING,
            ImportBatch.Status.PREVIEW,
            ImportBatch.Status.FAILED,
        ],
    ).update(status=ImportBatch.Status.DISCARDED, content=b"", rows=[])
    if not discarded:
        raise Conflict(_("This import can no longer be discarded."))
    batch.status, batch.rows = ImportBatch.Status.DISCARDED, []
    return batch


# --- The preview ----------------------------------------------------------------------------


def import_batch_preview(*, batch: ImportBatch, limit: int | None = None) -> dict:
    """The batch's rows for people: counts, then the accepted (with flags), rejected (with
    reasons) and duplicate (with kinds) rows, messages in the active language. `limit` caps
    each list (a page need not show 50,000 rows); the counts are always complete."""
    lists: dict[str, list] = {ACCEPTED: [], REJECTED: [], DUPLICATE: []}
    counts = {ACCEPTED: 0, REJECTED: 0, DUPLICATE: 0, "flagged": 0}
    jobcentres: dict[str, int] = {}
    # Before validation (and after a failed one) the rows are raw: nothing to show yet.
    validated = bool(batch.rows) and "status" in batch.rows[0]
    for row in batch.rows if validated else ():
        status = row["status"]
        counts[status] += 1
        if status == ACCEPTED:
            counts["flagged"] += bool(row["flags"])
            name = row["municipality"]["jobcentre"]
            jobcentres[name] = jobcentres.get(name, 0) + 1
        if limit is not None and len(lists[status]) >= limit:
            continue
        values, raw = row["values"], row["raw"]
        municipality = row.get("municipality") or {}
        lists[status].append(
            {
                "row": row["row"],
                "cvr": values["cvr"] or raw["cvr"],
                "name": values["name"],
                "employees": values["employees"],
                "sites": values["sites"],
                "municipality": municipality.get("name", raw["municipality_code"]),
                "jobcentre": municipality.get("jobcentre", ""),
                "eligibility": issue_text(row["eligibility"]) if row["eligibility"] else "",
                "flags": [issue_text(flag) for flag in row["flags"]],
                "reasons": [issue_text(error) for error in row["errors"]],
                "duplicates": [
                    {
                        "kind": dup["kind"],
                        "label": str(DuplicateKind.labels[dup["kind"]]),
                        "detail": issue_text(dup),
                    }
                    for dup in row["duplicates"]
                ],
                "existing_company": bool(row.get("company_id")),
                "result": row.get("result", ""),
            }
        )
    return {
        "validated": validated,
        "counts": {**counts, "total": batch.total_rows},
        "jobcentres": sorted(jobcentres.items()),
        "accepted": lists[ACCEPTED],
        "rejected": lists[REJECTED],
        "duplicates": lists[DUPLICATE],
    }
