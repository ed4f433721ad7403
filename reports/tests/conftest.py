"""A small campaign built by hand, whose every report figure is counted by hand in the tests.

Campaign "Vinter" (and "Forår", noise that no report of Vinter may count). Visits, all in
the past; times are local (Europe/Copenhagen), lead = days from booking to visit:

  KBH = Jobcenter København (Hovedstaden), AAR = Jobcenter Aarhus (Østjylland),
  ODE = Jobcenter Odense (Fyn); consultants kbh1, kbh2, aar1, ode1, rep (Jobservice)

  v1  KBH t2 held               booked 1 Dec 10:00, starts 3 Dec   lead 2   anna
        outcome held; job order ×2, internship ×1; F1 due 20 Dec done 18 Dec (on time,
        kbh1), F2 due 20 Dec done 22 Dec (late, kbh1); survey answered
  v2  KBH t2 held_short         booked 1 Dec,       starts 10 Dec  lead 9   anna
        outcome held_short; refugee places ×3; F3 due 24 Dec, not done (overdue, kbh2)
  v3  KBH t2 cancelled_company  booked 1 Nov,       starts 15 Dec  lead 44  (no outcome)
  v4  KBH t2 no_show_consultant booked 29 Nov 00:30, starts 5 Dec  lead 6 (7 in UTC)
        outcome no_show_consultant
  v5  KBH t2 moved (replaced by v6): never counted
  v6  KBH t2 booked             booked 25 Nov,      starts 16 Dec  lead 21  (outcome missing)
  v7  AAR t1 held               booked 1 Dec,       starts 12 Jan  lead 42  bo
        outcome held; Jobservice agreement ×1, job order ×1; F4 due in 30 days (open, aar1);
        survey answered; attendees aar1 and rep
  v8  AAR t2 cancelled_jobcentre booked 1 Dec,      starts 29 Dec  lead 28
  v9  AAR t2 held_phone         booked 2 Dec 00:30, starts 4 Dec   lead 2
        outcome held_phone; F5 due 10 Dec done 10 Dec 23:30 (on time, aar1); survey sent,
        not answered
  v10 ODE t2 no_show_company    booked 1 Dec,       starts 17 Dec  lead 16  outcome
  v11 ODE t2 cancelled_company  booked 1 Oct,       starts 18 Dec  lead 78  outcome

Call lists of Vinter: KBH track 2 with e1-e5 (e5 excluded), AAR track 1 with e6-e7.
Calls: anna e1 no answer, e2 booked, e3 not interested, e3 again no answer; bo e6 booked.
Quotas: KBH 10, AAR 5, ODE 4 (and KBH 99 in Forår).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bookings.models import Agreement, Attendee, Booking, FollowUp, Outcome
from campaign.calls import call_create
from campaign.models import CallList, CallListEntry, Participation, Track
from consultants.models import Consultant, Coordinator, Jobcentre
from consultants.roles import Role
from reports.filters import ReportFilter
from surveys.models import Audience, Invitation, Survey
from tests.factories import CampaignFactory, CompanyFactory, ConsultantFactory

CPH = ZoneInfo("Europe/Copenhagen")


def local(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2025):
    return dt.datetime(year, month, day, hour, minute, tzinfo=CPH)


class World:
    """The hand-built data and the people who look at it."""

    def __init__(self, make_user):
        self.kbh = Jobcentre.objects.get(name="Jobcenter København")
        self.aar = Jobcentre.objects.get(name="Jobcenter Aarhus")
        self.ode = Jobcentre.objects.get(name="Jobcenter Odense")
        self.campaign = CampaignFactory(
            name="Vinter", starts_on=dt.date(2025, 11, 1), ends_on=dt.date(2026, 2, 1)
        )
        self.other = CampaignFactory(
            name="Forår", starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 6, 1)
        )
        for jobcentre, quota in ((self.kbh, 10), (self.aar, 5), (self.ode, 4)):
            Participation.objects.create(campaign=self.campaign, jobcentre=jobcentre, quota=quota)
        Participation.objects.create(campaign=self.other, jobcentre=self.kbh, quota=99)

        self.anna = make_user("anna", Role.PHONER, first_name="Anna", last_name="Andersen")
        self.bo = make_user("bo", Role.PHONER, first_name="Bo", last_name="Berg")
        self.agency = make_user("agency", Role.AGENCY)
        self.coordinator = make_user("koordinator", Role.COORDINATOR)
        Coordinator.objects.create(user=self.coordinator, jobcentre=self.kbh)
        self.consultant_user = make_user("konsulent", Role.CONSULTANT)

        self.kbh1 = ConsultantFactory(name="Kirsten", jobcentre=self.kbh, user=self.consultant_user)
        self.kbh2 = ConsultantFactory(name="Karl", jobcentre=self.kbh)
        self.aar1 = ConsultantFactory(name="Aase", jobcentre=self.aar)
        self.ode1 = ConsultantFactory(name="Ole", jobcentre=self.ode)
        self.rep = ConsultantFactory(name="Rasmus", kind=Consultant.Kind.JOBSERVICE, jobcentre=None)
        self.survey = Survey.objects.create(
            key="company-track-2", audience=Audience.COMPANY, title="Spørgsmål", title_en="Q"
        )
        self._calls()
        self._visits()

    # --- call lists and calls -------------------------------------------------------------

    def _calls(self):
        kbh_list = CallList.objects.create(
            campaign=self.campaign, jobcentre=self.kbh, track=Track.JOBCENTRE, status="released"
        )
        aar_list = CallList.objects.create(
            campaign=self.campaign, jobcentre=self.aar, track=Track.JOBSERVICE, status="released"
        )
        noise = CallList.objects.create(
            campaign=self.other, jobcentre=self.kbh, track=Track.JOBCENTRE, status="released"
        )

        def entry(call_list, vetting="approved"):
            return CallListEntry.objects.create(
                call_list=call_list,
                company=CompanyFactory(municipality=call_list.jobcentre.municipalities.first()),
                vetting=vetting,
                exclusion_reason="other" if vetting == "excluded" else "",
            )

        e1, e2, e3, _e4 = (entry(kbh_list) for _ in range(4))
        entry(kbh_list, "excluded")
        e6, _e7 = entry(aar_list), entry(aar_list)
        noise_entry = entry(noise)

        def call(e, phoner, outcome, when):
            call_create(entry=e, phoner=phoner, outcome=outcome, called_at=when)
            e.save()

        call(e1, self.anna, "no_answer", local(11, 28))
        call(e2, self.anna, "booked", local(12, 1))
        call(e3, self.anna, "not_interested", local(12, 1, 11))
        call(e3, self.anna, "no_answer", local(12, 2, 11))
        call(e6, self.bo, "booked", local(12, 1))
        call(noise_entry, self.bo, "booked", local(3, 2))

    # --- visits ---------------------------------------------------------------------------

    def visit(
        self,
        jobcentre,
        state,
        starts,
        booked,
        *,
        track=Track.JOBCENTRE,
        consultant=None,
        outcome=None,
        booked_by=None,
        campaign=None,
        agreements=(),
        followups=(),
        survey=None,
        replaces=None,
    ) -> Booking:
        booking = Booking.objects.create(
            campaign=campaign or self.campaign,
            track=track,
            company=CompanyFactory(municipality=jobcentre.municipalities.first()),
            jobcentre=jobcentre,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            state=state,
            booked_at=booked,
            booked_by=booked_by,
            replaces=replaces,
        )
        consultant = consultant or Consultant.objects.filter(jobcentre=jobcentre).first()
        Attendee.objects.create(
            booking=booking,
            consultant=consultant,
            starts_at=starts,
            blocked_until=starts + dt.timedelta(hours=1, minutes=30),
            is_active=state not in ("cancelled_company", "cancelled_jobcentre", "moved"),
        )
        if track == Track.JOBSERVICE:
            Attendee.objects.create(
                booking=booking,
                consultant=self.rep,
                role=Attendee.Role.JOBSERVICE,
                starts_at=starts,
                blocked_until=starts + dt.timedelta(hours=1, minutes=30),
            )
        if outcome:
            registered = Outcome.objects.create(
                booking=booking, kind=outcome, registered_at=starts + dt.timedelta(hours=2)
            )
            for kind, positions in agreements:
                Agreement.objects.create(outcome=registered, kind=kind, positions=positions)
            for owner, due_on, done_at in followups:
                FollowUp.objects.create(
                    outcome=registered, kind="call", owner=owner, due_on=due_on, done_at=done_at
                )
        if survey is not None:
            Invitation.objects.create(
                survey=self.survey,
                campaign=booking.campaign,
                booking=booking,
                email=f"firma{booking.pk}@firma.invalid",
                token_hash=f"{booking.pk:064d}",
                created_at=starts + dt.timedelta(days=1),
                expires_at=starts + dt.timedelta(days=30),
                submitted_at=starts + dt.timedelta(days=2) if survey == "answered" else None,
            )
        return booking

    def _visits(self):
        v = self.visit
        d = dt.date
        self.today = timezone.localdate()
        self.v1 = v(
            self.kbh, "held", local(12, 3), local(12, 1),
            consultant=self.kbh1, outcome="held", booked_by=self.anna,
            agreements=[("job_order", 2), ("internship", 1)],
            followups=[
                (self.kbh1, d(2025, 12, 20), local(12, 18)),
                (self.kbh1, d(2025, 12, 20), local(12, 22)),
            ],
            survey="answered",
        )  # fmt: skip
        self.v2 = v(
            self.kbh, "held_short", local(12, 10), local(12, 1),
            consultant=self.kbh2, outcome="held_short", booked_by=self.anna,
            agreements=[("refugee_places", 3)],
            followups=[(self.kbh2, d(2025, 12, 24), None)],
        )  # fmt: skip
        self.v3 = v(self.kbh, "cancelled_company", local(12, 15), local(11, 1))
        self.v4 = v(
            self.kbh, "no_show_consultant", local(12, 5), local(11, 29, 0, 30),
            consultant=self.kbh2, outcome="no_show_consultant",
        )  # fmt: skip
        self.v5 = v(self.kbh, "moved", local(12, 8), local(11, 20))
        self.v6 = v(self.kbh, "booked", local(12, 16), local(11, 25), replaces=self.v5)
        self.v7 = v(
            self.aar, "held", local(1, 12, year=2026), local(12, 1),
            track=Track.JOBSERVICE, consultant=self.aar1, outcome="held", booked_by=self.bo,
            agreements=[("jobservice_agreement", 1), ("job_order", 1)],
            followups=[(self.aar1, self.today + dt.timedelta(days=30), None)],
            survey="answered",
        )  # fmt: skip
        self.v8 = v(self.aar, "cancelled_jobcentre", local(12, 29), local(12, 1))
        self.v9 = v(
            self.aar, "held_phone", local(12, 4), local(12, 2, 0, 30),
            consultant=self.aar1, outcome="held_phone",
            followups=[(self.aar1, d(2025, 12, 10), local(12, 10, 23, 30))],
            survey="sent",
        )  # fmt: skip
        self.v10 = v(
            self.ode, "no_show_company", local(12, 17), local(12, 1), outcome="no_show_company"
        )
        self.v11 = v(
            self.ode, "cancelled_company", local(12, 18), local(10, 1),
            outcome="cancelled_company",
        )  # fmt: skip
        # Noise: another campaign's visit at KBH, with an agreement and an overdue follow-up.
        self.noise = v(
            self.kbh, "held", local(4, 7), local(3, 2),
            campaign=self.other, consultant=self.kbh1, outcome="held", booked_by=self.bo,
            agreements=[("job_order", 5)],
            followups=[(self.kbh1, d(2025, 4, 20), None)],
            survey="answered",
        )  # fmt: skip

    def filters(self, **fields) -> ReportFilter:
        return ReportFilter(campaign=fields.pop("campaign", self.campaign), **fields)

    def more(self, n: int = 20):
        """More of the same in other jobcentres and areas: the query counts must not grow."""
        names = [
            "Jobcenter Aalborg",
            "Jobcenter Esbjerg",
            "Jobcenter Roskilde",
            "Jobcenter Herning",
        ]
        jobcentres = list(Jobcentre.objects.filter(name__in=names))
        assert len(jobcentres) == len(names)
        for i in range(n):
            jobcentre = jobcentres[i % len(jobcentres)]
            consultant = ConsultantFactory(jobcentre=jobcentre)
            Participation.objects.get_or_create(
                campaign=self.campaign, jobcentre=jobcentre, defaults={"quota": 9}
            )
            self.visit(
                jobcentre, "held", local(12, 1 + i % 20), local(11, 1 + i % 20),
                consultant=consultant, outcome="held", booked_by=self.anna,
                agreements=[("job_order", 1), ("wage_subsidy", 2)],
                followups=[(consultant, dt.date(2025, 12, 28), None)],
                survey="answered",
            )  # fmt: skip
            call_list, _ = CallList.objects.get_or_create(
                campaign=self.campaign, jobcentre=jobcentre, track=Track.JOBCENTRE
            )
            entry = CallListEntry.objects.create(
                call_list=call_list,
                company=CompanyFactory(municipality=jobcentre.municipalities.first()),
                vetting="approved",
            )
            call_create(entry=entry, phoner=self.bo, outcome="busy", called_at=local(11, 2))
            entry.save()


@pytest.fixture
def world(reference, make_user) -> World:
    return World(make_user)
