"""Accepting a campaign, vetting call lists, releasing them and the deadline reminder: the
services of campaign.vetting and the vetting pages. Who may do what: see vetting_setup."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from campaign import vetting
from campaign.models import CallList, CallListEntry
from campaign.queries import call_list_entries_for, call_lists_for, quota_used
from campaign.tests.vetting_setup import add_entries, make_world
from common.errors import ApplicationError, Conflict, PermissionDenied
from consultants.models import Coordinator, Municipality
from consultants.roles import Role
from notifications.models import Message
from tests.factories import BookingFactory, CompanyFactory

pytestmark = pytest.mark.usefixtures("reference")

CPH = ZoneInfo("Europe/Copenhagen")
APPROVED = CallListEntry.Vetting.APPROVED
EXCLUDED = CallListEntry.Vetting.EXCLUDED
PENDING = CallListEntry.Vetting.PENDING


@pytest.fixture
def w(make_user):
    return make_world(make_user)


def accept(w, quota=40):
    return vetting.participation_accept(
        actor=w.coordinator, participation=w.kbh_participation, quota=quota
    )


def book(w, count, state="booked"):
    for _ in range(count):
        BookingFactory(campaign=w.campaign, company=CompanyFactory(), state=state)


# --- Acceptance and quota ------------------------------------------------------------------


def test_a_coordinator_accepts_the_campaign_with_a_quota(w):
    participation = accept(w, quota=40)
    participation.refresh_from_db()
    assert participation.quota == 40
    assert participation.accepted_by == w.coordinator
    assert participation.accepted_at is not None


def test_a_campaign_is_accepted_once(w):
    accept(w)
    with pytest.raises(Conflict):
        accept(w, quota=50)


def test_accepting_needs_at_least_one_visit(w):
    with pytest.raises(ApplicationError) as refused:
        accept(w, quota=0)
    assert "quota" in refused.value.field_errors
    w.kbh_participation.refresh_from_db()
    assert w.kbh_participation.accepted_at is None


def test_only_the_jobcentres_coordinator_or_agency_accept(w):
    for actor in (w.other_coordinator, w.consultant, w.phoner):
        with pytest.raises(PermissionDenied):
            vetting.participation_accept(actor=actor, participation=w.kbh_participation, quota=10)
    vetting.participation_accept(actor=w.agency, participation=w.kbh_participation, quota=10)


def test_only_visits_still_holding_a_place_count_against_the_quota(w):
    book(w, 3)
    book(w, 1, state="held")
    for state in ("cancelled_company", "cancelled_jobcentre", "moved"):
        book(w, 1, state=state)
    assert quota_used(campaign_id=w.campaign.pk, jobcentre_id=w.kbh.pk) == 4
    assert quota_used(campaign_id=w.campaign.pk, jobcentre_id=w.aarhus.pk) == 0


def test_agency_changes_a_quota_but_never_below_the_visits_booked(w):
    accept(w, quota=10)
    book(w, 3)
    with pytest.raises(ApplicationError) as refused:
        vetting.participation_quota_set(actor=w.agency, participation=w.kbh_participation, quota=2)
    assert "3" in str(refused.value.field_errors["quota"][0])
    vetting.participation_quota_set(actor=w.agency, participation=w.kbh_participation, quota=3)
    w.kbh_participation.refresh_from_db()
    assert w.kbh_participation.quota == 3


def test_a_coordinator_changes_their_own_quota_with_the_same_floor(w):
    accept(w, quota=10)
    book(w, 5)
    with pytest.raises(ApplicationError):
        vetting.participation_quota_set(
            actor=w.coordinator, participation=w.kbh_participation, quota=4
        )
    vetting.participation_quota_set(
        actor=w.coordinator, participation=w.kbh_participation, quota=25
    )
    w.kbh_participation.refresh_from_db()
    assert w.kbh_participation.quota == 25
    with pytest.raises(PermissionDenied):
        vetting.participation_quota_set(
            actor=w.coordinator, participation=w.aarhus_participation, quota=25
        )


def test_the_participation_page_accepts_and_shows_form_errors(client, w):
    client.force_login(w.coordinator)
    url = reverse("vetting:participation-accept", args=[w.kbh_participation.pk])
    response = client.post(url, {"quota": "0"})
    assert response.status_code == 400
    assert response.context["form"].errors["quota"]
    response = client.post(url, {"quota": "30"})
    assert response.status_code == 302
    w.kbh_participation.refresh_from_db()
    assert w.kbh_participation.quota == 30
    response = client.post(
        reverse("vetting:participation-quota", args=[w.kbh_participation.pk]), {"quota": "35"}
    )
    assert response.status_code == 302
    w.kbh_participation.refresh_from_db()
    assert w.kbh_participation.quota == 35


# --- Vetting one firm and many -------------------------------------------------------------


def test_approving_a_firm_records_who_and_when_in_the_audit_log(w):
    entry = add_entries(w.kbh_list, 1)[0]
    changed = vetting.entries_vet(
        actor=w.coordinator, call_list=w.kbh_list, entry_ids=[entry.pk], decision=APPROVED
    )
    assert changed == 1
    entry.refresh_from_db()
    assert (entry.vetting, entry.vetted_by) == (APPROVED, w.coordinator)
    assert entry.vetted_at is not None
    log = LogEntry.objects.get_for_object(entry).get()
    assert log.actor == w.coordinator
    assert log.changes["vetting"] == ["pending", "approved"]


def test_excluding_needs_a_reason_and_other_needs_a_note(w):
    entry = add_entries(w.kbh_list, 1)[0]

    def exclude(reason, note=""):
        return vetting.entries_vet(
            actor=w.coordinator,
            call_list=w.kbh_list,
            entry_ids=[entry.pk],
            decision=EXCLUDED,
            reason=reason,
            note=note,
        )

    with pytest.raises(ApplicationError) as refused:
        exclude("")
    assert "reason" in refused.value.field_errors
    with pytest.raises(ApplicationError) as refused:
        exclude("other", "   ")
    assert "note" in refused.value.field_errors
    entry.refresh_from_db()
    assert entry.vetting == PENDING

    exclude("other", "Sagen kører hos os")
    entry.refresh_from_db()
    assert (entry.vetting, entry.exclusion_reason, entry.exclusion_note) == (
        EXCLUDED,
        "other",
        "Sagen kører hos os",
    )


def test_approving_an_excluded_firm_clears_the_reason_and_undo_clears_the_vetter(w):
    entry = add_entries(w.kbh_list, 1)[0]
    ids = [entry.pk]
    vetting.entries_vet(
        actor=w.coordinator, call_list=w.kbh_list, entry_ids=ids, decision=EXCLUDED,
        reason="customer", note="x",
    )  # fmt: skip
    vetting.entries_vet(actor=w.coordinator, call_list=w.kbh_list, entry_ids=ids, decision=APPROVED)
    entry.refresh_from_db()
    assert (entry.exclusion_reason, entry.exclusion_note) == ("", "")
    vetting.entries_vet(actor=w.coordinator, call_list=w.kbh_list, entry_ids=ids, decision=PENDING)
    entry.refresh_from_db()
    assert (entry.vetting, entry.vetted_by, entry.vetted_at) == (PENDING, None, None)


def test_firms_of_another_list_are_refused(w):
    ours = add_entries(w.kbh_list, 1)[0]
    theirs = add_entries(w.aarhus_list, 1)[0]
    with pytest.raises(ApplicationError):
        vetting.entries_vet(
            actor=w.agency,
            call_list=w.kbh_list,
            entry_ids=[ours.pk, theirs.pk],
            decision=APPROVED,
        )
    assert CallListEntry.objects.filter(vetting=APPROVED).count() == 0


def test_a_coordinator_may_not_vet_another_jobcentres_list(w):
    entry = add_entries(w.aarhus_list, 1)[0]
    with pytest.raises(PermissionDenied):
        vetting.entries_vet(
            actor=w.coordinator, call_list=w.aarhus_list, entry_ids=[entry.pk], decision=APPROVED
        )


def test_bulk_exclusion_of_all_firms_matching_a_filter(client, w):
    small = add_entries(w.kbh_list, 3, employees=8)
    big = add_entries(w.kbh_list, 4, employees=150, sites=3)
    client.force_login(w.coordinator)
    url = reverse("vetting:bulk-vet", args=[w.kbh_list.pk]) + "?employees_min=100&sites_min=2"
    response = client.post(
        url, {"scope": "all", "decision": "excluded", "reason": "customer", "note": ""}
    )
    assert response.status_code == 302
    assert response.url.endswith("?employees_min=100&sites_min=2")
    assert {e.vetting for e in CallListEntry.objects.filter(pk__in=[e.pk for e in big])} == {
        EXCLUDED
    }
    assert {e.vetting for e in CallListEntry.objects.filter(pk__in=[e.pk for e in small])} == {
        PENDING
    }
    assert LogEntry.objects.filter(actor=w.coordinator).count() == 4


def test_bulk_approval_of_the_selected_firms(client, w):
    entries = add_entries(w.kbh_list, 5)
    client.force_login(w.coordinator)
    response = client.post(
        reverse("vetting:bulk-vet", args=[w.kbh_list.pk]),
        {"scope": "selected", "decision": "approved", "entry_ids": [entries[0].pk, entries[2].pk]},
    )
    assert response.status_code == 302
    approved = set(CallListEntry.objects.filter(vetting=APPROVED).values_list("pk", flat=True))
    assert approved == {entries[0].pk, entries[2].pk}


def test_bulk_exclusion_without_a_reason_changes_nothing_and_says_why(client, w):
    add_entries(w.kbh_list, 3)
    client.force_login(w.coordinator)
    response = client.post(
        reverse("vetting:bulk-vet", args=[w.kbh_list.pk]),
        {"scope": "all", "decision": "excluded", "reason": ""},
        follow=True,
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "Choose why the firm is excluded." in response.content.decode()
    assert not CallListEntry.objects.exclude(vetting=PENDING).exists()


def test_a_row_is_vetted_in_place_with_htmx(client, w):
    entry = add_entries(w.kbh_list, 1, name="Bageriet ApS")[0]
    client.force_login(w.coordinator)
    url = reverse("vetting:entry-vet", args=[w.kbh_list.pk, entry.pk])
    response = client.post(url, {"decision": "approved"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="entry-{entry.pk}"')
    assert "Bageriet ApS" in html
    assert "<html" not in html
    assert response["HX-Trigger"] == "vetted"
    entry.refresh_from_db()
    assert entry.vetting == APPROVED


def test_a_row_refused_by_htmx_shows_the_reason_in_the_row(client, w):
    entry = add_entries(w.kbh_list, 1)[0]
    client.force_login(w.coordinator)
    url = reverse("vetting:entry-vet", args=[w.kbh_list.pk, entry.pk])
    response = client.post(
        url, {"decision": "excluded", "reason": "other"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "HX-Trigger" not in response
    entry.refresh_from_db()
    assert entry.vetting == PENDING


def test_without_htmx_a_row_decision_goes_back_to_the_filtered_page(client, w):
    entry = add_entries(w.kbh_list, 1)[0]
    client.force_login(w.coordinator)
    back = reverse("vetting:call-list", args=[w.kbh_list.pk]) + "?vetting=pending&page=1"
    response = client.post(
        reverse("vetting:entry-vet", args=[w.kbh_list.pk, entry.pk]),
        {"decision": "excluded", "reason": "timing", "next": back},
    )
    assert response.status_code == 302
    assert response.url == back
    response = client.post(
        reverse("vetting:entry-vet", args=[w.kbh_list.pk, entry.pk]),
        {"decision": "approved", "next": "https://evil.invalid/"},
    )
    assert response.url == reverse("vetting:call-list", args=[w.kbh_list.pk])


# --- Releasing -----------------------------------------------------------------------------


def test_a_list_with_firms_not_vetted_is_not_released(w):
    accept(w)
    add_entries(w.kbh_list, 2)
    with pytest.raises(ApplicationError) as refused:
        vetting.call_list_release(actor=w.coordinator, call_list=w.kbh_list)
    assert refused.value.extra["pending"] == 2
    w.kbh_list.refresh_from_db()
    assert w.kbh_list.status == CallList.Status.VETTING


def test_a_fully_vetted_list_is_released(w):
    accept(w)
    entries = add_entries(w.kbh_list, 2)
    vetting.entries_vet(
        actor=w.coordinator,
        call_list=w.kbh_list,
        entry_ids=[e.pk for e in entries],
        decision=APPROVED,
    )
    vetting.call_list_release(actor=w.coordinator, call_list=w.kbh_list)
    w.kbh_list.refresh_from_db()
    assert w.kbh_list.status == CallList.Status.RELEASED
    assert w.kbh_list.released_at is not None


def test_release_and_approve_the_rest_keeps_the_exclusions(w):
    accept(w)
    excluded, *rest = add_entries(w.kbh_list, 3)
    vetting.entries_vet(
        actor=w.coordinator, call_list=w.kbh_list, entry_ids=[excluded.pk],
        decision=EXCLUDED, reason="timing",
    )  # fmt: skip
    vetting.call_list_release(actor=w.coordinator, call_list=w.kbh_list, approve_pending=True)
    vetted = dict(CallListEntry.objects.values_list("pk", "vetting"))
    assert vetted == {excluded.pk: EXCLUDED, rest[0].pk: APPROVED, rest[1].pk: APPROVED}
    assert set(CallListEntry.objects.values_list("vetted_by", flat=True)) == {w.coordinator.pk}


def test_a_list_is_released_only_once_the_jobcentre_accepted_the_campaign(w):
    with pytest.raises(ApplicationError):
        vetting.call_list_release(actor=w.coordinator, call_list=w.kbh_list)
    accept(w)
    vetting.call_list_release(actor=w.coordinator, call_list=w.kbh_list)


def test_a_released_list_is_not_released_again_nor_vetted(w):
    accept(w)
    entry = add_entries(w.kbh_list, 1)[0]
    vetting.call_list_release(actor=w.coordinator, call_list=w.kbh_list, approve_pending=True)
    with pytest.raises(ApplicationError):
        vetting.call_list_release(actor=w.coordinator, call_list=w.kbh_list)
    with pytest.raises(ApplicationError):
        vetting.entries_vet(
            actor=w.coordinator, call_list=w.kbh_list, entry_ids=[entry.pk],
            decision=EXCLUDED, reason="customer",
        )  # fmt: skip


def test_the_release_page_needs_the_explicit_option_to_approve_the_rest(client, w):
    accept(w)
    add_entries(w.kbh_list, 2)
    client.force_login(w.coordinator)
    url = reverse("vetting:release", args=[w.kbh_list.pk])
    response = client.post(url, follow=True, headers={"Accept-Language": "en"})
    assert "2 firms are not vetted yet" in response.content.decode()
    w.kbh_list.refresh_from_db()
    assert w.kbh_list.status == CallList.Status.VETTING
    client.post(url, {"approve_pending": "on"})
    w.kbh_list.refresh_from_db()
    assert w.kbh_list.status == CallList.Status.RELEASED


def test_unreleased_lists_and_excluded_firms_never_reach_phoners(w):
    accept(w)
    approved, excluded = add_entries(w.kbh_list, 2)
    add_entries(w.aarhus_list, 2)
    assert not call_lists_for(w.phoner).exists()
    assert not call_list_entries_for(w.phoner).exists()
    vetting.entries_vet(
        actor=w.coordinator, call_list=w.kbh_list, entry_ids=[excluded.pk],
        decision=EXCLUDED, reason="customer",
    )  # fmt: skip
    vetting.call_list_release(actor=w.coordinator, call_list=w.kbh_list, approve_pending=True)
    assert list(call_lists_for(w.phoner)) == [w.kbh_list]
    assert list(call_list_entries_for(w.phoner)) == [approved]


# --- Deadline reminders in the outbox ------------------------------------------------------


def deadline_rows(w):
    return Message.objects.filter(subject_ref=f"call-list:{w.kbh_list.pk}", kind="vetting-deadline")


def in_days(days):
    return timezone.localdate() + dt.timedelta(days=days)


def test_setting_a_deadline_writes_a_reminder_to_each_coordinator(w, make_user):
    second = make_user("koordinator2", Role.COORDINATOR, email="nr2@kk.invalid")
    Coordinator.objects.create(user=second, jobcentre=w.kbh)
    deadline = in_days(10)
    vetting.call_list_deadline_set(actor=w.agency, call_list=w.kbh_list, deadline=deadline)
    w.kbh_list.refresh_from_db()
    assert w.kbh_list.vetting_deadline == deadline
    rows = list(deadline_rows(w).order_by("to_email"))
    assert [r.to_email for r in rows] == ["koordinator@kk.invalid", "nr2@kk.invalid"]
    for row in rows:
        assert row.key.startswith(f"call-list:{w.kbh_list.pk}:vetting-deadline:{deadline}")
        assert row.state == Message.State.PENDING
        assert row.due_at == dt.datetime.combine(deadline, dt.time(8), CPH)
        assert row.context["call_list"] == w.kbh_list.pk
        assert row.context["deadline"] == deadline.isoformat()


def test_moving_the_deadline_cancels_the_old_reminder_and_writes_a_new_one(w):
    first, second = in_days(10), in_days(14)
    vetting.call_list_deadline_set(actor=w.coordinator, call_list=w.kbh_list, deadline=first)
    vetting.call_list_deadline_set(actor=w.coordinator, call_list=w.kbh_list, deadline=second)
    states = {r.due_at.astimezone(CPH).date(): r.state for r in deadline_rows(w)}
    assert states == {first: Message.State.CANCELLED, second: Message.State.PENDING}
    # Back to the first date: its reminder is due again.
    vetting.call_list_deadline_set(actor=w.coordinator, call_list=w.kbh_list, deadline=first)
    states = {r.due_at.astimezone(CPH).date(): r.state for r in deadline_rows(w)}
    assert states == {first: Message.State.PENDING, second: Message.State.CANCELLED}


def test_releasing_or_clearing_cancels_the_reminder(w):
    accept(w)
    vetting.call_list_deadline_set(actor=w.coordinator, call_list=w.kbh_list, deadline=in_days(3))
    vetting.call_list_deadline_set(actor=w.coordinator, call_list=w.kbh_list, deadline=None)
    assert set(deadline_rows(w).values_list("state", flat=True)) == {Message.State.CANCELLED}
    vetting.call_list_deadline_set(actor=w.coordinator, call_list=w.kbh_list, deadline=in_days(4))
    vetting.call_list_release(actor=w.coordinator, call_list=w.kbh_list)
    assert not deadline_rows(w).filter(state=Message.State.PENDING).exists()


def test_a_deadline_in_the_past_or_on_another_jobcentres_list_is_refused(w):
    with pytest.raises(ApplicationError):
        vetting.call_list_deadline_set(
            actor=w.coordinator, call_list=w.kbh_list, deadline=in_days(-1)
        )
    with pytest.raises(PermissionDenied):
        vetting.call_list_deadline_set(
            actor=w.coordinator, call_list=w.aarhus_list, deadline=in_days(3)
        )
    assert not Message.objects.exists()


def test_the_deadline_page_sets_the_deadline(client, w):
    client.force_login(w.coordinator)
    deadline = in_days(7)
    response = client.post(
        reverse("vetting:deadline", args=[w.kbh_list.pk]), {"vetting_deadline": str(deadline)}
    )
    assert response.status_code == 302
    w.kbh_list.refresh_from_db()
    assert w.kbh_list.vetting_deadline == deadline
    assert deadline_rows(w).count() == 1


# --- Pages: who may see what, and how many queries -------------------------------------------


def html_endpoints(w, entry):
    """(method, url, data) of every vetting page, about København's objects."""
    kbh_list, participation = w.kbh_list.pk, w.kbh_participation.pk
    return [
        ("get", reverse("vetting:participation", args=[participation]), {}),
        ("post", reverse("vetting:participation-accept", args=[participation]), {"quota": 5}),
        ("post", reverse("vetting:participation-quota", args=[participation]), {"quota": 5}),
        ("get", reverse("vetting:call-list", args=[kbh_list]), {}),
        (
            "post",
            reverse("vetting:entry-vet", args=[kbh_list, entry.pk]),
            {"decision": "approved"},
        ),
        (
            "post",
            reverse("vetting:bulk-vet", args=[kbh_list]),
            {"scope": "all", "decision": "approved"},
        ),
        ("post", reverse("vetting:release", args=[kbh_list]), {"approve_pending": "on"}),
        ("post", reverse("vetting:deadline", args=[kbh_list]), {"vetting_deadline": ""}),
    ]


@pytest.mark.parametrize("who", ["phoner", "consultant"])
def test_phoners_and_consultants_get_403_on_every_vetting_page(client, w, who):
    entry = add_entries(w.kbh_list, 1)[0]
    client.force_login(getattr(w, who))
    assert client.get(reverse("vetting:overview")).status_code == 403
    for method, url, data in html_endpoints(w, entry):
        assert getattr(client, method)(url, data).status_code == 403, url
    entry.refresh_from_db()
    assert entry.vetting == PENDING


def test_a_coordinator_of_another_jobcentre_gets_404_on_every_vetting_page(client, w):
    entry = add_entries(w.kbh_list, 1)[0]
    client.force_login(w.other_coordinator)
    for method, url, data in html_endpoints(w, entry):
        assert getattr(client, method)(url, data).status_code == 404, url
    entry.refresh_from_db()
    w.kbh_list.refresh_from_db()
    w.kbh_participation.refresh_from_db()
    assert entry.vetting == PENDING
    assert w.kbh_list.status == CallList.Status.VETTING
    assert w.kbh_participation.accepted_at is None


def test_the_coordinator_sees_their_own_jobcentre_and_agency_every_one(client, w):
    add_entries(w.kbh_list, 2)
    add_entries(w.aarhus_list, 3)
    client.force_login(w.coordinator)
    page = client.get(reverse("vetting:overview"))
    assert page.status_code == 200
    assert list(page.context["call_lists"]) == [w.kbh_list]
    assert list(page.context["participations"]) == [w.kbh_participation]
    assert 'href="/vetting/"' in page.content.decode()  # the navigation link

    accept(w, quota=40)
    # Accepted by a user since deleted: accepted_by is empty.
    w.aarhus_participation.accepted_at = timezone.now()
    w.aarhus_participation.save()
    client.force_login(w.agency)
    page = client.get(reverse("vetting:overview"), {"campaign": w.campaign.pk})
    assert "(Kim)" in page.content.decode()  # who accepted
    counts = {
        c.jobcentre_id: (c.pending_count, c.approved_count) for c in page.context["call_lists"]
    }
    assert counts == {w.kbh.pk: (2, 0), w.aarhus.pk: (3, 0)}
    assert len(page.context["participations"]) == 2
    for p in (w.kbh_participation, w.aarhus_participation):
        assert client.get(reverse("vetting:participation", args=[p.pk])).status_code == 200


def test_the_list_page_filters_and_paginates(client, w):
    add_entries(w.kbh_list, 60, employees=10)
    add_entries(w.kbh_list, 1, name="Særlig Smed A/S", employees=40, postcode="2100")
    client.force_login(w.coordinator)
    url = reverse("vetting:call-list", args=[w.kbh_list.pk])
    page = client.get(url)
    assert page.context["page"].paginator.count == 61
    assert len(page.context["page"].object_list) == 50
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == 11
    for params in ({"q": "særlig"}, {"employees_min": 20, "employees_max": 50}, {"postcode": "21"}):
        page = client.get(url, params)
        assert [e.company.name for e in page.context["page"]] == ["Særlig Smed A/S"], params
    municipality = Municipality.objects.filter(jobcentre=w.kbh).order_by("code").first()
    page = client.get(url, {"municipality": municipality.pk, "vetting": "pending"})
    assert page.context["page"].paginator.count == 61
    page = client.get(url, {"vetting": "approved"})
    assert page.context["page"].paginator.count == 0


@pytest.mark.parametrize("count", [5, 50])
def test_the_list_page_reads_a_fixed_number_of_queries(
    client, w, count, django_assert_max_num_queries
):
    entries = add_entries(w.kbh_list, count)
    vetting.entries_vet(
        actor=w.coordinator,
        call_list=w.kbh_list,
        entry_ids=[e.pk for e in entries[::2]],
        decision=EXCLUDED,
        reason="customer",
    )
    client.force_login(w.coordinator)
    with django_assert_max_num_queries(10):
        response = client.get(
            reverse("vetting:call-list", args=[w.kbh_list.pk]), {"employees_min": 1}
        )
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == count


def test_the_overview_reads_a_fixed_number_of_queries(client, w, django_assert_max_num_queries):
    for _ in range(3):
        add_entries(w.kbh_list, 2)
    client.force_login(w.agency)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("vetting:overview")).status_code == 200
