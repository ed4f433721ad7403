"""Company files for the import tests, built in the test as CSV or XLSX bytes."""

import csv
import io
import itertools

import openpyxl

from tests.factories import valid_cvr

HEADER = [
    "cvr",
    "navn",
    "ansatte",
    "adresse",
    "postnr",
    "by",
    "kommunekode",
    "telefon",
    "email",
    "kontaktperson",
    "kontaktrolle",
    "antal_adresser",
    "senest_samarbejde",
]
_numbers = itertools.count(1)


def firm(**fields) -> dict:
    """One row of a good track-2 file (a firm of 20 in Aarhus), with `fields` changed."""
    n = next(_numbers)
    row = {
        "cvr": valid_cvr(),
        "navn": f"Firma {n} ApS",
        "ansatte": "20",
        "adresse": f"Vestergade {n}",
        "postnr": "8000",
        "by": "Aarhus C",
        "kommunekode": "751",
        "telefon": "+45 86 12 34 56",
        "email": f"info{n}@firma.dk",
        "kontaktperson": "Anne Holm",
        "kontaktrolle": "Direktør",
        "antal_adresser": "1",
        "senest_samarbejde": "",
    }
    row.update({key: str(value) for key, value in fields.items()})
    return row


def csv_file(rows: list[dict], *, header=HEADER, delimiter=";", bom=False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    text = out.getvalue()
    return ("\ufeff" + text if bom else text).encode("utf-8")


def xlsx_file(rows: list[list], *, header: list[str]) -> bytes:
    """An XLSX workbook: a header row, then rows of cell values (numbers, dates, text)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
