"""Every rule that is a fact is kept by the database itself: each violation raises."""

import datetime as dt

import pytest
from django.db import DataError, IntegrityError, transaction

from bookings.models import Agreement, AgreementKind, Attendee, FollowUp, OutcomeKind
from campaign.models import (
    CallAttempt,
    CallList,
    CallListEntry,
    Campaign,
    Company,
    Participation,
    Track,
)
from consultants.models import Absence, Consultant, Jobcentre, WorkingHours
from surveys.models import Audience, Invitation, Survey
from tests.factories import (
    AttendeeFactory,
    BookingFactory,
    CampaignFactory,
    CompanyFactory,
    ConsultantFactory,
    OutcomeFactory,
)

pytestmark = pytest.mark.usefixtures("reference")


def violates(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except (IntegrityError, DataError):  # DataError: a value the column cannot hold
        return True
    return False


def test_cvr_is_unique():
    company = CompanyFactory()
    assert violates(lambda: CompanyFactory(cvr=company.cvr))


@pytest.mark.parametrize("cvr", ["1234567", "123456789", "1234567a", "01234567"])
def test_cvr_has_eight_digits_and_no_leading_zero(cvr):
    assert violates(lambda: CompanyFactory(cvr=cvr))


def test_employees_are_not_negative():
    assert violates(lambda: CompanyFactory(employees=-1))


def test_a_company_has_at_least_one_site():
    assert violates(lambda: CompanyFactory(sites=0))


def test_a_campaign_ends_after_it_starts():
    assert violates(
        lambda: Campaign.objects.create(
            name="x", starts_on=dt.date(2026, 2, 1), ends_on=dt.date(2026, 1, 1)
        )
    )


def test_a_jobcentre_takes_part_in_a_campaign_once():
    campaign = CampaignFactory()
    jobcentre = Jobcentre.objects.first()
    Participation.objects.create(campaign=campaign, jobcentre=jobcentre, quota=10)
    assert violates(
        lambda: Participation.objects.create(campaign=campaign, jobcentre=jobcentre, quota=5)
    )


def test_a_local_consultant_belongs_to_a_jobcentre():
    assert violates(lambda: ConsultantFactory(jobcentre=None, kind=Consultant.Kind.LOCAL))
    ConsultantFactory(jobcentre=None, kind=Consultant.Kind.JOBSERVICE)  # allowed


def test_working_hours_end_after_they_start():
    consultant = ConsultantFactory()
    assert violates(
        lambda: WorkingHours.objects.create(
            consultant=consultant, weekday=0, starts_at=dt.time(16), ends_at=dt.time(8)
        )
    )


def test_an_absence_ends_after_it_starts():
    consultant = ConsultantFactory()
    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert violates(
        lambda: Absence.objects.create(consultant=consultant, starts_at=start, ends_at=start)
    )


def test_a_visit_ends_after_it_starts():
    booking = BookingFactory.build()
    assert violates(lambda: BookingFactory(ends_at=booking.starts_at, starts_at=booking.starts_at))


def test_one_outcome_per_visit():
    outcome = OutcomeFactory()
    assert violates(lambda: OutcomeFactory(booking=outcome.booking))


def test_an_agreement_has_at_least_one_position():
    outcome = OutcomeFactory()
    assert violates(
        lambda: Agreement.objects.create(outcome=outcome, kind=AgreementKind.JOB_ORDER, positions=0)
    )


def test_no_more_positions_filled_than_agreed():
    outcome = OutcomeFactory()
    assert violates(
        lambda: Agreement.objects.create(
            outcome=outcome, kind=AgreementKind.JOB_ORDER, positions=2, filled_positions=3
        )
    )


def test_a_follow_up_needs_a_due_date():
    outcome = OutcomeFactory(kind=OutcomeKind.HELD)
    owner = ConsultantFactory()
    assert violates(
        lambda: FollowUp.objects.create(outcome=outcome, kind="call", owner=owner, due_on=None)
    )


def test_a_consultant_is_never_booked_twice_at_once():
    first = AttendeeFactory()
    later = first.booking.starts_at + dt.timedelta(minutes=30)
    overlapping = BookingFactory(starts_at=later, ends_at=later + dt.timedelta(hours=1))
    assert violates(lambda: AttendeeFactory(booking=overlapping, consultant=first.consultant))


def test_the_travel_buffer_counts_as_busy():
    first = AttendeeFactory()  # busy until 30 minutes after the visit ends
    start = first.booking.ends_at + dt.timedelta(minutes=15)
    inside_buffer = BookingFactory(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    assert violates(lambda: AttendeeFactory(booking=inside_buffer, consultant=first.consultant))


def test_back_to_back_after_the_buffer_is_allowed_and_inactive_rows_do_not_block():
    first = AttendeeFactory()
    start = first.blocked_until
    next_visit = BookingFactory(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    AttendeeFactory(booking=next_visit, consultant=first.consultant)
    Attendee.objects.filter(pk=first.pk).update(is_active=False)
    AttendeeFactory(
        booking=BookingFactory(starts_at=first.starts_at, ends_at=first.booking.ends_at),
        consultant=first.consultant,
    )


def test_one_active_attendee_per_role_on_a_visit():
    attendee = AttendeeFactory()
    assert violates(lambda: AttendeeFactory(booking=attendee.booking))


def test_attendee_busy_time_ends_after_it_starts():
    booking = BookingFactory()
    assert violates(lambda: AttendeeFactory(booking=booking, blocked_until=booking.starts_at))


def _entry():
    call_list = CallList.objects.create(
        campaign=CampaignFactory(), jobcentre=Jobcentre.objects.first(), track=Track.JOBCENTRE
    )
    return CallListEntry.objects.create(call_list=call_list, company=CompanyFactory())


def test_an_excluded_firm_needs_a_reason():
    entry = _entry()
    entry.vetting = CallListEntry.Vetting.EXCLUDED
    assert violates(entry.save)


def test_a_firm_is_on_a_call_list_once():
    entry = _entry()
    assert violates(
        lambda: CallListEntry.objects.create(call_list=entry.call_list, company=entry.company)
    )


def test_a_call_back_needs_a_time(make_user):
    entry = _entry()
    phoner = make_user("phoner")
    assert violates(
        lambda: CallAttempt.objects.create(
            entry=entry,
            phoner=phoner,
            outcome=CallAttempt.Outcome.CALL_BACK,
            called_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        )
    )


def test_a_survey_invitation_is_about_something():
    survey = Survey.objects.create(key="s", audience=Audience.COMPANY, title="t", title_en="t")
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert violates(
        lambda: Invitation.objects.create(
            survey=survey,
            campaign=CampaignFactory(),
            email="a@b.invalid",
            token_hash="x",
            created_at=now,
            expires_at=now,
        )
    )


def test_a_company_is_invited_once_per_visit():
    survey = Survey.objects.create(key="s", audience=Audience.COMPANY, title="t", title_en="t")
    booking = BookingFactory()
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

    def invite(token):
        return Invitation.objects.create(
            survey=survey,
            campaign=booking.campaign,
            booking=booking,
            email="a@b.invalid",
            token_hash=token,
            created_at=now,
            expires_at=now,
        )

    invite("a")
    assert violates(lambda: invite("b"))


def test_company_fields_are_the_ones_validated():
    # full_clean runs the CVR check-digit validator the database cannot express.
    company = CompanyFactory.build(cvr="12345678")
    with pytest.raises(Exception, match="CVR"):
        company.full_clean(exclude=["municipality"])
    assert not Company.objects.filter(cvr="12345678").exists()
