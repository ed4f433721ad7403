"""The vetting API under /api/v1/vetting/: the same rules as the pages, as JSON. Who may do
what: see vetting_setup."""

import datetime as dt

import pytest
from django.utils import timezone

from campaign.models import CallList, CallListEntry
from campaign.tests.vetting_setup import add_entries, make_world
from notifications.models import Message
from tests.factories import BookingFactory, CompanyFactory

pytestmark = pytest.mark.usefixtures("reference")

API = "/api/v1/vetting"


@pytest.fixture
def w(make_user):
    return make_world(make_user)


@pytest.fixture
def api(client):
    """client.get/post with JSON bodies, logged in as `user`."""

    class Api:
        def as_(self, user):
            client.force_login(user)
            return self

        def get(self, url, params=None):
            return client.get(url, params or {})

        def post(self, url, data=None):
            return client.post(url, data or {}, content_type="application/json")

    return Api()


def accepted(w, quota=20):
    w.kbh_participation.quota = quota
    w.kbh_participation.accepted_at = timezone.now()
    w.kbh_participation.save()


def in_days(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def endpoints(w, entry):
    """(method, url, body) of every vetting endpoint, about København's objects."""
    p, cl = w.kbh_participation.pk, w.kbh_list.pk
    return [
        ("post", f"{API}/participations/{p}/accept/", {"quota": 5}),
        ("post", f"{API}/participations/{p}/quota/", {"quota": 5}),
        ("get", f"{API}/call-lists/{cl}/", None),
        ("get", f"{API}/call-lists/{cl}/entries/", None),
        ("post", f"{API}/call-lists/{cl}/entries/vet/",
         {"vetting": "approved", "entry_ids": [entry.pk]}),
        ("post", f"{API}/call-lists/{cl}/deadline/", {"vetting_deadline": in_days(5)}),
        ("post", f"{API}/call-lists/{cl}/release/", {"approve_pending": True}),
    ]  # fmt: skip


def nothing_changed(w, entry):
    entry.refresh_from_db()
    w.kbh_list.refresh_from_db()
    w.kbh_participation.refresh_from_db()
    return (
        entry.vetting == CallListEntry.Vetting.PENDING
        and w.kbh_list.status == CallList.Status.VETTING
        and w.kbh_list.vetting_deadline is None
        and w.kbh_participation.accepted_at is None
        and w.kbh_participation.quota == 0
        and not Message.objects.exists()
    )


# --- Who may do what -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["phoner", "consultant"])
def test_phoners_and_consultants_get_403_on_every_endpoint(api, w, who):
    entry = add_entries(w.kbh_list, 1)[0]
    api.as_(getattr(w, who))
    assert api.get(f"{API}/participations/").status_code == 403
    assert api.get(f"{API}/call-lists/").status_code == 403
    for method, url, body in endpoints(w, entry):
        assert getattr(api, method)(url, body).status_code == 403, url
    assert nothing_changed(w, entry)


def test_a_coordinator_of_another_jobcentre_is_refused_on_every_endpoint(api, w):
    entry = add_entries(w.kbh_list, 1)[0]
    api.as_(w.other_coordinator)
    for method, url, body in endpoints(w, entry):
        assert getattr(api, method)(url, body).status_code == 404, url
    assert nothing_changed(w, entry)
    participations = api.get(f"{API}/participations/").json()["results"]
    assert [p["jobcentre"] for p in participations] == [w.aarhus.pk]
    call_lists = api.get(f"{API}/call-lists/").json()["results"]
    assert [c["id"] for c in call_lists] == [w.aarhus_list.pk]


def test_agency_staff_may_do_everything_for_any_jobcentre(api, w):
    entry = add_entries(w.kbh_list, 1)[0]
    api.as_(w.agency)
    for method, url, body in endpoints(w, entry):
        response = getattr(api, method)(url, body)
        assert response.status_code == 200, (url, response.content)
    entry.refresh_from_db()
    w.kbh_list.refresh_from_db()
    assert entry.vetting == CallListEntry.Vetting.APPROVED
    assert w.kbh_list.status == CallList.Status.RELEASED


def test_unreleased_lists_are_invisible_to_phoners(api, w):
    accepted(w)
    add_entries(w.kbh_list, 2)
    api.as_(w.phoner)
    assert api.get(f"{API}/call-lists/").status_code == 403
    assert api.get(f"{API}/call-lists/{w.kbh_list.pk}/entries/").status_code == 403
    # Released, the list still is not the phoners' business here: calling happens elsewhere.
    api.as_(w.coordinator).post(
        f"{API}/call-lists/{w.kbh_list.pk}/release/", {"approve_pending": True}
    )
    api.as_(w.phoner)
    assert api.get(f"{API}/call-lists/{w.kbh_list.pk}/").status_code == 403


# --- Acceptance and quota ------------------------------------------------------------------


def test_a_coordinator_accepts_and_changes_the_quota_over_the_api(api, w):
    api.as_(w.coordinator)
    url = f"{API}/participations/{w.kbh_participation.pk}"
    response = api.post(f"{url}/accept/", {"quota": 30})
    assert response.status_code == 200
    body = response.json()
    assert (body["quota"], body["booked"], body["accepted_by"]) == (30, 0, w.coordinator.pk)
    assert api.post(f"{url}/accept/", {"quota": 30}).status_code == 409

    for _ in range(4):
        BookingFactory(campaign=w.campaign, company=CompanyFactory())
    BookingFactory(campaign=w.campaign, company=CompanyFactory(), state="cancelled_company")
    response = api.post(f"{url}/quota/", {"quota": 3})
    assert response.status_code == 400
    assert "quota" in response.json()["errors"]
    response = api.post(f"{url}/quota/", {"quota": 4})
    assert (response.status_code, response.json()["booked"]) == (200, 4)
    assert api.post(f"{url}/quota/", {"quota": -1}).status_code == 400


def test_the_participations_list_shows_quota_and_visits_booked(api, w):
    accepted(w, quota=12)
    BookingFactory(campaign=w.campaign, company=CompanyFactory())
    rows = api.as_(w.agency).get(f"{API}/participations/", {"campaign": w.campaign.pk}).json()
    by_jobcentre = {r["jobcentre_name"]: (r["quota"], r["booked"]) for r in rows["results"]}
    assert by_jobcentre == {"Jobcenter København": (12, 1), "Jobcenter Aarhus": (0, 0)}


# --- Entries: list, filters, vetting -------------------------------------------------------


def test_the_entries_list_filters_and_paginates(api, w):
    add_entries(w.kbh_list, 55, employees=10, postcode="2300")
    add_entries(w.kbh_list, 1, name="Stor Fabrik A/S", employees=400, sites=4, postcode="2100")
    url = f"{API}/call-lists/{w.kbh_list.pk}/entries/"
    api.as_(w.coordinator)
    first = api.get(url).json()
    assert first["count"] == 56 and len(first["results"]) == 50 and first["next"]
    assert len(api.get(url, {"page": 2}).json()["results"]) == 6
    for params in (
        {"employees_min": 100},
        {"employees_min": 100, "employees_max": 500},
        {"sites_min": 2},
        {"postcode": "21"},
        {"q": "stor fab"},
        {"vetting": "pending", "employees_min": 300},
    ):
        names = [r["company"]["name"] for r in api.get(url, params).json()["results"]]
        assert names == ["Stor Fabrik A/S"], params
    assert api.get(url, {"vetting": "nonsense"}).status_code == 400


def test_bulk_exclusion_by_filter_and_approval_of_the_rest(api, w):
    accepted(w)
    small = add_entries(w.kbh_list, 4, employees=9)
    add_entries(w.kbh_list, 3, employees=250)
    url = f"{API}/call-lists/{w.kbh_list.pk}"
    api.as_(w.coordinator)
    response = api.post(
        f"{url}/entries/vet/?employees_min=100",
        {"vetting": "excluded", "exclusion_reason": "timing", "all_matching": True},
    )
    assert response.status_code == 200
    assert response.json() == {"changed": 3, "pending": 4, "approved": 0, "excluded": 3, "total": 7}

    response = api.post(
        f"{url}/entries/vet/?vetting=pending", {"vetting": "approved", "all_matching": True}
    )
    assert response.json()["approved"] == 4
    assert {e.vetted_by_id for e in CallListEntry.objects.filter(pk__in=[s.pk for s in small])} == {
        w.coordinator.pk
    }
    response = api.post(f"{url}/release/")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["pending_count"], body["excluded_count"]) == ("released", 0, 3)


def test_excluding_needs_a_reason_and_other_needs_a_note(api, w):
    entry = add_entries(w.kbh_list, 1)[0]
    url = f"{API}/call-lists/{w.kbh_list.pk}/entries/vet/"
    api.as_(w.coordinator)
    response = api.post(url, {"vetting": "excluded", "entry_ids": [entry.pk]})
    assert response.status_code == 400
    assert response.json()["errors"]["exclusion_reason"]
    response = api.post(
        url, {"vetting": "excluded", "exclusion_reason": "other", "entry_ids": [entry.pk]}
    )
    assert response.status_code == 400
    assert response.json()["errors"]["exclusion_note"]
    response = api.post(
        url,
        {
            "vetting": "excluded",
            "exclusion_reason": "other",
            "exclusion_note": "Kommunen har netop besøgt dem",
            "entry_ids": [entry.pk],
        },
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.exclusion_note == "Kommunen har netop besøgt dem"


def test_bulk_vetting_takes_either_ids_or_a_filter(api, w):
    entry = add_entries(w.kbh_list, 1)[0]
    other = add_entries(w.aarhus_list, 1)[0]
    url = f"{API}/call-lists/{w.kbh_list.pk}/entries/vet/"
    api.as_(w.agency)
    assert api.post(url, {"vetting": "approved"}).status_code == 400
    both = {"vetting": "approved", "entry_ids": [entry.pk], "all_matching": True}
    assert api.post(url, both).status_code == 400
    foreign = {"vetting": "approved", "entry_ids": [entry.pk, other.pk]}
    assert api.post(url, foreign).status_code == 400
    assert not CallListEntry.objects.filter(vetting="approved").exists()


def test_release_is_refused_while_firms_are_not_vetted(api, w):
    accepted(w)
    add_entries(w.kbh_list, 2)
    url = f"{API}/call-lists/{w.kbh_list.pk}/release/"
    api.as_(w.coordinator)
    response = api.post(url)
    assert response.status_code == 400
    assert "2" in response.json()["detail"]
    assert api.post(url, {"approve_pending": True}).json()["approved_count"] == 2
    assert api.post(url, {"approve_pending": True}).status_code == 400  # released already


def test_the_deadline_is_set_moved_and_cleared_with_its_reminder(api, w):
    url = f"{API}/call-lists/{w.kbh_list.pk}/deadline/"
    api.as_(w.agency)
    response = api.post(url, {"vetting_deadline": in_days(5)})
    assert response.json()["vetting_deadline"] == in_days(5)

    def pending():
        return Message.objects.filter(kind="vetting-deadline", state="pending")

    assert [m.to_email for m in pending()] == ["koordinator@kk.invalid"]
    assert api.post(url, {"vetting_deadline": in_days(8)}).status_code == 200
    assert [m.key.split(":")[3] for m in pending()] == [in_days(8)]
    assert Message.objects.filter(state="cancelled").count() == 1
    assert api.post(url, {"vetting_deadline": None}).json()["vetting_deadline"] is None
    assert not pending().exists()
    assert api.post(url, {"vetting_deadline": in_days(-2)}).status_code == 400


# --- Queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_the_entries_list_reads_a_fixed_number_of_queries(
    api, w, count, django_assert_max_num_queries
):
    entries = add_entries(w.kbh_list, count)
    api.as_(w.coordinator).post(
        f"{API}/call-lists/{w.kbh_list.pk}/entries/vet/",
        {"vetting": "approved", "entry_ids": [e.pk for e in entries[::2]]},
    )
    with django_assert_max_num_queries(7):
        response = api.get(f"{API}/call-lists/{w.kbh_list.pk}/entries/", {"employees_min": 1})
    assert len(response.json()["results"]) == count


def test_the_call_lists_list_reads_a_fixed_number_of_queries(api, w, django_assert_max_num_queries):
    add_entries(w.kbh_list, 3)
    add_entries(w.aarhus_list, 3)
    api.as_(w.agency)
    with django_assert_max_num_queries(5):
        rows = api.get(f"{API}/call-lists/").json()["results"]
    assert {r["jobcentre_name"]: r["pending_count"] for r in rows} == {
        "Jobcenter København": 3,
        "Jobcenter Aarhus": 3,
    }


def test_every_vetting_endpoint_is_in_the_schema(api, w):
    schema = api.as_(w.agency).get("/api/schema/", {"format": "json"}).json()
    paths = {p for p in schema["paths"] if p.startswith("/api/v1/vetting/")}
    assert paths == {
        "/api/v1/vetting/participations/",
        "/api/v1/vetting/participations/{id}/accept/",
        "/api/v1/vetting/participations/{id}/quota/",
        "/api/v1/vetting/call-lists/",
        "/api/v1/vetting/call-lists/{id}/",
        "/api/v1/vetting/call-lists/{id}/entries/",
        "/api/v1/vetting/call-lists/{id}/entries/vet/",
        "/api/v1/vetting/call-lists/{id}/release/",
        "/api/v1/vetting/call-lists/{id}/deadline/",
    }
