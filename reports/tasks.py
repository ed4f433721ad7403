"""Celery tasks of the reports app: thin; the work is in reports/evaluation_snapshots.py."""

from celery import shared_task

from reports.evaluation_snapshots import evaluation_snapshots_refresh as refresh


@shared_task(ignore_result=True)
def evaluation_snapshots_refresh() -> dict:
    """Recompute the evaluation reports in use; delete those nobody reads."""
    return refresh()
