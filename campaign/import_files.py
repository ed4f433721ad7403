"""Reading an uploaded company file into rows, before any validation.

A CSV file is decoded as UTF-8 (with or without a byte order mark) and its delimiter sniffed
from the header row; an XLSX workbook is read with openpyxl, first sheet only, its cells
turned into the text a CSV would have held. The first non-empty row names the columns, in
Danish or English (COLUMNS, HEADERS); a file that lacks a required column, is too large,
has too many rows or cannot be read at all is refused as a whole with one clear message.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator

import openpyxl
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000

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
