# SPDX-License-Identifier: AGPL-3.0-or-later
"""LiveKit-style object ids: RM_ for rooms, PA_ for participants, TR_ for tracks.

livekit-client recognises participants and tracks in SDP msid values by
these prefixes, so the format matters, not only uniqueness.
"""

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def _random_suffix(length: int = 12) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def room_sid() -> str:
    return "RM_" + _random_suffix()


def participant_sid() -> str:
    return "PA_" + _random_suffix()


def track_sid() -> str:
    return "TR_" + _random_suffix()


def random_ssrc() -> int:
    # Zero is avoided because some stacks treat it as "unset".
    return secrets.randbelow(2**32 - 1) + 1
