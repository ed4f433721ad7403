"""From a booking to the inboxes, through the real dispatcher, a real Celery worker
and a Redis that is down while the bookings are made: the bookings commit, and the company's
confirmation and the consultant's notice arrive once each when Redis is back."""

import datetime as dt

import pytest
from django.utils import timezone

from bookings.services import booking_create
from bookings.slots import find_slots
from bookings.tests.conftest import working_hours
from campaign.models import Participation, Track
from consultants.models import Jobcentre
from consultants.reference import reference_load
from notifications.dispatch import messages_dispatch
from notifications.models import Message
from notifications.tests.conftest import celery_workers, own_redis, smtp_sink, wait_for
from tests.factories import CampaignFactory, CompanyFactory, ConsultantFactory

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

# Fixtures shared with the outbox's own worker tests.
__all__ = ["celery_workers", "own_redis", "smtp_sink"]


def test_bookings_made_while_redis_is_down_are_mailed_once_it_is_back(
    celery_workers, own_redis, smtp_sink, settings
):
    settings.NOTIFICATIONS_SENDING_TIMEOUT = 1
    celery_workers.ensure_one()
    smtp_sink.clear()
    reference_load()
    jobcentre = Jobcentre.objects.get(name="Jobcenter København")
    today = timezone.localdate()
    campaign = CampaignFactory(starts_on=today, ends_on=today + dt.timedelta(days=90))
    Participation.objects.create(
        campaign=campaign, jobcentre=jobcentre, quota=10, accepted_at=timezone.now()
    )
    consultant = working_hours(ConsultantFactory(jobcentre=jobcentre, email="bo@jobcenter.example"))
    companies = [
        CompanyFactory(email=f"ejer{n}@firma.example", contact_name=f"Ejer {n}") for n in (1, 2)
    ]

    own_redis.stop()
    try:
        offers = find_slots(
            campaign=campaign, jobcentre=jobcentre, track=Track.JOBCENTRE, now=timezone.now()
        ).offers
        bookings = [
            booking_create(
                actor=None, campaign=campaign, company=company, track=Track.JOBCENTRE,
                starts_at=offer.starts_at,
            )
            for company, offer in zip(companies, (offers[0], offers[-1]), strict=True)
        ]  # fmt: skip
        assert messages_dispatch().published == 0  # the broker is away; nothing is lost
    finally:
        own_redis.start()

    due_now = Message.objects.filter(due_at__lte=timezone.now())
    wanted = sorted(due_now.values_list("key", flat=True))
    assert len(wanted) == 4  # per booking: the company's confirmation, the consultant's notice

    def all_sent():
        messages_dispatch()
        return due_now.filter(state=Message.State.SENT).count() == 4

    wait_for(all_sent, timeout=40, what="the confirmations and notices after Redis is back")
    assert sorted(smtp_sink.keys()) == wanted  # each exactly once
    recipients = sorted(m["To"] for m in smtp_sink.received)
    assert sum("bo@jobcenter.example" in r for r in recipients) == 2
    assert sum("@firma.example" in r for r in recipients) == 2
    confirmation = next(m for m in smtp_sink.received if "ejer1@" in m["To"])
    assert any(a.get_content_type() == "text/calendar" for a in confirmation.iter_attachments())
    assert all(b.state == "booked" for b in bookings)
    assert consultant.attendances.filter(is_active=True).count() == 2
