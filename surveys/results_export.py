"""The companies' comments and the export of survey answers, for agency staff: read from the
same responses as surveys.results (the same filters and scope), with free text masked.

Both read their rows in a fixed number of queries, whatever the number of responses."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.utils import timezone

from bookings.models import Attendee
from surveys.masking import mask
from surveys.models import Answer, Invitation, Question
from surveys.results import ResultsFilter, question_catalogue, submitted_in

COMMENTS_PER_PAGE = 20
MULTIPLE_SEPARATOR = " | "

Kind = Question.Kind


# --- Comments --------------------------------------------------------------------------------


@dataclass
class Comment:
    text: str  # masked
    question_key: str
    survey_key: str
    submitted_at: dt.datetime | None
    visit_date: dt.date | None
    jobcentre: str
    track: str


@dataclass
class CommentPage:
    comments: list[Comment]
    count: int
    page: int
    pages: int


def _with_people(invitations: str = "") -> list[str]:
    """select_related paths for an invitation's survey, campaign, place and the people
    whose names are masked; `invitations` is the path to the invitation."""
    p = invitations
    return [
        f"{p}survey",
        f"{p}campaign",
        f"{p}booking__company",
        f"{p}booking__jobcentre__rar_area",
        f"{p}consultant__jobcentre__rar_area",
        f"{p}jobcentre__rar_area",
    ]


def _attendees(invitations: str = "") -> Prefetch:
    return Prefetch(
        f"{invitations}booking__attendees", queryset=Attendee.objects.select_related("consultant")
    )


def names_of(invitation: Invitation) -> list[str]:
    """The people an invitation's answers may name: the company's contact, the visit's
    consultants, the consultant asked."""
    names = []
    booking = invitation.booking
    if booking is not None:
        names += [booking.contact_name, booking.company.contact_name]
        names += [attendee.consultant.name for attendee in booking.attendees.all()]
    if invitation.consultant is not None:
        names.append(invitation.consultant.name)
    return [name for name in names if name]


def _place(invitation: Invitation):
    """The jobcentre an invitation belongs to (see _place_q), or None."""
    if invitation.booking is not None:
        return invitation.booking.jobcentre
    if invitation.consultant is not None:
        return invitation.consultant.jobcentre
    return invitation.jobcentre


def survey_comments(
    *, user, filters: ResultsFilter, page: int | str = 1, per_page: int = COMMENTS_PER_PAGE
) -> CommentPage:
    """The free-text answers, masked, newest response first, one page."""
    answers = (
        Answer.objects.filter(invitation__in=submitted_in(user, filters), question__kind=Kind.TEXT)
        .exclude(value="")
        .select_related("question", *_with_people("invitation__"))
        .prefetch_related(_attendees("invitation__"))
        .order_by("-invitation__submitted_at", "-pk")
    )
    paginator = Paginator(answers, per_page)
    current = paginator.get_page(page)
    comments = []
    for answer in current.object_list:
        invitation = answer.invitation
        booking = invitation.booking
        place = _place(invitation)
        text = answer.value if isinstance(answer.value, str) else json.dumps(answer.value)
        comments.append(
            Comment(
                text=mask(text, names_of(invitation)),
                question_key=answer.question.key,
                survey_key=invitation.survey.key,
                submitted_at=invitation.submitted_at,
                visit_date=timezone.localdate(booking.starts_at) if booking else None,
                jobcentre=place.name if place else "",
                track=booking.track if booking else invitation.survey.track,
            )
        )
    return CommentPage(
        comments=comments, count=paginator.count, page=current.number, pages=paginator.num_pages
    )


# --- Export ----------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "invitation",
    "survey",
    "survey_version",
    "campaign",
    "track",
    "booking",
    "company_cvr",
    "jobcentre",
    "rar_area",
    "visit_date",
    "outcome",
    "submitted_at",
)


def _cell(value: Any, kind: str, names: list[str]) -> Any:
    if value is None:
        return None
    if kind == Kind.TEXT:
        return mask(value if isinstance(value, str) else json.dumps(value), names)
    if isinstance(value, list):
        return MULTIPLE_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def export_table(*, user, filters: ResultsFilter) -> tuple[list[str], Iterator[list[Any]]]:
    """One row per response with the visit's keys, then one column per question key (every
    version's), multiple choices joined with " | ", free text masked."""
    keys = list(question_catalogue(user, filters))
    submitted = submitted_in(user, filters)
    values: dict[int, dict[str, tuple[str, Any]]] = defaultdict(dict)
    for invitation_id, key, kind, value in Answer.objects.filter(
        invitation__in=submitted
    ).values_list("invitation_id", "question__key", "question__kind", "value"):
        values[invitation_id][key] = (kind, value)
    invitations = (
        submitted.select_related(*_with_people(), "booking__outcome")
        .prefetch_related(_attendees())
        .order_by("submitted_at", "pk")
    )

    def rows() -> Iterator[list[Any]]:
        for invitation in invitations:
            booking = invitation.booking
            place = _place(invitation)
            outcome = getattr(booking, "outcome", None) if booking else None
            names = names_of(invitation)
            answers = values.get(invitation.pk, {})
            yield [
                invitation.pk,
                invitation.survey.key,
                invitation.survey.version,
                invitation.campaign.name,
                booking.track if booking else invitation.survey.track,
                booking.pk if booking else None,
                booking.company.cvr if booking else None,
                place.name if place else None,
                place.rar_area.name if place else None,
                timezone.localdate(booking.starts_at) if booking else None,
                outcome.kind if outcome else None,
                invitation.submitted_at,
                *[
                    _cell(answers[key][1], answers[key][0], names) if key in answers else None
                    for key in keys
                ],
            ]

    return [*EXPORT_COLUMNS, *keys], rows()
