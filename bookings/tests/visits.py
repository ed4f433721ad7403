"""Helpers for the tests of the visit page, the calendar and the feed."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from bookings.services import booking_create
from bookings.tests.conftest import NOW, working_hours
from campaign.models import Participation, Track
from consultants.models import Coordinator, Jobcentre
from consultants.roles import Role
from tests.factories import CompanyFactory, ConsultantFactory


def user(username: str, *roles: Role, **fields):
    made = get_user_model().objects.create_user(username=username, password="pw", **fields)
    for role in roles:
        made.groups.add(Group.objects.get_or_create(name=role)[0])
    return made


def consultant_user(consultant, username: str, *roles: Role):
    """Give the consultant a log-in (role consultant unless told)."""
    consultant.user = user(username, *(roles or (Role.CONSULTANT,)))
    consultant.save(update_fields=["user"])
    return consultant.user


def coordinator(jobcentre, username: str = "koordinator"):
    made = user(username, Role.COORDINATOR)
    Coordinator.objects.create(user=made, jobcentre=jobcentre)
    return made


def colleague(jobcentre, name: str):
    return working_hours(
        ConsultantFactory(
            jobcentre=jobcentre, name=name, max_visits_per_day=5, max_visits_per_week=25
        )
    )


def book(campaign, company, start, consultant=None, *, actor=None, track=Track.JOBCENTRE, now=NOW):
    return booking_create(
        actor=actor,
        campaign=campaign,
        company=company,
        track=track,
        starts_at=start,
        consultant_id=consultant.pk if consultant else None,
        now=now,
    )


def aarhus(campaign):
    """Another jobcentre taking part, with a consultant who has a log-in and a visit."""
    jobcentre = Jobcentre.objects.get(name="Jobcenter Aarhus")
    Participation.objects.create(campaign=campaign, jobcentre=jobcentre, quota=10, accepted_at=NOW)
    outsider = colleague(jobcentre, "Aarhus Konsulent")
    consultant_user(outsider, "aarhus")
    company = CompanyFactory(municipality=jobcentre.municipalities.first(), email="a@a.invalid")
    return jobcentre, outsider, company
