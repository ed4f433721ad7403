"""The company import over the API: upload, preview, confirm, discard, and who may."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from campaign.models import CallListEntry, Company, ImportBatch, Track
from campaign.tasks import import_commit, import_validate
from campaign.tests.import_samples import csv_file, firm
from consultants.roles import Role
from tests.factories import CampaignFactory

LIST = "/api/v1/imports/"


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


@pytest.fixture
def api(client, agency):
    client.force_login(agency)
    return client


def post_file(client, campaign, content, *, track=Track.JOBCENTRE, name="firms.csv"):
    return client.post(
        LIST,
        {"campaign": campaign.pk, "track": track, "file": SimpleUploadedFile(name, content)},
        headers={"Accept-Language": "en"},
    )


def test_an_upload_is_previewed_then_committed(api, campaign):
    good, bad, flagged = firm(), firm(cvr="55133019"), firm(ansatte=3)
    response = post_file(api, campaign, csv_file([good, bad, firm(cvr=good["cvr"]), flagged]))

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "preview"
    assert body["total_rows"] == body["processed_rows"] == 4
    preview = body["preview"]
    assert preview["counts"] == {
        "total": 4,
        "accepted": 1,
        "flagged": 0,
        "rejected": 2,
        "duplicate": 1,
    }
    assert preview["jobcentres"] == [{"jobcentre": "Jobcenter Aarhus", "companies": 1}]
    assert preview["accepted"][0]["cvr"] == good["cvr"]
    assert preview["accepted"][0]["eligibility"].startswith("Track 2: 20 employees")
    assert [(r["row"], r["reasons"]) for r in preview["rejected"]] == [
        (3, ["55133019 is not a valid CVR number (check digit)."]),
        (5, ["3 employees: track 2 is for firms with 5 to 100 employees."]),
    ]
    assert preview["duplicates"][0]["duplicates"][0]["kind"] == "file"
    assert not Company.objects.exists()

    detail = api.get(f"{LIST}{body['id']}/")
    assert detail.status_code == 200
    assert detail.json()["preview"]["counts"] == preview["counts"]

    committed = api.post(f"{LIST}{body['id']}/commit/")

    assert committed.status_code == 200
    assert committed.json()["status"] == "done"
    assert committed.json()["committed_at"]
    assert committed.json()["preview"]["accepted"][0]["result"] == "created"
    assert list(CallListEntry.objects.values_list("company__cvr", flat=True)) == [good["cvr"]]
    assert [item["id"] for item in api.get(LIST).json()["results"]] == [body["id"]]


def test_a_file_that_cannot_be_read_is_refused_with_one_message(api, campaign):
    latin_1 = "cvr;navn;ansatte;kommunekode\n55133018;Søren ApS;20;751\n".encode("latin-1")
    response = post_file(api, campaign, latin_1)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The file is not UTF-8 encoded")
    assert not ImportBatch.objects.exists()

    response = post_file(api, campaign, csv_file([firm()], header=["cvr", "navn"]))
    assert response.status_code == 400
    assert "lacks the column(s)" in response.json()["detail"]


def test_an_upload_without_a_file_gets_field_errors(api, campaign):
    response = api.post(LIST, {"campaign": campaign.pk, "track": "3"})
    assert response.status_code == 400
    assert set(response.json()) == {"file", "track"}


def test_a_batch_is_committed_once_and_then_cannot_be_discarded(api, campaign):
    batch_id = post_file(api, campaign, csv_file([firm()])).json()["id"]
    assert api.post(f"{LIST}{batch_id}/commit/").status_code == 200
    second = api.post(f"{LIST}{batch_id}/commit/", headers={"Accept-Language": "en"})
    assert second.status_code == 409
    assert "not waiting for confirmation" in second.json()["detail"]
    assert api.post(f"{LIST}{batch_id}/discard/").status_code == 409
    assert CallListEntry.objects.count() == 1


def test_a_discarded_batch_cannot_be_committed(api, campaign):
    batch_id = post_file(api, campaign, csv_file([firm()])).json()["id"]
    response = api.post(f"{LIST}{batch_id}/discard/")
    assert response.status_code == 200
    assert response.json()["status"] == "discarded"
    assert api.post(f"{LIST}{batch_id}/commit/").status_code == 409
    assert not Company.objects.exists()


def test_a_long_file_is_validated_and_stored_in_the_background(api, campaign, settings):
    settings.IMPORT_ASYNC_ROWS = 2
    response = post_file(api, campaign, csv_file([firm(), firm(), firm()]))
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["processed_rows"], body["total_rows"]) == ("validating", 0, 3)
    assert body["preview"]["validated"] is False

    import_validate.run(body["id"])

    detail = api.get(f"{LIST}{body['id']}/").json()
    assert detail["status"] == "preview"
    assert detail["processed_rows"] == 3
    committed = api.post(f"{LIST}{body['id']}/commit/")
    assert committed.status_code == 202
    assert committed.json()["status"] == "importing"

    import_commit.run(body["id"])

    assert api.get(f"{LIST}{body['id']}/").json()["status"] == "done"
    assert CallListEntry.objects.count() == 3


def test_an_unknown_import_is_not_found(api, db):
    assert api.get(f"{LIST}999999/").status_code == 404
    assert api.post(f"{LIST}999999/commit/").status_code == 404


@pytest.mark.parametrize("role", [Role.PHONER, Role.CONSULTANT, Role.COORDINATOR, None])
def test_only_agency_staff_may_use_the_import_api(client, make_user, agency, campaign, role):
    client.force_login(agency)
    batch_id = post_file(client, campaign, csv_file([firm()])).json()["id"]
    client.logout()
    if role is not None:
        client.force_login(make_user("other", role))

    assert client.get(LIST).status_code in (401, 403)
    assert post_file(client, campaign, csv_file([firm()])).status_code in (401, 403)
    assert client.get(f"{LIST}{batch_id}/").status_code in (401, 403)
    assert client.post(f"{LIST}{batch_id}/commit/").status_code in (401, 403)
    assert client.post(f"{LIST}{batch_id}/discard/").status_code in (401, 403)
    assert ImportBatch.objects.get().status == ImportBatch.Status.PREVIEW
    assert not Company.objects.exists()


def test_the_import_endpoints_are_in_the_api_schema(api):
    paths = api.get("/api/schema/", headers={"Accept": "application/json"}).json()["paths"]
    assert {
        "/api/v1/imports/",
        "/api/v1/imports/{id}/",
        "/api/v1/imports/{id}/commit/",
        "/api/v1/imports/{id}/discard/",
    } <= set(paths)
