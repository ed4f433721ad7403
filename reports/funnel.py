"""The campaign funnel: from the firms imported to the surveys answered, in total and per
track, RAR area, jobcentre or phoner.

Stages, each a subset of the one before in the normal course of things:
- imported: firms on the call lists the filter keeps (one per list entry).
- approved: of those, the ones the jobcentre approved in vetting.
- called: list entries with at least one call.
- reached: list entries with at least one call that reached someone (not no answer, busy or
  wrong number).
- booked: visits (a moved visit once, as its replacement).
- held: held, held but short or held by phone.
- outcome_registered: visits with a registered outcome.
- with_agreements: visits with at least one agreement.
- survey_answered: visits whose company survey was submitted.

The firm stages come from call lists, which have no date: the date filter narrows only the
visit stages. Per phoner, imported and approved are None (firms are not handed out per
phoner); called and reached count the list entries the phoner called or reached, booked the
visits they booked (Booking.booked_by; visits booked by no one count under None).

At most seven queries whatever the data: the firm stages (per group, and in total per phoner),
the visit stages in four (visits, outcomes, agreements, answered surveys), and the group
names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from bookings.models import HELD_KINDS, Agreement, Outcome
from campaign.models import CallListEntry, PhonerFirms, Track
from consultants.models import Jobcentre, RarArea
from reports.filters import ReportFilter
from surveys.models import Invitation

STAGES: dict[str, str] = {
    "imported": _("Firms imported"),
    "approved": _("Approved in vetting"),
    "called": _("Called"),
    "reached": _("Reached"),
    "booked": _("Visits booked"),
    "held": _("Held"),
    "outcome_registered": _("Outcome registered"),
    "with_agreements": _("With agreements"),
    "survey_answered": _("Survey answered"),
}
FIRM_STAGES = ("imported", "approved", "called", "reached")
VISIT_STAGES = ("booked", "held", "outcome_registered", "with_agreements", "survey_answered")

TOTAL = object()  # the key of the figures in total

DIMENSIONS: dict[str, str] = {
    "track": _("Track"),
    "rar_area": _("RAR area"),
    "jobcentre": _("Jobcentre"),
    "phoner": _("Phoner"),
}
# The grouping field per dimension: on a call-list entry, on a visit.
_ENTRY_FIELD = {
    "track": "call_list__track",
    "rar_area": "call_list__jobcentre__rar_area_id",
    "jobcentre": "call_list__jobcentre_id",
}
_VISIT_FIELD = {
    "track": "track",
    "rar_area": "jobcentre__rar_area_id",
    "jobcentre": "jobcentre_id",
    "phoner": "booked_by_id",
}


@dataclass
class FunnelRow:
    key: object  # the group's value (track, area id, jobcentre id, phoner id); None: total
    name: str
    stages: dict[str, int | None] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "stages": dict(self.stages)}


@dataclass
class Funnel:
    by: str | None
    rows: list[FunnelRow]
    total: FunnelRow


# The firm stages over call-list entries: called and reached as the entry records them
# (campaign.calls.call_create), so the calls themselves are not searched. Counted on the
# columns of campaign_entry_funnel_idx only (COUNT of a column counts its non-null values),
# so PostgreSQL reads the index, not the table.
FIRM_FIGURES = {
    "imported": Count("vetting"),
    "approved": Count("vetting", filter=Q(vetting=CallListEntry.Vetting.APPROVED)),
    "called": Count("first_called_at"),
    "reached": Count("reached_at"),
}


def _visit_stages(filters: ReportFilter, group: str | None) -> dict[object, dict[str, int]]:
    """The visit stages per value of `group` (a field of Booking that outcomes and agreements
    copy from their visit, bookings.models.VisitKeys; None: in total, under the key TOTAL),
    in four queries. Outcomes and agreements are counted on their own rows, without joining
    the visits; visits with agreements and with an answered survey as distinct visits, much
    cheaper than a correlated EXISTS per visit."""
    stages: dict[object, dict[str, int]] = {}

    def rows(queryset, grouped_by: str | None, **figures):
        if grouped_by is None:
            yield TOTAL, queryset.aggregate(**figures)
            return
        for row in queryset.values(grouped_by).annotate(**figures).order_by():
            yield row.pop(grouped_by), row

    def add(key, figures: dict) -> None:
        stages.setdefault(key, dict.fromkeys(VISIT_STAGES, 0)).update(figures)

    counted = (
        (
            filters.visits(),
            group,
            {"booked": Count("pk"), "held": Count("pk", filter=Q(state__in=HELD_KINDS))},
        ),
        (
            Outcome.objects.filter(filters.registered_q()),
            group,
            {"outcome_registered": Count("pk")},
        ),
        (
            Agreement.objects.filter(filters.registered_q()),
            group,
            {"with_agreements": Count("outcome_id", distinct=True)},
        ),
        (
            # The invitation's own campaign first: it lets the database start from the
            # campaign's invitations rather than from its visits.
            Invitation.objects.filter(
                filters.q("booking__"),
                Q(campaign=filters.campaign) if filters.campaign else Q(),
                booking__isnull=False,
                submitted_at__isnull=False,
            ),
            "booking__" + group if group else None,
            {"survey_answered": Count("booking_id", distinct=True)},
        ),
    )
    for queryset, grouped_by, figures in counted:
        for key, values in rows(queryset, grouped_by, **figures):
            add(key, values)
    return stages


def _names(by: str, keys: set) -> dict[object, tuple[object, str]]:
    """{group value: (sort key, name)}: tracks and areas in their own order, the rest by
    name."""
    if by == "track":
        return {value: (value, str(label)) for value, label in Track.choices}
    if by == "rar_area":
        areas = RarArea.objects.filter(pk__in=keys).values_list("pk", "position", "name")
        return {pk: ((position, name), name) for pk, position, name in areas}
    if by == "jobcentre":
        jobcentres = Jobcentre.objects.filter(pk__in=keys).values_list("pk", "name")
        return {pk: (name.casefold(), name) for pk, name in jobcentres}
    users = get_user_model().objects.filter(pk__in=keys)
    names = {u.pk: u.get_full_name() or u.get_username() for u in users}
    return {pk: (name.casefold(), name) for pk, name in names.items()}


def funnel(filters: ReportFilter, *, by: str | None = None, firms: bool = True) -> Funnel:
    """The funnel in total and, with `by` ("track", "rar_area", "jobcentre" or "phoner"),
    per group, rows in the groups' order. At most seven queries. `firms=False` leaves the
    firm stages out (None), for a reader that needs only the visits'."""
    if by is not None and by not in DIMENSIONS:
        raise ValueError(by)
    entries = CallListEntry.objects.filter(filters.call_list_q("call_list__"))
    total = FunnelRow(key=None, name="")
    if not firms:
        total.stages.update(dict.fromkeys(FIRM_STAGES))
    if by is None:
        if firms:
            total.stages.update(entries.aggregate(**FIRM_FIGURES))
        total.stages.update(_visit_stages(filters, None).get(TOTAL, {}))
        return Funnel(by=None, rows=[], total=total)

    rows: dict[object, FunnelRow] = {}

    def row(key) -> FunnelRow:
        if key not in rows:
            rows[key] = FunnelRow(key=key, name="")
            if not firms:
                rows[key].stages.update(dict.fromkeys(FIRM_STAGES))
            elif by == "phoner":
                rows[key].stages["imported"] = rows[key].stages["approved"] = None
        return rows[key]

    if firms and by == "phoner":
        # Two phoners may call one firm: the total is counted on its own.
        total.stages.update(entries.aggregate(**FIRM_FIGURES))
        # The firms each phoner called and reached, per list as the calls were made
        # (campaign.models.PhonerFirms).
        calls = (
            PhonerFirms.objects.filter(filters.call_list_q("call_list__"))
            .values("phoner_id")
            .annotate(called=Sum("called"), reached=Sum("reached"))
            .order_by()
        )
        for figures in calls:
            row(figures["phoner_id"]).stages.update(
                called=figures["called"], reached=figures["reached"]
            )
    elif firms:
        # Every list has one track and one jobcentre: the groups add up to the total.
        group = _ENTRY_FIELD[by]
        for figures in entries.values(group).annotate(**FIRM_FIGURES).order_by():
            row(figures.pop(group)).stages.update(figures)
        for stage in FIRM_STAGES:
            total.stages[stage] = sum(r.stages[stage] for r in rows.values())
    # Every visit has one track, one jobcentre and one booker (or none): the groups add up.
    for key, figures in _visit_stages(filters, _VISIT_FIELD[by]).items():
        row(key).stages.update(figures)
    for stage in VISIT_STAGES:
        total.stages[stage] = sum(r.stages[stage] for r in rows.values())

    names = _names(by, {key for key in rows if key is not None})
    for key, funnel_row in rows.items():
        funnel_row.name = names[key][1] if key in names else str(_("No one"))
    ordered = sorted(
        rows.values(), key=lambda r: (r.key not in names, names.get(r.key, ("", ""))[0], str(r.key))
    )
    return Funnel(by=by, rows=ordered, total=total)
