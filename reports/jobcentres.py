"""The jobcentres side by side: quota, visits booked, held, the outcome-registration rate and
the agreements per held visit.

- quota: the jobcentre's quota in the campaign (summed over campaigns when none is chosen;
  neither the track nor the dates narrow it).
- booked: the visits the filter keeps, whatever their state now.
- held: held, held but short or held by phone.
- ended: of the booked visits, those whose time has passed (cancelled ones too): the visits
  an outcome could be registered for. For a finished campaign ended = booked, and the rate is
  the report's "outcomes registered for 66 % of the visits".
- outcome_registration_rate: visits with an outcome / ended visits.
- agreements_per_held_visit: agreements made (each once, whatever its positions) / held
  visits; positions are given too.

A jobcentre is listed when it takes part in the campaign or has visits under the filter.
Five queries whatever the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from bookings.models import HELD_KINDS, Agreement, Outcome
from campaign.models import Participation
from consultants.models import Jobcentre
from reports.filters import ReportFilter


@dataclass
class JobcentreRow:
    id: int | None
    name: str
    rar_area: str = ""
    quota: int = 0
    booked: int = 0
    held: int = 0
    ended: int = 0
    outcome_registered: int = 0
    agreements: int = 0
    positions: int = 0

    @property
    def outcome_registration_rate(self) -> float | None:
        return self.outcome_registered / self.ended if self.ended else None

    @property
    def agreements_per_held_visit(self) -> float | None:
        return self.agreements / self.held if self.held else None

    def add(self, other: JobcentreRow) -> None:
        for name in (
            "quota",
            "booked",
            "held",
            "ended",
            "outcome_registered",
            "agreements",
            "positions",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {
            "jobcentre": self.id,
            "name": self.name,
            "rar_area": self.rar_area,
            "quota": self.quota,
            "booked": self.booked,
            "held": self.held,
            "ended": self.ended,
            "outcome_registered": self.outcome_registered,
            "outcome_registration_rate": self.outcome_registration_rate,
            "agreements": self.agreements,
            "positions": self.positions,
            "agreements_per_held_visit": self.agreements_per_held_visit,
        }


@dataclass
class JobcentreComparison:
    jobcentres: list[JobcentreRow]
    total: JobcentreRow


def jobcentre_comparison(
    filters: ReportFilter, *, now: dt.datetime | None = None
) -> JobcentreComparison:
    """One row per jobcentre by name, and the total. Five queries."""
    now = now or timezone.now()
    participations = Participation.objects.filter(filters.participation_q())
    quotas = dict(
        participations.values_list("jobcentre_id").annotate(quota=Sum("quota")).order_by()
    )
    visits = {
        row["jobcentre_id"]: row
        for row in filters.visits()
        .values("jobcentre_id")
        .annotate(
            booked=Count("pk"),
            held=Count("pk", filter=Q(state__in=HELD_KINDS)),
            ended=Count("pk", filter=Q(ends_at__lte=now)),
        )
        .order_by()
    }
    # Outcomes and agreements carry their visit's keys: counted without joining the visits.
    registered = dict(
        Outcome.objects.filter(filters.registered_q())
        .values_list("jobcentre_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    agreements = {
        row["jobcentre_id"]: row
        for row in Agreement.objects.filter(filters.registered_q())
        .values("jobcentre_id")
        .annotate(n=Count("pk"), positions=Sum("positions"))
        .order_by()
    }
    jobcentres = (
        Jobcentre.objects.filter(pk__in=set(quotas) | set(visits))
        .select_related("rar_area")
        .order_by("name")
    )
    rows = []
    for jobcentre in jobcentres:
        figures = visits.get(jobcentre.pk, {})
        agreed = agreements.get(jobcentre.pk, {})
        rows.append(
            JobcentreRow(
                id=jobcentre.pk,
                name=jobcentre.name,
                rar_area=jobcentre.rar_area.name,
                quota=quotas.get(jobcentre.pk) or 0,
                booked=figures.get("booked", 0),
                held=figures.get("held", 0),
                ended=figures.get("ended", 0),
                outcome_registered=registered.get(jobcentre.pk, 0),
                agreements=agreed.get("n", 0),
                positions=agreed.get("positions") or 0,
            )
        )
    total = JobcentreRow(id=None, name="")
    for row in rows:
        total.add(row)
    return JobcentreComparison(jobcentres=rows, total=total)
