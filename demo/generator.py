"""The deterministic demo data generator behind `manage.py seed_demo`.

`seed_demo(seed=1, scale="report")` loads the reference data and builds the agency's
2015-16 company campaign so that its figures are the report's: Table 1 (read from
demo/data/table1.csv) per RAR area and nationally, plus the figures in the report's text
(73 jobcentres, 273 consultants, 1,509 follow-ups, the survey response counts...). Other
scales feed the same code smaller targets (see demo.targets).

Everything random comes from one random.Random(seed) and one seeded Faker, consumed in a fixed
order, so a seed always gives the same data. Rows are written with bulk_create.

The work is split by stage: targets (what to hit), schedule (calendar and diaries), people
(log-ins, consultants, availability), plan (participation, visit times, fates), companies
and calls (firms, call lists, calls), visits (bookings, outcomes, agreements, follow-ups)
and responses (survey invitations and answers).
"""

import random
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from faker import Faker

from bookings.models import BookingState, FollowUp, Outcome
from campaign.models import Campaign, Participation
from consultants.models import Consultant, Jobcentre
from consultants.reference import reference_load
from demo import people
from demo.calls import calls_create, scripts_create
from demo.companies import CompanyMaker
from demo.live import live_campaign_create
from demo.plan import (
    CANCELLED_STATES,
    TRACK1_GROUP,
    Site,
    Visit,
    fates_assign,
    sites_plan,
    visits_schedule,
)
from demo.responses import surveys_create
from demo.schedule import CAMPAIGN_ENDS, CAMPAIGN_STARTS, SlotFinder, at
from demo.targets import Targets, apportion, scale_parse, targets_for
from demo.visits import agreements_create, bookings_create, followups_create
from surveys.models import Answer, Invitation

DEMO_CAMPAIGN = "Virksomhedskampagnen 2015-16"
ACCEPTED_FROM = date(2015, 10, 5)


@dataclass
class SeedResult:
    """What a run did: created=False if the demo campaign was already there."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    logins: tuple[people.DemoLogin, ...] = people.DEMO_LOGINS


def live_campaign_name() -> str:
    year = timezone.localdate().year
    return f"Virksomhedskampagnen {year}-{(year + 1) % 100:02d}"


def demo_is_seeded() -> bool:
    return Campaign.objects.filter(name=DEMO_CAMPAIGN).exists()


@transaction.atomic
def seed_demo(*, seed: int = 1, scale: str | int = "report", live: bool = True) -> SeedResult:
    """Seed the demo campaign (all or nothing). Does nothing if it already exists.
    `live` adds a campaign running today (demo.live) after the historical one."""
    bookings_wanted = scale_parse(scale)
    if demo_is_seeded():
        return SeedResult(created=False)
    reference_load()
    targets = targets_for(bookings_wanted)
    rng = random.Random(seed)
    faker = Faker("da_DK")
    faker.seed_instance(seed)
    return SeedResult(created=True, counts=_seed(rng, faker, targets, live=live))


def _seed(rng: random.Random, faker: Faker, targets: Targets, *, live: bool) -> dict[str, int]:
    campaign = Campaign.objects.create(
        name=DEMO_CAMPAIGN, starts_on=CAMPAIGN_STARTS, ends_on=CAMPAIGN_ENDS
    )
    scripts = scripts_create(campaign)
    users = people.demo_users_create()
    phoners = people.phoners_create(rng, faker, targets.phoners, users["phoner"])

    jobcentres = list(
        Jobcentre.objects.select_related("rar_area").prefetch_related("municipalities")
    )
    sites = sites_plan(rng, targets, jobcentres)
    participations_create(rng, campaign, sites)
    local, reps = consultants_create(rng, faker, sites, targets)
    diaries = people.availability_create(rng, local + reps)
    finder = SlotFinder(
        visit_minutes=campaign.visit_minutes, buffer_minutes=campaign.travel_buffer_minutes
    )
    visits = visits_schedule(
        rng, sites=sites, reps=reps, phoners=phoners, diaries=diaries, finder=finder
    )
    groups = {**targets.track2, TRACK1_GROUP: targets.track1}
    no_shows = apportion(targets.consultant_no_shows, [g.outcomes for g in groups.values()])
    for (name, group), no_show in zip(groups.items(), no_shows, strict=True):
        fates_assign(rng, [v for v in visits if v.group == name], group, no_show)

    maker = CompanyMaker(rng, faker, CAMPAIGN_STARTS)
    counts = calls_create(
        rng,
        campaign=campaign,
        sites=sites,
        visits=visits,
        maker=maker,
        scripts=scripts,
        phoners=phoners,
    )
    bookings_create(rng, campaign, visits)
    agreements = agreements_create(rng, visits, targets)
    followups = followups_create(rng, campaign, visits, agreements, targets.followups)
    demo_logins_link(faker, users, sites, visits)

    agreed: dict[int, set[str]] = {}
    for agreement in agreements:
        agreed.setdefault(id(agreement.outcome), set()).add(agreement.kind)
    counts |= surveys_create(
        rng,
        campaign=campaign,
        visits=visits,
        sites=sites,
        consultants=local,
        agreed_kinds={k: frozenset(v) for k, v in agreed.items()},
        targets=targets,
    )
    auto_timestamps_fix(campaign)
    if live:
        counts |= live_campaign_create(rng, maker, name=live_campaign_name())
    cancelled = sum(1 for v in visits if v.state in CANCELLED_STATES)
    return counts | {
        "jobcentres": len(sites),
        "local_consultants": len(local),
        "jobservice_reps": len(reps),
        "bookings": len(visits),
        "outcomes": sum(1 for v in visits if v.outcome_kind),
        "cancelled": cancelled,
        "outcome_missing": sum(1 for v in visits if v.state == BookingState.BOOKED),
        "agreements": len(agreements),
        "followups": followups,
    }


def participations_create(rng: random.Random, campaign: Campaign, sites: list[Site]) -> None:
    """Each site accepted in October 2015 with a quota a little above its bookings."""
    rows = []
    for site in sites:
        slack = rng.randint(0, max(2, site.bookings // 5))
        quota = -(-(site.bookings + slack) // 5) * 5  # rounded up to a multiple of 5
        accepted = at(ACCEPTED_FROM.replace(day=rng.randint(5, 30)), rng.randint(8 * 60, 15 * 60))
        rows.append(
            Participation(
                campaign=campaign, jobcentre=site.jobcentre, quota=quota, accepted_at=accepted
            )
        )
    Participation.objects.bulk_create(rows)


def consultants_create(
    rng: random.Random, faker: Faker, sites: list[Site], targets: Targets
) -> tuple[list[Consultant], list[Consultant]]:
    """Local consultants over the sites by bookings (at least one each, never more than a
    site has visits) and the Jobservice Danmark representatives."""
    maker = people.ConsultantMaker(rng, faker)
    counts = apportion(
        targets.local_consultants,
        [float(s.bookings) for s in sites],
        minimum=1,
        caps=[s.bookings for s in sites],
    )
    local = []
    for site, count in zip(sites, counts, strict=True):
        site.consultants = [maker.local(site.jobcentre, site.domain) for _ in range(count)]
        local += site.consultants
    reps = [maker.jobservice() for _ in range(targets.jobservice_reps)]
    Consultant.objects.bulk_create(local + reps)
    return local, reps


def demo_logins_link(faker: Faker, users: dict, sites: list[Site], visits: list[Visit]) -> None:
    """konsulent becomes the Copenhagen consultant with the most visits (and registered
    their outcomes); koordinator coordinates Copenhagen."""
    copenhagen = next(
        (s for s in sites if s.jobcentre.name == people.DEMO_COORDINATOR_JOBCENTRE), sites[0]
    )
    load: dict[int, int] = {}
    for visit in visits:
        if visit.site is copenhagen:
            load[visit.local.pk] = load.get(visit.local.pk, 0) + 1
    consultant = max(copenhagen.consultants, key=lambda c: (load.get(c.pk, 0), -c.pk))
    people.demo_consultant_link(users["konsulent"], consultant)
    Outcome.objects.filter(
        pk__in=[v.outcome.pk for v in visits if v.outcome and v.local is consultant]
    ).update(registered_by=users["konsulent"])
    people.demo_coordinator_link(faker, users["koordinator"], copenhagen.jobcentre)
    agency = users["agency"]
    agency.first_name, agency.last_name = people.person_name(faker)
    agency.save(update_fields=["first_name", "last_name"])


def auto_timestamps_fix(campaign: Campaign) -> None:
    """Fields with auto_now(_add) were stamped with today's date by bulk_create; give them
    the campaign's own times: a follow-up was created when the outcome was registered, an
    answer when its invitation was submitted."""
    FollowUp.objects.filter(outcome__booking__campaign=campaign).update(
        created_at=Subquery(
            Outcome.objects.filter(pk=OuterRef("outcome_id")).values("registered_at")[:1]
        )
    )
    Answer.objects.filter(invitation__campaign=campaign).update(
        answered_at=Subquery(
            Invitation.objects.filter(pk=OuterRef("invitation_id")).values("submitted_at")[:1]
        )
    )
