import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from campaign.validators import cvr_is_valid, validate_cvr
from tests.factories import valid_cvr

# Numbers that pass the modulus-11 rule (weights 2,7,6,5,4,3,2,1).
KNOWN_VALID = ["55133018", "29189854", "10150817"]


@pytest.mark.parametrize("cvr", KNOWN_VALID)
def test_it_accepts_valid_cvr_numbers(cvr):
    validate_cvr(cvr)
    assert cvr_is_valid(cvr)


@pytest.mark.parametrize(
    ("cvr", "code"),
    [
        ("55133019", "cvr_check_digit"),
        ("29189855", "cvr_check_digit"),
        ("5513301", "cvr_length"),
        ("551330188", "cvr_length"),
        ("", "cvr_length"),
        ("5513301a", "cvr_digits"),
        ("5513 018", "cvr_digits"),
        ("５５１３３０１８", "cvr_digits"),  # full-width digits are digits to str.isdigit()
    ],
)
def test_it_rejects_bad_cvr_numbers_with_a_reason(cvr, code):
    with pytest.raises(ValidationError) as raised:
        validate_cvr(cvr)
    assert raised.value.code == code
    assert not cvr_is_valid(cvr)


def test_it_rejects_a_leading_zero():
    # 00000000 satisfies modulus 11 but is no CVR number.
    assert not cvr_is_valid("00000000")


@given(st.text(max_size=12))
def test_validator_and_predicate_agree_on_any_text(text):
    try:
        validate_cvr(text)
    except ValidationError:
        assert not cvr_is_valid(text)
    else:
        assert cvr_is_valid(text)


@given(st.integers(min_value=0, max_value=7), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_breaks_the_check(position, delta):
    cvr = valid_cvr()
    digit = (int(cvr[position]) + delta) % 10
    changed = cvr[:position] + str(digit) + cvr[position + 1 :]
    assert not cvr_is_valid(changed)
