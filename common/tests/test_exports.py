import datetime as dt
import io

import openpyxl
import pytest

from common.errors import ApplicationError
from common.exports import table_download

HEADER = ["Område", "Besøg"]
ROWS = [["Fyn", 391], ["=HYPERLINK(1)", 0], ["Nord", None]]


def test_csv_has_bom_semicolons_and_defused_formulas():
    response = table_download("Tabel 1", HEADER, ROWS, fmt="csv")
    assert response["Content-Disposition"] == 'attachment; filename="tabel-1.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffOmråde;Besøg\r\n")
    assert "Fyn;391" in text
    assert "'=HYPERLINK(1);0" in text
    assert "Nord;\r\n" in text


def test_xlsx_opens_with_one_row_per_row():
    when = dt.datetime(2016, 1, 4, 10, 0, tzinfo=dt.UTC)
    response = table_download("t", HEADER, [*ROWS, ["at", when]], fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Område", "Besøg")
    assert rows[1] == ("Fyn", 391)
    assert rows[2][0] == "'=HYPERLINK(1)"
    assert len(rows) == 5
    assert rows[4][1] == dt.datetime(2016, 1, 4, 11, 0)  # local time, Copenhagen


def test_unknown_format_is_refused():
    with pytest.raises(ApplicationError):
        table_download("t", HEADER, ROWS, fmt="pdf")
