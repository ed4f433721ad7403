"""Importing the companies of a campaign track from a CSV or XLSX file.

upload -> parse (a broken file is refused as a whole, nothing stored) -> validate every row
into a preview (accepted, rejected, duplicates) -> confirm (one transaction) or discard.

Validation reads the database in a fixed number of queries per file, never per row. Files
longer than settings.IMPORT_ASYNC_ROWS are validated and stored by Celery tasks
(campaign.tasks) while the page shows progress. The rows live on the ImportBatch as JSON;
messages are kept as codes with parameters and translated when shown.
"""

import csv
import datetime as dt
import io
import logging
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from campaign.models import (
    CallAttempt,
    CallList,
    CallListEntry,
    Campaign,
    Company,
    ImportBatch,
    Track,
)
from campaign.validators import validate_cvr
from common.errors import ApplicationError, Conflict, PermissionDenied
from consultants.models import Municipality
from consultants.roles import is_agency

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
# Lookups by CVR go in chunks, so a query never carries more parameters than a database takes.
LOOKUP_CHUNK = 5_000
# Progress is written at most ~20 times per file, and not at all for short files.
PROGRESS_MIN_ROWS = 250
PROGRESS_STEPS = 20

TRACK2_MIN_EMPLOYEES = 5
TRACK2_MAX_EMPLOYEES = 100
TRACK1_MIN_EMPLOYEES = 101  # "more than 100"
MAX_EMPLOYEES = 2_000_000  # no Danish firm is larger; beyond it the cell is a typing error
MAX_SITES = 32_767  # the column is a small integer

ACCEPTED = "accepted"
REJECTED = "rejected"
DUPLICATE = "duplicate"
RUNNING = (ImportBatch.Status.VALIDATING, ImportBatch.Status.IMPORTING)


class DuplicateKind:
    FILE = "file"
    CALL_LIST = "call_list"
    RECENT_CONTACT = "recent_contact"
    DO_NOT_CONTACT = "do_not_contact"

    labels = {
        FILE: _("Twice in the file"),
        CALL_LIST: _("Already on a call list of this campaign"),
        RECENT_CONTACT: _("Contacted recently"),
        DO_NOT_CONTACT: _("Do not contact"),
    }


# The columns: field -> (label, accepted header names after normalising; Danish first).
COLUMNS = {
    "cvr": (_("CVR number"), ("cvr", "cvr_nr", "cvrnr", "cvr_nummer", "cvr_number")),
    "name": (_("name"), ("navn", "name", "virksomhed", "virksomhedsnavn", "company_name")),
    "employees": (_("employees"), ("ansatte", "employees", "antal_ansatte")),
    "address": (_("address"), ("adresse", "address")),
    "postcode": (_("postcode"), ("postnr", "postcode", "postnummer", "postal_code")),
    "city": (_("city"), ("by", "city", "postdistrikt", "town")),
    "municipality_code": (
        _("municipality code"),
        ("kommunekode", "municipality_code", "kommunenr", "kommune_kode"),
    ),
    "phone": (_("phone"), ("telefon", "phone", "tlf", "telefonnummer")),
    "email": (_("e-mail"), ("email", "e_mail", "mail")),
    "contact_name": (_("contact person"), ("kontaktperson", "contact_name", "kontakt")),
    "contact_role": (_("contact's role"), ("kontaktrolle", "contact_role", "stilling")),
    "sites": (_("number of sites"), ("antal_adresser", "sites", "adresser")),
    "last_cooperation": (
        _("last cooperation with a jobcentre"),
        ("senest_samarbejde", "last_cooperation", "seneste_samarbejde"),
    ),
}
REQUIRED_COLUMNS = ("cvr", "name", "employees", "municipality_code")
HEADERS = {alias: field for field, (_label, aliases) in COLUMNS.items() for alias in aliases}
TEXT_MAX_LENGTH = {
    "name": 200,
    "address": 200,
    "city": 60,
    "contact_name": 120,
    "contact_role": 120,
    "email": 254,
}

# Every message a row can carry, by code. Parameters: field (a column), value, row, date,
# days, employees, sites, jobcentre, track.
MESSAGES = {
    "required": _("%(field)s is missing."),
    "cvr_length": _("A CVR number has exactly 8 digits."),
    "cvr_digits": _("A CVR number has digits only."),
    "cvr_check_digit": _("%(value)s is not a valid CVR number (check digit)."),
    "whole_number": _("%(field)s must be a whole number of 0 or more, not “%(value)s”."),
    "too_large": _("%(field)s is too large: %(value)s."),
    "sites_min": _("A firm has at least 1 site, not %(value)s."),
    "municipality_unknown": _("There is no municipality with the code %(value)s."),
    "phone": _("“%(value)s” is not a Danish phone number (8 digits, optionally with +45)."),
    "email": _("“%(value)s” is not a valid e-mail address."),
    "postcode": _("“%(value)s” is not a postcode (4 digits)."),
    "too_long": _("%(field)s is longer than %(max)s characters."),
    "date": _("“%(value)s” is not a date (write 2025-03-31 or 31-03-2025)."),
    "date_future": _("%(field)s is in the future: %(date)s."),
    "track2_employees": _("%(employees)s employees: track 2 is for firms with 5 to 100 employees."),
    "track2_recent_cooperation": _(
        "Worked with a jobcentre on %(date)s: track 2 is for firms that have not done so "
        "in the last 12 months."
    ),
    "track1_employees": _(
        "%(employees)s employees: track 1 is for firms with more than 100 employees."
    ),
    "track2_eligible": _(
        "Track 2: %(employees)s employees, no jobcentre cooperation in the last 12 months."
    ),
    "track1_eligible": _("Track 1: %(employees)s employees, %(sites)s site(s)."),
    "track1_one_site": _("One site only: probably irrelevant for Jobservice Danmark."),
    "dup_file": _("The same CVR number as row %(row)s."),
    "dup_call_list": _("Already on the call list of %(jobcentre)s, %(track)s."),
    "dup_recent_call": _("Called on %(date)s, within the last %(days)s days."),
    "dup_recent_booking": _("A visit was booked on %(date)s, within the last %(days)s days."),
    "dup_do_not_contact": _("The company asked not to be contacted."),
}


def issue(code: str, field: str | None = None, **params) -> dict:
    """A message as stored in a row: its code, the column it concerns and its parameters."""
    result = {"code": code, "params": params}
    if field:
        result["field"] = field
    return result


def issue_text(item: dict) -> str:
    """The message of a stored issue, in the active language."""
    params = dict(item.get("params") or {})
    if item.get("field") in COLUMNS:
        params["field"] = capfirst(COLUMNS[item["field"]][0])
    if params.get("date"):
        params["date"] = formats.date_format(
            dt.date.fromisoformat(params["date"]), "SHORT_DATE_FORMAT"
        )
    if params.get("track"):
        params["track"] = Track(params["track"]).label
    return str(MESSAGES.get(item["code"], _("Invalid value."))) % params


def _require_agency(actor) -> None:
    if not is_agency(actor):
        raise PermissionDenied(_("Only agency staff may import companies."))


def import_batches_for(user) -> QuerySet[ImportBatch]:
    """Agency staff see every import; nobody else sees any."""
    queryset = ImportBatch.objects.select_related("campaign", "uploaded_by")
    return queryset if is_agency(user) else queryset.none()


# --- Reading the file -----------------------------------------------------------------------


def _normalise_header(value: str) -> str:
    return re.sub(r"[\s\-.]+", "_", value.replace("\ufeff", "").strip().lower()).strip("_")


def _cell_text(value) -> str:
    """An XLSX cell as the text a CSV would have held."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _csv_cells(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(
            _(
                "The file is not UTF-8 encoded (byte %(position)s). Save it as “CSV UTF-8” "
                "and upload it again."
            )
            % {"position": exc.start + 1}
        ) from exc
    if not text.strip():
        raise ApplicationError(_("The file is empty."))
    header = next(line for line in text.splitlines() if line.strip())
    # The delimiter is the candidate the header row uses most (header names hold neither).
    delimiter = max((";", ",", "\t"), key=header.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ApplicationError(
            _("The file could not be read as CSV: %(error)s") % {"error": exc}
        ) from exc


def _xlsx_cells(content: bytes) -> Iterator[list[str]]:
    broken = _(
        "The file could not be read as an Excel workbook (XLSX). Open it in Excel, save it "
        "as .xlsx or as CSV UTF-8, and upload it again."
    )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged zip or XML
        raise ApplicationError(broken) from exc
    try:
        if not workbook.worksheets:
            raise ApplicationError(_("The file is empty."))
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    except ApplicationError:
        raise
    except Exception as exc:
        raise ApplicationError(broken) from exc
    finally:
        workbook.close()


def _table(cells: Iterable[list[str]]) -> list[dict]:
    """The data rows of a sheet as {"row": number, "raw": {field: text}}; the first non-empty
    row names the columns."""
    columns: dict[int, str] | None = None
    rows = []
    for number, values in enumerate(cells, start=1):
        if not any(value.strip() for value in values):
            continue
        if columns is None:
            columns = _columns(values)
            continue
        raw = dict.fromkeys(COLUMNS, "")
        for index, field in columns.items():
            if index < len(values):
                # NUL cannot be stored in PostgreSQL text or JSON; it never means anything.
                raw[field] = values[index].replace("\x00", "").strip()
        rows.append({"row": number, "raw": raw})
        if len(rows) > MAX_ROWS:
            raise ApplicationError(
                _("The file has more than %(max)s rows. Split it and upload the parts.")
                % {"max": MAX_ROWS}
            )
    if columns is None:
        raise ApplicationError(_("The file is empty."))
    if not rows:
        raise ApplicationError(_("The file has a header row but no companies."))
    return rows


def _columns(header: list[str]) -> dict[int, str]:
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        field = HEADERS.get(_normalise_header(name))
        if field is None:
            continue  # a column we do not use
        if field in columns.values():
            raise ApplicationError(
                _("Two columns hold the %(column)s: remove one of them.")
                % {"column": COLUMNS[field][0]}
            )
        columns[index] = field
    missing = [field for field in REQUIRED_COLUMNS if field not in columns.values()]
    if missing:
        names = ", ".join(
            f"{COLUMNS[f][1][0]} / {COLUMNS[f][1][1]}" if f != "cvr" else "cvr" for f in missing
        )
        raise ApplicationError(
            _(
                "The file lacks the column(s) %(columns)s. The first row must name the "
                "columns, e.g. cvr; navn; ansatte; kommunekode."
            )
            % {"columns": names}
        )
    return columns


def import_file_read(*, filename: str, content: bytes) -> list[dict]:
    """The rows of a CSV or XLSX file, unvalidated. A file that cannot be read as a whole
    raises ApplicationError with one clear message."""
    if len(content) > MAX_FILE_BYTES:
        raise ApplicationError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // 2**20}
        )
    if not content.strip():
        raise ApplicationError(_("The file is empty."))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx" or content.startswith(b"PK\x03\x04"):
        return _table(_xlsx_cells(content))
    if extension in ("csv", "txt", ""):
        return _table(_csv_cells(content))
    raise ApplicationError(_("Upload a CSV file (UTF-8) or an Excel workbook (.xlsx)."))


# --- Validating the rows --------------------------------------------------------------------


def _clean_cvr(text: str) -> str:
    value = re.sub(r"\s", "", text)
    return value[2:] if value[:2].upper() == "DK" else value


def _whole_number(text: str) -> int | None:
    value = re.sub(r"\s", "", text)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", value):  # Danish thousands: 1.200
        value = value.replace(".", "")
    return int(value) if value.isascii() and value.isdigit() else None


def _clean_phone(text: str) -> str | None:
    """'23 45 67 89' for any spelling of an 8-digit Danish number, optionally with +45."""
    value = re.sub(r"[\s\-./()]", "", text)
    if value.startswith("+45"):
        value = value[3:]
    elif value.startswith("0045"):
        value = value[4:]
    elif len(value) == 10 and value.startswith("45"):  # +45 lost in a number cell
        value = value[2:]
    if len(value) != 8 or not (value.isascii() and value.isdigit()):
        return None
    return " ".join(value[i : i + 2] for i in range(0, 8, 2))


def _clean_date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _clean_row(raw: dict, municipalities: dict[int, dict], today: dt.date):
    """The row's values, cleaned, and the problems found in them."""
    values: dict = {}
    errors: list[dict] = []

    cvr = _clean_cvr(raw["cvr"])
    if not cvr:
        errors.append(issue("required", "cvr"))
    else:
        try:
            validate_cvr(cvr)
        except ValidationError as exc:
            errors.append(issue(exc.code, "cvr", value=cvr))
    values["cvr"] = cvr

    for field in ("name", "address", "city", "contact_name", "contact_role"):
        values[field] = " ".join(raw[field].split())
    if not values["name"]:
        errors.append(issue("required", "name"))

    for field in ("employees", "sites"):
        text = raw[field]
        if not text:
            if field == "employees":
                errors.append(issue("required", field))
            values[field] = 1 if field == "sites" else None
            continue
        number = _whole_number(text)
        if number is None:
            errors.append(issue("whole_number", field, value=text))
        elif number > (MAX_EMPLOYEES if field == "employees" else MAX_SITES):
            errors.append(issue("too_large", field, value=text))
            number = None
        elif field == "sites" and number < 1:
            errors.append(issue("sites_min", field, value=text))
        values[field] = number

    code_text = raw["municipality_code"]
    code = _whole_number(code_text)
    values["municipality_code"] = code
    if not code_text:
        errors.append(issue("required", "municipality_code"))
    elif code not in municipalities:
        errors.append(issue("municipality_unknown", "municipality_code", value=code_text))

    values["phone"] = ""
    if raw["phone"]:
        values["phone"] = _clean_phone(raw["phone"]) or ""
        if not values["phone"]:
            errors.append(issue("phone", "phone", value=raw["phone"]))

    values["email"] = raw["email"]
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors.append(issue("email", "email", value=raw["email"]))

    values["postcode"] = re.sub(r"^DK-?", "", raw["postcode"].replace(" ", ""), flags=re.I)
    if values["postcode"] and not re.fullmatch(r"[0-9]{4}", values["postcode"]):
        errors.append(issue("postcode", "postcode", value=raw["postcode"]))

    for field, limit in TEXT_MAX_LENGTH.items():
        if len(values[field]) > limit:
            errors.append(issue("too_long", field, max=limit))

    values["last_cooperation"] = None
    if raw["last_cooperation"]:
        day = _clean_date(raw["last_cooperation"])
        if day is None:
            errors.append(issue("date", "last_cooperation", value=raw["last_cooperation"]))
        elif day > today:
            errors.append(issue("date_future", "last_cooperation", date=day.isoformat()))
        else:
            values["last_cooperation"] = day.isoformat()
    return values, errors


def _eligibility(track: str, values: dict, today: dt.date) -> tuple[dict, bool, list[dict]]:
    """Whether the firm fits the track: (the reason shown, eligible, flags)."""
    employees, sites = values["employees"], values["sites"]
    if track == Track.JOBCENTRE:
        if not TRACK2_MIN_EMPLOYEES <= employees <= TRACK2_MAX_EMPLOYEES:
            return issue("track2_employees", employees=employees), False, []
        last = values["last_cooperation"]
        if last and dt.date.fromisoformat(last) >= _one_year_before(today):
            return issue("track2_recent_cooperation", date=last), False, []
        return issue("track2_eligible", employees=employees), True, []
    if employees < TRACK1_MIN_EMPLOYEES:
        return issue("track1_employees", employees=employees), False, []
    # Jobservice Danmark was found irrelevant to big firms without spread-out sites: flag,
    # and let the agency decide.
    flags = [issue("track1_one_site")] if sites == 1 else []
    return issue("track1_eligible", employees=employees, sites=sites), True, flags


def _chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


@dataclass
class _Known:
    """What the database knows about the file's companies, read in a few queries."""

    municipalities: dict[int, dict]
    companies: dict[str, dict]
    on_list: dict[str, dict]
    last_call: dict[str, dt.datetime]
    last_booking: dict[str, dt.datetime]


def _known(campaign: Campaign, cvrs: list[str]) -> _Known:
    municipalities = {
        code: {"name": name, "jobcentre_id": jobcentre_id, "jobcentre": jobcentre}
        for code, name, jobcentre_id, jobcentre in Municipality.objects.values_list(
            "code", "name", "jobcentre_id", "jobcentre__name"
        )
    }
    known = _Known(municipalities, {}, {}, {}, {})
    since = timezone.now() - dt.timedelta(days=campaign.recontact_days)
    for chunk in _chunks(cvrs):
        for pk, cvr, do_not_contact in Company.objects.filter(cvr__in=chunk).values_list(
            "pk", "cvr", "do_not_contact"
        ):
            known.companies[cvr] = {"id": pk, "do_not_contact": do_not_contact}
        entries = CallListEntry.objects.filter(
            call_list__campaign=campaign, company__cvr__in=chunk
        ).values_list("company__cvr", "call_list__jobcentre__name", "call_list__track")
        for cvr, jobcentre, track in entries:
            known.on_list[cvr] = {"jobcentre": jobcentre, "track": track}
        if not campaign.recontact_days:
            continue
        calls = (
            CallAttempt.objects.filter(entry__company__cvr__in=chunk, called_at__gte=since)
            .values_list("entry__company__cvr")
            .annotate(last=Max("called_at"))
        )
        known.last_call.update(calls)
        # Bookings through the reverse relation: campaign does not import the bookings app.
        bookings = (
            Company.objects.filter(cvr__in=chunk, bookings__booked_at__gte=since)
            .values_list("cvr")
            .annotate(last=Max("bookings__booked_at"))
        )
        known.last_booking.update(bookings)
    return known


def _duplicates(cvr: str, first_row: int | None, known: _Known, days: int) -> list[dict]:
    found = []
    if first_row is not None:
        found.append({**issue("dup_file", row=first_row), "kind": DuplicateKind.FILE})
    if cvr in known.on_list:
        found.append(
            {**issue("dup_call_list", **known.on_list[cvr]), "kind": DuplicateKind.CALL_LIST}
        )
    if cvr in known.last_call:
        day = timezone.localdate(known.last_call[cvr]).isoformat()
        found.append(
            {**issue("dup_recent_call", date=day, days=days), "kind": DuplicateKind.RECENT_CONTACT}
        )
    if cvr in known.last_booking:
        day = timezone.localdate(known.last_booking[cvr]).isoformat()
        found.append(
            {
                **issue("dup_recent_booking", date=day, days=days),
                "kind": DuplicateKind.RECENT_CONTACT,
            }
        )
    if known.companies.get(cvr, {}).get("do_not_contact"):
        found.append({**issue("dup_do_not_contact"), "kind": DuplicateKind.DO_NOT_CONTACT})
    return found


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
    cvrs = sorted({_clean_cvr(row["raw"]["cvr"]) for row in batch.rows} - {""})
    known = _known(campaign, cvrs)
    step = max(PROGRESS_MIN_ROWS, math.ceil(len(batch.rows) / PROGRESS_STEPS))
    first_row_of: dict[str, int] = {}
    rows = []
    for done, item in enumerate(batch.rows, start=1):
        values, errors = _clean_row(item["raw"], known.municipalities, today)
        row = {"row": item["row"], "raw": item["raw"], "values": values, "errors": errors}
        row.update(duplicates=[], flags=[], eligibility=None, status=REJECTED)
        if values["municipality_code"] in known.municipalities:
            row["municipality"] = known.municipalities[values["municipality_code"]]
        cvr = values["cvr"]
        if not any(e.get("field") == "cvr" for e in errors):
            row["company_id"] = known.companies.get(cvr, {}).get("id")
            row["duplicates"] = _duplicates(
                cvr, first_row_of.get(cvr), known, campaign.recontact_days
            )
            first_row_of.setdefault(cvr, item["row"])
        if not errors:
            reason, eligible, flags = _eligibility(batch.track, values, today)
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
        for chunk in _chunks(cvrs)
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
