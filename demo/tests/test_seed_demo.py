"""seed_demo: the report's figures come out of the generated data (counted with ORM queries,
not with the generator's internals), the data keeps the domain's rules, and a seed always
gives the same data.

The report-scale run takes a few seconds, so TestReportScale seeds once for the whole class
inside a transaction it rolls back afterwards; the other tests seed small scales themselves.
"""

import csv
import hashlib
from collections import Counter, defaultdict
from datetime import time, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Sum

from bookings.models import (
    HELD_KINDS,
    Agreement,
    AgreementKind,
    Attendee,
    Booking,
    BookingState,
    FollowUp,
    Outcome,
)
from campaign.models import (
    CallAttempt,
    CallList,
    CallListEntry,
    CallScript,
    Campaign,
    Company,
    Participation,
    Track,
)
from campaign.validators import cvr_is_valid
from consultants.models import Absence, Consultant, Coordinator, WorkingHours
from consultants.roles import Role
from demo.generator import DEMO_CAMPAIGN, seed_demo
from demo.targets import targets_for
from surveys.models import Answer, Invitation

TABLE1 = Path(__file__).resolve().parent.parent / "data" / "table1.csv"
KINDS = {
    "Jobordre/rekruttering": AgreementKind.JOB_ORDER,
    "Opkvalificeringsjob": AgreementKind.SKILLS_JOB,
    "Voksenlærling": AgreementKind.ADULT_APPRENTICE,
    "Jobrotation": AgreementKind.JOB_ROTATION,
    "Løntilskud": AgreementKind.WAGE_SUBSIDY,
    "Virksomhedspraktik": AgreementKind.INTERNSHIP,
    "Fagpilot": AgreementKind.FAGPILOT,
    "Fastholdelse": AgreementKind.RETENTION,
}
CANCELLED = (BookingState.CANCELLED_COMPANY, BookingState.CANCELLED_JOBCENTRE)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
User = get_user_model()


def table1() -> dict[str, dict[str, int]]:
    """{row name: {column: figure}} straight from the CSV."""
    with TABLE1.open(encoding="utf-8", newline="") as handle:
        return {
            row.pop("row"): {k: int(v) for k, v in row.items()} for row in csv.DictReader(handle)
        }


def areas() -> list[str]:
    return [c for c in next(iter(table1().values())) if c != "Hele landet"]


def per_area(queryset, area_field: str, value=None) -> dict[str, int]:
    value = value or Count("pk")
    return dict(queryset.values_list(area_field).annotate(n=value).order_by())


def overlaps() -> int:
    """Pairs of active attendee rows of one consultant whose [starts_at, blocked_until)
    overlap, found by a self-join in SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COUNT(*) FROM bookings_attendee a
            JOIN bookings_attendee b
              ON a.consultant_id = b.consultant_id AND a.id < b.id
            WHERE a.is_active AND b.is_active
              AND a.starts_at < b.blocked_until AND b.starts_at < a.blocked_until
            """
        )
        return cursor.fetchone()[0]


def digest() -> str:
    """A hash of the generated data by natural keys (never primary keys)."""
    parts = [
        sorted(Company.objects.values_list("cvr", "name", "address", "employees", "email")),
        sorted(
            (cvr, start.isoformat(), booked.isoformat(), state, jobcentre)
            for cvr, start, booked, state, jobcentre in Booking.objects.values_list(
                "company__cvr", "starts_at", "booked_at", "state", "jobcentre__name"
            )
        ),
        sorted(Attendee.objects.values_list("booking__company__cvr", "consultant__name", "role")),
        sorted(Outcome.objects.values_list("booking__company__cvr", "kind")),
        sorted(
            Agreement.objects.values_list(
                "outcome__booking__company__cvr", "kind", "positions", "filled_positions"
            )
        ),
        sorted(
            (cvr, str(due), str(done))
            for cvr, due, done in FollowUp.objects.values_list(
                "outcome__booking__company__cvr", "due_on", "done_at"
            )
        ),
        sorted(Invitation.objects.values_list("email", "token_hash")),
        sorted(
            (email, key, repr(value))
            for email, key, value in Answer.objects.values_list(
                "invitation__email", "question__key", "value"
            )
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def seeded_digest(seed: int, scale: str | int) -> str:
    """Seed, take the digest and roll the seeding back."""
    with transaction.atomic():
        seed_demo(seed=seed, scale=scale, live=False)
        result = digest()
        transaction.set_rollback(True)
    return result


@pytest.fixture(scope="class")
def report(django_db_setup, django_db_blocker):
    """The report-scale demo with seed 1, rolled back after the class."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = seed_demo(seed=1, scale="report", live=False)
        # Check the deferred foreign keys now, once: otherwise every test's teardown (a
        # savepoint rollback) brings them back and checks all of them again.
        connection.check_constraints()
        yield result
        transaction.set_rollback(True)


@pytest.mark.usefixtures("report", "db")
class TestReportScale:
    def test_it_seeds_one_campaign_with_the_report_period(self):
        campaign = Campaign.objects.get()
        assert campaign.name == DEMO_CAMPAIGN
        assert (str(campaign.starts_on), str(campaign.ends_on)) == ("2015-11-01", "2016-04-01")

    def test_bookings_per_area_and_track_are_table1s(self):
        figures = table1()["Antal bookede møder i alt"]
        track2 = Booking.objects.filter(track=Track.JOBCENTRE)
        assert per_area(track2, "jobcentre__rar_area__name") == {a: figures[a] for a in areas()}
        track1 = Booking.objects.filter(track=Track.JOBSERVICE).count()
        assert track1 == figures["Hele landet"] - sum(figures[a] for a in areas()) == 266
        assert Booking.objects.count() == figures["Hele landet"]

    def test_outcomes_per_area_and_nationally_are_table1s(self):
        figures = table1()["Møder med tilbagemelding"]
        track2 = Outcome.objects.filter(booking__track=Track.JOBCENTRE)
        assert per_area(track2, "booking__jobcentre__rar_area__name") == {
            a: figures[a] for a in areas()
        }
        assert Outcome.objects.count() == figures["Hele landet"]
        assert Outcome.objects.filter(booking__track=Track.JOBSERVICE).count() == 174

    def test_agreement_positions_per_kind_and_area_are_table1s(self):
        rows = table1()
        found: dict[tuple[str, str], int] = defaultdict(int)
        track2 = Agreement.objects.filter(outcome__booking__track=Track.JOBCENTRE)
        for area, kind, positions in (
            track2.values_list("outcome__booking__jobcentre__rar_area__name", "kind")
            .annotate(n=Sum("positions"))
            .order_by()
        ):
            found[area, kind] = positions
        national = per_area(Agreement.objects.all(), "kind", Sum("positions"))
        for row, kind in KINDS.items():
            for area in areas():
                assert found[area, kind] == rows[row][area], (row, area)
            assert national.get(kind, 0) == rows[row]["Hele landet"], row

    def test_track1_positions_are_the_national_remainder(self):
        track1 = per_area(
            Agreement.objects.filter(outcome__booking__track=Track.JOBSERVICE),
            "kind",
            Sum("positions"),
        )
        assert {k: v for k, v in track1.items() if k in KINDS.values()} == {
            "job_order": 72,
            "adult_apprentice": 1,
            "job_rotation": 1,
            "wage_subsidy": 2,
            "internship": 4,
            "retention": 2,
        }

    def test_the_texts_other_agreement_figures(self):
        positions = per_area(Agreement.objects.all(), "kind", Sum("positions"))
        assert positions[AgreementKind.REFUGEE_PLACES] == 210
        tracks = set(
            Agreement.objects.filter(kind=AgreementKind.REFUGEE_PLACES).values_list(
                "outcome__booking__track", flat=True
            )
        )
        assert tracks == {Track.JOBSERVICE, Track.JOBCENTRE}
        service = Agreement.objects.filter(
            kind__in=[AgreementKind.JOBSERVICE_AGREEMENT, AgreementKind.INTEGRATION_AGREEMENT]
        )
        assert set(service.values_list("outcome__booking__track", flat=True)) == {"1"}
        assert 12 <= service.filter(kind=AgreementKind.JOBSERVICE_AGREEMENT).count() <= 20
        filled = Agreement.objects.filter(kind=AgreementKind.JOB_ORDER).aggregate(
            n=Sum("filled_positions")
        )["n"]
        assert 110 <= filled <= 130
        assert not Agreement.objects.exclude(kind=AgreementKind.JOB_ORDER).filter(
            filled_positions__gt=0
        )

    def test_agreements_are_on_held_visits_with_one_to_three_positions(self):
        assert not Agreement.objects.exclude(outcome__kind__in=HELD_KINDS).exists()
        assert not Agreement.objects.exclude(positions__range=(1, 3)).exists()
        sizes = Counter(Agreement.objects.values_list("positions", flat=True))
        assert sizes[1] > sizes[2] + sizes[3]

    def test_73_jobcentres_take_part_in_every_area(self):
        participations = Participation.objects.all()
        assert participations.count() == 73
        assert len(set(participations.values_list("jobcentre__rar_area", flat=True))) == 8
        assert per_area(participations, "jobcentre__rar_area__name")["Bornholm"] == 1
        assert not participations.filter(accepted_at__isnull=True).exists()
        for participation in participations:
            booked = Booking.objects.filter(jobcentre=participation.jobcentre).count()
            assert participation.quota >= booked > 0
        bookings_outside = Booking.objects.exclude(jobcentre__in=participations.values("jobcentre"))
        assert not bookings_outside.exists()

    def test_273_local_consultants_all_with_visits_and_jobservice_reps(self):
        local = Consultant.objects.filter(kind=Consultant.Kind.LOCAL)
        assert local.count() == 273
        assert local.values("jobcentre").distinct().count() == 73
        assert not local.annotate(n=Count("attendances")).filter(n=0).exists()
        reps = Consultant.objects.filter(kind=Consultant.Kind.JOBSERVICE)
        assert 10 <= reps.count() <= 14
        assert not reps.filter(jobcentre__isnull=False).exists()
        assert Consultant.objects.filter(user__isnull=False).count() == 1

    def test_attendees_match_their_track_and_jobcentre(self):
        track2 = Booking.objects.filter(track=Track.JOBCENTRE).annotate(n=Count("attendees"))
        assert set(track2.values_list("n", flat=True)) == {1}
        track1 = Booking.objects.filter(track=Track.JOBSERVICE).annotate(n=Count("attendees"))
        assert set(track1.values_list("n", flat=True)) == {2}
        assert not Attendee.objects.filter(
            role=Attendee.Role.JOBSERVICE, consultant__kind=Consultant.Kind.LOCAL
        ).exists()
        assert (
            not Attendee.objects.filter(role=Attendee.Role.LOCAL)
            .exclude(consultant__jobcentre=F("booking__jobcentre"))
            .exists()
        )
        assert not Attendee.objects.exclude(starts_at=F("booking__starts_at")).exists()
        buffer = timedelta(minutes=Campaign.objects.get().travel_buffer_minutes)
        assert not Attendee.objects.exclude(blocked_until=F("booking__ends_at") + buffer).exists()

    def test_no_consultant_is_ever_double_booked(self):
        assert Attendee.objects.filter(is_active=True).exists()
        assert overlaps() == 0

    def test_visits_are_on_working_days_in_office_hours(self):
        import holidays

        danish = holidays.Denmark(years=[2015, 2016])
        for starts_at, ends_at in Booking.objects.values_list("starts_at", "ends_at"):
            start, end = starts_at.astimezone(COPENHAGEN), ends_at.astimezone(COPENHAGEN)
            assert start.weekday() < 5 and start.date() not in danish
            assert "2015-12-01" <= str(start.date()) <= "2016-04-30"
            assert start.hour >= 8 and (end.hour, end.minute) <= (16, 0)
            assert end - start == timedelta(minutes=60)

    def test_cancellations_and_their_lead_times(self):
        total = Booking.objects.count()
        cancelled = Booking.objects.filter(state__in=CANCELLED)
        assert 0.10 <= cancelled.count() / total <= 0.15
        assert cancelled.filter(state=BookingState.CANCELLED_COMPANY).count() > (
            3 * cancelled.filter(state=BookingState.CANCELLED_JOBCENTRE).count()
        )
        assert not cancelled.filter(state=BookingState.CANCELLED_COMPANY, cancel_reason="").exists()
        far = near = far_cancelled = near_cancelled = 0
        for starts_at, booked_at, state in Booking.objects.values_list(
            "starts_at", "booked_at", "state"
        ):
            lead = (starts_at.date() - booked_at.date()).days
            assert 3 <= lead <= 60
            if lead > 42:
                far, far_cancelled = far + 1, far_cancelled + (state in CANCELLED)
            else:
                near, near_cancelled = near + 1, near_cancelled + (state in CANCELLED)
        assert far_cancelled / far > 3 * near_cancelled / near

    def test_outcome_kinds_and_states(self):
        assert not Outcome.objects.exclude(kind=F("booking__state")).exists()
        kinds = Counter(Outcome.objects.values_list("kind", flat=True))
        assert kinds["held"] > 0.8 * sum(kinds.values())
        assert 15 <= kinds["no_show_consultant"] <= 25
        assert kinds["no_show_company"] > 0 and kinds["cancelled_company"] > 0
        short = Booking.objects.filter(state__in=["held_short", "held_phone"]).count()
        assert 0 < short <= 0.10 * Booking.objects.count()
        without = Booking.objects.filter(outcome__isnull=True)
        assert set(without.values_list("state", flat=True)) == {"booked", *CANCELLED}
        assert not Outcome.objects.filter(registered_at__lte=F("booking__ends_at")).exists()

    def test_1509_follow_ups_owned_by_the_local_consultant(self):
        followups = FollowUp.objects.all()
        assert followups.count() == 1509
        assert not followups.exclude(outcome__kind__in=HELD_KINDS).exists()
        local_attendee = Attendee.objects.filter(
            booking=OuterRef("outcome__booking"), consultant=OuterRef("owner"), role="local"
        )
        assert not followups.filter(~Exists(local_attendee)).exists()
        due = Campaign.objects.get().followup_due_days
        for registered, due_on in followups.values_list("outcome__registered_at", "due_on"):
            assert due_on == registered.astimezone(COPENHAGEN).date() + timedelta(days=due)
        on_time = sum(
            1
            for due_on, done_at in followups.values_list("due_on", "done_at")
            if done_at and done_at.astimezone(COPENHAGEN).date() <= due_on
        )
        late = followups.filter(done_at__isnull=False).count() - on_time
        never = followups.filter(done_at__isnull=True).count()
        assert on_time > late > 0 and never > 0

    def test_company_survey_answers(self):
        answered = Invitation.objects.filter(submitted_at__isnull=False)
        assert answered.filter(survey__key="company-track-1").count() == 54
        assert answered.filter(survey__key="company-track-2").count() == 551
        cancelled = Answer.objects.filter(question__key="visit_held", value="cancelled")
        assert cancelled.count() == 52
        assert set(cancelled.values_list("invitation__survey__key", flat=True)) == {
            "company-track-2"
        }
        assert set(cancelled.values_list("invitation__booking__state", flat=True)) <= set(CANCELLED)
        cancelled_keys = set(
            Answer.objects.filter(invitation__in=cancelled.values("invitation")).values_list(
                "question__key", flat=True
            )
        )
        assert "overall_satisfaction" not in cancelled_keys
        invited = Invitation.objects.filter(booking__isnull=False)
        assert invited.count() == Booking.objects.count()
        assert not invited.exclude(email=F("booking__contact_email")).exists()
        assert not invited.filter(created_at__lte=F("booking__ends_at")).exists()
        assert invited.filter(opened_at__isnull=False, submitted_at__isnull=True).exists()

    def test_company_satisfaction_is_the_reports(self):
        satisfaction = Counter(
            Answer.objects.filter(question__key="overall_satisfaction").values_list(
                "value", flat=True
            )
        )
        total = sum(satisfaction.values())
        assert total == 54 + 551 - 52
        assert 0.81 <= (satisfaction[4] + satisfaction[5]) / total <= 0.85
        assert 0.03 <= (satisfaction[1] + satisfaction[2]) / total <= 0.05
        track1 = Counter(
            Answer.objects.filter(
                question__key="overall_satisfaction", invitation__survey__key="company-track-1"
            ).values_list("value", flat=True)
        )
        assert 0.85 <= (track1[4] + track1[5]) / 54 <= 0.89

    def test_consultant_survey_answers(self):
        invitations = Invitation.objects.filter(survey__key="consultant-campaign")
        assert invitations.count() == 273
        assert invitations.filter(submitted_at__isnull=False).count() == 120
        quality = Counter(
            Answer.objects.filter(question__key="meeting_quality").values_list("value", flat=True)
        )
        assert round((quality[4] + quality[5]) / 120, 2) == 0.88

    def test_every_company_is_valid_and_plausible(self):
        companies = Company.objects.all()
        cvrs = list(companies.values_list("cvr", flat=True))
        assert len(cvrs) == len(set(cvrs)) > 2 * 3966 * 0.8
        assert all(cvr_is_valid(cvr) for cvr in cvrs)
        track2 = companies.filter(list_entries__call_list__track=Track.JOBCENTRE)
        assert not track2.exclude(employees__range=(5, 100)).exists()
        assert track2.filter(employees__lte=19).count() > track2.count() / 2
        assert not track2.filter(last_jobcentre_cooperation__gt="2014-11-01").exists()
        track1 = companies.filter(list_entries__call_list__track=Track.JOBSERVICE)
        assert not track1.filter(employees__lte=100).exists()
        assert track1.filter(sites__gt=1).count() > track1.count() / 2
        booked = Booking.objects.all()
        assert not booked.exclude(company__municipality__jobcentre=F("jobcentre")).exists()

    def test_call_lists_entries_and_calls(self):
        call_lists = CallList.objects.all()
        assert call_lists.count() == 2 * 73
        assert set(call_lists.values_list("status", flat=True)) == {"released"}
        assert not Booking.objects.exclude(call__outcome=CallAttempt.Outcome.BOOKED).exists()
        assert not Booking.objects.exclude(call__called_at=F("booked_at")).exists()
        assert not Booking.objects.exclude(call_list__jobcentre=F("jobcentre")).exists()
        assert not Booking.objects.exclude(call_list__track=F("track")).exists()
        assert not Booking.objects.exclude(call__phoner=F("booked_by")).exists()
        assert not CallAttempt.objects.exclude(script__track=F("entry__call_list__track")).exists()
        assert CallAttempt.objects.filter(outcome=CallAttempt.Outcome.NOT_INTERESTED).exists()
        assert not CallAttempt.objects.filter(
            outcome=CallAttempt.Outcome.CALL_BACK, callback_at__isnull=True
        ).exists()
        assert CallAttempt.objects.values("phoner").distinct().count() == 12
        scripts = CallScript.objects.values_list("track", "version").order_by("track", "version")
        assert list(scripts) == [("1", 1), ("1", 2), ("2", 1), ("2", 2)]
        entries = CallListEntry.objects.all()
        booked = entries.filter(company__bookings__isnull=False)
        assert booked.count() == Booking.objects.count()
        assert set(booked.values_list("vetting", flat=True)) == {"approved"}
        assert 0.8 < (entries.count() - booked.count()) / booked.count() < 1.2
        excluded = entries.filter(vetting=CallListEntry.Vetting.EXCLUDED)
        assert excluded.exists() and not excluded.filter(exclusion_reason="").exists()
        assert not CallAttempt.objects.filter(entry__in=excluded).exists()
        assert Company.objects.filter(do_not_contact=True).exists()

    def test_working_hours_absences_and_no_visit_in_an_absence(self):
        consultants = Consultant.objects.count()
        hours = WorkingHours.objects.all()
        assert hours.count() == 5 * consultants
        assert set(hours.values_list("weekday", "starts_at", "ends_at").distinct()) == {
            (day, time(8), time(16)) for day in range(5)
        }
        assert 0 < Absence.objects.count() < consultants / 2
        absent = Absence.objects.filter(
            consultant=OuterRef("consultant"),
            starts_at__lt=OuterRef("blocked_until"),
            ends_at__gt=OuterRef("starts_at"),
        )
        assert not Attendee.objects.filter(Exists(absent)).exists()

    def test_the_four_demo_users_have_their_roles(self):
        agency = User.objects.get(username="agency")
        assert agency.is_staff and agency.check_password("visitbook-agency")
        assert agency.groups.filter(name=Role.AGENCY).exists()
        koordinator = User.objects.get(username="koordinator")
        assert koordinator.groups.filter(name=Role.COORDINATOR).exists()
        assert Coordinator.objects.get(user=koordinator).jobcentre.name == "Jobcenter København"
        konsulent = User.objects.get(username="konsulent")
        assert konsulent.groups.filter(name=Role.CONSULTANT).exists()
        assert konsulent.consultant.jobcentre.name == "Jobcenter København"
        assert konsulent.consultant.attendances.exists()
        phoner = User.objects.get(username="phoner")
        assert phoner.groups.filter(name=Role.PHONER).exists()
        assert Booking.objects.filter(booked_by=phoner).exists()
        for login in ("koordinator", "konsulent", "phoner"):
            assert User.objects.get(username=login).check_password(f"visitbook-{login}")

    def test_a_second_run_does_nothing(self):
        result = seed_demo(seed=2)
        assert not result.created
        assert Campaign.objects.count() == 1
        assert Booking.objects.count() == table1()["Antal bookede møder i alt"]["Hele landet"]


def test_small_scale_keeps_the_structure(db):
    seed_demo(seed=5, scale="small", live=False)
    total = Booking.objects.count()
    assert 350 <= total <= 450
    participating = Participation.objects.count()
    assert 7 <= participating <= 12
    assert Participation.objects.values("jobcentre__rar_area").distinct().count() >= 5
    assert Consultant.objects.filter(kind=Consultant.Kind.LOCAL).count() >= participating
    assert Booking.objects.filter(track=Track.JOBSERVICE).exists()
    assert 0.10 <= Booking.objects.filter(state__in=CANCELLED).count() / total <= 0.15
    assert 0 < Outcome.objects.count() < total
    assert FollowUp.objects.exists() and Agreement.objects.exists()
    assert not Agreement.objects.exclude(outcome__kind__in=HELD_KINDS).exists()
    assert Invitation.objects.filter(booking__isnull=False).count() == total
    assert all(cvr_is_valid(cvr) for cvr in Company.objects.values_list("cvr", flat=True))
    assert overlaps() == 0
    assert (
        User.objects.filter(username__in=["agency", "koordinator", "konsulent", "phoner"]).count()
        == 4
    )
    assert User.objects.get(username="konsulent").consultant.attendances.exists()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(db):
    first = seeded_digest(7, "small")
    assert Booking.objects.count() == 0  # rolled back
    assert seeded_digest(7, "small") == first
    assert seeded_digest(8, "small") != first


def test_scale_n_gives_about_n_bookings_through_the_command(db):
    out = StringIO()
    call_command("seed_demo", "--seed", "3", "--scale", "150", stdout=out)
    historical = Booking.objects.filter(campaign__name=DEMO_CAMPAIGN)
    assert historical.count() == 150
    assert targets_for(150).total_bookings == 150
    text = out.getvalue()
    assert "visitbook-konsulent" in text and "visitbook-agency" in text
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "already seeded" in again.getvalue()
    assert historical.count() == 150


def test_the_live_campaign_gives_the_demo_people_work(db):
    """The command also seeds a campaign running today: the phoner has firms to call, the
    coordinator a list to vet, the consultant visits coming up."""
    from django.utils import timezone

    from campaign.calls import entry_claim_next
    from campaign.models import CallListEntry

    call_command("seed_demo", "--seed", "4", "--scale", "small", stdout=StringIO())
    live = Campaign.objects.exclude(name=DEMO_CAMPAIGN).get()
    assert live.starts_on <= timezone.localdate() <= live.ends_on
    phoner = User.objects.get(username="phoner")
    entry = entry_claim_next(actor=phoner, campaign_id=live.pk)
    assert entry is not None and entry.call_list.campaign == live
    coordinator = User.objects.get(username="koordinator")
    pending = CallListEntry.objects.filter(
        call_list__campaign=live,
        call_list__jobcentre=coordinator.coordinator.jobcentre,
        call_list__status=CallList.Status.VETTING,
        vetting=CallListEntry.Vetting.PENDING,
    )
    assert pending.count() == 25
    upcoming = Booking.objects.filter(
        campaign=live,
        attendees__consultant__user__username="konsulent",
        starts_at__gt=timezone.now(),
    )
    assert upcoming.count() == 8
    assert overlaps() == 0


def test_a_bad_scale_is_refused(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "huge")
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "3")
    assert not Campaign.objects.exists()


def test_report_targets_are_read_from_the_csv():
    targets = targets_for(None)
    figures = table1()
    assert {a: g.bookings for a, g in targets.track2.items()} == {
        a: figures["Antal bookede møder i alt"][a] for a in areas()
    }
    assert targets.track1.bookings == 266 and targets.track1.outcomes == 174
    assert targets.track1.positions[AgreementKind.JOB_ORDER] == 72
    assert targets.total_bookings == 3966
