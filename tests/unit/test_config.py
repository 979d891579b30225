# SPDX-License-Identifier: AGPL-3.0-or-later
"""Config errors name the option that is wrong."""

import pytest
from synapse.module_api.errors import ConfigError

from synapse_hubs.config import parse_config

VALID = {
    "sfu": {
        "url": "ws://127.0.0.1:7880",
        "api_url": "http://127.0.0.1:7880",
        "api_key": "hubs-key",
        "api_secret": "s" * 32,
    },
    # Requiring e-ID needs a provider; these tests are about other options.
    "eid": {"default_policy": {"required_for": "nobody", "methods": []}},
}


def with_option(section: str, key: str, value):
    raw = {name: dict(options) for name, options in VALID.items()}
    raw.setdefault(section, {})[key] = value
    return raw


def test_valid_config_defaults():
    config = parse_config(VALID)

    assert config.guests.display_name_max_length == 64
    assert config.guests.return_cookie_max_age_s == 30 * 24 * 3600
    assert config.token_service.jwt_lifetime_s == 3600
    assert config.demo.enabled is False


@pytest.mark.parametrize("raw, path", [
    ({}, ("sfu",)),
    (with_option("sfu", "url", "http://x"), ("sfu", "url")),
    (with_option("sfu", "api_url", "ws://x"), ("sfu", "api_url")),
    (with_option("sfu", "api_secret", "short"), ("sfu", "api_secret")),
    (with_option("sfu", "api_key", ""), ("sfu", "api_key")),
    (with_option("token_service", "jwt_lifetime_s", 10), ("token_service", "jwt_lifetime_s")),
    (with_option("token_service", "local_openid_base_url", "localhost:8008"),
     ("token_service", "local_openid_base_url")),
    (with_option("token_service", "partner_openid_base_urls", {"hs-b.test": "http://hs-b"}),
     ("token_service", "partner_openid_base_urls", "hs-b.test")),
    (with_option("guests", "display_name_max_length", 4),
     ("guests", "display_name_max_length")),
    (with_option("guests", "display_name_max_length", 257),
     ("guests", "display_name_max_length")),
    (with_option("guests", "password_attempts_per_link", 0),
     ("guests", "password_attempts_per_link")),
    (with_option("guests", "password_attempts_per_address", True),
     ("guests", "password_attempts_per_address")),
    (with_option("guests", "password_window_s", "900"), ("guests", "password_window_s")),
    (with_option("guests", "return_cookie_max_age_s", 59), ("guests", "return_cookie_max_age_s")),
    (with_option("demo", "enabled", "yes"), ("demo", "enabled")),
    ({**VALID, "demo": {"enabled": True}}, ("demo", "cli_secret")),
    ({**VALID, "demo": {"enabled": True, "cli_secret": "short"}}, ("demo", "cli_secret")),
    ({**VALID, "service_user": "@hubs:x"}, ("service_user",)),
    ({**VALID, "default_language": "de"}, ("default_language",)),
])
def test_config_error_names_option(raw, path):
    with pytest.raises(ConfigError) as error:
        parse_config(raw)

    assert tuple(error.value.path) == path
    assert error.value.msg
