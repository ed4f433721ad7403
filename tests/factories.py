"""factory-boy factories for the domain, shared by every app's tests."""

import datetime as dt
import random

import factory
from django.utils import timezone

from bookings.models import Attendee, Booking, Outcome
from campaign.models import Campaign, Company, Track
from campaign.validators import CVR_WEIGHTS
from consultants.models import Consultant, Jobcentre, Municipality

_cvr_random = random.Random(20151101)


def valid_cvr() -> str:
    """A fresh valid CVR number: seven random digits and the one check digit that fits."""
    while True:
        digits = [_cvr_random.randint(1, 9)] + [_cvr_random.randint(0, 9) for _ in range(6)]
        remainder = sum(d * w for d, w in zip(digits, CVR_WEIGHTS[:7], strict=True)) % 11
        check = (11 - remainder) % 11  # the last weight is 1
        if check < 10:
            return "".join(map(str, digits)) + str(check)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Kampagne {n}")
    starts_on = dt.date(2026, 11, 1)
    ends_on = dt.date(2027, 4, 1)


class ConsultantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultant

    name = factory.Sequence(lambda n: f"Konsulent {n}")
    email = factory.Sequence(lambda n: f"konsulent{n}@jobcenter.invalid")
    jobcentre = factory.LazyFunction(lambda: Jobcentre.objects.order_by("name").first())


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    cvr = factory.LazyFunction(valid_cvr)
    name = factory.Sequence(lambda n: f"Virksomhed {n} ApS")
    employees = 12
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code=101))


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    campaign = factory.SubFactory(CampaignFactory)
    track = Track.JOBCENTRE
    company = factory.SubFactory(CompanyFactory)
    jobcentre = factory.LazyAttribute(lambda b: b.company.municipality.jobcentre)
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=7)
    )
    ends_at = factory.LazyAttribute(lambda b: b.starts_at + dt.timedelta(hours=1))
    booked_at = factory.LazyFunction(timezone.now)


class AttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendee

    booking = factory.SubFactory(BookingFactory)
    consultant = factory.SubFactory(ConsultantFactory)
    starts_at = factory.LazyAttribute(lambda a: a.booking.starts_at)
    blocked_until = factory.LazyAttribute(lambda a: a.booking.ends_at + dt.timedelta(minutes=30))


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    booking = factory.SubFactory(BookingFactory)
    kind = Outcome._meta.get_field("kind").choices[0][0]
    registered_at = factory.LazyFunction(timezone.now)


def released_call_list(campaign, jobcentre, track=Track.JOBCENTRE, companies=3):
    """A call list the jobcentre has vetted (all approved) and released to phoners."""
    from campaign.models import CallList, CallListEntry, CallScript

    call_list = CallList.objects.create(
        campaign=campaign,
        jobcentre=jobcentre,
        track=track,
        status=CallList.Status.RELEASED,
        released_at=timezone.now(),
    )
    municipality = jobcentre.municipalities.first()
    for position in range(companies):
        CallListEntry.objects.create(
            call_list=call_list,
            company=CompanyFactory(
                municipality=municipality,
                phone=f"3{position:07d}",
                email=f"firma{position}@firma.invalid",
            ),
            position=position,
            vetting=CallListEntry.Vetting.APPROVED,
        )
    CallScript.objects.get_or_create(
        campaign=campaign, track=track, version=1, defaults={"body": "Goddag, mit navn er ..."}
    )
    return call_list
