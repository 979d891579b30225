# SPDX-License-Identifier: AGPL-3.0-or-later
"""Validation of Swedish personal identity and coordination numbers."""

from datetime import date

import pytest

from synapse_hubs.eid.identity_number import (
    InvalidIdentityNumber,
    luhn_valid,
    parse_identity_number,
)

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize("value", ["19121212-1212", "191212121212", "19121212+1212",
                                   " 191212121212 "])
def test_twelve_digit_forms_normalise(value):
    number = parse_identity_number(value, TODAY)

    assert number.digits == "191212121212"
    assert number.is_coordination_number is False


def test_ten_digit_form_takes_latest_past_century():
    assert parse_identity_number("121212-1212", TODAY).digits == "201212121212"


def test_plus_separator_means_hundred_years_older():
    assert parse_identity_number("121212+1212", TODAY).digits == "191212121212"


def test_coordination_number_is_recognised():
    number = parse_identity_number("191212721219", TODAY)

    assert number.is_coordination_number is True


@pytest.mark.parametrize("value", ["191212121213", "19121212-1213", "121212-1213"])
def test_bad_luhn_digit_is_rejected(value):
    with pytest.raises(InvalidIdentityNumber, match="check digit"):
        parse_identity_number(value, TODAY)


@pytest.mark.parametrize("value", ["", "1912121212123", "19121212-12", "abcdefgh-ijkl",
                                   "191212 121212"])
def test_malformed_value_is_rejected(value):
    with pytest.raises(InvalidIdentityNumber):
        parse_identity_number(value, TODAY)


def test_impossible_date_is_rejected():
    # Month 13, with the check digit that makes the Luhn sum valid.
    check = next(c for c in "0123456789" if luhn_valid("121312121" + c))
    digits = "19121312121" + check
    with pytest.raises(InvalidIdentityNumber, match="date"):
        parse_identity_number(digits, TODAY)


def test_errors_and_repr_hide_the_number():
    number = parse_identity_number("191212121212", TODAY)
    with pytest.raises(InvalidIdentityNumber) as error:
        parse_identity_number("191212121213", TODAY)

    assert "1212" not in repr(number)
    assert "1212" not in str(error.value)
