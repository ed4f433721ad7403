"""Cleaning and validating the rows of a company file, one row at a time.

A row's cells are cleaned into values (CVR, employees, sites, municipality, phone, e-mail,
postcode, dates) and every problem recorded as an issue: a message code with the column it
concerns and its parameters (MESSAGES), translated only when shown (issue_text). A clean row
is checked against the track's eligibility rules and against what the database already
knows about its company (call lists of the campaign, recent calls and bookings, do not
contact), read for the whole file in a few queries (known_about), never per row.
"""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from campaign.import_files import COLUMNS
from campaign.models import CallAttempt, CallListEntry, Campaign, Company, Track
from campaign.validators import validate_cvr
from consultants.models import Municipality

# Lookups by CVR go in chunks, so a query never carries more parameters than a database takes.
LOOKUP_CHUNK = 5_000

TRACK2_MIN_EMPLOYEES = 5
TRACK2_MAX_EMPLOYEES = 100
TRACK1_MIN_EMPLOYEES = 101  # "more than 100"
MAX_EMPLOYEES = 2_000_000  # no Danish firm is larger; beyond it the cell is a typing error
MAX_SITES = 32_767  # the column is a small integer
TEXT_MAX_LENGTH = {
    "name": 200,
    "address": 200,
    "city": 60,
    "contact_name": 120,
    "contact_role": 120,
    "email": 254,
}


class DuplicateKind:
    FILE = "file"
    CALL_LIST = "call_list"
    RECENT_CONTACT = "recent_contact"
    DO_NOT_CONTACT = "do_not_contact"

    labels = {
        FILE: _("Twice in the file"),
        CALL_LIST: _("Already on a call list of this campaign"),
        RECENT_CONTACT: _("Contacted recently"),
        DO_NOT_CONTACT: _("Do not contact"),
    }


# Every message a row can carry, by code. Parameters: field (a column), value, row, date,
# days, employees, sites, jobcentre, track.
MESSAGES = {
    "required": _("%(field)s is missing."),
    "cvr_length": _("A CVR number has exactly 8 digits."),
    "cvr_digits": _("A CVR number has digits only."),
    "cvr_check_digit": _("%(value)s is not a valid CVR number (check digit)."),
    "whole_number": _("%(field)s must be a whole number of 0 or more, not “%(value)s”."),
    "too_large": _("%(field)s is too large: %(value)s."),
    "sites_min": _("A firm has at least 1 site, not %(value)s."),
    "municipality_unknown": _("There is no municipality with the code %(value)s."),
    "phone": _("“%(value)s” is not a Danish phone number (8 digits, optionally with +45)."),
    "email": _("“%(value)s” is not a valid e-mail address."),
    "postcode": _("“%(value)s” is not a postcode (4 digits)."),
    "too_long": _("%(field)s is longer than %(max)s characters."),
    "date": _("“%(value)s” is not a date (write 2025-03-31 or 31-03-2025)."),
    "date_future": _("%(field)s is in the future: %(date)s."),
    "track2_employees": _("%(employees)s employees: track 2 is for firms with 5 to 100 employees."),
    "track2_recent_cooperation": _(
        "Worked with a jobcentre on %(date)s: track 2 is for firms that have not done so "
        "in the last 12 months."
    ),
    "track1_employees": _(
        "%(employees)s employees: track 1 is for firms with more than 100 employees."
    ),
    "track2_eligible": _(
        "Track 2: %(employees)s employees, no jobcentre cooperation in the last 12 months."
    ),
    "track1_eligible": _("Track 1: %(employees)s employees, %(sites)s site(s)."),
    "track1_one_site": _("One site only: probably irrelevant for Jobservice Danmark."),
    "dup_file": _("The same CVR number as row %(row)s."),
    "dup_call_list": _("Already on the call list of %(jobcentre)s, %(track)s."),
    "dup_recent_call": _("Called on %(date)s, within the last %(days)s days."),
    "dup_recent_booking": _("A visit was booked on %(date)s, within the last %(days)s days."),
    "dup_do_not_contact": _("The company asked not to be contacted."),
}


def issue(code: str, field: str | None = None, **params) -> dict:
    """A message as stored in a row: its code, the column it concerns and its parameters."""
    result = {"code": code, "params": params}
    if field:
        result["field"] = field
    return result


def issue_text(item: dict) -> str:
    """The message of a stored issue, in the active language."""
    params = dict(item.get("params") or {})
    if item.get("field") in COLUMNS:
        params["field"] = capfirst(COLUMNS[item["field"]][0])
    if params.get("date"):
        params["date"] = formats.date_format(
            dt.date.fromisoformat(params["date"]), "SHORT_DATE_FORMAT"
        )
    if params.get("track"):
        params["track"] = Track(params["track"]).label
    return str(MESSAGES.get(item["code"], _("Invalid value."))) % params


def clean_cvr(text: str) -> str:
    value = re.sub(r"\s", "", text)
    return value[2:] if value[:2].upper() == "DK" else value


def _whole_number(text: str) -> int | None:
    value = re.sub(r"\s", "", text)
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", value):  # Danish thousands: 1.200
        value = value.replace(".", "")
    return int(value) if value.isascii() and value.isdigit() else None


def _clean_phone(text: str) -> str | None:
    """'23 45 67 89' for any spelling of an 8-digit Danish number, optionally with +45."""
    value = re.sub(r"[\s\-./()]", "", text)
    if value.startswith("+45"):
        value = value[3:]
    elif value.startswith("0045"):
        value = value[4:]
    elif len(value) == 10 and value.startswith("45"):  # +45 lost in a number cell
        value = value[2:]
    if len(value) != 8 or not (value.isascii() and value.isdigit()):
        return None
    return " ".join(value[i : i + 2] for i in range(0, 8, 2))


def _clean_date(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def clean_row(raw: dict, municipalities: dict[int, dict], today: dt.date):
    """The row's values, cleaned, and the problems found in them."""
    values: dict = {}
    errors: list[dict] = []

    cvr = clean_cvr(raw["cvr"])
    if not cvr:
        errors.append(issue("required", "cvr"))
    else:
        try:
            validate_cvr(cvr)
        except ValidationError as exc:
            errors.append(issue(exc.code, "cvr", value=cvr))
    values["cvr"] = cvr

    for field in ("name", "address", "city", "contact_name", "contact_role"):
        values[field] = " ".join(raw[field].split())
    if not values["name"]:
        errors.append(issue("required", "name"))

    for field in ("employees", "sites"):
        text = raw[field]
        if not text:
            if field == "employees":
                errors.append(issue("required", field))
            values[field] = 1 if field == "sites" else None
            continue
        number = _whole_number(text)
        if number is None:
            errors.append(issue("whole_number", field, value=text))
        elif number > (MAX_EMPLOYEES if field == "employees" else MAX_SITES):
            errors.append(issue("too_large", field, value=text))
            number = None
        elif field == "sites" and number < 1:
            errors.append(issue("sites_min", field, value=text))
        values[field] = number

    code_text = raw["municipality_code"]
    code = _whole_number(code_text)
    values["municipality_code"] = code
    if not code_text:
        errors.append(issue("required", "municipality_code"))
    elif code not in municipalities:
        errors.append(issue("municipality_unknown", "municipality_code", value=code_text))

    values["phone"] = ""
    if raw["phone"]:
        values["phone"] = _clean_phone(raw["phone"]) or ""
        if not values["phone"]:
            errors.append(issue("phone", "phone", value=raw["phone"]))

    values["email"] = raw["email"]
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors.append(issue("email", "email", value=raw["email"]))

    values["postcode"] = re.sub(r"^DK-?", "", raw["postcode"].replace(" ", ""), flags=re.I)
    if values["postcode"] and not re.fullmatch(r"[0-9]{4}", values["postcode"]):
        errors.append(issue("postcode", "postcode", value=raw["postcode"]))

    for field, limit in TEXT_MAX_LENGTH.items():
        if len(values[field]) > limit:
            errors.append(issue("too_long", field, max=limit))

    values["last_cooperation"] = None
    if raw["last_cooperation"]:
        day = _clean_date(raw["last_cooperation"])
        if day is None:
            errors.append(issue("date", "last_cooperation", value=raw["last_cooperation"]))
        elif day > today:
            errors.append(issue("date_future", "last_cooperation", date=day.isoformat()))
        else:
            values["last_cooperation"] = day.isoformat()
    return values, errors


def eligibility(track: str, values: dict, today: dt.date) -> tuple[dict, bool, list[dict]]:
    """Whether the firm fits the track: (the reason shown, eligible, flags)."""
    employees, sites = values["employees"], values["sites"]
    if track == Track.JOBCENTRE:
        if not TRACK2_MIN_EMPLOYEES <= employees <= TRACK2_MAX_EMPLOYEES:
            return issue("track2_employees", employees=employees), False, []
        last = values["last_cooperation"]
        if last and dt.date.fromisoformat(last) >= _one_year_before(today):
            return issue("track2_recent_cooperation", date=last), False, []
        return issue("track2_eligible", employees=employees), True, []
    if employees < TRACK1_MIN_EMPLOYEES:
        return issue("track1_employees", employees=employees), False, []
    # Jobservice Danmark was found irrelevant to big firms without spread-out sites: flag,
    # and let the agency decide.
    flags = [issue("track1_one_site")] if sites == 1 else []
    return issue("track1_eligible", employees=employees, sites=sites), True, flags


def chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


@dataclass
class _Known:
    """What the database knows about the file's companies, read in a few queries."""

    municipalities: dict[int, dict]
    companies: dict[str, dict]
    on_list: dict[str, dict]
    last_call: dict[str, dt.datetime]
    last_booking: dict[str, dt.datetime]


def known_about(campaign: Campaign, cvrs: list[str]) -> _Known:
    municipalities = {
        code: {"name": name, "jobcentre_id": jobcentre_id, "jobcentre": jobcentre}
        for code, name, jobcentre_id, jobcentre in Municipality.objects.values_list(
            "code", "name", "jobcentre_id", "jobcentre__name"
        )
    }
    known = _Known(municipalities, {}, {}, {}, {})
    since = timezone.now() - dt.timedelta(days=campaign.recontact_days)
    for chunk in chunks(cvrs):
        for pk, cvr, do_not_contact in Company.objects.filter(cvr__in=chunk).values_list(
            "pk", "cvr", "do_not_contact"
        ):
            known.companies[cvr] = {"id": pk, "do_not_contact": do_not_contact}
        entries = CallListEntry.objects.filter(
            call_list__campaign=campaign, company__cvr__in=chunk
        ).values_list("company__cvr", "call_list__jobcentre__name", "call_list__track")
        for cvr, jobcentre, track in entries:
            known.on_list[cvr] = {"jobcentre": jobcentre, "track": track}
        if not campaign.recontact_days:
            continue
        calls = (
            CallAttempt.objects.filter(entry__company__cvr__in=chunk, called_at__gte=since)
            .values_list("entry__company__cvr")
            .annotate(last=Max("called_at"))
        )
        known.last_call.update(calls)
        # Bookings through the reverse relation: campaign does not import the bookings app.
        bookings = (
            Company.objects.filter(cvr__in=chunk, bookings__booked_at__gte=since)
            .values_list("cvr")
            .annotate(last=Max("bookings__booked_at"))
        )
        known.last_booking.update(bookings)
    return known


def duplicates(cvr: str, first_row: int | None, known: _Known, days: int) -> list[dict]:
    found = []
    if first_row is not None:
        found.append({**issue("dup_file", row=first_row), "kind": DuplicateKind.FILE})
    if cvr in known.on_list:
        found.append(
            {**issue("dup_call_list", **known.on_list[cvr]), "kind": DuplicateKind.CALL_LIST}
        )
    if cvr in known.last_call:
        day = timezone.localdate(known.last_call[cvr]).isoformat()
        found.append(
            {**issue("dup_recent_call", date=day, days=days), "kind": DuplicateKind.RECENT_CONTACT}
        )
    if cvr in known.last_booking:
        day = timezone.localdate(known.last_booking[cvr]).isoformat()
        found.append(
            {
                **issue("dup_recent_booking", date=day, days=days),
                "kind": DuplicateKind.RECENT_CONTACT,
            }
        )
    if known.companies.get(cvr, {}).get("do_not_contact"):
        found.append({**issue("dup_do_not_contact"), "kind": DuplicateKind.DO_NOT_CONTACT})
    return found
