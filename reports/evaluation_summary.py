"""The evaluation report's summary in the report's style ("Der blev booket 3.966 besøg ..."):
short sentences built from reports.evaluation's figures with gettext, numbers and dates
formatted for the active language. Facts only: each sentence states figures, never a
judgement of them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext

from bookings.models import AgreementKind
from campaign.models import Track

if TYPE_CHECKING:
    from reports.evaluation import Evaluation


def number(value: int) -> str:
    """A whole number as the report writes it: 3.966 in Danish, 3,966 in English."""
    return number_format(value, force_grouping=True)


def percent(share: float) -> str:
    """A share as a whole percentage, rounded half up as the report does ("66 pct.")."""
    whole = int(round(share * 100, 6) + 0.5)  # round(…, 6): 14.5 stored as 14.4999… is 15
    return gettext("%(percent)s%%") % {"percent": number(whole)}


def _date(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


def summary(ev: Evaluation) -> list[str]:
    """The summary's sentences, facts only, in the active language."""
    sentences: list[str] = []
    period, visits = ev.period, ev.visits
    if period.starts_on and period.ends_on:
        sentence = gettext("The campaign ran from %(start)s to %(end)s.") % {
            "start": _date(period.starts_on),
            "end": _date(period.ends_on),
        }
        if period.first_visit and period.last_visit:
            sentence += " " + gettext("The visits took place from %(first)s to %(last)s.") % {
                "first": _date(period.first_visit),
                "last": _date(period.last_visit),
            }
        sentences.append(sentence)

    p = ev.participation
    if p.jobcentres:
        n = p.jobcentres
        sentences.append(
            ngettext(
                "%(jobcentres)s jobcentre took part in the campaign.",
                "%(jobcentres)s jobcentres took part in the campaign.",
                n,
            )
            % {"jobcentres": number(n)}
        )
    if not visits.booked:
        sentences.append(gettext("No visits were booked for this choice."))
        return sentences
    if p.consultants:
        sentences.append(
            ngettext(
                "Visits were booked in the calendar of %(consultants)s consultant.",
                "Visits were booked in the calendars of %(consultants)s consultants.",
                p.consultants,
            )
            % {"consultants": number(p.consultants)}
        )

    tracks = {t.track: t.booked for t in visits.tracks}
    if len(tracks) == 2:
        sentences.append(
            ngettext(
                "In all, %(booked)s company visit was booked: %(track1)s in track 1 "
                "(Jobservice Danmark) and %(track2)s in track 2 (jobcentres).",
                "In all, %(booked)s company visits were booked: %(track1)s in track 1 "
                "(Jobservice Danmark) and %(track2)s in track 2 (jobcentres).",
                visits.booked,
            )
            % {
                "booked": number(visits.booked),
                "track1": number(tracks[Track.JOBSERVICE]),
                "track2": number(tracks[Track.JOBCENTRE]),
            }
        )
    else:
        sentences.append(
            ngettext(
                "In all, %(booked)s company visit was booked in track %(track)s.",
                "In all, %(booked)s company visits were booked in track %(track)s.",
                visits.booked,
            )
            % {"booked": number(visits.booked), "track": ev.filters.track}
        )

    sentences.append(
        ngettext(
            "%(cancelled)s of the visits (%(share)s) was cancelled after it was booked.",
            "%(cancelled)s of the visits (%(share)s) were cancelled after they were booked.",
            visits.cancelled,
        )
        % {"cancelled": number(visits.cancelled), "share": percent(visits.cancelled_share)}
    )
    split = ev.lead_split
    if split.within.visits and split.beyond.visits:
        sentences.append(
            gettext(
                "Of the visits booked less than %(weeks)s weeks ahead, %(within)s were "
                "cancelled; of those booked %(weeks)s weeks or more ahead, %(beyond)s."
            )
            % {
                "weeks": split.horizon_weeks,
                "within": percent(split.within.cancelled_share),
                "beyond": percent(split.beyond.cancelled_share),
            }
        )
    if visits.no_show_consultant:
        sentences.append(
            ngettext(
                "In %(n)s visit the consultant did not show.",
                "In %(n)s visits the consultant did not show.",
                visits.no_show_consultant,
            )
            % {"n": number(visits.no_show_consultant)}
        )
    else:
        sentences.append(gettext("No visit was registered as a consultant no-show."))

    sentences.append(
        gettext(
            "Outcomes were registered for %(registered)s of the %(booked)s visits booked "
            "(%(share)s)."
        )
        % {
            "registered": number(visits.outcome_registered),
            "booked": number(visits.booked),
            "share": percent(visits.outcome_registered_share),
        }
    )
    agreements = ev.table1.total.agreements
    sentences.append(
        gettext(
            "Positions agreed at the visits, which the companies wanted filled (not hires): "
            "job orders %(job_orders)s, company internships %(internships)s, company places "
            "for refugees %(refugee_places)s."
        )
        % {
            "job_orders": number(agreements[AgreementKind.JOB_ORDER]),
            "internships": number(agreements[AgreementKind.INTERNSHIP]),
            "refugee_places": number(agreements[AgreementKind.REFUGEE_PLACES]),
        }
    )
    followups = ev.followups.total
    if followups.agreed:
        sentences.append(
            ngettext(
                "%(agreed)s follow-up was agreed at the visits: %(on_time)s done on time, "
                "%(late)s done late, %(overdue)s overdue and %(open)s not yet due.",
                "%(agreed)s follow-ups were agreed at the visits: %(on_time)s done on time, "
                "%(late)s done late, %(overdue)s overdue and %(open)s not yet due.",
                followups.agreed,
            )
            % {
                name: number(getattr(followups, name))
                for name in ("agreed", "on_time", "late", "overdue", "open")
            }
        )

    for track, survey in ((1, ev.company_track1), (2, ev.company_track2)):
        if survey is None or not survey.rate.invited:
            continue
        sentence = gettext(
            "In track %(track)s, %(answered)s of the %(invited)s companies invited answered "
            "the survey (%(rate)s)."
        ) % {
            "track": track,
            "answered": number(survey.rate.answered),
            "invited": number(survey.rate.invited),
            "rate": percent(survey.rate.answered_rate),
        }
        if survey.satisfied is not None and survey.dissatisfied is not None:
            sentence += " " + gettext(
                "%(satisfied)s of those who rated the meeting were satisfied or very "
                "satisfied, %(dissatisfied)s dissatisfied or very dissatisfied."
            ) % {
                "satisfied": percent(survey.satisfied),
                "dissatisfied": percent(survey.dissatisfied),
            }
        sentences.append(sentence)

    survey = ev.consultants
    if survey.rate.invited:
        sentence = gettext(
            "%(answered)s of the %(invited)s consultants invited answered their survey (%(rate)s)."
        ) % {
            "answered": number(survey.rate.answered),
            "invited": number(survey.rate.invited),
            "rate": percent(survey.rate.answered_rate),
        }
        quality, effect = survey.share_high("meeting_quality"), survey.share_high("meeting_effect")
        if quality is not None:
            sentence += " " + gettext(
                "%(share)s rated the quality of the meetings good or very good."
            ) % {"share": percent(quality)}
        if effect is not None:
            sentence += " " + gettext(
                "%(share)s rated the effect of the meetings good or very good."
            ) % {"share": percent(effect)}
        sentences.append(sentence)
    return sentences
