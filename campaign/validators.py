"""Validation of Danish company identifiers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def cvr_is_valid(value: str) -> bool:
    """True for an 8-digit CVR number whose modulus-11 check holds."""
    if not isinstance(value, str) or len(value) != 8 or not value.isascii() or not value.isdigit():
        return False
    if value[0] == "0":
        return False
    return sum(int(d) * w for d, w in zip(value, CVR_WEIGHTS, strict=True)) % 11 == 0


def validate_cvr(value: str) -> None:
    if not isinstance(value, str) or len(value) != 8:
        raise ValidationError(_("A CVR number has exactly 8 digits."), code="cvr_length")
    if not (value.isascii() and value.isdigit()):
        raise ValidationError(_("A CVR number has digits only."), code="cvr_digits")
    if not cvr_is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid CVR number (check digit)."),
            code="cvr_check_digit",
            params={"value": value},
        )
