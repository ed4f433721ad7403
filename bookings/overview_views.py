"""The coordinator's overview (/overview/): for one jobcentre and campaign, the quota used
and left, the visits by state, and what needs chasing (visits not acknowledged, outcomes
missing, follow-ups overdue), per consultant with totals. Every figure links to the list
behind it (/overview/list/), built from the same definitions.

Conditional aggregation keeps the number of queries fixed whatever the number of
consultants or visits: one for the visit totals, one for the per-consultant figures, one for
the follow-ups, one for the consultants, besides the participation and the choices.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from bookings.models import Attendee, Booking, BookingState, FollowUp
from bookings.slots import RELEASED_STATES
from campaign.models import Campaign, Participation
from consultants.models import Consultant, Jobcentre
from consultants.permissions import role_required
from consultants.roles import Role, is_agency, jobcentre_id_of

PAGE_SIZE = 100
S = BookingState

# The per-consultant columns: states grouped so the table stays readable. The jobcentre's
# totals also list every state on its own.
STATE_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "booked": (_("Booked"), (S.BOOKED,)),
    "held": (_("Held"), (S.HELD, S.HELD_SHORT, S.HELD_PHONE)),
    "cancelled": (
        pgettext_lazy("visits", "Cancelled"),
        (S.CANCELLED_COMPANY, S.CANCELLED_JOBCENTRE),
    ),
    "moved": (_("Moved"), (S.MOVED,)),
    "no_show": (_("No-show"), (S.NO_SHOW_COMPANY, S.NO_SHOW_CONSULTANT)),
}
CHASE = {
    "unacknowledged": _("Not acknowledged"),
    "outcome_missing": _("Outcome missing"),
    "followups_overdue": _("Follow-ups overdue"),
}


# --- The figures -----------------------------------------------------------------------------


def _outcome_missing_q(prefix: str, now: dt.datetime) -> Q:
    return Q(**{f"{prefix}state": S.BOOKED, f"{prefix}ends_at__lt": now})


def _unacknowledged_q(prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}is_active": True,
            f"{prefix}acknowledged_at__isnull": True,
            f"{prefix}booking__state": S.BOOKED,
        }
    )


def _responsible(queryset: QuerySet[Attendee]) -> QuerySet[Attendee]:
    """Per visit and role, the attendee the visit counts for: the active one, or, on a visit
    that freed its attendees (cancelled, moved), the last one. A reassigned visit counts for
    its new consultant only."""
    last = (
        Attendee.objects.filter(booking=OuterRef("booking"), role=OuterRef("role"))
        .order_by("-is_active", "-pk")
        .values("pk")[:1]
    )
    return queryset.filter(pk=Subquery(last))


def visits_of(campaign: Campaign, jobcentre: Jobcentre) -> QuerySet[Booking]:
    return Booking.objects.filter(campaign=campaign, jobcentre=jobcentre)


def followups_overdue(campaign, jobcentre, today: dt.date) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(
        outcome__booking__campaign=campaign,
        outcome__booking__jobcentre=jobcentre,
        done_at__isnull=True,
        due_on__lt=today,
    )


@dataclass
class Row:
    """One consultant's figures (consultant None: the jobcentre's totals)."""

    consultant: Consultant | None
    groups: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATE_GROUPS, 0))
    unacknowledged: int = 0
    outcome_missing: int = 0
    followups_overdue: int = 0

    @property
    def visits(self) -> int:
        return sum(self.groups.values())

    def as_dict(self) -> dict:
        return {
            "consultant": self.consultant.pk if self.consultant else None,
            "name": self.consultant.name if self.consultant else "",
            "visits": self.visits,
            **self.groups,
            "unacknowledged": self.unacknowledged,
            "outcome_missing": self.outcome_missing,
            "followups_overdue": self.followups_overdue,
        }


@dataclass
class Overview:
    jobcentre: Jobcentre
    campaign: Campaign
    quota: int
    quota_used: int
    states: dict[str, int]
    rows: list[Row]
    totals: Row

    @property
    def quota_left(self) -> int:
        return max(self.quota - self.quota_used, 0)


def overview(
    *, campaign: Campaign, jobcentre: Jobcentre, now: dt.datetime | None = None
) -> Overview:
    """The jobcentre's figures in the campaign, in five queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    participation = Participation.objects.filter(campaign=campaign, jobcentre=jobcentre).first()

    totals = visits_of(campaign, jobcentre).aggregate(
        **{f"state_{state}": Count("pk", filter=Q(state=state)) for state in S.values},
        outcome_missing=Count("pk", filter=_outcome_missing_q("", now)),
        quota_used=Count("pk", filter=~Q(state__in=RELEASED_STATES)),
    )
    per_consultant = (
        _responsible(
            Attendee.objects.filter(booking__campaign=campaign, booking__jobcentre=jobcentre)
        )
        .values("consultant_id")
        .annotate(
            **{
                group: Count("pk", filter=Q(booking__state__in=states))
                for group, (_label, states) in STATE_GROUPS.items()
            },
            unacknowledged=Count("pk", filter=_unacknowledged_q()),
            outcome_missing=Count(
                "pk", filter=Q(is_active=True) & _outcome_missing_q("booking__", now)
            ),
        )
        .order_by()
    )
    overdue = (
        followups_overdue(campaign, jobcentre, today)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_id: dict[int, dict] = {row["consultant_id"]: row for row in per_consultant}
    overdue_by_id = {row["owner_id"]: row["n"] for row in overdue}
    # The jobcentre's active consultants, and anyone else the figures name (a Jobservice
    # representative on track-1 visits, a consultant who left, a follow-up's other owner).
    consultants = Consultant.objects.filter(
        Q(jobcentre=jobcentre, kind=Consultant.Kind.LOCAL, is_active=True)
        | Q(pk__in=set(by_id) | set(overdue_by_id))
    ).order_by("kind", "name", "pk")

    rows = []
    for consultant in consultants:
        figures = by_id.get(consultant.pk, {})
        rows.append(
            Row(
                consultant=consultant,
                groups={group: figures.get(group, 0) for group in STATE_GROUPS},
                unacknowledged=figures.get("unacknowledged", 0),
                outcome_missing=figures.get("outcome_missing", 0),
                followups_overdue=overdue_by_id.get(consultant.pk, 0),
            )
        )
    states = {state: totals[f"state_{state}"] for state in S.values}
    total = Row(
        consultant=None,
        # Each visit once (a track-1 visit has two attendees, so this is not the rows' sum).
        groups={
            group: sum(states[s] for s in group_states)
            for group, (_label, group_states) in STATE_GROUPS.items()
        },
        unacknowledged=sum(r.unacknowledged for r in rows),
        outcome_missing=totals["outcome_missing"],
        followups_overdue=sum(overdue_by_id.values()),
    )
    return Overview(
        jobcentre=jobcentre,
        campaign=campaign,
        quota=participation.quota if participation else 0,
        quota_used=totals["quota_used"],
        states=states,
        rows=rows,
        totals=total,
    )


# --- Choosing the jobcentre and campaign -------------------------------------------------------


def choose(
    user, wanted_jobcentre: str = "", wanted_campaign: str = ""
) -> tuple[Jobcentre | None, Campaign | None, dict]:
    """The jobcentre (a coordinator's own; agency staff choose) and the campaign (by default
    the latest the jobcentre takes part in), with the choices for the page. 404 for a
    jobcentre or campaign outside the user's reach."""
    context: dict = {"jobcentres": [], "campaigns": []}
    wanted_jobcentre = str(wanted_jobcentre or "")
    if wanted_jobcentre and not wanted_jobcentre.isdigit():
        raise Http404
    if is_agency(user):
        context["jobcentres"] = list(Jobcentre.objects.order_by("name"))
        jobcentre = next((j for j in context["jobcentres"] if str(j.pk) == wanted_jobcentre), None)
        if wanted_jobcentre and jobcentre is None:
            raise Http404
    else:
        own = jobcentre_id_of(user)
        if own is None or (wanted_jobcentre and int(wanted_jobcentre) != own):
            raise Http404
        jobcentre = Jobcentre.objects.get(pk=own)
    if jobcentre is None:
        return None, None, context
    context["campaigns"] = campaigns = list(
        Campaign.objects.filter(participations__jobcentre=jobcentre).order_by("-starts_on", "-pk")
    )
    if wanted_campaign:
        campaign = next((c for c in campaigns if str(c.pk) == str(wanted_campaign)), None)
        if campaign is None:
            raise Http404
    else:
        campaign = campaigns[0] if campaigns else None
    return jobcentre, campaign, context


def _choose(request: HttpRequest):
    return choose(request.user, request.GET.get("jobcentre", ""), request.GET.get("campaign", ""))


def list_url(jobcentre: Jobcentre, campaign: Campaign, figure: str, consultant=None) -> str:
    url = reverse("overview-list", args=[jobcentre.pk, campaign.pk, figure])
    return url if consultant is None else f"{url}?{urlencode({'consultant': consultant.pk})}"


def _cells(figures: Overview, row: Row) -> list[dict]:
    """A table row's figures, in column order, each with the link to the list behind it."""
    values = [("visits", row.visits)]
    values += [(group, row.groups[group]) for group in STATE_GROUPS]
    values += [(figure, getattr(row, figure)) for figure in CHASE]
    return [
        {
            "figure": figure,
            "value": value,
            "url": list_url(figures.jobcentre, figures.campaign, figure, row.consultant),
        }
        for figure, value in values
    ]


@require_GET
@role_required(Role.COORDINATOR, Role.AGENCY)
def overview_page(request: HttpRequest) -> HttpResponse:
    jobcentre, campaign, context = _choose(request)
    figures = overview(campaign=campaign, jobcentre=jobcentre) if campaign else None
    if figures is not None:
        context.update(
            table=[{"row": row, "cells": _cells(figures, row)} for row in figures.rows],
            totals=_cells(figures, figures.totals),
            states=[
                {
                    "label": label,
                    "value": figures.states[state],
                    "url": list_url(jobcentre, campaign, state),
                }
                for state, label in S.choices
            ],
            quota_used_url=list_url(jobcentre, campaign, "quota_used"),
        )
    return render(
        request,
        "bookings/overview_page.html",
        {
            **context,
            "jobcentre": jobcentre,
            "campaign": campaign,
            "overview": figures,
            "columns": [("visits", _("Visits"))]
            + [(key, label) for key, (label, _states) in STATE_GROUPS.items()]
            + list(CHASE.items()),
        },
    )


# --- The list behind a figure --------------------------------------------------------------------


def figure_label(figure: str) -> str:
    if figure == "visits":
        return str(_("All visits"))
    if figure == "quota_used":
        return str(_("Visits holding a place in the quota"))
    if figure in STATE_GROUPS:
        return str(STATE_GROUPS[figure][0])
    if figure in S.values:
        return str(S(figure).label)
    if figure in CHASE:
        return str(CHASE[figure])
    raise Http404


def figure_visits(
    campaign, jobcentre, figure: str, consultant_id: int | None, now: dt.datetime
) -> QuerySet[Booking]:
    """The visits behind a figure of the overview (not the follow-ups), by the same rules."""
    visits = visits_of(campaign, jobcentre)
    if figure in STATE_GROUPS:
        visits = visits.filter(state__in=STATE_GROUPS[figure][1])
    elif figure in S.values:
        visits = visits.filter(state=figure)
    elif figure == "quota_used":
        visits = visits.exclude(state__in=RELEASED_STATES)
    elif figure == "outcome_missing":
        visits = visits.filter(_outcome_missing_q("", now))
    elif figure == "unacknowledged":
        visits = visits.filter(
            pk__in=Attendee.objects.filter(_unacknowledged_q(), **_who(consultant_id)).values(
                "booking_id"
            )
        )
    if consultant_id is not None and figure != "unacknowledged":
        attendees = _responsible(Attendee.objects.filter(consultant_id=consultant_id))
        if figure == "outcome_missing":
            attendees = attendees.filter(is_active=True)
        visits = visits.filter(pk__in=attendees.values("booking_id"))
    return visits


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _who(consultant_id: int | None) -> dict:
    return {} if consultant_id is None else {"consultant_id": consultant_id}


@require_GET
@role_required(Role.COORDINATOR, Role.AGENCY)
def overview_list(request: HttpRequest, jobcentre: int, campaign: int, figure: str) -> HttpResponse:
    """The visits (or follow-ups) behind one figure, for one consultant (?consultant=) or
    all."""
    jobcentre, campaign, context = choose(request.user, str(jobcentre), str(campaign))
    label = figure_label(figure)
    consultant = None
    wanted = request.GET.get("consultant", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        consultant = Consultant.objects.filter(pk=int(wanted)).first()
        if consultant is None:
            raise Http404
    consultant_id = consultant.pk if consultant else None
    now = timezone.now()
    if figure == "followups_overdue":
        items = (
            followups_overdue(campaign, jobcentre, timezone.localdate(now))
            .filter(**({"owner_id": consultant_id} if consultant_id else {}))
            .select_related("owner", "outcome__booking__company")
            .order_by("due_on", "pk")
        )
    else:
        items = (
            figure_visits(campaign, jobcentre, figure, consultant_id, now)
            .select_related("company")
            .prefetch_related("attendees__consultant")
            .order_by("starts_at", "pk")
        )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bookings/overview_list.html",
        {
            **context,
            "jobcentre": jobcentre,
            "campaign": campaign,
            "figure": figure,
            "label": label,
            "consultant": consultant,
            "page": page,
            "is_followups": figure == "followups_overdue",
            "now": now,
            "querystring": _without_page(request),
        },
    )
