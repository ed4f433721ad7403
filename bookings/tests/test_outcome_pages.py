"""The outcome pages: the short outcome form (with and without its script: the server
decides), filled positions, the follow-up lists and the visits missing an outcome, their
scoping and their query counts."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from bookings.models import (
    Agreement,
    AgreementKind,
    BookingState,
    FollowUp,
    FollowUpKind,
    Outcome,
    OutcomeKind,
)
from bookings.outcomes import followup_done
from bookings.tests.conftest import NOW
from bookings.tests.outcome_world import (
    build_world,
    followups_for_visits,
    held_with_followups,
    past_visit,
)


@pytest.fixture
def world(make_user, jobcentre, campaign, consultant):
    return build_world(make_user, jobcentre, campaign, consultant)


@pytest.fixture
def as_user(world):
    """as_user("consultant") -> a client logged in as that user, reading English."""

    def log_in(name: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(world.users[name])
        return client

    return log_in


def outcome_url(booking) -> str:
    return reverse("visit-outcome", args=[booking.pk])


def form_data(kind=OutcomeKind.HELD, agreements=(), followups=(), **fields) -> dict:
    """The outcome form as posted: the kind, and rows of the two formsets."""
    data = {
        "kind": kind,
        "reason": "",
        "note": "",
        "agreements-TOTAL_FORMS": str(len(agreements)),
        "agreements-INITIAL_FORMS": "0",
        "followups-TOTAL_FORMS": str(len(followups)),
        "followups-INITIAL_FORMS": "0",
        **fields,
    }
    for prefix, rows in (("agreements", agreements), ("followups", followups)):
        for number, row in enumerate(rows):
            for name, value in row.items():
                data[f"{prefix}-{number}-{name}"] = value
    return data


def followup_row(world, **fields) -> dict:
    return {
        "kind": FollowUpKind.CALL,
        "description": "Ring om praktik",
        "due_on": "2026-12-21",
        "owner": str(world.consultant.pk),
        **fields,
    }


# --- The outcome form ----------------------------------------------------------------------------


def test_the_form_offers_the_six_outcomes_with_held_chosen_and_keys(world, as_user):
    response = as_user("consultant").get(outcome_url(world.visit))

    html = response.content.decode()
    assert response.status_code == 200
    for number, kind in enumerate(OutcomeKind.values, start=1):
        assert f'value="{kind}"' in html
        assert f'accesskey="{number}"' in html
    assert 'value="held"\n             accesskey="1" data-key="1" checked autofocus' in html
    # The empty rows the page's script adds carry the defaults: the campaign's follow-up
    # period (14 days from today) and the local consultant as owner.
    assert 'value="2026-12-21"' in html
    assert f'<option value="{world.consultant.pk}" selected>' in html


def test_held_with_nothing_else_is_one_post(world, as_user):
    response = as_user("consultant").post(outcome_url(world.visit), form_data())

    assert response.status_code == 302
    assert response.url == outcome_url(world.visit)
    world.visit.refresh_from_db()
    assert world.visit.state == BookingState.HELD
    assert Outcome.objects.get().registered_by == world.users["consultant"]


def test_held_with_an_agreement_and_a_followup(world, as_user):
    data = form_data(
        agreements=[{"kind": AgreementKind.JOB_ORDER, "positions": "2"}],
        followups=[followup_row(world)],
        note="Ejeren vil gerne have kandidater.",
    )

    response = as_user("consultant").post(outcome_url(world.visit), data)

    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert list(outcome.agreements.values_list("kind", "positions")) == [("job_order", 2)]
    task = outcome.followups.get()
    assert (task.kind, task.owner, task.due_on) == ("call", world.consultant, dt.date(2026, 12, 21))


def test_untouched_and_removed_rows_do_not_count(world, as_user):
    data = form_data(
        agreements=[
            {"kind": "", "positions": "1"},  # added, never filled in
            {"kind": AgreementKind.INTERNSHIP, "positions": "1", "DELETE": "on"},
        ],
        followups=[followup_row(world, kind="", description="", due_on="2026-12-21")],
    )

    response = as_user("consultant").post(outcome_url(world.visit), data)

    assert response.status_code == 302
    assert not Agreement.objects.exists()
    assert not FollowUp.objects.exists()


def test_rows_not_sent_by_the_script_do_not_count(world, as_user):
    """The script disables the hidden parts, so their inputs are not sent at all."""
    data = form_data(kind=OutcomeKind.NO_SHOW_COMPANY)
    data["agreements-TOTAL_FORMS"] = "1"

    response = as_user("consultant").post(outcome_url(world.visit), data)

    assert response.status_code == 302
    world.visit.refresh_from_db()
    assert world.visit.state == BookingState.NO_SHOW_COMPANY


def test_without_javascript_an_agreement_on_a_no_show_is_refused(world, as_user):
    data = form_data(
        kind=OutcomeKind.NO_SHOW_COMPANY,
        agreements=[{"kind": AgreementKind.JOB_ORDER, "positions": "1"}],
    )

    response = as_user("consultant").post(outcome_url(world.visit), data)

    assert response.status_code == 400
    assert "Agreements are registered only for a visit that was held." in response.content.decode()
    assert not Outcome.objects.exists()


def test_a_followup_without_a_due_date_is_refused(world, as_user):
    data = form_data(followups=[followup_row(world, due_on="")])

    response = as_user("consultant").post(outcome_url(world.visit), data)

    assert response.status_code == 400
    assert "A follow-up needs a due date." in response.content.decode()
    assert not Outcome.objects.exists()


def test_zero_positions_are_refused(world, as_user):
    data = form_data(agreements=[{"kind": AgreementKind.JOB_ORDER, "positions": "0"}])

    response = as_user("consultant").post(outcome_url(world.visit), data)

    assert response.status_code == 400
    assert not Outcome.objects.exists()


def test_a_company_cancellation_without_reason_is_refused(world, as_user):
    client = as_user("consultant")

    refused = client.post(outcome_url(world.visit), form_data(kind=OutcomeKind.CANCELLED_COMPANY))
    saved = client.post(
        outcome_url(world.visit),
        form_data(kind=OutcomeKind.CANCELLED_COMPANY, reason="Travl periode"),
    )

    assert refused.status_code == 400
    assert "Give the company&#x27;s reason for cancelling." in refused.content.decode()
    assert saved.status_code == 302
    assert Outcome.objects.get().reason == "Travl periode"


def test_add_without_javascript_gives_one_more_row_and_saves_nothing(world, as_user):
    data = form_data(agreements=[{"kind": AgreementKind.JOB_ORDER, "positions": "3"}])
    data["add"] = "followups"

    response = as_user("consultant").post(outcome_url(world.visit), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert not Outcome.objects.exists()
    assert 'name="followups-TOTAL_FORMS" value="1"' in html
    assert 'name="followups-0-due_on" value="2026-12-21"' in html
    assert 'name="agreements-0-positions" value="3"' in html


def test_before_the_visit_the_page_says_when_and_refuses(world, as_user):
    upcoming = past_visit(world.campaign, world.consultant, day=9, hour=10)
    client = as_user("consultant")

    page = client.get(outcome_url(upcoming))
    post = client.post(outcome_url(upcoming), form_data())

    assert "The visit has not started yet." in page.content.decode()
    assert 'name="kind"' not in page.content.decode()
    assert post.status_code == 302
    assert not Outcome.objects.exists()


def test_a_registered_outcome_is_shown_and_not_registered_again(world, as_user):
    held_with_followups(world, 18, agreements=[(AgreementKind.JOB_ORDER, 2)])
    client = as_user("consultant")

    page = client.get(outcome_url(world.visit))
    again = client.post(outcome_url(world.visit), form_data(kind=OutcomeKind.NO_SHOW_COMPANY))

    html = page.content.decode()
    assert "Registered outcome" in html
    assert "Job order / recruitment" in html
    assert reverse("agreement-filled", args=[Agreement.objects.get().pk]) in html
    assert "Ring om 18." in html
    assert again.status_code == 302
    assert Outcome.objects.get().kind == OutcomeKind.HELD


def test_a_colleague_sees_the_form_refused(world, as_user):
    client = as_user("colleague")

    page = client.get(outcome_url(world.visit))
    post = client.post(outcome_url(world.visit), form_data())

    assert 'name="kind"' not in page.content.decode()
    assert post.status_code == 302
    assert not Outcome.objects.exists()


def test_the_coordinator_registers_and_goes_back_to_the_list(world, as_user):
    back = reverse("outcomes-missing")

    response = as_user("coordinator").post(outcome_url(world.visit), form_data(next=back))

    assert response.status_code == 302
    assert response.url == back


# --- Filled positions ----------------------------------------------------------------------------


def test_positions_are_marked_filled_up_to_those_agreed(world, as_user):
    held_with_followups(world, agreements=[(AgreementKind.JOB_ORDER, 3)])
    agreement = Agreement.objects.get()
    url = reverse("agreement-filled", args=[agreement.pk])
    client = as_user("colleague")

    page = client.get(url)
    too_many = client.post(url, {"filled_positions": "4", "filled_on": "2026-12-05"})
    saved = client.post(url, {"filled_positions": "2", "filled_on": "2026-12-05"})

    assert page.status_code == 200
    assert too_many.status_code == 400
    assert saved.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.filled_positions, agreement.filled_on) == (2, dt.date(2026, 12, 5))


def test_filled_positions_need_a_date(world, as_user):
    held_with_followups(world, agreements=[(AgreementKind.JOB_ORDER, 3)])
    agreement = Agreement.objects.get()

    response = as_user("consultant").post(
        reverse("agreement-filled", args=[agreement.pk]), {"filled_positions": "1"}
    )

    assert response.status_code == 400
    assert "Give the date the positions were filled." in response.content.decode()


# --- Follow-ups ----------------------------------------------------------------------------------


def test_a_consultant_sees_their_open_followups_overdue_first_marked_in_words(world, as_user):
    held_with_followups(world, 20, 4, 7, 10)
    theirs = past_visit(world.campaign, world.colleague, day=3, hour=9)
    theirs_outcome = Outcome.objects.create(booking=theirs, kind="held", registered_at=NOW)
    FollowUp.objects.create(
        outcome=theirs_outcome, kind="call", owner=world.colleague, due_on=dt.date(2026, 12, 1)
    )

    response = as_user("consultant").get(reverse("followups"))

    followups = list(response.context["followups"])
    html = response.content.decode()
    assert [f.due_on.day for f in followups] == [4, 7, 10, 20]
    assert html.count(">Overdue</span>") == 1
    assert html.count(">Due today</span>") == 1
    assert "My follow-ups" in html
    assert "Ole Kollega" not in html


def test_marking_a_followup_done_takes_it_off_the_open_list(world, as_user):
    task = held_with_followups(world, 4).followups.get()
    client = as_user("consultant")
    list_url = reverse("followups")

    done = client.post(
        reverse("followup-done", args=[task.pk]), {"note": "Ringet, ny aftale", "next": list_url}
    )
    again = client.post(reverse("followup-done", args=[task.pk]), {"note": "Igen"}, follow=True)
    after = client.get(list_url)
    done_list = client.get(list_url, {"status": "done"})

    assert done.status_code == 302
    assert done.url == list_url
    task.refresh_from_db()
    assert task.done_note == "Ringet, ny aftale"
    assert "already marked done" in again.content.decode()
    assert list(after.context["followups"]) == []
    assert list(done_list.context["followups"]) == [task]
    assert "Ringet, ny aftale" in done_list.content.decode()


def test_a_colleague_cannot_mark_someone_elses_followup_done(world, as_user):
    task = held_with_followups(world, 4).followups.get()

    as_user("colleague").post(reverse("followup-done", args=[task.pk]), {"note": "Nej"})

    task.refresh_from_db()
    assert task.done_at is None


def test_the_coordinator_filters_by_consultant_and_status(world, as_user):
    outcome = held_with_followups(world, 4, 10)
    FollowUp.objects.create(
        outcome=outcome, kind="meeting", owner=world.colleague, due_on=dt.date(2026, 12, 2)
    )
    done = outcome.followups.get(due_on=dt.date(2026, 12, 10))
    followup_done(actor=world.users["agency"], followup=done, note="", now=NOW)
    client = as_user("coordinator")
    url = reverse("followups")

    every_open = client.get(url)
    colleague = client.get(url, {"owner": world.colleague.pk})
    overdue = client.get(url, {"status": "overdue", "owner": world.consultant.pk})
    finished = client.get(url, {"status": "done"})
    everything = client.get(url, {"status": "all"})

    def days(response):
        return [f.due_on.day for f in response.context["followups"]]

    assert days(every_open) == [2, 4]
    assert days(colleague) == [2]
    assert days(overdue) == [4]
    assert days(finished) == [10]
    assert days(everything) == [2, 4, 10]
    html = every_open.content.decode()
    assert "Follow-ups: Jobcenter København" in html
    assert html.count("Mark done") == 2  # the coordinator may mark every open one


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("user", ["consultant", "coordinator"])
def test_the_followup_list_costs_a_bounded_number_of_queries(
    world, as_user, django_assert_max_num_queries, count, user
):
    followups_for_visits(world, count)
    client = as_user(user)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("followups"), {"status": "all"})

    assert response.status_code == 200
    assert len(response.context["followups"]) == count


# --- Outcome missing ---------------------------------------------------------------------------


def test_outcome_missing_lists_the_consultants_own_visits_oldest_first(world, as_user):
    older = past_visit(world.campaign, world.consultant, day=2, hour=9)
    past_visit(world.campaign, world.colleague, day=3, hour=9)

    response = as_user("consultant").get(reverse("outcomes-missing"))

    html = response.content.decode()
    assert list(response.context["visits"]) == [older, world.visit]
    assert f"{outcome_url(older)}?next=/visits/outcomes-missing/" in html


def test_outcome_missing_lists_the_jobcentres_visits_for_the_coordinator(world, as_user):
    older = past_visit(world.campaign, world.consultant, day=2, hour=9)
    colleagues = past_visit(world.campaign, world.colleague, day=3, hour=9)
    held_with_followups(world)
    client = as_user("coordinator")

    every = client.get(reverse("outcomes-missing"))
    colleague = client.get(reverse("outcomes-missing"), {"consultant": world.colleague.pk})

    assert list(every.context["visits"]) == [older, colleagues]
    assert list(colleague.context["visits"]) == [colleagues]


# --- Scoping -----------------------------------------------------------------------------------


def endpoints(world):
    outcome = held_with_followups(world, 18, agreements=[(AgreementKind.JOB_ORDER, 2)])
    unregistered = past_visit(world.campaign, world.consultant, day=2, hour=9)
    return [
        ("GET", outcome_url(world.visit)),
        ("GET", outcome_url(unregistered)),
        ("POST", outcome_url(unregistered)),
        ("POST", reverse("followup-done", args=[outcome.followups.get().pk])),
        ("GET", reverse("agreement-filled", args=[outcome.agreements.get().pk])),
        ("POST", reverse("agreement-filled", args=[outcome.agreements.get().pk])),
    ]


@pytest.mark.parametrize("user", ["aarhus_consultant", "aarhus_coordinator"])
def test_another_jobcentre_gets_404_on_every_outcome_page_of_this_one(world, as_user, user):
    client = as_user(user)

    for method, url in endpoints(world):
        response = client.get(url) if method == "GET" else client.post(url, form_data())
        assert response.status_code == 404, (method, url)
    assert Outcome.objects.count() == 1
    assert not FollowUp.objects.filter(done_at__isnull=False).exists()


def test_phoners_get_403_on_every_outcome_page(world, as_user):
    client = as_user("phoner")
    lists = [("GET", reverse("followups")), ("GET", reverse("outcomes-missing"))]

    for method, url in [*endpoints(world), *lists]:
        response = client.get(url) if method == "GET" else client.post(url, form_data())
        assert response.status_code == 403, (method, url)


def test_the_navigation_links_to_followups_and_outcome_missing(world, as_user):
    for user, shown in [("consultant", True), ("coordinator", True), ("phoner", False)]:
        html = as_user(user).get(reverse("home")).content.decode()
        assert (f'href="{reverse("followups")}"' in html) is shown, user
        assert (f'href="{reverse("outcomes-missing")}"' in html) is shown, user


# --- The admin -----------------------------------------------------------------------------------


def admin_outcome_data(world, kind, agreements=(), followups=()) -> dict:
    data = {"booking": world.visit.pk, "kind": kind, "reason": "", "note": "Fra admin"}
    for prefix, rows in (("agreements", agreements), ("followups", followups)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(rows)),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for number, row in enumerate(rows):
            for name, value in row.items():
                data[f"{prefix}-{number}-{name}"] = value
    return data


def test_the_admin_registers_an_outcome_through_the_service(world, admin_client):
    data = admin_outcome_data(
        world,
        OutcomeKind.HELD,
        agreements=[{"kind": AgreementKind.RETENTION, "positions": "1"}],
        followups=[
            {
                "kind": "meeting",
                "description": "",
                "owner": world.consultant.pk,
                "due_on": "2026-12-20",
            }
        ],
    )

    response = admin_client.post(reverse("admin:bookings_outcome_add"), data)

    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert outcome.note == "Fra admin"
    assert outcome.agreements.get().kind == AgreementKind.RETENTION
    assert outcome.followups.get().owner == world.consultant
    world.visit.refresh_from_db()
    assert (world.visit.state, world.visit.sequence) == (BookingState.HELD, 1)


def test_the_admin_shows_the_services_refusal_and_saves_nothing(world, admin_client):
    data = admin_outcome_data(
        world,
        OutcomeKind.NO_SHOW_COMPANY,
        agreements=[{"kind": AgreementKind.JOB_ORDER, "positions": "1"}],
    )

    response = admin_client.post(
        reverse("admin:bookings_outcome_add"), data, headers={"Accept-Language": "en"}
    )

    assert response.status_code == 200
    assert "Agreements are registered only for a visit that was held." in (
        response.content.decode()
    )
    assert not Outcome.objects.exists()
    world.visit.refresh_from_db()
    assert world.visit.state == BookingState.BOOKED


def test_a_registered_outcome_is_read_only_in_the_admin_but_for_its_note(world, admin_client):
    outcome = held_with_followups(world, 18)

    html = admin_client.get(reverse("admin:bookings_outcome_change", args=[outcome.pk]))
    html = html.content.decode()

    assert 'name="note"' in html
    assert 'name="kind"' not in html
    assert 'name="booking"' not in html
