"""Celery tasks of the campaign app. Thin: each takes an id and calls one service, which
guards by the batch's state, so a redelivered task does nothing twice."""

import logging

from celery import shared_task

from campaign.imports import import_batch_store, import_batch_validate
from campaign.models import ImportBatch
from common.errors import ApplicationError

logger = logging.getLogger(__name__)


@shared_task
def import_validate(batch_id: int) -> None:
    """Validate the rows of an uploaded company file into its preview."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is not None:
        import_batch_validate(batch=batch)


@shared_task
def import_commit(batch_id: int) -> None:
    """Store the accepted rows of a confirmed company file."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return
    try:
        import_batch_store(batch=batch)
    except ApplicationError as exc:
        # The batch records the failure (status failed, with the reason) for the page.
        logger.warning("Import %s failed: %s", batch_id, exc)
