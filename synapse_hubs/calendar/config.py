# SPDX-License-Identifier: AGPL-3.0-or-later
"""Parse and validate the `calendar:` block of the Hubs module config.

Every invalid value raises ConfigError with the option path (for example
`calendar.reminder_offsets`), so Synapse stops at startup with a message
that names what to fix.
"""

import email.utils
import re
from dataclasses import dataclass
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from synapse.module_api.errors import ConfigError

DEFAULT_TIME_ZONE = "Europe/Stockholm"
DEFAULT_PERMALINK_PREFIX = "https://matrix.to"
LANGUAGES = ("sv", "en")

# A reminder further ahead than this is more likely a typo than a wish.
MAX_REMINDER_OFFSET_S = 14 * 24 * 3600

_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class CalendarConfig:
    """Settings of scheduled meetings, invitations and reminders."""

    default_time_zone: str = DEFAULT_TIME_ZONE
    # Seconds before each occurrence's start at which a reminder goes out,
    # largest first.
    reminder_offsets_s: tuple[int, ...] = (15 * 60,)
    # How often the background instance looks for due reminders.
    reminder_poll_interval_s: int = 30
    # Sender address of invitations and reminders. None uses Synapse's
    # `email.notif_from`.
    email_from: str | None = None
    # Language of e-mails to participants who did not choose one.
    email_language: str = "sv"
    # Base of links back to a chat message. "https://matrix.to" makes
    # matrix.to links, which Matrix clients open in place; an Element Web URL
    # makes `<url>/#/room/<room>/<event>` links into that Element instance.
    permalink_prefix: str = DEFAULT_PERMALINK_PREFIX
    # Base URL at which Synapse reaches its own client API, used to read a
    # chat message with the requester's access token. None uses public_baseurl.
    client_api_base_url: str | None = None


def parse_calendar_config(raw: Mapping[str, Any], default_language: str) -> CalendarConfig:
    """Build CalendarConfig from the raw `calendar:` mapping or raise ConfigError."""
    path = ("calendar",)
    if not isinstance(raw, Mapping):
        raise ConfigError("must be a mapping", path)

    time_zone = raw.get("default_time_zone", DEFAULT_TIME_ZONE)
    _check_time_zone(time_zone, path + ("default_time_zone",))

    offsets = _parse_offsets(raw.get("reminder_offsets", ["15m"]), path + ("reminder_offsets",))

    poll_interval = parse_duration(
        raw.get("reminder_poll_interval", "30s"), path + ("reminder_poll_interval",)
    )
    if not 1 <= poll_interval <= 3600:
        raise ConfigError("must be between 1s and 1h", path + ("reminder_poll_interval",))

    email_from = raw.get("email_from")
    if email_from is not None:
        address = email.utils.parseaddr(email_from)[1] if isinstance(email_from, str) else ""
        if "@" not in address:
            raise ConfigError(
                "must be an e-mail address such as 'Hubs <noreply@example.se>'",
                path + ("email_from",),
            )

    email_language = raw.get("email_language", default_language)
    if email_language not in LANGUAGES:
        raise ConfigError("must be 'sv' or 'en'", path + ("email_language",))

    permalink_prefix = raw.get("permalink_prefix", DEFAULT_PERMALINK_PREFIX)
    _check_http_url(permalink_prefix, path + ("permalink_prefix",))

    client_api_base_url = raw.get("client_api_base_url")
    if client_api_base_url is not None:
        _check_http_url(client_api_base_url, path + ("client_api_base_url",))

    return CalendarConfig(
        default_time_zone=time_zone,
        reminder_offsets_s=offsets,
        reminder_poll_interval_s=poll_interval,
        email_from=email_from,
        email_language=email_language,
        permalink_prefix=permalink_prefix.rstrip("/"),
        client_api_base_url=client_api_base_url.rstrip("/") if client_api_base_url else None,
    )


def parse_duration(value: Any, path: tuple[str, ...]) -> int:
    """Return the seconds in a duration such as "30s", "15m", "2h" or "1d"."""
    match = _DURATION.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ConfigError(
            f"must be a duration such as '30s', '15m', '2h' or '1d', not {value!r}", path
        )
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _parse_offsets(raw: Any, path: tuple[str, ...]) -> tuple[int, ...]:
    if not isinstance(raw, list):
        raise ConfigError("must be a list of durations such as ['1d', '15m']", path)

    offsets = []
    for index, item in enumerate(raw):
        seconds = parse_duration(item, path + (str(index),))
        if not 1 <= seconds <= MAX_REMINDER_OFFSET_S:
            raise ConfigError("must be between 1s and 14d", path + (str(index),))
        offsets.append(seconds)

    if len(set(offsets)) != len(offsets):
        raise ConfigError("contains the same offset twice", path)
    return tuple(sorted(offsets, reverse=True))


def _check_time_zone(value: Any, path: tuple[str, ...]) -> None:
    if not isinstance(value, str) or not value:
        raise ConfigError("must be an IANA time zone name such as 'Europe/Stockholm'", path)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(f"unknown time zone {value!r}", path) from error


def _check_http_url(value: Any, path: tuple[str, ...]) -> None:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise ConfigError("must be an http:// or https:// URL", path)
