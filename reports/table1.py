"""Table 1 of the agency's evaluation, live: per RAR area and for the whole country, the
visits booked, the visits with a registered outcome (and how many of each kind), the
positions agreed per kind of agreement (the report's eight kinds, then refugee places and the
rest), the Jobservice agreements made, and the follow-ups agreed, done on time, done late and
overdue.

Definitions:
- booked: the visits the filter keeps (a moved visit once, as its replacement), whatever
  their state now: the report counted cancelled visits among those booked.
- outcome_registered: of those, the visits with an Outcome; outcomes[kind] splits them.
- agreements[kind]: the positions agreed (Agreement.positions summed), not the number of
  agreements: the report counted positions the firm wanted filled.
- refugee_places: agreements["refugee_places"].
- jobservice_agreements: the number of Jobservice agreements (one agreement, whatever its
  positions).
- followups: see reports.followups (on time: done on or before the due date, local time;
  late: done after it; overdue: not done and due before today).

An area is a jobcentre's RAR area: a track-1 visit counts in the area of the jobcentre whose
consultant joins it. Five queries whatever the data: visits per area, outcomes per area and
kind, positions per area and kind, follow-ups per area (the last three on the keys each row
copies from its visit, without joining the visits), and one for the areas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils import timezone

from bookings.models import Agreement, AgreementKind, Booking, FollowUp, Outcome, OutcomeKind
from consultants.models import RarArea
from reports.filters import ReportFilter
from reports.followups import FollowUpFigures, followup_counts

# The report's Table 1 rows, in its order.
TABLE1_KINDS: tuple[str, ...] = (
    AgreementKind.JOB_ORDER,
    AgreementKind.SKILLS_JOB,
    AgreementKind.ADULT_APPRENTICE,
    AgreementKind.JOB_ROTATION,
    AgreementKind.WAGE_SUBSIDY,
    AgreementKind.INTERNSHIP,
    AgreementKind.FAGPILOT,
    AgreementKind.RETENTION,
)


@dataclass
class Table1Column:
    """One RAR area's column (rar_area None: the whole country)."""

    rar_area: int | None
    name: str
    booked: int = 0
    outcome_registered: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OutcomeKind.values, 0))
    agreements: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(AgreementKind.values, 0)
    )
    jobservice_agreements: int = 0
    followups: FollowUpFigures = field(default_factory=FollowUpFigures)

    @property
    def refugee_places(self) -> int:
        return self.agreements[AgreementKind.REFUGEE_PLACES]

    def add(self, other: Table1Column) -> None:
        self.booked += other.booked
        self.outcome_registered += other.outcome_registered
        for kind, n in other.outcomes.items():
            self.outcomes[kind] += n
        for kind, n in other.agreements.items():
            self.agreements[kind] += n
        self.jobservice_agreements += other.jobservice_agreements
        self.followups.add(other.followups)

    def as_dict(self) -> dict:
        return {
            "rar_area": self.rar_area,
            "name": self.name,
            "booked": self.booked,
            "outcome_registered": self.outcome_registered,
            "outcomes": dict(self.outcomes),
            "agreements": dict(self.agreements),
            "refugee_places": self.refugee_places,
            "jobservice_agreements": self.jobservice_agreements,
            "followups": self.followups.as_dict(),
        }


@dataclass
class Table1:
    areas: list[Table1Column]
    total: Table1Column

    def as_dict(self) -> dict:
        return {"areas": [a.as_dict() for a in self.areas], "total": self.total.as_dict()}


def areas_for(filters: ReportFilter) -> list[RarArea]:
    """The RAR areas a report shows: all 8, or the one the filter narrows to."""
    areas = RarArea.objects.order_by("position", "name")
    if filters.rar_area is not None:
        areas = areas.filter(pk=filters.rar_area.pk)
    if filters.jobcentre is not None:
        areas = areas.filter(pk=filters.jobcentre.rar_area_id)
    return list(areas)


def table1(filters: ReportFilter, *, today: dt.date | None = None) -> Table1:
    """Table 1 for the filter: one column per RAR area (all 8 unless the filter narrows them,
    in the report's order) and the whole country. Five queries."""
    today = today or timezone.localdate()
    area = "jobcentre__rar_area_id"
    booked = (
        Booking.objects.filter(filters.q()).values(area).annotate(booked=Count("pk")).order_by()
    )
    # Outcomes, agreements and follow-ups carry their visit's keys: counted on their own.
    outcomes = (
        Outcome.objects.filter(filters.registered_q())
        .values(area, "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    positions = (
        Agreement.objects.filter(filters.registered_q())
        .values(area, "kind")
        .annotate(positions=Sum("positions"), n=Count("pk"))
        .order_by()
    )
    followups = followup_counts(FollowUp.objects.filter(filters.registered_q()), area, today=today)

    columns = {a.pk: Table1Column(rar_area=a.pk, name=a.name) for a in areas_for(filters)}
    for row in booked:
        if (column := columns.get(row[area])) is not None:
            column.booked = row["booked"]
    for row in outcomes:
        if (column := columns.get(row[area])) is not None:
            column.outcomes[row["kind"]] = row["n"]
            column.outcome_registered += row["n"]
    for row in positions:
        column = columns.get(row[area])
        if column is None:
            continue
        column.agreements[row["kind"]] = row["positions"]
        if row["kind"] == AgreementKind.JOBSERVICE_AGREEMENT:
            column.jobservice_agreements = row["n"]
    for area_id, figures in followups.items():
        if area_id in columns:
            columns[area_id].followups = figures

    total = Table1Column(rar_area=None, name="")
    for column in columns.values():
        total.add(column)
    return Table1(areas=list(columns.values()), total=total)
