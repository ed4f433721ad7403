"""A small hand-built set of survey responses whose figures the results tests work out by
hand. Shared by the results, page, API and browser tests.

Campaign "Vinter", company surveys as shipped. Overall satisfaction (1-5), follow-ups and
lead time (days from booking to the visit) per response:

    visit  jobcentre  track  overall  follow-ups              lead time (booked at)
    K1     København  2      5        on time (23:30 on due)  5 d
    K2     København  2      4        on time                 13 d (16:00, visit 10:00)
    K3     København  2      4        one on time, one late   14 d
                                      (00:30 the day after)
    K4     København  2      3        one done, one overdue   20 d
    K5     København  2      2        none                    27 d (00:30: 28 d in UTC)
    K6     København  2      5        on time                 30 d
    A1     Aarhus     2      4        open, not yet due       41 d
    A2     Aarhus     2      1        late                    42 d
    A3     Aarhus     1      5        on time                 3 d
    A4     Aarhus     1      5        on time                 10 d
    A5     Aarhus     1      4        none                    60 d
    A6     Aarhus     1      4        none                    1 d
    A7     Aarhus     1      3        overdue                 28 d

Every visit starts at 10:00 ten days ago; lead times are calendar days in local time.

Other answers: "prepared" (Likert) K1-K6 5,5,4,4,3,3 and A1-A2 2,2; "importance_price"
K1-K3 1,2,3 (three answers: suppressed); "followup_agreed" K1-K6 yes,yes,yes,no,no,yes, A1
no, A2 yes; "followup_kinds" K1 internship+job order, K2 job order, K3 internship, K6 job
order+wage subsidy, A2 job order; "respondent_role" K1-K6 owner, owner, director, owner,
HR manager, other; "comments" K1 (names, a phone number, an e-mail), K2 empty, A3 plain.

Not responses: K7 and K8 opened but not submitted (K8 with a saved answer), K9 never
opened. Noise: one response in campaign "Forår" (overall 1), one consultant-survey
response (meeting quality 5).
"""

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from bookings.models import Booking, FollowUp
from campaign.models import Campaign, Track
from common.tokens import token_hash
from consultants.models import Consultant, Jobcentre, RarArea
from surveys.models import Answer, Invitation, Survey
from surveys.shipped import shipped_surveys_load
from tests.factories import (
    AttendeeFactory,
    BookingFactory,
    CampaignFactory,
    CompanyFactory,
    ConsultantFactory,
    OutcomeFactory,
)

COMMENT_K1 = (
    "Ring til Jens Hansen på 12 34 56 78 eller jens.hansen@firma.dk. Mette Madsen var velforberedt."
)
COMMENT_K1_MASKED = "Ring til […] på [phone] eller [e-mail]. […] var velforberedt."
COMMENT_A3 = "Et godt møde."

_tokens = itertools.count()


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class World:
    campaign: Campaign
    other_campaign: Campaign
    surveys: dict[str, Survey]
    kbh: Jobcentre
    aarhus: Jobcentre
    hovedstaden: RarArea
    consultant: Consultant
    visits: dict[str, Booking] = field(default_factory=dict)
    invitations: dict[str, Invitation] = field(default_factory=dict)


def invite(
    survey: Survey,
    campaign: Campaign,
    *,
    answers: dict[str, Any],
    submitted: bool = True,
    opened: bool = True,
    when: dt.datetime | None = None,
    **subject,
) -> Invitation:
    when = when or timezone.now() - dt.timedelta(days=1)
    invitation = Invitation.objects.create(
        survey=survey,
        campaign=campaign,
        email="kontakt@firma.invalid",
        token_hash=token_hash(f"results-test-{next(_tokens)}"),
        created_at=when - dt.timedelta(hours=2),
        expires_at=when + dt.timedelta(days=30),
        opened_at=when - dt.timedelta(hours=1) if opened else None,
        submitted_at=when if submitted else None,
        **subject,
    )
    questions = {q.key: q for q in survey.questions.all()}
    Answer.objects.bulk_create(
        Answer(invitation=invitation, question=questions[key], value=value)
        for key, value in answers.items()
    )
    return invitation


def visit(
    campaign: Campaign,
    jobcentre: Jobcentre,
    track: str,
    *,
    lead_days: int,
    starts_at: dt.datetime,
    booked_at: dt.time = dt.time(9),
    contact: str = "Jens Hansen",
) -> Booking:
    """A visit booked `lead_days` calendar days (local time) before it starts."""
    company = CompanyFactory(municipality=jobcentre.municipalities.first(), contact_name=contact)
    return BookingFactory(
        campaign=campaign,
        track=track,
        company=company,
        jobcentre=jobcentre,
        starts_at=starts_at,
        booked_at=local(
            timezone.localdate(starts_at) - dt.timedelta(days=lead_days),
            booked_at.hour,
            booked_at.minute,
        ),
        contact_name=contact,
    )


def followups(booking: Booking, owner: Consultant, *states: tuple[dt.date, dt.datetime | None]):
    outcome = OutcomeFactory(booking=booking, kind="held")
    for due_on, done_at in states:
        FollowUp.objects.create(
            outcome=outcome, kind="call", owner=owner, due_on=due_on, done_at=done_at
        )


def build() -> World:
    """The data set of the module docstring (needs the reference data loaded)."""
    surveys = shipped_surveys_load()
    kbh = Jobcentre.objects.get(name="Jobcenter København")
    aarhus = Jobcentre.objects.get(name="Jobcenter Aarhus")
    world = World(
        campaign=CampaignFactory(name="Vinter"),
        other_campaign=CampaignFactory(name="Forår"),
        surveys=surveys,
        kbh=kbh,
        aarhus=aarhus,
        hovedstaden=kbh.rar_area,
        consultant=ConsultantFactory(name="Mette Madsen", jobcentre=kbh),
    )
    today = timezone.localdate()
    due = today - dt.timedelta(days=5)
    on_time = (due, local(due, 23, 30))
    late = (due, local(due + dt.timedelta(days=1), 0, 30))
    overdue = (due, None)
    not_yet_due = (today + dt.timedelta(days=3), None)
    starts = local(today - dt.timedelta(days=10), 10)
    rows = [
        # key, jobcentre, track, overall, follow-ups, lead time in days
        ("K1", kbh, Track.JOBCENTRE, 5, [on_time], 5),
        ("K2", kbh, Track.JOBCENTRE, 4, [on_time], 13),
        ("K3", kbh, Track.JOBCENTRE, 4, [on_time, late], 14),
        ("K4", kbh, Track.JOBCENTRE, 3, [on_time, overdue], 20),
        ("K5", kbh, Track.JOBCENTRE, 2, [], 27),
        ("K6", kbh, Track.JOBCENTRE, 5, [on_time], 30),
        ("A1", aarhus, Track.JOBCENTRE, 4, [not_yet_due], 41),
        ("A2", aarhus, Track.JOBCENTRE, 1, [late], 42),
        ("A3", aarhus, Track.JOBSERVICE, 5, [on_time], 3),
        ("A4", aarhus, Track.JOBSERVICE, 5, [on_time], 10),
        ("A5", aarhus, Track.JOBSERVICE, 4, [], 60),
        ("A6", aarhus, Track.JOBSERVICE, 4, [], 1),
        ("A7", aarhus, Track.JOBSERVICE, 3, [overdue], 28),
    ]
    booked_at = {"K2": dt.time(16), "K5": dt.time(0, 30)}
    extra: dict[str, dict[str, Any]] = {
        "K1": {
            "prepared": 5,
            "importance_price": 1,
            "followup_agreed": True,
            "followup_kinds": ["internship", "job_order"],
            "respondent_role": "owner",
            "comments": COMMENT_K1,
        },
        "K2": {
            "prepared": 5,
            "importance_price": 2,
            "followup_agreed": True,
            "followup_kinds": ["job_order"],
            "respondent_role": "owner",
            "comments": "",
        },
        "K3": {
            "prepared": 4,
            "importance_price": 3,
            "followup_agreed": True,
            "followup_kinds": ["internship"],
            "respondent_role": "director",
        },
        "K4": {"prepared": 4, "followup_agreed": False, "respondent_role": "owner"},
        "K5": {"prepared": 3, "followup_agreed": False, "respondent_role": "hr_manager"},
        "K6": {
            "prepared": 3,
            "followup_agreed": True,
            "followup_kinds": ["job_order", "wage_subsidy"],
            "respondent_role": "other",
        },
        "A1": {"prepared": 2, "followup_agreed": False},
        "A2": {"prepared": 2, "followup_agreed": True, "followup_kinds": ["job_order"]},
        "A3": {"comments": COMMENT_A3},
    }
    survey_of = {
        Track.JOBCENTRE: surveys["company-track-2"],
        Track.JOBSERVICE: surveys["company-track-1"],
    }
    for number, (key, jobcentre, track, overall, states, lead) in enumerate(rows):
        booking = visit(
            world.campaign,
            jobcentre,
            track,
            lead_days=lead,
            starts_at=starts,
            booked_at=booked_at.get(key, dt.time(9)),
        )
        if states:
            followups(booking, world.consultant, *states)
        answers = {"visit_held": "held", "overall_satisfaction": overall, **extra.get(key, {})}
        # Responses come in one hour apart, K1 first: the newest is A7.
        world.visits[key] = booking
        world.invitations[key] = invite(
            survey_of[track],
            world.campaign,
            answers=answers,
            booking=booking,
            when=local(today - dt.timedelta(days=2), 8) + number * dt.timedelta(hours=1),
        )
    AttendeeFactory(booking=world.visits["K1"], consultant=world.consultant)

    track2 = surveys["company-track-2"]
    for key, submitted, opened, answers in (
        ("K7", False, True, {}),
        ("K8", False, True, {"visit_held": "held", "overall_satisfaction": 1}),
        ("K9", False, False, {}),
    ):
        booking = visit(world.campaign, kbh, Track.JOBCENTRE, lead_days=5, starts_at=starts)
        world.visits[key] = booking
        world.invitations[key] = invite(
            track2,
            world.campaign,
            answers=answers,
            submitted=submitted,
            opened=opened,
            booking=booking,
        )

    noise = visit(world.other_campaign, kbh, Track.JOBCENTRE, lead_days=5, starts_at=starts)
    world.invitations["noise"] = invite(
        track2,
        world.other_campaign,
        answers={"visit_held": "held", "overall_satisfaction": 1},
        booking=noise,
    )
    world.invitations["consultant"] = invite(
        surveys["consultant-campaign"],
        world.campaign,
        answers={"meeting_quality": 5},
        consultant=world.consultant,
    )
    return world
