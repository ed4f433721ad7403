"""Masking personal data in free-text answers before anyone reads them in the results or an
export: e-mail addresses, phone numbers (and other long digit runs, such as CPR numbers),
CVR numbers, and the names of the people the visit was with.

It errs on the side of hiding: a long number that is not a phone number (an eight-digit
amount, "2015 2016") is masked too, and a given name masks the same word wherever it
stands. What it cannot know (a name nobody told it) it leaves."""

import re
from collections.abc import Iterable

EMAIL_MARK = "[e-mail]"
PHONE_MARK = "[phone]"
CVR_MARK = "[CVR]"
NAME_MARK = "[…]"

# Digits may be split by one space, hyphen or no-break space (12 34 56 78, 1234-5678).
_SEP = r"[ \u00a0\-]"
_DIGITS = rf"\d(?:{_SEP}?\d)"

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# "CVR 12345678", "CVR-nr. 12 34 56 78", "cvr.nr.: 12345678", "SE-nr 12345678".
CVR = re.compile(
    rf"\b(?P<label>(?:cvr|se)(?:[ .\-]*(?:nr|nummer)\.?)?[ .:\-]*){_DIGITS}{{7,}}(?!\d)",
    re.IGNORECASE,
)
# A Danish number with or without +45 / 0045 / (+45), or any run of 8 or more digits.
PHONE = re.compile(rf"(?<!\d)(?:\(?(?:\+|00){_SEP}?45\)?{_SEP}?)?{_DIGITS}{{7,}}(?!\d)")
# A phone number with a country code other than Denmark's: +46 70 123 45 67.
FOREIGN_PHONE = re.compile(rf"(?<!\d)(?:\+|00)\d{{1,3}}{_SEP}?{_DIGITS}{{5,}}(?!\d)")
# The shortest name part that is masked: single letters are initials, not names.
NAME_PART_MIN = 2


def _names_pattern(names: Iterable[str]) -> re.Pattern | None:
    """One pattern for every full name and every part of it, longest first, as whole words
    (a genitive -s or -'s included: "Hansens")."""
    words: set[str] = set()
    for name in names:
        name = " ".join((name or "").split())
        if not name:
            continue
        parts = {name, *name.split(" "), *re.split(r"[ \-]+", name)}
        words.update(part for part in parts if len(part) >= NAME_PART_MIN)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:'s|'|s)?(?!\w)", re.IGNORECASE)


def mask(text: str, names: Iterable[str] = ()) -> str:
    """`text` with e-mail addresses, CVR numbers, phone numbers and long digit runs, and the
    given names (case-insensitive, whole words) replaced by markers."""
    if not text:
        return text or ""
    text = EMAIL.sub(EMAIL_MARK, text)
    text = CVR.sub(lambda m: m["label"] + CVR_MARK, text)
    text = FOREIGN_PHONE.sub(PHONE_MARK, text)
    text = PHONE.sub(PHONE_MARK, text)
    pattern = _names_pattern(names)
    if pattern is not None:
        text = pattern.sub(NAME_MARK, text)
    return text
