# SPDX-License-Identifier: AGPL-3.0-or-later
"""Link status by the clock, return cookie lifetime and bearer token digests."""

import hashlib

import pytest

from synapse_hubs.guests.bearer_tokens import (
    bearer_token_digest,
    new_bearer_token,
    new_link_id,
)
from synapse_hubs.guests.link_status import (
    STATUS_ACTIVE,
    STATUS_EXPIRED,
    STATUS_REVOKED,
    link_status,
)
from synapse_hubs.guests.return_cookie import return_cookie_max_age_s


@pytest.mark.parametrize("expires_ts, revoked_ts, now_ms, expected", [
    (None, None, 10_000, STATUS_ACTIVE),
    (20_000, None, 10_000, STATUS_ACTIVE),
    (20_000, None, 19_999, STATUS_ACTIVE),
    (20_000, None, 20_000, STATUS_EXPIRED),
    (20_000, None, 30_000, STATUS_EXPIRED),
    (None, 5_000, 10_000, STATUS_REVOKED),
    (20_000, 5_000, 30_000, STATUS_REVOKED),
])
def test_link_status(expires_ts, revoked_ts, now_ms, expected):
    assert link_status(expires_ts, revoked_ts, now_ms) == expected


def test_cookie_lifetime_without_expiry():
    assert return_cookie_max_age_s(None, 0, 3600) == 3600


def test_cookie_lifetime_follows_link_expiry():
    assert return_cookie_max_age_s(expires_ts=120_500, now_ms=100_000, configured_max_s=3600) == 20


def test_cookie_lifetime_capped_by_config():
    assert return_cookie_max_age_s(expires_ts=10**12, now_ms=0, configured_max_s=60) == 60


def test_cookie_lifetime_never_negative():
    assert return_cookie_max_age_s(expires_ts=1_000, now_ms=5_000, configured_max_s=60) == 0


def test_bearer_tokens_are_random_and_url_safe():
    tokens = {new_bearer_token() for _ in range(100)}

    assert len(tokens) == 100
    assert all(len(token) == 43 for token in tokens)
    assert all(set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
               for token in tokens)


def test_token_digest_is_sha256_hex():
    assert bearer_token_digest("abc") == hashlib.sha256(b"abc").hexdigest()


def test_link_id_is_hex():
    link_id = new_link_id()

    assert len(link_id) == 16
    int(link_id, 16)
