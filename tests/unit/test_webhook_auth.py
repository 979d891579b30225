# SPDX-License-Identifier: AGPL-3.0-or-later
"""Signature checks of SFU webhooks."""

import base64
import hashlib
import time

import jwt
import pytest

from sfu.admin.webhooks import WebhookNotifier
from sfu.config import SfuConfig, WebhookConfig
from synapse_hubs.rtc.webhook_auth import WebhookAuthError, verify_webhook

KEY = "hubs-test"
SECRET = "w" * 40
BODY = b'{"event":"participant_left","room":{"name":"R"},"participant":{"identity":"I"}}'


def sign(body: bytes, key: str = KEY, secret: str = SECRET, **extra) -> str:
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    claims = {"iss": key, "sha256": digest, "exp": int(time.time()) + 300, **extra}
    return jwt.encode(claims, secret, algorithm="HS256")


def test_valid_signature_accepted():
    verify_webhook(BODY, sign(BODY), KEY, SECRET)


def test_bearer_prefix_accepted():
    verify_webhook(BODY, "Bearer " + sign(BODY), KEY, SECRET)


@pytest.mark.parametrize("authorization", [
    None,
    "",
    "not-a-jwt",
    sign(BODY, secret="x" * 40),
    sign(BODY, key="someone-else"),
    sign(b"{}"),
    sign(BODY, exp=int(time.time()) - 10),
])
def test_bad_signature_rejected(authorization):
    with pytest.raises(WebhookAuthError):
        verify_webhook(BODY, authorization, KEY, SECRET)


def test_missing_body_hash_rejected():
    token = jwt.encode({"iss": KEY}, SECRET, algorithm="HS256")

    with pytest.raises(WebhookAuthError):
        verify_webhook(BODY, token, KEY, SECRET)


def test_our_sfu_signature_accepted():
    notifier = WebhookNotifier(SfuConfig(
        keys={KEY: SECRET}, webhook=WebhookConfig(url="http://127.0.0.1:1/hook", api_key=KEY)))

    verify_webhook(BODY, notifier.sign(BODY), KEY, SECRET)


def test_unsigned_token_rejected():
    digest = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    token = jwt.encode({"iss": KEY, "sha256": digest}, None, algorithm="none")

    with pytest.raises(WebhookAuthError):
        verify_webhook(BODY, token, KEY, SECRET)
