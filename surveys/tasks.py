"""Celery tasks of the surveys app: thin; the work is in surveys/invitations.py."""

from celery import shared_task

from surveys.invitations import campaign_surveys_invite


@shared_task(ignore_result=True)
def campaign_surveys_due() -> dict:
    """Invite the consultants and jobcentres of campaigns whose surveys are due."""
    return campaign_surveys_invite()
