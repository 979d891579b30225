# SPDX-License-Identifier: AGPL-3.0-or-later
"""Animated QR code content for the BankID RP API v6.

The code shown at second t after the order started is
`bankid.<qrStartToken>.<t>.<qrAuthCode>`, where qrAuthCode is the lowercase
hex HMAC-SHA256 of the decimal string of t under the UTF-8 bytes of
qrStartSecret (BankID relying party guidelines, "QR codes"). The secret
never leaves the server; the browser fetches the current content once a
second.
"""

import hashlib
import hmac
import math


def qr_auth_code(qr_start_secret: str, seconds: int) -> str:
    return hmac.new(qr_start_secret.encode("utf-8"), str(seconds).encode("ascii"),
                    hashlib.sha256).hexdigest()


def qr_content(qr_start_token: str, qr_start_secret: str, order_time: float,
               now: float) -> str:
    """Return the QR content for `now`; both times are seconds since the epoch."""
    seconds = max(0, math.floor(now - order_time))
    return f"bankid.{qr_start_token}.{seconds}.{qr_auth_code(qr_start_secret, seconds)}"
