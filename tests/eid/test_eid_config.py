# SPDX-License-Identifier: AGPL-3.0-or-later
"""Invalid e-ID configuration stops startup with a message that names the option."""

from pathlib import Path

import pytest
from synapse.module_api.errors import ConfigError

from synapse_hubs.cli.processes import ProcessFailed
from synapse_hubs.eid.config import parse_eid_config
from tests.harness.homeserver import Homeserver


@pytest.fixture
def key_file(tmp_path: Path) -> str:
    path = tmp_path / "pnr.key"
    path.write_text("a" * 64)
    return str(path)


def oidc_provider(**overrides):
    provider = {"id": "broker", "type": "oidc", "profile": "idura",
                "issuer": "https://broker.example", "client_id": "rp",
                "client_auth": "client_secret_basic", "client_secret": "s3cret",
                "methods": ["bankid"]}
    provider.update(overrides)
    return provider


def error_path(raw) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as error:
        parse_eid_config(raw)
    return tuple(error.value.path)


def test_valid_config_parses(key_file):
    config = parse_eid_config({"pnr_hmac_key_path": key_file, "providers": [oidc_provider()]})

    assert [provider.id for provider in config.providers] == ["broker"]
    assert config.default_policy.methods == ("bankid",)
    assert config.default_policy.required_for == "external"
    assert config.default_policy.min_loa == "loa3"


@pytest.mark.parametrize(("override", "path"), [
    ({"issuer": "ftp://broker.example"}, ("eid", "providers[0]", "issuer")),
    ({"issuer": "http://broker.example"}, ("eid", "providers[0]", "issuer")),
    ({"profile": "unknown"}, ("eid", "providers[0]", "profile")),
    ({"methods": ["passport"]}, ("eid", "providers[0]", "methods")),
    ({"methods": ["siths"]}, ("eid", "providers[0]", "methods")),
    ({"client_auth": "none"}, ("eid", "providers[0]", "client_auth")),
    ({"client_secret": None}, ("eid", "providers[0]", "client_secret")),
    ({"client_auth": "private_key_jwt", "private_key_path": "/nonexistent.pem"},
     ("eid", "providers[0]", "private_key_path")),
    ({"type": "ldap"}, ("eid", "providers[0]", "type")),
    ({"id": "test"}, ("eid", "providers[0]", "id")),
])
def test_invalid_provider_names_option(key_file, override, path):
    raw = {"pnr_hmac_key_path": key_file, "providers": [oidc_provider(**override)]}

    assert error_path(raw) == path


def test_private_key_file_without_key_is_rejected(key_file, tmp_path):
    not_a_key = tmp_path / "rp.pem"
    not_a_key.write_text("-----BEGIN NOTHING-----\n")
    raw = {"pnr_hmac_key_path": key_file, "providers": [
        oidc_provider(client_auth="private_key_jwt", private_key_path=str(not_a_key))]}

    assert error_path(raw) == ("eid", "providers[0]", "private_key_path")


def test_missing_hmac_key_is_rejected():
    assert error_path({"providers": [oidc_provider()]}) == ("eid", "pnr_hmac_key_path")


def test_short_hmac_key_is_rejected(tmp_path):
    short = tmp_path / "short.key"
    short.write_text("too-short")

    raw = {"pnr_hmac_key_path": str(short), "providers": [oidc_provider()]}

    assert error_path(raw) == ("eid", "pnr_hmac_key_path")


def test_default_policy_without_provider_is_rejected():
    assert error_path({}) == ("eid", "default_policy")


def test_default_policy_nobody_needs_no_provider():
    config = parse_eid_config({"default_policy": {"required_for": "nobody", "methods": []}})

    assert config.providers == ()


def test_bankid_over_https_needs_client_certificate(key_file):
    raw = {"pnr_hmac_key_path": key_file, "providers": [
        {"id": "bankid", "type": "bankid", "api_url": "https://appapi2.bankid.com/rp/v6.0/"}]}

    assert error_path(raw) == ("eid", "providers[0]", "client_cert_path")


def test_duplicate_provider_id_is_rejected(key_file):
    raw = {"pnr_hmac_key_path": key_file, "providers": [oidc_provider(), oidc_provider()]}

    assert error_path(raw) == ("eid", "providers[1]", "id")


def test_synapse_refuses_to_start_with_invalid_provider(tmp_path):
    server = Homeserver(tmp_path, with_sfu=False, module_overrides={"eid": {"providers": [
        oidc_provider(issuer="ftp://broker.example")]}})

    with pytest.raises(ProcessFailed) as failure:
        server.start()
    server.stop()

    assert "eid" in str(failure.value)
    assert "providers[0]" in str(failure.value)
    assert "issuer" in str(failure.value)
    assert "must be an https:// URL" in str(failure.value)
