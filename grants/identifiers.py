"""Swedish identifiers: organisationsnummer, bankgiro and plusgiro.

python-stdnum does the checksum arithmetic (Luhn); which legal-form digit each organisation type
carries is in grants.organisation_types.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from grants.organisation_types import LEGAL_FORM_DIGITS, OrganisationType


def _digits(value: str) -> str:
    return "".join(ch for ch in str(value) if not ch.isspace() and ch not in "-+")


def normalise_org_number(value: str) -> str:
    """Return the number as NNNNNN-NNNN, or raise ValidationError saying what is wrong.

    Accepts 212000-2742, 2120002742 and the twelve-digit form with the century prefix 16.
    """
    digits = _digits(value)
    if not digits.isdigit():
        raise ValidationError(
            _("An organisation number has only digits and one hyphen, e.g. 212000-2742."),
            code="invalid_characters",
        )
    if len(digits) == 12:
        if not digits.startswith("16"):
            raise ValidationError(
                _("A twelve-digit organisation number starts with 16."), code="invalid_century"
            )
        digits = digits[2:]
    if len(digits) != 10:
        raise ValidationError(
            _("An organisation number has 10 digits (you gave %(count)s).")
            % {"count": len(digits)},
            code="invalid_length",
        )
    if digits[2] < "2":
        raise ValidationError(
            _(
                "The third digit of an organisation number is at least 2; this looks like a personal identity number."
            ),
            code="invalid_third_digit",
        )
    try:
        luhn.validate(digits)
    except (InvalidChecksum, StdnumError) as exc:
        raise ValidationError(
            _("The check digit does not match: check the number for a typing error."),
            code="invalid_checksum",
        ) from exc
    return f"{digits[:6]}-{digits[6:]}"


def validate_org_number(value: str) -> None:
    normalise_org_number(value)


def check_legal_form(org_number: str, org_type: str) -> None:
    """The first digit tells the legal form; it must fit the organisation type."""
    allowed = LEGAL_FORM_DIGITS.get(org_type)
    if not allowed:
        return
    first = _digits(org_number)[-10]
    if first not in allowed:
        raise ValidationError(
            _(
                "An organisation of type %(type)s has an organisation number that starts with "
                "%(expected)s, but this one starts with %(found)s."
            )
            % {
                "type": OrganisationType(org_type).label,
                "expected": _(" or ").join(allowed),
                "found": first,
            },
            code="legal_form_mismatch",
        )


def _normalise_giro(value: str, *, name, min_len: int, max_len: int) -> str:
    digits = _digits(value)
    if not digits.isdigit():
        raise ValidationError(
            _("A %(name)s number has only digits and a hyphen.") % {"name": name},
            code="invalid_characters",
        )
    if not min_len <= len(digits) <= max_len:
        raise ValidationError(
            _("A %(name)s number has %(min)s to %(max)s digits (you gave %(count)s).")
            % {"name": name, "min": min_len, "max": max_len, "count": len(digits)},
            code="invalid_length",
        )
    try:
        luhn.validate(digits)
    except (InvalidChecksum, StdnumError) as exc:
        raise ValidationError(
            _("The check digit of the %(name)s number does not match: check it for a typing error.")
            % {"name": name},
            code="invalid_checksum",
        ) from exc
    return digits


def normalise_bankgiro(value: str) -> str:
    """Bankgiro: 7 or 8 digits, Luhn. Returned as NNN-NNNN or NNNN-NNNN."""
    digits = _normalise_giro(value, name=_("bankgiro"), min_len=7, max_len=8)
    return f"{digits[:-4]}-{digits[-4:]}"


def normalise_plusgiro(value: str) -> str:
    """Plusgiro: 2 to 8 digits, Luhn. Returned with the check digit after a hyphen."""
    digits = _normalise_giro(value, name=_("plusgiro"), min_len=2, max_len=8)
    return f"{digits[:-1]}-{digits[-1]}"


def validate_bankgiro(value: str) -> None:
    normalise_bankgiro(value)


def validate_plusgiro(value: str) -> None:
    normalise_plusgiro(value)
