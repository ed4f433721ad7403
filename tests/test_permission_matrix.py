"""Every endpoint for every role. Allowed roles get the page; the rest get 403 (or 404 for
another jobcentre's objects); anonymous users are sent to log in (pages) or refused (API).
POST actions are only tried as roles that must be refused: their effects are tested with
each feature. A meta-test makes sure a new URL cannot be added without a row here."""

import datetime as dt

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from bookings.models import Agreement, FollowUp
from campaign.models import CallList, ImportBatch, Participation
from consultants.models import Absence, Coordinator, Jobcentre
from consultants.roles import Role
from surveys.models import Invitation, Survey
from tests.factories import (
    AttendeeFactory,
    BookingFactory,
    CampaignFactory,
    ConsultantFactory,
    OutcomeFactory,
    released_call_list,
)

ROLES = ("anonymous", "phoner", "consultant", "coordinator", "other_coordinator", "agency")
EVERYONE = set(ROLES) - {"anonymous"}

# Named URLs that are not behind a log-in or are Django's own: tested elsewhere.
PUBLIC = {
    "home",
    "healthz",
    "login",
    "logout",
    "set_language",
    "schema",
    "api-docs",
    "api-root",
    "selfservice:visit",
    "selfservice:cancel",
    "selfservice:move",
    "selfservice-api-visit",
    "selfservice-api-cancel",
    "selfservice-api-slots",
    "selfservice-api-move",
    "calendar-feed",
    "surveys:answer",
    "surveys:save",
    "surveys:optout",
    "survey-response-api",
    "survey-response-api-answers",
    "survey-response-api-submit",
    "survey-response-api-optout",
}


@pytest.fixture
def world(reference, make_user):
    kbh = Jobcentre.objects.get(name="Jobcenter København")
    aarhus = Jobcentre.objects.get(name="Jobcenter Aarhus")
    campaign = CampaignFactory(
        starts_on=timezone.localdate(), ends_on=timezone.localdate() + dt.timedelta(days=90)
    )
    participation = Participation.objects.create(campaign=campaign, jobcentre=kbh, quota=10)
    call_list = released_call_list(campaign, kbh)
    vetting_list = CallList.objects.create(campaign=campaign, jobcentre=kbh, track="1")
    consultant_user = make_user("consultant", Role.CONSULTANT)
    consultant = ConsultantFactory(user=consultant_user, jobcentre=kbh)
    booking = BookingFactory(campaign=campaign)
    AttendeeFactory(booking=booking, consultant=consultant)
    past = BookingFactory(
        campaign=campaign,
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2, hours=-1),
    )
    AttendeeFactory(booking=past, consultant=consultant)
    outcome = OutcomeFactory(booking=past, kind="held")
    agreement = Agreement.objects.create(outcome=outcome, kind="job_order", positions=2)
    followup = FollowUp.objects.create(
        outcome=outcome, kind="call", owner=consultant, due_on=timezone.localdate()
    )
    absence = Absence.objects.create(
        consultant=consultant,
        starts_at=timezone.now() + dt.timedelta(days=30),
        ends_at=timezone.now() + dt.timedelta(days=31),
    )
    agency = make_user("agency", Role.AGENCY)
    coordinator = make_user("coordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=coordinator, jobcentre=kbh)
    other = make_user("other_coordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=other, jobcentre=aarhus)
    survey_invitation = Invitation.objects.create(
        survey=Survey.objects.create(key="matrix", audience="consultant", title="T", title_en="T"),
        campaign=campaign,
        consultant=consultant,
        email=consultant.email,
        token_hash="0" * 64,
        created_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    batch = ImportBatch.objects.create(
        campaign=campaign,
        track="2",
        uploaded_by=agency,
        filename="f.csv",
        content=b"x",
        status=ImportBatch.Status.PREVIEW,
    )
    return {
        "users": {
            "phoner": make_user("phoner", Role.PHONER),
            "consultant": consultant_user,
            "coordinator": coordinator,
            "other_coordinator": other,
            "agency": agency,
        },
        "entry": call_list.entries.first().pk,
        "list": call_list.pk,
        "vetting_list": vetting_list.pk,
        "participation": participation.pk,
        "booking": booking.pk,
        "batch": batch.pk,
        "campaign": campaign.pk,
        "jobcentre": kbh.pk,
        "rar_area": kbh.rar_area_id,
        "company": booking.company_id,
        "consultant_id": consultant.pk,
        "absence": absence.pk,
        "agreement": agreement.pk,
        "followup": followup.pk,
        "registered_booking": past.pk,
        "survey_invitation": survey_invitation.pk,
        "survey_definition": survey_invitation.survey_id,
    }


def matrix(w):
    """(method, url name, kwargs, allowed roles, how others are refused)."""
    staff = {"coordinator", "agency"}
    phoners = {"phoner", "agency"}
    keepers = {"consultant", "coordinator", "agency"}
    visit = {"pk": w["booking"]}
    entry, lst, vlist = {"pk": w["entry"]}, {"pk": w["list"]}, {"pk": w["vetting_list"]}
    return [
        ("GET", "rar-area-list", {}, EVERYONE),
        ("GET", "rar-area-detail", {"pk": w["rar_area"]}, EVERYONE),
        ("GET", "jobcentre-list", {}, EVERYONE),
        ("GET", "jobcentre-detail", {"pk": w["jobcentre"]}, EVERYONE),
        ("GET", "consultant-list", {}, EVERYONE),
        ("GET", "consultant-detail", {"pk": w["consultant_id"]}, EVERYONE - {"other_coordinator"}),
        ("GET", "campaign-list", {}, EVERYONE),
        ("GET", "campaign-detail", {"pk": w["campaign"]}, EVERYONE),
        ("GET", "company-list", {}, EVERYONE),
        ("GET", "company-detail", {"pk": w["company"]}, EVERYONE - {"other_coordinator"}),
        ("GET", "booking-list", {}, EVERYONE),
        ("GET", "booking-detail", {"pk": w["booking"]}, {"consultant", "coordinator", "agency"}),
        ("GET", "workspace", {}, phoners),
        ("POST", "workspace-next", {}, phoners),
        ("GET", "workspace-search", {}, phoners),
        ("GET", "workspace-entry", entry, phoners),
        ("GET", "workspace-slots", entry, phoners),
        ("POST", "workspace-call", entry, phoners),
        ("POST", "workspace-book", entry, phoners),
        ("POST", "workspace-skip", entry, phoners),
        ("POST", "api-workspace-next", {}, phoners),
        ("GET", "api-workspace-search", {}, phoners),
        ("GET", "api-workspace-entry", entry, phoners),
        ("POST", "api-workspace-call", entry, phoners),
        ("GET", "api-workspace-slots", entry, phoners),
        ("POST", "api-workspace-book", entry, phoners),
        ("GET", "import-upload", {}, {"agency"}),
        ("GET", "import-detail", {"pk": w["batch"]}, {"agency"}),
        ("GET", "import-progress", {"pk": w["batch"]}, {"agency"}),
        ("POST", "import-commit", {"pk": w["batch"]}, {"agency"}),
        ("POST", "import-discard", {"pk": w["batch"]}, {"agency"}),
        ("GET", "api-import-list", {}, {"agency"}),
        ("GET", "api-import-detail", {"pk": w["batch"]}, {"agency"}),
        ("POST", "api-import-commit", {"pk": w["batch"]}, {"agency"}),
        ("POST", "api-import-discard", {"pk": w["batch"]}, {"agency"}),
        ("GET", "vetting:overview", {}, staff | {"other_coordinator"}),
        ("GET", "vetting:participation", {"pk": w["participation"]}, staff),
        ("POST", "vetting:participation-accept", {"pk": w["participation"]}, staff),
        ("POST", "vetting:participation-quota", {"pk": w["participation"]}, staff),
        ("GET", "vetting:call-list", vlist, staff),
        ("POST", "vetting:entry-vet", {"pk": w["list"], "entry_pk": w["entry"]}, staff),
        ("POST", "vetting:bulk-vet", vlist, staff),
        ("POST", "vetting:release", vlist, staff),
        ("POST", "vetting:deadline", vlist, staff),
        ("GET", "vetting-participations", {}, staff | {"other_coordinator"}),
        ("POST", "vetting-participation-accept", {"pk": w["participation"]}, staff),
        ("POST", "vetting-participation-quota", {"pk": w["participation"]}, staff),
        ("GET", "vetting-call-lists", {}, staff | {"other_coordinator"}),
        ("GET", "vetting-call-list", lst, staff),
        ("GET", "vetting-call-list-entries", lst, staff),
        ("POST", "vetting-call-list-vet", vlist, staff),
        ("POST", "vetting-call-list-release", vlist, staff),
        ("POST", "vetting-call-list-deadline", vlist, staff),
        ("GET", "phoner_reports:index", {}, {"agency"}),
        ("GET", "phoner-report-api", {}, {"agency"}),
        # The dashboards: agency staff, and each coordinator for their own jobcentre.
        *[
            ("GET", name, {}, staff | {"other_coordinator"})
            for name in (
                "reports:index",
                "reports:table1",
                "reports:funnel",
                "reports:lead-time",
                "reports:outcomes",
                "reports:followups",
                "reports:jobcentres",
                "reports:visits",
                "reports:evaluation",
                "reports:evaluation-pdf",
                "api-reports-table1",
                "api-reports-funnel",
                "api-reports-lead-time",
                "api-reports-outcomes",
                "api-reports-followups",
                "api-reports-jobcentres",
                "api-reports-evaluation",
            )
        ],
        # The visit page, acknowledgement, moves and cancellations, the calendar.
        ("GET", "visit-detail", visit, keepers),
        ("POST", "visit-acknowledge", visit, keepers),
        ("GET", "visit-move", visit, keepers),
        ("POST", "visit-move", visit, keepers),
        ("POST", "visit-cancel", visit, keepers),
        ("GET", "api-visit-detail", visit, keepers),
        ("POST", "api-visit-acknowledge", visit, keepers),
        ("GET", "api-visit-slots", visit, keepers),
        ("POST", "api-visit-move", visit, keepers),
        ("POST", "api-visit-cancel", visit, keepers),
        ("GET", "visits-unacknowledged", {}, staff | {"other_coordinator"}),
        ("GET", "api-visits-unacknowledged", {}, staff | {"other_coordinator"}),
        ("GET", "calendar", {}, keepers | {"other_coordinator"}),
        ("GET", "calendar-events", {}, keepers | {"other_coordinator"}),
        ("POST", "calendar-feed-rotate", {}, keepers | {"other_coordinator"}),
        ("POST", "calendar-feed-revoke", {}, keepers | {"other_coordinator"}),
        ("GET", "api-calendar-events", {}, keepers | {"other_coordinator"}),
        ("POST", "api-calendar-feed-rotate", {}, keepers | {"other_coordinator"}),
        ("POST", "api-calendar-feed-revoke", {}, keepers | {"other_coordinator"}),
        # Outcomes, agreements and follow-ups: the jobcentre's people.
        ("GET", "visit-outcome", {"pk": w["booking"]}, keepers),
        ("POST", "visit-outcome", {"pk": w["booking"]}, keepers),
        ("GET", "followups", {}, keepers | {"other_coordinator"}),
        ("POST", "followup-done", {"pk": w["followup"]}, keepers),
        ("GET", "agreement-filled", {"pk": w["agreement"]}, keepers),
        ("POST", "agreement-filled", {"pk": w["agreement"]}, keepers),
        ("GET", "outcomes-missing", {}, keepers | {"other_coordinator"}),
        ("GET", "api-visit-outcome", {"pk": w["registered_booking"]}, keepers),
        ("POST", "api-visit-outcome", {"pk": w["booking"]}, keepers),
        ("GET", "api-followups", {}, keepers | {"other_coordinator"}),
        ("POST", "api-followup-done", {"pk": w["followup"]}, keepers),
        ("POST", "api-agreement-filled", {"pk": w["agreement"]}, keepers),
        ("GET", "api-outcomes-missing", {}, keepers | {"other_coordinator"}),
        # Availability: the consultant's own, their coordinator's, the agency's.
        ("GET", "availability", {}, keepers | {"other_coordinator"}),
        ("POST", "availability-hours", {"consultant_pk": w["consultant_id"]}, keepers),
        ("POST", "availability-caps", {"consultant_pk": w["consultant_id"]}, keepers),
        ("POST", "availability-absence-create", {"consultant_pk": w["consultant_id"]}, keepers),
        ("POST", "availability-absence-delete", {"pk": w["absence"]}, keepers),
        ("GET", "api-availability", {"pk": w["consultant_id"]}, keepers),
        ("GET", "api-availability-working-hours", {"pk": w["consultant_id"]}, keepers),
        ("GET", "api-availability-caps", {"pk": w["consultant_id"]}, keepers),
        ("GET", "api-availability-absences", {"pk": w["consultant_id"]}, keepers),
        ("GET", "api-availability-absence", {"pk": w["absence"]}, keepers),
        # Reassignment and the coordinator's overview.
        ("GET", "visit-reassign", {"pk": w["booking"]}, staff),
        ("GET", "api-visit-reassign", {"pk": w["booking"]}, staff),
        ("GET", "coordinator-overview", {}, staff | {"other_coordinator"}),
        (
            "GET",
            "overview-list",
            {"jobcentre": w["jobcentre"], "campaign": w["campaign"], "figure": "visits"},
            staff,
        ),
        ("GET", "api-overview", {"jobcentre": w["jobcentre"]}, staff),
        # Survey answering, logged in: a consultant's own invitations only.
        ("GET", "surveys:mine", {}, {"consultant"}),
        ("GET", "surveys:mine-answer", {"pk": w["survey_invitation"]}, {"consultant"}),
        ("POST", "surveys:mine-answer", {"pk": w["survey_invitation"]}, {"consultant"}),
        ("POST", "surveys:mine-save", {"pk": w["survey_invitation"]}, {"consultant"}),
        ("GET", "my-survey-api-list", {}, {"consultant"}),
        ("GET", "my-survey-api-detail", {"pk": w["survey_invitation"]}, {"consultant"}),
        ("PATCH", "my-survey-api-answers", {"pk": w["survey_invitation"]}, {"consultant"}),
        ("POST", "my-survey-api-submit", {"pk": w["survey_invitation"]}, {"consultant"}),
        # Survey results and definitions: agency staff only.
        ("GET", "survey_results:index", {}, {"agency"}),
        ("GET", "survey_results:export", {}, {"agency"}),
        ("GET", "api-survey-results", {}, {"agency"}),
        ("GET", "api-survey-results-comments", {}, {"agency"}),
        ("GET", "api-survey-results-export", {}, {"agency"}),
        ("GET", "api-survey-list", {}, {"agency"}),
        ("GET", "api-survey-detail", {"pk": w["survey_definition"]}, {"agency"}),
        ("POST", "api-survey-new-version", {"pk": w["survey_definition"]}, {"agency"}),
    ]


def test_every_named_url_is_in_the_matrix(world):
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if pattern.namespace == "admin":
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    covered = {row[1] for row in matrix(world)} | PUBLIC
    assert names - covered == set()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_it_may(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])
    problems = []
    for method, name, kwargs, allowed in matrix(world):
        url = reverse(name, kwargs=kwargs)
        is_api = url.startswith("/api/")
        if role in allowed:
            if method != "GET":
                continue  # effects are tested with each feature
            response = client.get(url)
            # A finished import's progress fragment sends the page on: a redirect, not a
            # refusal (refusals never redirect anywhere but to log in).
            answered = response.status_code == 200 or (
                response.status_code == 302 and not response.url.startswith(reverse("login"))
            )
            if not answered:
                problems.append(f"{role} GET {url}: {response.status_code}, expected 200")
            continue
        response = client.get(url) if method == "GET" else client.post(url)
        status = response.status_code
        if role == "anonymous":
            ok = (
                status in (401, 403)
                if is_api
                else (status == 302 and response.url.startswith(reverse("login")))
            )
        else:
            ok = status in (403, 404)
        if not ok:
            problems.append(f"{role} {method} {url}: {status}, expected refusal")
    assert problems == []
