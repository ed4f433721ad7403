"""A campaign running today, beside the historical one, so the demo's people have work:
released call lists for the phoner, a list awaiting vetting for the coordinator, and
upcoming visits in the demo consultant's calendar, booked through the real services.

Its dates follow today's date; everything else comes from the seeded random generator.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from bookings.services import booking_create
from bookings.slots import find_slots
from campaign.models import (
    CallList,
    CallListEntry,
    CallScript,
    Campaign,
    Company,
    Participation,
    Track,
)
from consultants.models import Consultant, Jobcentre
from demo.companies import CompanyMaker

LIVE_JOBCENTRES = (
    "Jobcenter København",
    "Jobcenter Aarhus",
    "Jobcenter Odense",
    "Jobcenter Aalborg",
    "Jobcenter Roskilde",
)
FIRMS_PER_LIST = {Track.JOBCENTRE: 40, Track.JOBSERVICE: 12}
FIRMS_TO_VET = 25  # on Copenhagen's track-1 list, awaiting vetting
UPCOMING_VISITS = 8

SCRIPTS = {
    Track.JOBCENTRE: (
        "Goddag, mit navn er {phoner}, og jeg ringer på vegne af {jobcentre}.\n"
        "Jobcentret vil gerne høre om jeres behov for medarbejdere, og hvordan vi kan hjælpe "
        "med rekruttering, praktik eller opkvalificering. Må en af vores "
        "virksomhedskonsulenter komme forbi til et kort møde på en time?\n"
        "Spørg ind til: ansættelser det næste halve år, erfaring med jobcentret.\n"
        "Sig nej tak pænt, hvis de ikke har tid: vi ringer ikke igen uden aftale."
    ),
    Track.JOBSERVICE: (
        "Goddag, mit navn er {phoner}. Jeg ringer fra Jobservice Danmark, som giver større "
        "virksomheder én indgang til alle landets jobcentre.\n"
        "Har I afdelinger flere steder i landet? Så kan en jobserviceaftale give jer én "
        "kontaktperson til rekruttering på tværs af kommuner.\n"
        "Tilbyd et møde med en repræsentant fra Jobservice Danmark og jeres lokale jobcenter."
    ),
}


def live_campaign_create(
    rng: random.Random, maker: CompanyMaker, *, name: str, now: dt.datetime | None = None
) -> dict[str, int]:
    """The running campaign: participation, call lists, scripts and a few booked visits."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    campaign = Campaign.objects.create(
        name=name,
        starts_on=today - dt.timedelta(days=14),
        ends_on=today + dt.timedelta(days=150),
    )
    CallScript.objects.bulk_create(
        CallScript(campaign=campaign, track=track, version=1, body=body)
        for track, body in SCRIPTS.items()
    )
    jobcentres = list(
        Jobcentre.objects.filter(name__in=LIVE_JOBCENTRES).prefetch_related("municipalities")
    )
    Participation.objects.bulk_create(
        Participation(campaign=campaign, jobcentre=j, quota=60, accepted_at=now) for j in jobcentres
    )
    maker.campaign_starts = campaign.starts_on
    copenhagen = next(j for j in jobcentres if j.name == LIVE_JOBCENTRES[0])
    entries = 0
    for jobcentre in jobcentres:
        for track, firms in FIRMS_PER_LIST.items():
            # Copenhagen's track-1 list still waits for the coordinator's vetting.
            released = not (jobcentre == copenhagen and track == Track.JOBSERVICE)
            entries += _call_list(
                rng,
                maker,
                campaign,
                jobcentre,
                track,
                firms if released else FIRMS_TO_VET,
                released=released,
                now=now,
            )
    booked = _upcoming_visits(rng, campaign, copenhagen, now)
    return {"live_call_list_entries": entries, "live_upcoming_visits": booked}


def _call_list(rng, maker, campaign, jobcentre, track, firms, *, released, now) -> int:
    call_list = CallList.objects.create(
        campaign=campaign,
        jobcentre=jobcentre,
        track=track,
        status=CallList.Status.RELEASED if released else CallList.Status.VETTING,
        released_at=now if released else None,
        vetting_deadline=None if released else timezone.localdate(now) + dt.timedelta(days=5),
    )
    municipalities = list(jobcentre.municipalities.all())
    companies = Company.objects.bulk_create(
        maker.make(track=track, municipality=rng.choice(municipalities)) for _ in range(firms)
    )
    CallListEntry.objects.bulk_create(
        CallListEntry(
            call_list=call_list,
            company=company,
            position=position,
            vetting=CallListEntry.Vetting.APPROVED if released else CallListEntry.Vetting.PENDING,
        )
        for position, company in enumerate(companies, start=1)
    )
    return len(companies)


def _upcoming_visits(rng, campaign, jobcentre, now) -> int:
    """Visits for the demo consultant over the coming weeks, booked by the demo phoner
    through the booking service (so they have attendees, links and outbox rows)."""
    phoner = get_user_model().objects.get(username="phoner")
    consultant = Consultant.objects.filter(user__username="konsulent").first()
    if consultant is None:
        return 0
    entries = list(
        CallListEntry.objects.filter(
            call_list__campaign=campaign,
            call_list__jobcentre=jobcentre,
            call_list__track=Track.JOBCENTRE,
            vetting=CallListEntry.Vetting.APPROVED,
        ).select_related("company__municipality__jobcentre", "call_list")[:UPCOMING_VISITS]
    )
    search = find_slots(
        campaign=campaign,
        jobcentre=jobcentre,
        track=Track.JOBCENTRE,
        now=now,
        consultant_id=consultant.pk,
    )
    offers = search.offers[:: max(1, len(search.offers) // (UPCOMING_VISITS * 2))]
    booked = 0
    for entry, offer in zip(
        entries, rng.sample(offers, min(len(offers), len(entries))), strict=False
    ):
        booking_create(
            actor=phoner,
            campaign=campaign,
            company=entry.company,
            track=Track.JOBCENTRE,
            starts_at=offer.starts_at,
            consultant_id=consultant.pk,
            call_list=entry.call_list,
            now=now,
        )
        CallListEntry.objects.filter(pk=entry.pk).update(status=CallListEntry.Status.BOOKED)
        booked += 1
    return booked
