"""Masking comments: e-mail addresses, phone numbers in every usual form, CVR numbers and the
names of the people of the visit go; the rest of the text stays as it was."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.masking import CVR_MARK, EMAIL_MARK, NAME_MARK, PHONE_MARK, mask


@pytest.mark.parametrize(
    "text, masked",
    [
        ("Ring på 12345678.", f"Ring på {PHONE_MARK}."),
        ("Ring på 12 34 56 78 i morgen", f"Ring på {PHONE_MARK} i morgen"),
        ("tlf. 1234 5678", f"tlf. {PHONE_MARK}"),
        ("tlf: 12-34-56-78", f"tlf: {PHONE_MARK}"),
        ("+45 12 34 56 78", PHONE_MARK),
        ("+4512345678", PHONE_MARK),
        ("0045 12345678", PHONE_MARK),
        ("(+45) 1234 5678", PHONE_MARK),
        ("mobil:+45 20 30 40 50!", f"mobil:{PHONE_MARK}!"),
        ("tlf12345678", f"tlf{PHONE_MARK}"),
        ("Svensk nummer +46 70 123 45 67", f"Svensk nummer {PHONE_MARK}"),
        ("CPR 010190-1234", f"CPR {PHONE_MARK}"),
        ("Kontonr. 1234567890123", f"Kontonr. {PHONE_MARK}"),
        ("Skriv til jens.hansen@firma.dk", f"Skriv til {EMAIL_MARK}"),
        ("<info+kampagne@sub.firma-aps.dk>", f"<{EMAIL_MARK}>"),
        ("mail: JENS@FIRMA.DK.", f"mail: {EMAIL_MARK}."),
        ("a1234567890@firma.dk", EMAIL_MARK),
        ("Vores CVR 12345678", f"Vores CVR {CVR_MARK}"),
        ("CVR-nr. 12 34 56 78", f"CVR-nr. {CVR_MARK}"),
        ("cvr.nr.: 12345678", f"cvr.nr.: {CVR_MARK}"),
        ("CVR: 12345678, tlf 87654321", f"CVR: {CVR_MARK}, tlf {PHONE_MARK}"),
    ],
)
def test_contact_details_are_masked(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Vi har 12 ansatte og fik 3 praktikanter i 2016.",
        "Mødet 12.03.2016 kl. 10.30 varede 45 min.",
        "Kampagnen 2015-16 var god; 4 ud af 5.",
        "Postnummer 8000 Aarhus C",
        "Løn 25.000 kr. om måneden",
        "",
    ],
)
def test_ordinary_numbers_and_text_are_kept(text):
    assert mask(text) == text


def test_given_names_are_masked_as_whole_words_whatever_their_case():
    names = ["Jens Hansen", "Mette Madsen-Berg", "", "B"]
    text = (
        "Jens Hansen og METTE var søde; hansens kollega Madsen-Berg også. "
        "Jensen, Mettes og Bo er ikke dem. B er et bogstav."
    )
    assert mask(text, names) == (
        f"{NAME_MARK} og {NAME_MARK} var søde; {NAME_MARK} kollega {NAME_MARK} også. "
        f"Jensen, {NAME_MARK} og Bo er ikke dem. B er et bogstav."
    )


def test_a_name_with_regex_characters_is_taken_literally():
    assert mask("Hej A.B. Smith (chef)", ["A.B. Smith"]) == f"Hej {NAME_MARK} (chef)"
    assert mask("Hej AxB", ["A.B"]) == "Hej AxB"


# --- Properties ------------------------------------------------------------------------------

# Text without digits or "@": masking leaves it as it is.
plain = st.text(
    alphabet=st.characters(
        categories=["L", "Zs", "P"], exclude_characters="@+", max_codepoint=0x2FFF
    ),
    max_size=40,
)
groupings = st.sampled_from([(8,), (2, 2, 2, 2), (4, 4), (3, 2, 3), (2, 3, 3), (2, 6)])
separators = st.sampled_from([" ", "-", "\u00a0", ""])
prefixes = st.sampled_from(["", "+45 ", "+45", "0045 ", "0045", "(+45) ", "+45-"])


@st.composite
def danish_phone_numbers(draw):
    digits = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    groups, start = [], 0
    for size in draw(groupings):
        groups.append(digits[start : start + size])
        start += size
    return draw(prefixes) + draw(separators).join(groups)


def _spaced(before: str, middle: str, after: str) -> str:
    return f"{before} {middle} {after}"


@given(before=plain, number=danish_phone_numbers(), after=plain)
def test_no_digit_of_a_phone_number_is_left(before, number, after):
    masked = mask(_spaced(before, number, after))
    assert not re.search(r"\d", masked)
    assert masked == _spaced(before, PHONE_MARK, after)


@given(before=plain, digits=st.text(alphabet="0123456789", min_size=8, max_size=20), after=plain)
def test_every_long_digit_run_is_masked(before, digits, after):
    assert mask(_spaced(before, digits, after)) == _spaced(before, PHONE_MARK, after)


@given(before=plain, address=st.emails(), after=plain)
def test_an_email_address_is_masked_whole(before, address, after):
    masked = mask(_spaced(before, address, after))
    assert "@" not in masked
    assert masked == _spaced(before, EMAIL_MARK, after)


@given(text=plain)
def test_text_without_contact_details_is_kept(text):
    assert mask(text) == text


names = st.from_regex(r"[A-ZÆØÅ][a-zæøå]{2,10}", fullmatch=True)


@given(first=names, last=names, before=plain, after=plain, upper=st.booleans())
def test_a_given_name_never_survives_in_any_case(first, last, before, after, upper):
    full = f"{first} {last}"
    written = full.upper() if upper else full.lower()
    masked = mask(_spaced(before, written, after), [full])
    for part in (first, last):
        assert not re.search(rf"(?<!\w){re.escape(part)}(?!\w)", masked, re.IGNORECASE)
