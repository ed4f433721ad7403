"""The rows of the phoner statistics (reports/phoners.html) as tags, not included templates:
over all campaigns the page has thousands of script rows, and an include and two
blocktranslates per row took most of its time. The HTML is what the templates gave."""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django import template
from django.conf import settings
from django.utils.formats import get_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

register = template.Library()

DASH = "–"
TENTHS = Decimal("0.1")


def _percent(part: int, whole: int) -> str:
    """As {% widthratio part whole 100 %}% gives it: rounded to a whole per cent."""
    return f"{round(part / whole * 100)}%"


def _whole(n: int) -> str:
    """A count as {{ n }} shows it (number_format is slow, and without grouping it is str)."""
    return number_format(n) if settings.USE_THOUSAND_SEPARATOR else str(n)


def _tenths(value: float, decimal_mark: str) -> str:
    """As {{ value|floatformat:1 }} gives a positive number (rounded half up), without
    floatformat's look-up of the language's formats on every call (a third of the page's
    rendering over all campaigns)."""
    return str(Decimal(repr(value)).quantize(TENTHS, ROUND_HALF_UP)).replace(".", decimal_mark)


@register.simple_tag
def phoner_figures(row) -> str:
    """Calls, hours, calls per hour, contacts, bookings and booking rate, one <td> each."""
    per_hour = row.calls_per_hour
    figures = (
        _whole(row.calls),
        _whole(row.hours),
        _tenths(per_hour, get_format("DECIMAL_SEPARATOR")) if per_hour is not None else DASH,
        _whole(row.contacts),
        _whole(row.bookings),
        _percent(row.bookings, row.contacts) if row.booking_rate is not None else DASH,
    )
    # Numbers, a dash and a per cent sign only: nothing to escape.
    return mark_safe("\n".join(f'<td class="text-end">{f}</td>' for f in figures))  # noqa: S308


@register.simple_tag
def script_label(script, campaign, track) -> str:
    """ "Campaign, track 2, script version 3": what the page's choice leaves open."""
    return _script_label(
        get_language(),
        script.campaign if not campaign else None,
        script.track if not track else None,
        script.version if script.script_id else None,
    )


@lru_cache(maxsize=4096)
def _script_label(language: str, campaign: str | None, track: str | None, version) -> str:
    """Worked out once per language and script: the same few scripts recur for every
    phoner."""
    parts = [campaign] if campaign is not None else []
    if track is not None:
        parts.append(gettext("track %(track)s") % {"track": track})
    if version is not None:
        parts.append(gettext("script version %(version)s") % {"version": version})
    else:
        parts.append(gettext("no script recorded"))
    return ", ".join(parts)
