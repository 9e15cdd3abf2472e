import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from grants.identifiers import (
    check_legal_form,
    normalise_bankgiro,
    normalise_org_number,
    normalise_plusgiro,
)


@pytest.mark.parametrize("value", ["212000-2742", "2120002742", "16212000-2742", "162120002742"])
def test_org_number_accepts_the_usual_forms(value):
    assert normalise_org_number(value) == "212000-2742"


def test_org_number_rejects_a_wrong_check_digit():
    with pytest.raises(ValidationError) as exc:
        normalise_org_number("212000-2743")
    assert exc.value.code == "invalid_checksum"


@pytest.mark.parametrize("value", ["212000-274", "21200027421", "12345"])
def test_org_number_rejects_a_wrong_length(value):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        normalise_org_number(value)
    assert exc.value.code == "invalid_length"
    assert "10" in exc.value.messages[0]


def test_org_number_rejects_letters():
    with pytest.raises(ValidationError) as exc:
        normalise_org_number("21200A-2742")
    assert exc.value.code == "invalid_characters"


def test_org_number_rejects_a_twelve_digit_form_without_16():
    with pytest.raises(ValidationError) as exc:
        normalise_org_number("192120002742")
    assert exc.value.code == "invalid_century"


def test_org_number_rejects_a_personal_identity_number():
    # 811218-9876 is a person's number (month 12): the third digit is below 2.
    with pytest.raises(ValidationError) as exc:
        normalise_org_number("811218-9876")
    assert exc.value.code == "invalid_third_digit"


@pytest.mark.parametrize(
    ("org_type", "number"),
    [
        ("kommun", "212000-2742"),
        ("region", "212000-2742"),
        ("kommunalforbund", "212000-2742"),
        ("trossamfund", "212000-2742"),
        ("ideell_forening", "802000-2740"),
        ("stiftelse", "802000-2740"),
        ("trossamfund", "802000-2740"),
    ],
)
def test_legal_form_digit_that_fits_the_type_is_accepted(org_type, number):
    check_legal_form(number, org_type)


@pytest.mark.parametrize(
    ("org_type", "number", "expected"),
    [
        ("kommun", "802000-2740", "2"),
        ("ideell_forening", "212000-2742", "8"),
        ("stiftelse", "556036-0793", "8"),
        ("kommunalforbund", "556036-0793", "2"),
    ],
)
def test_legal_form_digit_that_does_not_fit_names_the_expected_digit(org_type, number, expected):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        check_legal_form(number, org_type)
    assert exc.value.code == "legal_form_mismatch"
    message = exc.value.messages[0]
    assert f"starts with {expected}" in message
    assert f"this one starts with {number[0]}" in message


def test_legal_form_message_is_translated_to_swedish():
    with translation.override("sv"), pytest.raises(ValidationError) as exc:
        check_legal_form("212000-2742", "ideell_forening")
    assert "börjar med 8" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5050-0057", "5050-0057"), ("50500057", "5050-0057"), ("902-0017", "902-0017")],
)
def test_bankgiro_accepts_seven_and_eight_digits(value, expected):
    assert normalise_bankgiro(value) == expected


def test_bankgiro_rejects_a_wrong_check_digit():
    with pytest.raises(ValidationError) as exc:
        normalise_bankgiro("5050-0058")
    assert exc.value.code == "invalid_checksum"


@pytest.mark.parametrize("value", ["123456", "123456789"])
def test_bankgiro_rejects_a_wrong_length(value):
    with pytest.raises(ValidationError) as exc:
        normalise_bankgiro(value)
    assert exc.value.code == "invalid_length"


@pytest.mark.parametrize(
    ("value", "expected"), [("9001-9", "9001-9"), ("90019", "9001-9"), ("18", "1-8")]
)
def test_plusgiro_accepts_two_to_eight_digits(value, expected):
    assert normalise_plusgiro(value) == expected


def test_plusgiro_rejects_a_wrong_check_digit():
    with pytest.raises(ValidationError) as exc:
        normalise_plusgiro("9001-8")
    assert exc.value.code == "invalid_checksum"


@pytest.mark.parametrize("value", ["1", "123456789"])
def test_plusgiro_rejects_a_wrong_length(value):
    with pytest.raises(ValidationError) as exc:
        normalise_plusgiro(value)
    assert exc.value.code == "invalid_length"
