"""The visits behind a figure of the dashboards (/reports/visits/): the report filter plus the
figure's own parameters, each applied by the same definitions the aggregates use.

- state: a visit state, or a group: held_all (held, short, by phone), cancelled (by the
  company or the jobcentre), no_show (the company's or the consultant's).
- outcome: "registered" (any outcome) or an outcome kind.
- agreement_kind: "any" or a kind: visits with at least one such agreement.
- followup: agreed, on_time, late, overdue or open: visits with at least one such follow-up
  (owned by `consultant` when given).
- consultant: a consultant's id: with followup, the follow-up's owner; otherwise a consultant
  who attends (or attended) the visit.
- phoner: the id of the user who booked the visit, or "none".
- lead: the first day of a lead-time bin (0, 7, ..., 42).
- survey: "answered": the company's survey was submitted.
- ended: "1": the visit's time has passed.

A figure counts positions or follow-ups, the list shows the visits behind them: a visit with
two overdue follow-ups is listed once.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bookings.models import (
    HELD_KINDS,
    Agreement,
    AgreementKind,
    Attendee,
    Booking,
    BookingState,
    FollowUp,
    OutcomeKind,
)
from common.errors import ApplicationError
from consultants.models import Consultant
from reports.filters import ReportFilter
from reports.followups import STATUSES, status_q, with_done_on
from reports.leadtime import BINS, bin_label, with_lead_bin
from surveys.models import Invitation

S = BookingState
STATE_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "held_all": (_("Held (also short or by phone)"), HELD_KINDS),
    "cancelled": (
        pgettext_lazy("visits", "Cancelled"),
        (S.CANCELLED_COMPANY, S.CANCELLED_JOBCENTRE),
    ),
    "no_show": (_("No-show"), (S.NO_SHOW_COMPANY, S.NO_SHOW_CONSULTANT)),
}
FOLLOWUP_LABELS = {
    "agreed": _("Follow-ups agreed"),
    "on_time": _("Follow-ups done on time"),
    "late": _("Follow-ups done late"),
    "overdue": _("Follow-ups overdue"),
    "open": _("Follow-ups open, not yet due"),
}
DRILLDOWN_PARAMS = (
    "state",
    "outcome",
    "agreement_kind",
    "followup",
    "consultant",
    "phoner",
    "lead",
    "survey",
    "ended",
)


class DrilldownForm(forms.Form):
    state = forms.ChoiceField(
        required=False,
        choices=[
            ("", ""),
            *[(k, label) for k, (label, _states) in STATE_GROUPS.items()],
            *[(v, label) for v, label in S.choices if v != S.MOVED],
        ],
    )
    outcome = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("registered", _("Outcome registered")), *OutcomeKind.choices],
    )
    agreement_kind = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("any", _("With agreements")), *AgreementKind.choices],
    )
    followup = forms.ChoiceField(
        required=False, choices=[("", ""), *[(s, FOLLOWUP_LABELS[s]) for s in STATUSES]]
    )
    consultant = forms.ModelChoiceField(queryset=Consultant.objects.all(), required=False)
    phoner = forms.RegexField(regex=r"^(none|[0-9]{1,12})$", required=False)
    lead = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", ""), *[(str(b), bin_label(b)) for b in BINS]],
    )
    survey = forms.ChoiceField(required=False, choices=[("", ""), ("answered", "answered")])
    ended = forms.ChoiceField(required=False, choices=[("", ""), ("1", "1")])


def drilldown_form(params) -> DrilldownForm:
    data = {key: params.get(key, "") for key in DRILLDOWN_PARAMS if key in params}
    form = DrilldownForm(data)
    if not form.is_valid():
        field_errors = {name: list(errors) for name, errors in form.errors.items()}
        raise ApplicationError(_("The list's parameters are not valid."), field_errors=field_errors)
    return form


def drilldown_visits(
    filters: ReportFilter,
    figure: dict,
    *,
    today: dt.date,
    now: dt.datetime,
) -> QuerySet[Booking]:
    """The visits behind a figure: `figure` is DrilldownForm's cleaned data."""
    visits = filters.visits()
    state = figure.get("state")
    if state in STATE_GROUPS:
        visits = visits.filter(state__in=STATE_GROUPS[state][1])
    elif state:
        visits = visits.filter(state=state)
    outcome = figure.get("outcome")
    if outcome == "registered":
        visits = visits.filter(outcome__isnull=False)
    elif outcome:
        visits = visits.filter(outcome__kind=outcome)
    kind = figure.get("agreement_kind")
    if kind:
        agreements = Agreement.objects.filter(outcome__booking=OuterRef("pk"))
        if kind != "any":
            agreements = agreements.filter(kind=kind)
        visits = visits.filter(Exists(agreements))
    consultant = figure.get("consultant")
    status = figure.get("followup")
    if status:
        followups = with_done_on(FollowUp.objects.filter(outcome__booking=OuterRef("pk"))).filter(
            status_q(status, today)
        )
        if consultant is not None:
            followups = followups.filter(owner=consultant)
        visits = visits.filter(Exists(followups))
    elif consultant is not None:
        visits = visits.filter(
            Exists(Attendee.objects.filter(booking=OuterRef("pk"), consultant=consultant))
        )
    phoner = figure.get("phoner")
    if phoner == "none":
        visits = visits.filter(booked_by__isnull=True)
    elif phoner:
        visits = visits.filter(booked_by_id=int(phoner))
    if figure.get("lead") is not None:
        visits = with_lead_bin(visits).filter(lead_bin=figure["lead"])
    if figure.get("survey") == "answered":
        visits = visits.filter(
            Exists(Invitation.objects.filter(booking=OuterRef("pk"), submitted_at__isnull=False))
        )
    if figure.get("ended"):
        visits = visits.filter(Q(ends_at__lte=now))
    return visits


def drilldown_description(filters: ReportFilter, figure: dict) -> list[str]:
    """What the list holds, in words, one part per parameter."""
    parts = []
    if filters.campaign is not None:
        parts.append(filters.campaign.name)
    if filters.track:
        parts.append(str(dict(Booking._meta.get_field("track").choices)[filters.track]))
    if filters.rar_area is not None:
        parts.append(filters.rar_area.name)
    if filters.jobcentre is not None:
        parts.append(filters.jobcentre.name)
    if filters.date_from or filters.date_to:
        parts.append(
            f"{filters.date_from.isoformat() if filters.date_from else '…'}"
            f" – {filters.date_to.isoformat() if filters.date_to else '…'}"
        )
    state = figure.get("state")
    if state:
        parts.append(str(STATE_GROUPS[state][0] if state in STATE_GROUPS else S(state).label))
    outcome = figure.get("outcome")
    if outcome:
        parts.append(
            str(_("Outcome registered") if outcome == "registered" else OutcomeKind(outcome).label)
        )
    kind = figure.get("agreement_kind")
    if kind:
        label = _("With agreements") if kind == "any" else AgreementKind(kind).label
        parts.append(str(label))
    if figure.get("followup"):
        parts.append(str(FOLLOWUP_LABELS[figure["followup"]]))
    if figure.get("consultant") is not None:
        parts.append(figure["consultant"].name)
    if figure.get("phoner") == "none":
        parts.append(str(_("Booked by no one")))
    elif figure.get("phoner"):
        user = get_user_model().objects.filter(pk=int(figure["phoner"])).first()
        name = (user.get_full_name() or user.get_username()) if user else figure["phoner"]
        parts.append(str(_("Booked by %(name)s") % {"name": name}))
    if figure.get("lead") is not None:
        parts.append(str(_("Lead time %(bin)s days") % {"bin": bin_label(figure["lead"])}))
    if figure.get("survey"):
        parts.append(str(_("Survey answered")))
    if figure.get("ended"):
        parts.append(str(_("Time passed")))
    return parts
