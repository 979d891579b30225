# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every BankID hint code and error code maps to the recommended user message."""

import pytest

from synapse_hubs.eid.bankid_messages import (
    RFA_MESSAGES,
    message_for,
    message_for_error,
)

# (collect status, hint code, we auto-started the app, expected RFA)
HINTS = [
    ("pending", "outstandingTransaction", False, "RFA1"),
    ("pending", "outstandingTransaction", True, "RFA13"),
    ("pending", "noClient", False, "RFA1"),
    ("pending", "started", False, "RFA15"),
    ("pending", "started", True, "RFA14"),
    ("pending", "userSign", False, "RFA9"),
    ("pending", "userMrtd", False, "RFA23"),
    ("pending", "userCallConfirm", False, "RFA21"),
    ("pending", "someFutureHint", False, "RFA21"),
    ("pending", None, False, "RFA21"),
    ("failed", "expiredTransaction", False, "RFA8"),
    ("failed", "certificateErr", False, "RFA16"),
    ("failed", "userCancel", False, "RFA6"),
    ("failed", "cancelled", False, "RFA3"),
    ("failed", "startFailed", False, "RFA17"),
    ("failed", "someFutureHint", False, "RFA22"),
]

ERRORS = [
    ("alreadyInProgress", "RFA4"),
    ("internalError", "RFA5"),
    ("maintenance", "RFA5"),
    ("requestTimeout", "RFA5"),
    ("invalidParameters", None),
    ("unauthorized", None),
    ("notFound", None),
    ("unsupportedMediaType", None),
]


@pytest.mark.parametrize(("status", "hint", "auto_started", "rfa"), HINTS)
def test_hint_code_maps_to_rfa(status, hint, auto_started, rfa):
    message = message_for(status, hint, auto_started=auto_started)

    assert message.rfa == rfa
    assert message.text("sv") == RFA_MESSAGES[rfa]["sv"]
    assert message.text("en") == RFA_MESSAGES[rfa]["en"]


@pytest.mark.parametrize(("error_code", "rfa"), ERRORS)
def test_error_code_maps_to_rfa(error_code, rfa):
    message = message_for_error(error_code)

    assert (message.rfa if message else None) == rfa


@pytest.mark.parametrize("rfa", sorted(RFA_MESSAGES))
def test_every_message_has_swedish_and_english(rfa):
    texts = RFA_MESSAGES[rfa]

    assert texts["sv"].strip()
    assert texts["en"].strip()
    assert texts["sv"] != texts["en"]
