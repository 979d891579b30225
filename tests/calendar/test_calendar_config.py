# SPDX-License-Identifier: AGPL-3.0-or-later
"""The `calendar:` module config: defaults, and errors that name the option."""

import pytest
from synapse.module_api.errors import ConfigError

from synapse_hubs.calendar.config import parse_calendar_config
from synapse_hubs.config import parse_config

SFU = {"url": "ws://127.0.0.1:7880", "api_url": "http://127.0.0.1:7880",
       "api_key": "key", "api_secret": "s" * 32}
# The smallest module config that parses: no e-ID provider, so nobody needs e-ID.
BASE = {"sfu": SFU, "eid": {"default_policy": {"required_for": "nobody", "methods": []}}}


def test_defaults():
    config = parse_config(BASE).calendar

    assert config.default_time_zone == "Europe/Stockholm"
    assert config.reminder_offsets_s == (900,)
    assert config.reminder_poll_interval_s == 30
    assert config.email_from is None
    assert config.email_language == "sv"
    assert config.permalink_prefix == "https://matrix.to"


def test_email_language_follows_default_language():
    config = parse_config({**BASE, "default_language": "en"}).calendar

    assert config.email_language == "en"


def test_offsets_sorted_largest_first():
    config = parse_calendar_config({"reminder_offsets": ["15m", "1d", "30s", "2h"]}, "sv")

    assert config.reminder_offsets_s == (86400, 7200, 900, 30)


@pytest.mark.parametrize("raw, option", [
    ({"default_time_zone": "Europe/Stockholmm"}, "calendar.default_time_zone"),
    ({"default_time_zone": 1}, "calendar.default_time_zone"),
    ({"reminder_offsets": "15m"}, "calendar.reminder_offsets"),
    ({"reminder_offsets": ["15 minutes"]}, "calendar.reminder_offsets.0"),
    ({"reminder_offsets": ["1h", 900]}, "calendar.reminder_offsets.1"),
    ({"reminder_offsets": ["15d"]}, "calendar.reminder_offsets.0"),
    ({"reminder_offsets": ["15m", "15m"]}, "calendar.reminder_offsets"),
    ({"reminder_poll_interval": "2h"}, "calendar.reminder_poll_interval"),
    ({"email_from": "not an address"}, "calendar.email_from"),
    ({"email_language": "de"}, "calendar.email_language"),
    ({"permalink_prefix": "matrix.to"}, "calendar.permalink_prefix"),
    ({"client_api_base_url": "127.0.0.1:8008"}, "calendar.client_api_base_url"),
])
def test_invalid_option_named(raw, option):
    with pytest.raises(ConfigError) as raised:
        parse_config({**BASE, "calendar": raw})

    assert ".".join(raised.value.path) == option


def test_calendar_must_be_mapping():
    with pytest.raises(ConfigError) as raised:
        parse_config({**BASE, "calendar": ["15m"]})

    assert raised.value.path == ("calendar",)
