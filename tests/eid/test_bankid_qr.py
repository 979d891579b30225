# SPDX-License-Identifier: AGPL-3.0-or-later
"""BankID animated QR content against the published known-answer vector."""

from synapse_hubs.eid.bankid_qr import qr_auth_code, qr_content

SECRET = "d28db9a7-4cde-429e-a983-359be676944c"
CODE_AT_0 = "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
CODE_AT_1 = "949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2"
TOKEN = "67df3917-fa0d-44e5-b327-edcc928297f8"
ORDER_TIME = 1_767_225_600.0


def test_auth_code_matches_vector():
    assert qr_auth_code(SECRET, 0) == CODE_AT_0
    assert qr_auth_code(SECRET, 1) == CODE_AT_1


def test_content_at_frozen_clock():
    assert qr_content(TOKEN, SECRET, ORDER_TIME, ORDER_TIME) == f"bankid.{TOKEN}.0.{CODE_AT_0}"
    assert qr_content(TOKEN, SECRET, ORDER_TIME, ORDER_TIME + 0.999) == \
        f"bankid.{TOKEN}.0.{CODE_AT_0}"
    assert qr_content(TOKEN, SECRET, ORDER_TIME, ORDER_TIME + 1.0) == \
        f"bankid.{TOKEN}.1.{CODE_AT_1}"


def test_content_counts_whole_seconds():
    content = qr_content(TOKEN, SECRET, ORDER_TIME, ORDER_TIME + 27.6)

    assert content.split(".")[2] == "27"
    assert content.split(".")[3] == qr_auth_code(SECRET, 27)


def test_content_never_contains_secret():
    assert SECRET not in qr_content(TOKEN, SECRET, ORDER_TIME, ORDER_TIME + 3)
