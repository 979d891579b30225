# SPDX-License-Identifier: AGPL-3.0-or-later
"""LiveKit identities and room names match lk-jwt-service and matrix-js-sdk.

The expected values were computed with Node.js as matrix-js-sdk's
computeRtcIdentityRaw does: SHA-256 over JSON.stringify([...]), standard
base64 without padding.
"""

import pytest

from synapse_hubs.rtc.identity import (
    IdentityInputError,
    hashed_identity,
    legacy_identity,
    livekit_room_name,
)


def test_legacy_identity_joins_user_and_device():
    assert legacy_identity("@alice:example.org", "ABCDEFGHIJ") == "@alice:example.org:ABCDEFGHIJ"


@pytest.mark.parametrize("user_id, device_id, member_id, expected", [
    ("@alice:example.org", "ABCDEFGHIJ", "@alice:example.org:ABCDEFGHIJ",
     "vnJBNOzVpCNnhwnP+PfmwfGf7MDWauQ4DpuUE8UE6eY"),
    ("@åsa:hubs.test", "DEVICE1", "ef6c0e6b-1d2c-4c8e-9f55-3c2a1b5d9e10",
     "qvzRdabeymCQDtGuUe2nNzgYZXnhsMs0xDcKs18Y/UY"),
])
def test_hashed_identity_known_answers(user_id, device_id, member_id, expected):
    assert hashed_identity(user_id, device_id, member_id) == expected


@pytest.mark.parametrize("room_id, expected", [
    ("!abc123:example.org", "b/LFT0bgTDQfFD2A4ua8OfHha5PtEsaftE/MTqwOA2g"),
    ("!rJd3WqzPpXxg0aTcY_ZqDv-gWw8tH6k9LmNbVcXs2Eo", "BbM1mAvcmS01PK9q/KsQrafmVCC4v/hVG2tLh1kGyNo"),
])
def test_room_name_known_answers(room_id, expected):
    assert livekit_room_name(room_id) == expected


def test_room_name_uses_slot():
    assert livekit_room_name("!abc123:example.org", "m.call#OTHER") != livekit_room_name(
        "!abc123:example.org"
    )


def test_identity_has_no_padding_and_standard_alphabet():
    identity = hashed_identity("@alice:example.org", "ABCDEFGHIJ", "@alice:example.org:ABCDEFGHIJ")

    assert len(identity) == 43
    assert "=" not in identity
    assert "-" not in identity
    assert "_" not in identity


def test_lone_surrogate_rejected():
    with pytest.raises(IdentityInputError):
        hashed_identity("@alice:example.org", "\ud800", "member")
