"""The rows of the phoner statistics (reports/phoners.html) as tags, not included templates:
over all campaigns the page has thousands of script rows, and an include and two
blocktranslates per row took most of its time. The HTML is what the templates gave."""

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

DASH = "–"


def _percent(part: int, whole: int) -> str:
    """As {% widthratio part whole 100 %}% gives it: rounded to a whole per cent."""
    return f"{round(part / whole * 100)}%"


def _whole(n: int) -> str:
    """A count as {{ n }} shows it (number_format is slow, and without grouping it is str)."""
    return number_format(n) if settings.USE_THOUSAND_SEPARATOR else str(n)


@register.simple_tag
def phoner_figures(row) -> str:
    """Calls, hours, calls per hour, contacts, bookings and booking rate, one <td> each."""
    figures = (
        _whole(row.calls),
        _whole(row.hours),
        floatformat(row.calls_per_hour, 1) if row.calls_per_hour is not None else DASH,
        _whole(row.contacts),
        _whole(row.bookings),
        _percent(row.bookings, row.contacts) if row.booking_rate is not None else DASH,
    )
    # Numbers, a dash and a per cent sign only: nothing to escape.
    return mark_safe("\n".join(f'<td class="text-end">{f}</td>' for f in figures))  # noqa: S308


@register.simple_tag
def script_label(script, campaign, track) -> str:
    """ "Campaign, track 2, script version 3": what the page's choice leaves open."""
    if not script.script_id:
        return gettext("no script recorded")
    parts = []
    if not campaign:
        parts.append(str(script.campaign))
    if not track:
        parts.append(gettext("track %(track)s") % {"track": script.track})
    parts.append(gettext("script version %(version)s") % {"version": script.version})
    return ", ".join(parts)
