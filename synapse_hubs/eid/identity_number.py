# SPDX-License-Identifier: AGPL-3.0-or-later
"""Swedish personal identity numbers (personnummer) and coordination numbers.

Both have the form YYYYMMDD-NNNC. In a coordination number (samordningsnummer)
60 is added to the day of month. C is a Luhn check digit computed over the
ten digits YYMMDDNNN. Providers send the 12 digits without separator. This
module also accepts the 10-digit form and a '-' or '+' separator, and it
returns the 12-digit form.

The number itself must never be stored or logged: the errors raised here
name the problem, never the value.
"""

import re
from dataclasses import dataclass
from datetime import date

_TWELVE_DIGITS = re.compile(r"^(\d{8})[-+]?(\d{4})$")
_TEN_DIGITS = re.compile(r"^(\d{6})([-+]?)(\d{4})$")

COORDINATION_DAY_OFFSET = 60


class InvalidIdentityNumber(ValueError):
    """The value is not a valid Swedish personal identity or coordination number."""


@dataclass(frozen=True)
class IdentityNumber:
    """A validated number in its 12-digit form."""

    digits: str
    is_coordination_number: bool

    def __repr__(self) -> str:
        # Keep the number out of tracebacks and debug output.
        kind = "coordination" if self.is_coordination_number else "personal"
        return f"IdentityNumber(<{kind} number redacted>)"

    __str__ = __repr__


def parse_identity_number(value: str, today: date | None = None) -> IdentityNumber:
    """Validate `value` and return it in 12-digit form, or raise InvalidIdentityNumber."""
    if not isinstance(value, str):
        raise InvalidIdentityNumber("identity number must be a string")

    digits = _to_twelve_digits(value.strip(), today or date.today())
    if not luhn_valid(digits[2:]):
        raise InvalidIdentityNumber("identity number has a wrong check digit")

    day = int(digits[6:8])
    is_coordination = day > COORDINATION_DAY_OFFSET
    if is_coordination:
        day -= COORDINATION_DAY_OFFSET
    _check_date(int(digits[0:4]), int(digits[4:6]), day)

    return IdentityNumber(digits=digits, is_coordination_number=is_coordination)


def luhn_valid(ten_digits: str) -> bool:
    """Check the Luhn digit of YYMMDDNNNC, weights 2,1,2,1,... from the left."""
    total = 0
    for position, character in enumerate(ten_digits):
        product = int(character) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def _to_twelve_digits(value: str, today: date) -> str:
    match = _TWELVE_DIGITS.match(value)
    if match:
        return match.group(1) + match.group(2)

    match = _TEN_DIGITS.match(value)
    if not match:
        raise InvalidIdentityNumber("identity number must have 10 or 12 digits")

    # A 10-digit number leaves out the century: '+' marks a person aged 100
    # or more, otherwise the most recent century that is not in the future.
    short_date, separator, serial = match.groups()
    year = int(short_date[0:2])
    century = (today.year // 100) * 100
    if century + year > today.year:
        century -= 100
    if separator == "+":
        century -= 100
    return f"{century + year:04d}{short_date[2:]}{serial}"


def _check_date(year: int, month: int, day: int) -> None:
    try:
        date(year, month, day)
    except ValueError as error:
        raise InvalidIdentityNumber("identity number contains an invalid date") from error
