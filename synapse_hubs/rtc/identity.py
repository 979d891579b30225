# SPDX-License-Identifier: AGPL-3.0-or-later
"""LiveKit identities and room names, derived exactly as element-hq/lk-jwt-service does.

Element Call pairs a Matrix call member with a LiveKit participant only when
the participant's identity equals the one it computes itself, so any
difference here leaves a participant without a tile and without E2EE keys.

Sources: element-hq/lk-jwt-service `helper.go` (Go, v0.5.0 and main as of
2026-07-23) and its later Rust rewrite `src/helper.rs`; matrix-js-sdk 43.0.0
`src/matrixrtc/membershipData/rtc.ts` (`computeRtcIdentityRaw`).

- /sfu/get identity: "{user_id}:{device_id}".
- /get_token identity: unpadded base64 (standard alphabet, RFC 4648 §4, as
  Go's `base64.StdEncoding.WithPadding(NoPadding)` and Rust's
  `STANDARD_NO_PAD`) of SHA-256 over the JSON array [user_id, device_id, member_id].
- LiveKit room name, both endpoints: the same encoding over [room_id, slot_id].

The hashed JSON is compact, with no spaces after ',' and non-ASCII characters
as raw UTF-8, which is what serde_json and JavaScript's JSON.stringify
produce. Go's json.Marshal additionally escapes '<', '>', '&', U+2028 and
U+2029; Matrix room, user and device IDs do not contain them in practice.
"""

import base64
import hashlib
import json

# The MatrixRTC slot of a room's call; /sfu/get requests carry no slot.
CALL_SLOT_ID = "m.call#ROOM"


class IdentityInputError(ValueError):
    """An ID that cannot be hashed, such as one holding a lone UTF-16 surrogate."""


def legacy_identity(user_id: str, device_id: str) -> str:
    """Return the LiveKit identity that /sfu/get issues."""
    return f"{user_id}:{device_id}"


def hashed_identity(user_id: str, device_id: str, member_id: str) -> str:
    """Return the LiveKit identity that /get_token issues."""
    return _digest_of_json_array([user_id, device_id, member_id])


def livekit_room_name(room_id: str, slot_id: str = CALL_SLOT_ID) -> str:
    """Return the LiveKit room name of a Matrix room's MatrixRTC slot."""
    return _digest_of_json_array([room_id, slot_id])


def _digest_of_json_array(values: list[str]) -> str:
    serialised = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    try:
        data = serialised.encode("utf-8")
    except UnicodeEncodeError as error:
        raise IdentityInputError("IDs must be valid Unicode text") from error

    digest = hashlib.sha256(data).digest()
    return base64.b64encode(digest).decode("ascii").rstrip("=")
