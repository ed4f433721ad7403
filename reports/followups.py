"""Follow-up compliance per jobcentre and per consultant: the follow-ups agreed at visits,
done on time, done late, overdue now, and still open but not yet due.

- agreed: every follow-up of the visits the filter keeps.
- on_time: done, on a day (local time) on or before its due date.
- late: done after its due date.
- overdue: not done, and due before today.
- open: not done, due today or later (agreed = on_time + late + overdue + open).

A follow-up counts for its owner (per consultant) and for its visit's jobcentre (per
jobcentre). Two grouped queries and two for the names, whatever the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from bookings.models import FollowUp
from bookings.slots import LOCAL_TZ
from consultants.models import Consultant, Jobcentre
from reports.filters import ReportFilter

STATUSES = ("agreed", "on_time", "late", "overdue", "open")


def status_q(status: str, today: dt.date) -> Q:
    """The follow-ups in a status, as a Q over FollowUp; "on_time" and "late" need the alias
    done_on (the local date of done_at) on the queryset: see with_done_on."""
    if status == "agreed":
        return Q(pk__isnull=False)
    if status == "on_time":
        return Q(done_at__isnull=False, done_on__lte=F("due_on"))
    if status == "late":
        return Q(done_at__isnull=False, done_on__gt=F("due_on"))
    if status == "overdue":
        return Q(done_at__isnull=True, due_on__lt=today)
    if status == "open":
        return Q(done_at__isnull=True, due_on__gte=today)
    raise ValueError(status)


def with_done_on(queryset: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return queryset.alias(done_on=TruncDate("done_at", tzinfo=LOCAL_TZ))


@dataclass
class FollowUpFigures:
    agreed: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0

    def add(self, other: FollowUpFigures) -> None:
        for status in STATUSES:
            setattr(self, status, getattr(self, status) + getattr(other, status))

    @property
    def on_time_rate(self) -> float | None:
        """Done on time, of those done or overdue (open ones are not judged yet)."""
        judged = self.on_time + self.late + self.overdue
        return self.on_time / judged if judged else None

    def as_dict(self) -> dict[str, int]:
        return {status: getattr(self, status) for status in STATUSES}


def followup_counts(
    queryset: QuerySet[FollowUp], group_by: str, *, today: dt.date
) -> dict[object, FollowUpFigures]:
    """{value of group_by: figures} over the follow-ups of `queryset`, in one query."""
    rows = (
        with_done_on(queryset)
        .values(group_by)
        .annotate(
            agreed=Count("pk"),
            **{status: Count("pk", filter=status_q(status, today)) for status in STATUSES[1:]},
        )
        .order_by()
    )
    return {
        row[group_by]: FollowUpFigures(**{status: row[status] for status in STATUSES})
        for row in rows
    }


@dataclass
class ComplianceRow:
    id: int
    name: str
    figures: FollowUpFigures
    jobcentre: str = ""  # the consultant's jobcentre (empty for Jobservice)


@dataclass
class Compliance:
    jobcentres: list[ComplianceRow]
    consultants: list[ComplianceRow]
    total: FollowUpFigures = field(default_factory=FollowUpFigures)


def followup_compliance(
    filters: ReportFilter, *, today: dt.date | None = None, per_consultant: bool = True
) -> Compliance:
    """Per jobcentre and per consultant (owner), in four queries; rows by name.
    `per_consultant=False` leaves the consultants out (two queries)."""
    today = today or timezone.localdate()
    # Follow-ups carry their visit's keys: counted without joining the visits.
    followups = FollowUp.objects.filter(filters.registered_q())
    per_jobcentre = followup_counts(followups, "jobcentre_id", today=today)
    jobcentres = Jobcentre.objects.filter(pk__in=per_jobcentre).order_by("name")
    consultants = []
    if per_consultant:
        per_owner = followup_counts(followups, "owner_id", today=today)
        # Thousands in a whole campaign: plain values, not model instances.
        owners = (
            Consultant.objects.filter(pk__in=per_owner)
            .order_by("name", "pk")
            .values_list("pk", "name", "jobcentre__name")
        )
        consultants = [
            ComplianceRow(pk, name, per_owner[pk], jobcentre or "")
            for pk, name, jobcentre in owners
        ]
    total = FollowUpFigures()
    for figures in per_jobcentre.values():
        total.add(figures)
    return Compliance(
        jobcentres=[ComplianceRow(j.pk, j.name, per_jobcentre[j.pk]) for j in jobcentres],
        consultants=consultants,
        total=total,
    )
