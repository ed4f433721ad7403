"""Importing companies from a file: reading, validating, the preview, confirming (all or
nothing), discarding, the Celery path, the query count and the pages."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from campaign import import_files, imports
from campaign.imports import (
    import_batch_commit,
    import_batch_create,
    import_batch_discard,
    import_batch_preview,
    import_batch_validate,
)
from campaign.models import CallAttempt, CallList, CallListEntry, Company, ImportBatch, Track
from campaign.tasks import import_commit, import_validate
from campaign.tests.import_samples import HEADER, csv_file, firm, xlsx_file
from common.errors import ApplicationError, Conflict, PermissionDenied
from config.celery import app as celery_app
from consultants.models import Jobcentre
from consultants.roles import Role
from tests.factories import BookingFactory, CampaignFactory, CompanyFactory

Status = ImportBatch.Status


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def agency(make_user):
    return make_user("styrelsen", Role.AGENCY)


@pytest.fixture
def campaign(reference):
    return CampaignFactory()


def upload(actor, campaign, content, *, track=Track.JOBCENTRE, filename="firms.csv"):
    return import_batch_create(
        actor=actor, campaign=campaign, track=track, filename=filename, content=content
    )


def jobcentre(name: str) -> Jobcentre:
    return Jobcentre.objects.get(name=name)


def by_row(rows: list[dict]) -> dict[int, dict]:
    return {row["row"]: row for row in rows}


# --- Good files -----------------------------------------------------------------------------


def test_a_good_csv_is_previewed_then_committed_to_the_call_list_of_each_jobcentre(
    agency, campaign
):
    rows = [
        firm(kommunekode=751, telefon="86 12 34 56"),
        firm(kommunekode=101, telefon="0045 33-12-12-12", by="København K", postnr="1050"),
        firm(kommunekode=751),
    ]
    batch = upload(agency, campaign, csv_file(rows))

    assert batch.status == Status.PREVIEW
    assert batch.total_rows == batch.processed_rows == 3
    preview = import_batch_preview(batch=batch)
    assert preview["counts"] == {
        "total": 3,
        "accepted": 3,
        "flagged": 0,
        "rejected": 0,
        "duplicate": 0,
    }
    assert preview["jobcentres"] == [("Jobcenter Aarhus", 2), ("Jobcenter København", 1)]
    assert not Company.objects.exists()
    assert not CallList.objects.exists()

    batch = import_batch_commit(actor=agency, batch=batch)

    assert batch.status == Status.DONE
    assert batch.committed_at is not None
    aarhus = CallList.objects.get(
        campaign=campaign, track=Track.JOBCENTRE, jobcentre=jobcentre("Jobcenter Aarhus")
    )
    assert aarhus.status == CallList.Status.VETTING
    assert list(aarhus.entries.values_list("company__cvr", "position", "vetting")) == [
        (rows[0]["cvr"], 1, "pending"),
        (rows[2]["cvr"], 2, "pending"),
    ]
    copenhagen = CallList.objects.get(jobcentre=jobcentre("Jobcenter København"))
    assert list(copenhagen.entries.values_list("company__cvr", flat=True)) == [rows[1]["cvr"]]
    company = Company.objects.get(cvr=rows[1]["cvr"])
    assert company.name == rows[1]["navn"]
    assert company.employees == 20
    assert company.sites == 1
    assert company.municipality.code == 101
    assert company.phone == "33 12 12 12"
    assert (company.postcode, company.city) == ("1050", "København K")
    assert (company.contact_name, company.contact_role) == ("Anne Holm", "Direktør")
    assert company.email == rows[1]["email"]
    assert not company.do_not_contact
    assert Company.objects.get(cvr=rows[0]["cvr"]).phone == "86 12 34 56"


def test_a_good_xlsx_with_english_headers_is_imported(agency, campaign):
    header = [
        "CVR",
        "Name",
        "Employees",
        "Address",
        "Postcode",
        "City",
        "Municipality_Code",
        "Phone",
        "E-mail",
        "Contact_Name",
        "Contact_Role",
        "Sites",
        "Last_Cooperation",
    ]
    big, one_site = firm(), firm()
    content = xlsx_file(
        [
            [int(big["cvr"]), "Stor A/S", 250, "Havnen 1", 5000, "Odense C", 461, 66112233,
             "hr@stor.dk", "Bo Berg", "HR-chef", 4, dt.datetime(2020, 1, 2)],
            [one_site["cvr"], "Enkelt A/S", 180, "", None, "", "751", "+4587654321",
             "", "", "", 1, None],
        ],
        header=header,
    )  # fmt: skip
    batch = upload(agency, campaign, content, track=Track.JOBSERVICE, filename="Firms.XLSX")

    preview = import_batch_preview(batch=batch)
    assert preview["counts"]["accepted"] == 2
    assert preview["counts"]["flagged"] == 1
    import_batch_commit(actor=agency, batch=batch)

    stored = Company.objects.get(cvr=big["cvr"])
    assert (stored.name, stored.employees, stored.sites) == ("Stor A/S", 250, 4)
    assert (stored.postcode, stored.municipality.code) == ("5000", 461)
    assert stored.phone == "66 11 22 33"
    assert stored.last_jobcentre_cooperation == dt.date(2020, 1, 2)
    assert Company.objects.get(cvr=one_site["cvr"]).phone == "87 65 43 21"
    assert set(
        CallListEntry.objects.filter(call_list__track=Track.JOBSERVICE).values_list(
            "call_list__jobcentre__name", flat=True
        )
    ) == {"Jobcenter Odense", "Jobcenter Aarhus"}


@pytest.mark.parametrize(("delimiter", "bom"), [(",", True), (";", True), (",", False)])
def test_utf8_csv_with_or_without_a_bom_and_either_delimiter_is_read(
    agency, campaign, delimiter, bom
):
    rows = [firm(navn="Ærø Æbler, Øl & Å ApS", adresse="Torvet 1, 1. sal")]
    batch = upload(agency, campaign, csv_file(rows, delimiter=delimiter, bom=bom))
    accepted = import_batch_preview(batch=batch)["accepted"]
    assert [row["name"] for row in accepted] == ["Ærø Æbler, Øl & Å ApS"]


def test_headers_are_matched_case_insensitively_and_unknown_columns_are_ignored(agency, campaign):
    header = ["  CVR ", "NAVN", "Ansatte", "KommuneKode", "Bemærkning"]
    row = firm()
    content = (";".join(header) + f"\n{row['cvr']};Firma;12;751;ring efter 10\n").encode()
    batch = upload(agency, campaign, content)
    assert import_batch_preview(batch=batch)["counts"]["accepted"] == 1


def test_nul_characters_are_dropped_from_cells(agency, campaign):
    batch = upload(agency, campaign, csv_file([firm(navn="Nul\x00 ApS")]))
    import_batch_commit(actor=agency, batch=batch)
    assert Company.objects.get().name == "Nul ApS"


# --- Rows that are rejected -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cvr", "reason"),
    [
        ("1234567", "A CVR number has exactly 8 digits."),
        ("1234567a", "A CVR number has digits only."),
        ("55133019", "55133019 is not a valid CVR number (check digit)."),
        ("", "CVR number is missing."),
    ],
)
def test_a_bad_cvr_is_rejected_with_its_reason_and_not_stored(agency, campaign, cvr, reason):
    good = firm()
    batch = upload(agency, campaign, csv_file([good, firm(cvr=cvr, navn="Forkert ApS")]))

    preview = import_batch_preview(batch=batch)
    assert [(row["row"], row["reasons"]) for row in preview["rejected"]] == [(3, [reason])]
    import_batch_commit(actor=agency, batch=batch)
    assert list(Company.objects.values_list("cvr", flat=True)) == [good["cvr"]]


def test_an_unknown_municipality_is_rejected(agency, campaign):
    batch = upload(agency, campaign, csv_file([firm(kommunekode=999)]))
    rejected = import_batch_preview(batch=batch)["rejected"]
    assert rejected[0]["reasons"] == ["There is no municipality with the code 999."]
    with pytest.raises(ApplicationError, match="nothing to import"):
        import_batch_commit(actor=agency, batch=batch)
    assert not Company.objects.exists()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"ansatte": "-3"}, "Employees must be a whole number of 0 or more, not “-3”."),
        ({"ansatte": "tyve"}, "Employees must be a whole number of 0 or more, not “tyve”."),
        ({"ansatte": ""}, "Employees is missing."),
        ({"navn": " "}, "Name is missing."),
        ({"kommunekode": ""}, "Municipality code is missing."),
        ({"telefon": "1234"}, "“1234” is not a Danish phone number"),
        ({"telefon": "+46 12345678"}, "“+46 12345678” is not a Danish phone number"),
        ({"email": "info@"}, "“info@” is not a valid e-mail address."),
        ({"antal_adresser": "0"}, "A firm has at least 1 site, not 0."),
        ({"senest_samarbejde": "31/13/2020"}, "“31/13/2020” is not a date"),
        ({"senest_samarbejde": "2999-01-01"}, "is in the future"),
        ({"postnr": "80000"}, "“80000” is not a postcode (4 digits)."),
        ({"kontaktrolle": "x" * 121}, "Contact's role is longer than 120 characters."),
    ],
)
def test_bad_values_are_rejected_with_the_row_number_and_reason(agency, campaign, fields, reason):
    batch = upload(agency, campaign, csv_file([firm(), firm(), firm(**fields)]))
    rejected = import_batch_preview(batch=batch)["rejected"]
    assert len(rejected) == 1
    assert rejected[0]["row"] == 4
    assert len(rejected[0]["reasons"]) == 1
    assert reason in rejected[0]["reasons"][0]


def test_a_cvr_twice_in_the_file_is_a_duplicate_of_its_first_row(agency, campaign):
    first, other = firm(), firm()
    again = firm(cvr=first["cvr"], navn="Samme igen ApS")
    batch = upload(agency, campaign, csv_file([first, other, again]))

    preview = import_batch_preview(batch=batch)
    assert [row["row"] for row in preview["accepted"]] == [2, 3]
    assert [(row["row"], row["duplicates"]) for row in preview["duplicates"]] == [
        (
            4,
            [
                {
                    "kind": "file",
                    "label": "Twice in the file",
                    "detail": "The same CVR number as row 2.",
                }
            ],
        )
    ]
    import_batch_commit(actor=agency, batch=batch)
    assert Company.objects.get(cvr=first["cvr"]).name == first["navn"]
    assert CallListEntry.objects.count() == 2


# --- Whole files that are refused -----------------------------------------------------------

LATIN_1 = "cvr;navn;ansatte;kommunekode\n55133018;Søren Særlig ApS;20;751\n".encode("latin-1")


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        (
            "firms.csv",
            csv_file([firm()], header=[h for h in HEADER if h != "kommunekode"]),
            "The file lacks the column(s) kommunekode / municipality_code.",
        ),
        (
            "firms.csv",
            csv_file([firm()], header=["cvr", "navn", "adresse"]),
            "lacks the column(s) ansatte / employees, kommunekode / municipality_code",
        ),
        ("firms.csv", LATIN_1, "The file is not UTF-8 encoded"),
        ("firms.csv", b"", "The file is empty."),
        ("firms.csv", b"\xef\xbb\xbf\r\n\r\n", "The file is empty."),
        ("firms.csv", csv_file([]), "The file has a header row but no companies."),
        ("firms.csv", b"cvr;navn;ansatte;cvr\n", "Two columns hold the CVR number"),
        ("firms.xlsx", b"PK\x03\x04 but not a workbook", "could not be read as an Excel"),
        ("firms.xlsx", csv_file([firm()]), "could not be read as an Excel workbook"),
        ("firms.xlsx", xlsx_file([], header=[]), "The file is empty."),
        ("firms.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Upload a CSV file"),
    ],
)
def test_a_file_that_cannot_be_read_gets_one_clear_error_and_nothing_is_stored(
    agency, campaign, filename, content, message
):
    with pytest.raises(ApplicationError) as raised:
        upload(agency, campaign, content, filename=filename)
    assert message in str(raised.value.message)
    assert not ImportBatch.objects.exists()
    assert not Company.objects.exists()


def test_a_file_that_is_too_large_is_refused(agency, campaign, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_FILE_BYTES", 100)
    with pytest.raises(ApplicationError, match="larger than"):
        upload(agency, campaign, csv_file([firm(), firm()]))


# --- Duplicates against what we know -------------------------------------------------------


@pytest.fixture
def history(campaign, make_user):
    """Companies we already know: on this campaign's track-1 list, called 30 days ago,
    booked 100 days ago, on the do-not-contact list, and contacted 400 days ago."""
    now = timezone.now()
    copenhagen = jobcentre("Jobcenter København")
    earlier = CampaignFactory(name="Kampagne 2025")
    earlier_list = CallList.objects.create(
        campaign=earlier, jobcentre=copenhagen, track=Track.JOBCENTRE
    )
    phoner = make_user("phoner", Role.PHONER)

    def called(company, days_ago):
        entry = CallListEntry.objects.create(call_list=earlier_list, company=company)
        CallAttempt.objects.create(
            entry=entry,
            phoner=phoner,
            outcome=CallAttempt.Outcome.NO_ANSWER,
            called_at=now - dt.timedelta(days=days_ago),
        )

    on_list = CompanyFactory(name="Allerede på listen ApS")
    track1 = CallList.objects.create(campaign=campaign, jobcentre=copenhagen, track="1")
    CallListEntry.objects.create(call_list=track1, company=on_list)
    recently_called = CompanyFactory()
    called(recently_called, 30)
    booked = CompanyFactory()
    BookingFactory(campaign=earlier, company=booked, booked_at=now - dt.timedelta(days=100))
    blocked = CompanyFactory(name="Ring ikke ApS", do_not_contact=True)
    long_ago = CompanyFactory()
    called(long_ago, 400)
    BookingFactory(campaign=earlier, company=long_ago, booked_at=now - dt.timedelta(days=400))
    return {
        "on_list": on_list,
        "recently_called": recently_called,
        "booked": booked,
        "blocked": blocked,
        "long_ago": long_ago,
    }


def test_duplicates_are_listed_with_their_kind_and_not_imported(agency, campaign, history):
    new = firm()
    rows = [firm(cvr=company.cvr, navn="Fra filen ApS") for company in history.values()]
    batch = upload(agency, campaign, csv_file([*rows, new]))

    preview = import_batch_preview(batch=batch)
    found = {row["cvr"]: row["duplicates"] for row in preview["duplicates"]}
    assert {cvr: [d["kind"] for d in dups] for cvr, dups in found.items()} == {
        history["on_list"].cvr: ["call_list"],
        history["recently_called"].cvr: ["recent_contact"],
        history["booked"].cvr: ["recent_contact"],
        history["blocked"].cvr: ["do_not_contact"],
    }
    assert found[history["on_list"].cvr][0]["detail"] == (
        "Already on the call list of Jobcenter København, Track 1 (Jobservice Danmark)."
    )
    assert "Called on" in found[history["recently_called"].cvr][0]["detail"]
    assert "within the last 365 days" in found[history["recently_called"].cvr][0]["detail"]
    assert "A visit was booked on" in found[history["booked"].cvr][0]["detail"]
    assert found[history["blocked"].cvr][0]["label"] == "Do not contact"
    assert [row["cvr"] for row in preview["accepted"]] == [history["long_ago"].cvr, new["cvr"]]

    import_batch_commit(actor=agency, batch=batch)

    imported = CallListEntry.objects.filter(call_list__campaign=campaign, call_list__track="2")
    assert set(imported.values_list("company__cvr", flat=True)) == {
        history["long_ago"].cvr,
        new["cvr"],
    }
    blocked = Company.objects.get(pk=history["blocked"].pk)
    assert blocked.do_not_contact
    assert blocked.name == "Ring ikke ApS"


def test_the_campaigns_recontact_period_decides_what_is_recent(agency, campaign, history):
    campaign.recontact_days = 20
    campaign.save()
    rows = [firm(cvr=history[key].cvr) for key in ("recently_called", "booked")]
    batch = upload(agency, campaign, csv_file(rows))
    assert import_batch_preview(batch=batch)["counts"]["accepted"] == 2


def test_an_existing_company_is_updated_and_empty_cells_keep_what_we_knew(agency, campaign):
    known = CompanyFactory(name="Gammelt navn ApS", employees=7, email="behold@firma.dk")
    row = firm(cvr=known.cvr, navn="Nyt navn ApS", ansatte=30, email="", kommunekode=147)
    batch = upload(agency, campaign, csv_file([row]))
    assert import_batch_preview(batch=batch)["accepted"][0]["existing_company"]

    import_batch_commit(actor=agency, batch=batch)

    known.refresh_from_db()
    assert (known.name, known.employees, known.email) == ("Nyt navn ApS", 30, "behold@firma.dk")
    assert known.municipality.code == 147
    assert not known.do_not_contact
    assert Company.objects.count() == 1
    assert CallListEntry.objects.get().call_list.jobcentre.name == "Jobcenter Frederiksberg"


def test_new_entries_go_after_those_already_on_the_list(agency, campaign):
    first = upload(agency, campaign, csv_file([firm(), firm()]))
    import_batch_commit(actor=agency, batch=first)
    later = firm()
    second = upload(agency, campaign, csv_file([later]))
    import_batch_commit(actor=agency, batch=second)
    assert CallListEntry.objects.get(company__cvr=later["cvr"]).position == 3
    assert CallList.objects.count() == 1


# --- Eligibility per track ------------------------------------------------------------------


def test_track_2_takes_5_to_100_employees_without_recent_jobcentre_cooperation(agency, campaign):
    today = timezone.localdate()
    rows = [
        firm(ansatte=4),
        firm(ansatte=5),
        firm(ansatte=100),
        firm(ansatte=101),
        firm(senest_samarbejde=(today - dt.timedelta(days=60)).strftime("%d-%m-%Y")),
        firm(senest_samarbejde=(today - dt.timedelta(days=800)).isoformat()),
    ]
    batch = upload(agency, campaign, csv_file(rows))

    preview = import_batch_preview(batch=batch)
    accepted = by_row(preview["accepted"])
    assert sorted(accepted) == [3, 4, 7]
    assert accepted[3]["eligibility"] == (
        "Track 2: 5 employees, no jobcentre cooperation in the last 12 months."
    )
    rejected = by_row(preview["rejected"])
    assert rejected[2]["reasons"] == ["4 employees: track 2 is for firms with 5 to 100 employees."]
    assert rejected[5]["reasons"] == [
        "101 employees: track 2 is for firms with 5 to 100 employees."
    ]
    assert rejected[6]["reasons"][0].startswith("Worked with a jobcentre on ")
    assert rejected[6]["reasons"][0].endswith("not done so in the last 12 months.")


def test_track_1_takes_more_than_100_employees_and_flags_firms_with_one_site(agency, campaign):
    rows = [
        firm(ansatte=100, antal_adresser=5),
        firm(ansatte=101, antal_adresser=1),
        firm(ansatte=5000, antal_adresser=12),
        firm(ansatte=300, antal_adresser=""),  # no count: one site
    ]
    batch = upload(agency, campaign, csv_file(rows), track=Track.JOBSERVICE)

    preview = import_batch_preview(batch=batch)
    rejected = by_row(preview["rejected"])
    assert rejected[2]["reasons"] == [
        "100 employees: track 1 is for firms with more than 100 employees."
    ]
    accepted = by_row(preview["accepted"])
    flag = "One site only: probably irrelevant for Jobservice Danmark."
    assert accepted[3]["flags"] == [flag]
    assert accepted[3]["eligibility"] == "Track 1: 101 employees, 1 site(s)."
    assert accepted[4]["flags"] == []
    assert accepted[5]["flags"] == [flag]
    assert preview["counts"]["flagged"] == 2

    import_batch_commit(actor=agency, batch=batch)  # a flag does not reject
    assert CallListEntry.objects.filter(call_list__track=Track.JOBSERVICE).count() == 3


# --- Confirming: all or nothing -------------------------------------------------------------


def test_a_commit_that_fails_midway_stores_nothing(agency, campaign):
    rows = [firm(), firm(), firm(navn="Sidst ApS")]
    batch = upload(agency, campaign, csv_file(rows))
    # Between the preview and the confirmation someone puts the last firm on the same list.
    late = CompanyFactory(cvr=rows[2]["cvr"], name="Kom først ApS")
    call_list = CallList.objects.create(
        campaign=campaign, jobcentre=jobcentre("Jobcenter Aarhus"), track=Track.JOBCENTRE
    )
    CallListEntry.objects.create(call_list=call_list, company=late, position=1)

    with pytest.raises(Conflict, match="Nothing was imported"):
        import_batch_commit(actor=agency, batch=batch)

    assert list(Company.objects.values_list("cvr", flat=True)) == [late.cvr]
    assert Company.objects.get().name == "Kom først ApS"
    assert list(CallListEntry.objects.values_list("company", flat=True)) == [late.pk]
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert "Nothing was imported" in batch.error
    assert batch.committed_at is None


def test_a_firm_put_on_the_do_not_contact_list_after_the_preview_stops_the_commit(agency, campaign):
    known = CompanyFactory()
    batch = upload(agency, campaign, csv_file([firm(), firm(cvr=known.cvr)]))
    Company.objects.filter(pk=known.pk).update(do_not_contact=True)

    with pytest.raises(Conflict, match="do-not-contact list after the preview"):
        import_batch_commit(actor=agency, batch=batch)
    assert Company.objects.count() == 1
    assert not CallList.objects.exists()


def test_a_batch_is_committed_once(agency, campaign):
    batch = upload(agency, campaign, csv_file([firm()]))
    stale = ImportBatch.objects.get(pk=batch.pk)
    import_batch_commit(actor=agency, batch=batch)

    with pytest.raises(Conflict):
        import_batch_commit(actor=agency, batch=batch)
    with pytest.raises(Conflict):
        import_batch_commit(actor=agency, batch=stale)
    assert CallListEntry.objects.count() == 1


def test_a_discarded_batch_stores_nothing_and_forgets_its_file(agency, campaign):
    batch = upload(agency, campaign, csv_file([firm()]))
    import_batch_discard(actor=agency, batch=batch)

    batch.refresh_from_db()
    assert batch.status == Status.DISCARDED
    assert (bytes(batch.content), batch.rows) == (b"", [])
    with pytest.raises(Conflict):
        import_batch_commit(actor=agency, batch=batch)
    assert not Company.objects.exists()


def test_an_imported_batch_cannot_be_discarded(agency, campaign):
    batch = upload(agency, campaign, csv_file([firm()]))
    import_batch_commit(actor=agency, batch=batch)
    with pytest.raises(Conflict):
        import_batch_discard(actor=agency, batch=batch)


@pytest.mark.parametrize("role", [Role.PHONER, Role.CONSULTANT, Role.COORDINATOR])
def test_only_agency_staff_may_import(make_user, agency, campaign, role):
    other = make_user("other", role)
    with pytest.raises(PermissionDenied):
        upload(other, campaign, csv_file([firm()]))
    batch = upload(agency, campaign, csv_file([firm()]))
    with pytest.raises(PermissionDenied):
        import_batch_commit(actor=other, batch=batch)
    with pytest.raises(PermissionDenied):
        import_batch_discard(actor=other, batch=batch)
    assert not Company.objects.exists()


# --- Long files: Celery ---------------------------------------------------------------------


def test_a_long_file_is_validated_and_stored_by_celery_tasks_with_progress(
    agency, campaign, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.IMPORT_ASYNC_ROWS = 5
    monkeypatch.setattr(imports, "PROGRESS_MIN_ROWS", 3)
    rows = [firm() for _ in range(12)]
    with django_capture_on_commit_callbacks() as queued:
        batch = upload(agency, campaign, csv_file(rows))

    assert len(queued) == 1  # the task is sent once the batch is stored
    assert batch.status == Status.VALIDATING
    assert (batch.processed_rows, batch.total_rows) == (0, 12)
    assert not import_batch_preview(batch=batch)["validated"]

    seen = []
    progress = imports._progress

    def watched(batch, done):
        result = progress(batch, done)
        seen.append(ImportBatch.objects.get(pk=batch.pk).processed_rows)
        return result

    monkeypatch.setattr(imports, "_progress", watched)
    import_validate.run(batch.pk)

    assert seen == [3, 6, 9]
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEW
    assert batch.processed_rows == 12
    import_validate.run(batch.pk)  # a second run changes nothing
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEW

    with django_capture_on_commit_callbacks() as queued:
        batch = import_batch_commit(actor=agency, batch=batch)
    assert len(queued) == 1
    assert batch.status == Status.IMPORTING
    assert not CallListEntry.objects.exists()

    import_commit.run(batch.pk)
    import_commit.run(batch.pk)  # a redelivered task does nothing twice

    batch.refresh_from_db()
    assert batch.status == Status.DONE
    assert CallListEntry.objects.count() == 12


@pytest.fixture
def eager_celery():
    """Celery runs tasks in-process, as in the demo (CELERY_TASK_ALWAYS_EAGER)."""
    was = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = was


def test_with_eager_celery_the_task_runs_once_the_upload_is_stored(
    agency, campaign, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.IMPORT_ASYNC_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(agency, campaign, csv_file([firm(), firm(), firm()]))
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEW
    assert batch.processed_rows == 3


def test_a_failing_commit_task_records_the_failure(agency, campaign, settings):
    settings.IMPORT_ASYNC_ROWS = 1
    rows = [firm(), firm()]
    batch = upload(agency, campaign, csv_file(rows))
    import_validate.run(batch.pk)
    batch.refresh_from_db()
    batch = import_batch_commit(actor=agency, batch=batch)
    Company.objects.filter(cvr=rows[1]["cvr"]).delete()
    CompanyFactory(cvr=rows[1]["cvr"], do_not_contact=True)

    import_commit.run(batch.pk)

    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert "do-not-contact" in batch.error
    assert not CallListEntry.objects.exists()


def test_a_batch_discarded_while_waiting_is_not_validated(agency, campaign, settings):
    settings.IMPORT_ASYNC_ROWS = 1
    batch = upload(agency, campaign, csv_file([firm(), firm()]))
    import_batch_discard(actor=agency, batch=batch)
    import_validate.run(batch.pk)
    batch.refresh_from_db()
    assert batch.status == Status.DISCARDED
    assert batch.rows == []


# --- Queries --------------------------------------------------------------------------------

VALIDATION_QUERIES = 8


def _file_of(size: int, history) -> bytes:
    known = [firm(cvr=company.cvr) for company in history.values()]
    return csv_file([*known, *(firm() for _ in range(size - len(known)))])


@pytest.mark.parametrize("size", [10, 200])
def test_validation_reads_the_database_a_fixed_number_of_times(
    agency, campaign, history, settings, django_assert_max_num_queries, size
):
    settings.IMPORT_ASYNC_ROWS = 0  # store the batch only; validate it below
    batch = upload(agency, campaign, _file_of(size, history))
    batch = ImportBatch.objects.get(pk=batch.pk)
    with django_assert_max_num_queries(VALIDATION_QUERIES):
        import_batch_validate(batch=batch)
    assert batch.status == Status.PREVIEW
    assert import_batch_preview(batch=batch)["counts"]["duplicate"] == 4


def test_validation_needs_as_many_queries_for_200_rows_as_for_10(
    agency, campaign, history, settings
):
    settings.IMPORT_ASYNC_ROWS = 0
    counts = []
    for size in (10, 200):
        batch = upload(agency, campaign, _file_of(size, history))
        batch = ImportBatch.objects.get(pk=batch.pk)
        with CaptureQueriesContext(connection) as queries:
            import_batch_validate(batch=batch)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Pages ----------------------------------------------------------------------------------


@pytest.fixture
def en_client(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_agency_staff_upload_review_and_confirm_on_the_pages(en_client, agency, campaign):
    client = en_client
    client.force_login(agency)
    good, bad = firm(navn="God ApS"), firm(cvr="55133019", navn="Fejl ApS")
    assert client.get(reverse("import-upload")).status_code == 200

    response = client.post(
        reverse("import-upload"),
        {
            "campaign": campaign.pk,
            "track": Track.JOBCENTRE,
            "file": SimpleUploadedFile("firms.csv", csv_file([good, bad]), "text/csv"),
        },
    )

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("import-detail", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "God ApS" in page
    assert "55133019 is not a valid CVR number (check digit)." in page
    assert "Confirm: import 1 company" in page
    assert not Company.objects.exists()

    response = client.post(reverse("import-commit", args=[batch.pk]), follow=True)

    assert "1 company was put on the call lists." in response.content.decode()
    assert list(CallListEntry.objects.values_list("company__cvr", flat=True)) == [good["cvr"]]
    assert "Imported" in client.get(reverse("import-upload")).content.decode()


def test_a_file_that_cannot_be_read_is_shown_on_the_upload_form(en_client, agency, campaign):
    en_client.force_login(agency)
    response = en_client.post(
        reverse("import-upload"),
        {
            "campaign": campaign.pk,
            "track": Track.JOBCENTRE,
            "file": SimpleUploadedFile("firms.csv", LATIN_1, "text/csv"),
        },
    )
    assert response.status_code == 200
    assert "The file is not UTF-8 encoded" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_discarding_on_the_page_returns_to_the_upload_page(en_client, agency, campaign):
    en_client.force_login(agency)
    batch = upload(agency, campaign, csv_file([firm()]))
    response = en_client.post(reverse("import-discard", args=[batch.pk]))
    assert response.url == reverse("import-upload")
    batch.refresh_from_db()
    assert batch.status == Status.DISCARDED


def test_a_refused_confirmation_is_shown_as_a_message(en_client, agency, campaign):
    en_client.force_login(agency)
    batch = upload(agency, campaign, csv_file([firm(kommunekode=999)]))
    response = en_client.post(reverse("import-commit", args=[batch.pk]), follow=True)
    assert "nothing to import" in response.content.decode()


def test_the_page_polls_the_progress_of_a_long_file_until_it_is_checked(
    en_client, agency, campaign, settings
):
    settings.IMPORT_ASYNC_ROWS = 1
    en_client.force_login(agency)
    batch = upload(agency, campaign, csv_file([firm(), firm()]))
    progress = reverse("import-progress", args=[batch.pk])

    page = en_client.get(reverse("import-detail", args=[batch.pk])).content.decode()
    assert f'hx-get="{progress}"' in page
    assert 'hx-trigger="every 1s"' in page
    fragment = en_client.get(progress, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "Checking the rows: 0 of 2 done." in fragment.content.decode()
    assert "<html" not in fragment.content.decode()

    import_validate.run(batch.pk)

    done = en_client.get(progress, headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"
    assert en_client.get(progress).status_code == 302


@pytest.mark.parametrize("role", [Role.PHONER, Role.CONSULTANT, Role.COORDINATOR])
def test_the_pages_refuse_other_roles(client, make_user, agency, campaign, role):
    batch = upload(agency, campaign, csv_file([firm()]))
    client.force_login(make_user("other", role))
    pages = [
        ("get", reverse("import-upload")),
        ("post", reverse("import-upload")),
        ("get", reverse("import-detail", args=[batch.pk])),
        ("get", reverse("import-progress", args=[batch.pk])),
        ("post", reverse("import-commit", args=[batch.pk])),
        ("post", reverse("import-discard", args=[batch.pk])),
    ]
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 403, url
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEW
    assert reverse("import-upload") not in client.get(reverse("home")).content.decode()


def test_the_pages_send_anonymous_users_to_log_in(client, agency, campaign):
    batch = upload(agency, campaign, csv_file([firm()]))
    for url in (reverse("import-upload"), reverse("import-detail", args=[batch.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert client.post(reverse("import-commit", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEW


def test_the_navigation_links_agency_staff_to_the_import(client, agency):
    client.force_login(agency)
    assert reverse("import-upload") in client.get(reverse("home")).content.decode()
