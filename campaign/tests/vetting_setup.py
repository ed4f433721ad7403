"""The people and lists the vetting tests share. Access in brackets:
agency (every jobcentre), coordinator of København (København), coordinator of Aarhus
(Aarhus), a consultant of København (no vetting), a phoner (no vetting; released lists)."""

from dataclasses import dataclass

from campaign.models import CallList, CallListEntry, Campaign, Participation, Track
from consultants.models import Coordinator, Jobcentre, Municipality
from consultants.roles import Role
from tests.factories import CampaignFactory, CompanyFactory, ConsultantFactory


@dataclass
class World:
    campaign: Campaign
    kbh: Jobcentre
    aarhus: Jobcentre
    kbh_participation: Participation
    aarhus_participation: Participation
    kbh_list: CallList
    aarhus_list: CallList
    agency: object
    coordinator: object
    other_coordinator: object
    consultant: object
    phoner: object


def make_world(make_user) -> World:
    """Needs the `reference` fixture."""
    kbh = Jobcentre.objects.get(name="Jobcenter København")
    aarhus = Jobcentre.objects.get(name="Jobcenter Aarhus")
    campaign = CampaignFactory()
    coordinator = make_user(
        "koordinator", Role.COORDINATOR, email="koordinator@kk.invalid", first_name="Kim"
    )
    Coordinator.objects.create(user=coordinator, jobcentre=kbh)
    other = make_user("aarhus", Role.COORDINATOR, email="koordinator@aarhus.invalid")
    Coordinator.objects.create(user=other, jobcentre=aarhus)
    consultant = make_user("konsulent", Role.CONSULTANT)
    ConsultantFactory(user=consultant, jobcentre=kbh)
    return World(
        campaign=campaign,
        kbh=kbh,
        aarhus=aarhus,
        kbh_participation=Participation.objects.create(campaign=campaign, jobcentre=kbh),
        aarhus_participation=Participation.objects.create(campaign=campaign, jobcentre=aarhus),
        kbh_list=CallList.objects.create(campaign=campaign, jobcentre=kbh, track=Track.JOBCENTRE),
        aarhus_list=CallList.objects.create(
            campaign=campaign, jobcentre=aarhus, track=Track.JOBCENTRE
        ),
        agency=make_user("styrelsen", Role.AGENCY, email="star@star.invalid"),
        coordinator=coordinator,
        other_coordinator=other,
        consultant=consultant,
        phoner=make_user("ringer", Role.PHONER),
    )


def add_entries(call_list: CallList, count: int, **company_fields) -> list[CallListEntry]:
    """`count` firms on the list, in the list's jobcentre's first municipality unless told."""
    company_fields.setdefault(
        "municipality",
        Municipality.objects.filter(jobcentre=call_list.jobcentre).order_by("code").first(),
    )
    start = call_list.entries.count()
    return CallListEntry.objects.bulk_create(
        CallListEntry(call_list=call_list, company=CompanyFactory(**company_fields), position=i)
        for i in range(start, start + count)
    )
