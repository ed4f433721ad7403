"""What became of the visits, by RAR area and by jobcentre: held, held but short, held by
phone, cancelled (by the company or the jobcentre), company no-shows, consultant no-shows (the
report's missing calendar entries, highlighted on the page) and still booked (coming up, or
the outcome is missing).

Counted by the visit's state, which an outcome sets, so a visit the company cancelled through
its self-service link counts as cancelled before anyone registers an outcome. Shares are of
all the visits the filter keeps; the groups add up to them. Two queries whatever the data:
visits per jobcentre and state group, and the jobcentres with their areas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bookings.models import BookingState
from consultants.models import Jobcentre
from reports.filters import ReportFilter
from reports.table1 import areas_for

S = BookingState

# Key (also the drill-down's state parameter), label, the states counted.
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "held": (_("Held"), (S.HELD,)),
    "held_short": (_("Held, but short"), (S.HELD_SHORT,)),
    "held_phone": (_("Held by phone"), (S.HELD_PHONE,)),
    "cancelled": (
        pgettext_lazy("visits", "Cancelled"),
        (S.CANCELLED_COMPANY, S.CANCELLED_JOBCENTRE),
    ),
    "no_show_company": (_("Company did not show"), (S.NO_SHOW_COMPANY,)),
    "no_show_consultant": (_("Consultant did not show"), (S.NO_SHOW_CONSULTANT,)),
    "booked": (_("Still booked"), (S.BOOKED,)),
}


@dataclass
class OutcomeRow:
    id: int | None
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))

    @property
    def visits(self) -> int:
        return sum(self.counts.values())

    def share(self, group: str) -> float | None:
        return self.counts[group] / self.visits if self.visits else None

    @property
    def shares(self) -> dict[str, float | None]:
        return {group: self.share(group) for group in GROUPS}

    def add(self, other: OutcomeRow) -> None:
        for group, n in other.counts.items():
            self.counts[group] += n

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "visits": self.visits,
            "counts": dict(self.counts),
            "shares": self.shares,
        }


@dataclass
class Outcomes:
    areas: list[OutcomeRow]
    jobcentres: list[OutcomeRow]
    total: OutcomeRow


def outcome_shares(filters: ReportFilter) -> Outcomes:
    """Per RAR area (all 8 unless narrowed), per jobcentre with visits, and in all. Three
    queries (the areas one of them)."""
    rows = (
        filters.visits()
        .values("jobcentre_id")
        .annotate(
            **{
                group: Count("pk", filter=Q(state__in=states))
                for group, (_label, states) in GROUPS.items()
            }
        )
        .order_by()
    )
    by_jobcentre = {row["jobcentre_id"]: row for row in rows}
    areas = {a.pk: OutcomeRow(id=a.pk, name=a.name) for a in areas_for(filters)}
    jobcentres = []
    for jobcentre in Jobcentre.objects.filter(pk__in=by_jobcentre).order_by("name"):
        row = by_jobcentre[jobcentre.pk]
        figures = OutcomeRow(
            id=jobcentre.pk, name=jobcentre.name, counts={g: row[g] for g in GROUPS}
        )
        jobcentres.append(figures)
        if jobcentre.rar_area_id in areas:
            areas[jobcentre.rar_area_id].add(figures)
    total = OutcomeRow(id=None, name="")
    for figures in jobcentres:
        total.add(figures)
    return Outcomes(areas=list(areas.values()), jobcentres=jobcentres, total=total)
