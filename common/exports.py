"""Tables as downloads: one function turns a header and rows into a CSV or XLSX response, so
every report and survey export reads the same way (UTF-8 with BOM and semicolons for CSV,
which Danish Excel opens without a wizard; one sheet with a bold header for XLSX).

    return table_download(
        "table1", ["RAR area", "Booked"], [["Fyn", 391]], fmt=request.GET.get("format")
    )
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

import openpyxl
from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl.styles import Font

from common.errors import ApplicationError

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Cell = str | int | float | Decimal | dt.date | dt.datetime | bool | None


def _plain(value: Cell) -> Cell:
    """What a spreadsheet cell can hold: aware datetimes become local, naive ones."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _formula_safe(value: Cell) -> Cell:
    """Text that a spreadsheet would run as a formula (=, +, -, @ first) gets a quote in
    front: answers and comments come from the public."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _formula_safe(_plain(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str) -> bytes:
    workbook = openpyxl.Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = (title or "data")[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_formula_safe(_plain(v)) for v in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_download(
    name: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, fmt: str | None
) -> HttpResponse:
    """The table as an attachment `<name>.<fmt>`; `fmt` is "csv" or "xlsx" (anything else is
    a bad request, answered by the caller's error handling)."""
    fmt = (fmt or "csv").lower()
    if fmt not in FORMATS:
        raise ApplicationError(f"Unknown export format {fmt!r}: use csv or xlsx.")
    filename = f"{slugify(name) or 'export'}.{fmt}"
    content = table_csv(header, rows) if fmt == "csv" else table_xlsx(header, rows, title=name)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
