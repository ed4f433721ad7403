"""The evaluation report kept ready: one EvaluationSnapshot per filter and language, holding
the report as the page shows it (HTML) and its figures for the API.

The report runs every aggregate of the dashboards, the survey results and a long page:
with a million visits that takes one to two seconds, where a dashboard page takes under
300 ms. So it is computed once and kept:

- The page and the API answer from the snapshot while it is fresh: computed less than
  EVALUATION_SNAPSHOT_MAX_AGE seconds ago, on the same day (what is overdue depends on the
  day). Otherwise the request computes it, and keeps it for the next reader.
- A Celery beat job (reports.tasks.evaluation_snapshots_refresh) recomputes the snapshots
  read in the last day before they get that old, so a reader of a report in use seldom
  waits; it deletes those nobody has read for EVALUATION_SNAPSHOT_KEEP_DAYS.
- "Recompute now" on the page (?recompute=1) computes it at once; the page says when its
  figures were computed.

The snapshot is the same for every reader of one filter: agency staff read everything, and a
coordinator's filter holds their jobcentre (the key says so), which is all the survey
figures are scoped by. Celery recomputes a snapshot as the last person who read it, through
the same permission check as a request; one who may no longer read it loses the snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import urlencode

from reports.evaluation import evaluation
from reports.evaluation_presenters import report_context
from reports.filters import FilterError, ReportFilter, report_filter
from reports.models import EvaluationSnapshot

logger = logging.getLogger(__name__)

READ_WITHIN = dt.timedelta(days=1)  # Celery keeps the snapshots read within this fresh
REFRESH_AT_MOST = 30  # snapshots recomputed per run of the Celery job, the stalest first


def snapshot_key(filters: ReportFilter, language: str) -> str:
    """The filter (a coordinator's jobcentre included) and the language, as one string."""
    params = filters.params()
    if filters.scoped:
        params["scope"] = str(filters.jobcentre.pk)
    return urlencode(sorted({**params, "language": language}.items()))


def _max_age() -> dt.timedelta:
    return dt.timedelta(seconds=settings.EVALUATION_SNAPSHOT_MAX_AGE)


def is_fresh(snapshot: EvaluationSnapshot, now: dt.datetime) -> bool:
    return snapshot.computed_at > now - _max_age() and snapshot.today == timezone.localdate(now)


def _computed(filters: ReportFilter, *, user, now: dt.datetime | None) -> EvaluationSnapshot:
    """The report for the filter in the active language, as `user` reads it (not saved)."""
    now = now or timezone.now()
    ev = evaluation(filters, user=user, now=now)
    language = translation.get_language()
    return EvaluationSnapshot(
        key=snapshot_key(filters, language),
        language=language,
        campaign=filters.campaign,
        params=filters.params(),
        reader=user,
        today=ev.today,
        computed_at=now,
        read_at=now,
        page=render_to_string(
            "reports/evaluation_body.html", report_context(ev, filters, pdf=False)
        ),
        # As JSON gives them back (dates as text), whether kept or just computed.
        figures=json.loads(json.dumps(ev.as_dict(), cls=DjangoJSONEncoder)),
    )


def snapshot_compute(
    filters: ReportFilter, *, user, now: dt.datetime | None = None, read: bool = True
) -> EvaluationSnapshot:
    """Compute the report for the filter in the active language, as `user` reads it, and
    keep it (replacing the one there was). `read=False` (the Celery job) leaves the time it
    was last read as it was. Two readers computing one report at once both write it; the
    second's stays."""
    computed = _computed(filters, user=user, now=now)
    fields = {f.attname: getattr(computed, f.attname) for f in EvaluationSnapshot._meta.fields}
    del fields["id"], fields["key"]
    create = dict(fields)
    if not read:
        del fields["read_at"]
    snapshot, _created = EvaluationSnapshot.objects.update_or_create(
        key=computed.key, defaults=fields, create_defaults=create
    )
    return snapshot


def evaluation_snapshot(
    filters: ReportFilter, *, user, recompute: bool = False, now: dt.datetime | None = None
) -> EvaluationSnapshot:
    """The report for the filter in the active language: the kept one while fresh (one
    query, and one to note the reading), else computed now and kept. Without a campaign to
    report on, the (empty) report is computed and not kept."""
    if filters.campaign is None:
        return _computed(filters, user=user, now=now)
    now = now or timezone.now()
    key = snapshot_key(filters, translation.get_language())
    if not recompute:
        snapshot = EvaluationSnapshot.objects.filter(key=key).first()
        if snapshot is not None and is_fresh(snapshot, now):
            EvaluationSnapshot.objects.filter(pk=snapshot.pk).update(read_at=now, reader=user)
            return snapshot
    return snapshot_compute(filters, user=user, now=now)


def _refresh(snapshot: EvaluationSnapshot, now: dt.datetime) -> bool:
    """Recompute one snapshot as its last reader; delete it if they may not read it any
    more. True if it was recomputed."""
    reader = snapshot.reader
    try:
        if reader is None or not reader.is_active:
            raise PermissionDenied
        with translation.override(snapshot.language):
            filters = report_filter(reader, QueryDict(urlencode(snapshot.params)))
            if snapshot_key(filters, snapshot.language) != snapshot.key:
                raise PermissionDenied  # the reader's scope changed
            snapshot_compute(filters, user=reader, now=now, read=False)
    except (PermissionDenied, FilterError):
        snapshot.delete()
        return False
    return True


def evaluation_snapshots_refresh(*, now: dt.datetime | None = None) -> dict[str, int]:
    """What the Celery job does: recompute the snapshots read within READ_WITHIN that are
    older than a third of their allowed age (at most REFRESH_AT_MOST, the stalest first),
    and delete those not read for EVALUATION_SNAPSHOT_KEEP_DAYS. One failing snapshot is
    logged and left; the rest go on."""
    now = now or timezone.now()
    deleted, _by_model = EvaluationSnapshot.objects.filter(
        read_at__lt=now - dt.timedelta(days=settings.EVALUATION_SNAPSHOT_KEEP_DAYS)
    ).delete()
    due = (
        EvaluationSnapshot.objects.filter(
            read_at__gte=now - READ_WITHIN, computed_at__lte=now - _max_age() / 3
        )
        .select_related("reader")
        .order_by("computed_at")[:REFRESH_AT_MOST]
    )
    refreshed = dropped = failed = 0
    for snapshot in due:
        try:
            with transaction.atomic():
                if _refresh(snapshot, now):
                    refreshed += 1
                else:
                    dropped += 1
        except Exception:  # noqa: BLE001 - one broken report must not stop the others
            logger.exception("evaluation snapshot %s: recomputing failed", snapshot.pk)
            failed += 1
    return {"refreshed": refreshed, "dropped": dropped, "failed": failed, "deleted": deleted}
