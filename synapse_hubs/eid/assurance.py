# SPDX-License-Identifier: AGPL-3.0-or-later
"""e-ID methods and levels of assurance (LoA) as Hubs names them.

The levels follow the Swedish trust framework for electronic identification
(Tillitsramverk för Svensk e-legitimation): loa2 is "low" to "substantial",
loa3 is "substantial" (BankID, Freja eID+, SITHS card) and loa4 is "high".
"""

METHODS = ("bankid", "freja", "siths")

LEVELS = ("loa2", "loa3", "loa4")

DEFAULT_MIN_LOA = "loa3"


def loa_rank(level: str) -> int:
    """Return the position of `level` in LEVELS; higher means stronger."""
    return LEVELS.index(level)


def meets_minimum(level: str, minimum: str) -> bool:
    """Return True when `level` is at least as strong as `minimum`."""
    return loa_rank(level) >= loa_rank(minimum)
