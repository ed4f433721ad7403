import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from campaign.models import Participation
from consultants.models import Consultant, Jobcentre, WorkingHours
from tests.factories import CampaignFactory, CompanyFactory, ConsultantFactory

CPH = ZoneInfo("Europe/Copenhagen")
# Monday 7 December 2026, 09:00. Two working days' notice: the first bookable day is Wed 9th.
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=CPH)


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026):
    return dt.datetime(year, month, day, hour, minute, tzinfo=CPH)


def working_hours(consultant, start=dt.time(8), end=dt.time(16), days=range(5)):
    WorkingHours.objects.bulk_create(
        WorkingHours(consultant=consultant, weekday=d, starts_at=start, ends_at=end) for d in days
    )
    return consultant


@pytest.fixture(autouse=True)
def frozen_now():
    """Pages and the API read the clock: run them at NOW (the clock still ticks)."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def jobcentre(reference):
    return Jobcentre.objects.get(name="Jobcenter København")


@pytest.fixture
def campaign(jobcentre):
    campaign = CampaignFactory(starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2027, 4, 1))
    Participation.objects.create(campaign=campaign, jobcentre=jobcentre, quota=100, accepted_at=NOW)
    return campaign


@pytest.fixture
def company(jobcentre):
    return CompanyFactory(email="ejer@firma.invalid", contact_name="Lone Hansen")


@pytest.fixture
def consultant(jobcentre):
    return working_hours(
        ConsultantFactory(jobcentre=jobcentre, max_visits_per_day=5, max_visits_per_week=25)
    )


@pytest.fixture
def jobservice_rep(reference):
    return working_hours(
        ConsultantFactory(
            jobcentre=None,
            kind=Consultant.Kind.JOBSERVICE,
            name="JSD Øst",
            max_visits_per_day=5,
            max_visits_per_week=25,
        )
    )
