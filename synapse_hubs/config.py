# SPDX-License-Identifier: AGPL-3.0-or-later
"""Parse and validate the `config:` block of the Hubs module.

Every option is checked at startup. An invalid value raises ConfigError that
names the option path (for example `sfu.api_secret`), so Synapse refuses to
start with a message the admin can act on.
"""

from dataclasses import dataclass, field
from typing import Any, Mapping

from synapse.module_api.errors import ConfigError

from synapse_hubs.calendar.config import CalendarConfig, parse_calendar_config
from synapse_hubs.eid.config import EidConfig, parse_eid_config
from synapse_hubs.federation.config import FederationConfig, parse_federation_config
from synapse_hubs.recording.config import RecordingConfig, parse_recording_config

DEFAULT_SERVICE_USER = "hubs"


@dataclass(frozen=True)
class SfuConfig:
    """Where the SFU is and the API key pair it shares with the token service."""

    # URL that clients open the LiveKit signaling WebSocket on (ws:// or wss://).
    url: str
    # Base URL of the SFU's admin API (Twirp JSON), reachable from Synapse.
    api_url: str
    api_key: str
    api_secret: str


@dataclass(frozen=True)
class TokenServiceConfig:
    """Settings of the lk-jwt-service compatible token endpoints."""

    # Lifetime of an SFU JWT in seconds; lk-jwt-service uses one hour.
    jwt_lifetime_s: int = 3600
    # Base URL used to check OpenID tokens issued by this homeserver. Defaults
    # to public_baseurl; set it when public_baseurl is not reachable from
    # Synapse itself (for example behind a reverse proxy).
    local_openid_base_url: str | None = None
    # Deprecated: server_name -> base URL of a partner whose OpenID tokens are
    # accepted. Use federation.partners; these names are added to it.
    partner_openid_base_urls: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GuestConfig:
    """Limits for guest links and guest accounts."""

    display_name_max_length: int = 64
    # Failed password attempts allowed per link and per client address within
    # password_window_s before every further attempt fails the same way.
    password_attempts_per_link: int = 10
    password_attempts_per_address: int = 20
    password_window_s: int = 900
    # Max-Age of the return-token cookie, in seconds. A link that expires
    # sooner shortens it to the link's remaining lifetime.
    return_cookie_max_age_s: int = 30 * 24 * 3600


@dataclass(frozen=True)
class DemoConfig:
    """The loopback-only endpoint `hubs up` uses to print demo links."""

    enabled: bool = False
    cli_secret: str = ""


@dataclass(frozen=True)
class HubsConfig:
    sfu: SfuConfig
    service_user: str = DEFAULT_SERVICE_USER
    token_service: TokenServiceConfig = field(default_factory=TokenServiceConfig)
    guests: GuestConfig = field(default_factory=GuestConfig)
    demo: DemoConfig = field(default_factory=DemoConfig)
    eid: EidConfig = field(default_factory=EidConfig)
    recording: RecordingConfig = field(default_factory=RecordingConfig)
    # Language of the join page and of notices when the client states none.
    default_language: str = "sv"
    calendar: CalendarConfig = field(default_factory=CalendarConfig)
    federation: FederationConfig = field(default_factory=FederationConfig)


def parse_config(raw: Mapping[str, Any] | None) -> HubsConfig:
    """Build HubsConfig from the raw YAML mapping or raise ConfigError."""
    raw = _mapping(raw or {}, ())

    sfu = _parse_sfu(_mapping(raw.get("sfu"), ("sfu",)))
    token_service = _parse_token_service(
        _mapping(raw.get("token_service", {}), ("token_service",))
    )
    guests = _parse_guests(_mapping(raw.get("guests", {}), ("guests",)))
    demo = _parse_demo(_mapping(raw.get("demo", {}), ("demo",)))
    eid = parse_eid_config(raw.get("eid"))
    recording = parse_recording_config(raw.get("recording"))

    service_user = _string(raw, "service_user", (), default=DEFAULT_SERVICE_USER)
    if not service_user.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(
            "must be a plain localpart such as 'hubs'", ("service_user",)
        )

    default_language = _string(raw, "default_language", (), default="sv")
    if default_language not in ("sv", "en"):
        raise ConfigError("must be 'sv' or 'en'", ("default_language",))

    calendar = parse_calendar_config(raw.get("calendar", {}), default_language)
    federation = parse_federation_config(
        raw.get("federation"), token_service.partner_openid_base_urls
    )

    return HubsConfig(
        sfu=sfu,
        service_user=service_user,
        token_service=token_service,
        guests=guests,
        demo=demo,
        eid=eid,
        recording=recording,
        default_language=default_language,
        calendar=calendar,
        federation=federation,
    )


def _parse_sfu(raw: Mapping[str, Any]) -> SfuConfig:
    path = ("sfu",)
    url = _string(raw, "url", path)
    if not url.startswith(("ws://", "wss://")):
        raise ConfigError("must start with ws:// or wss://", path + ("url",))

    api_url = _string(raw, "api_url", path)
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError("must start with http:// or https://", path + ("api_url",))

    api_key = _string(raw, "api_key", path)
    api_secret = _string(raw, "api_secret", path)
    # HS256 with a short key is guessable offline from any issued JWT.
    if len(api_secret) < 32:
        raise ConfigError("must be at least 32 characters", path + ("api_secret",))

    return SfuConfig(
        url=url.rstrip("/"),
        api_url=api_url.rstrip("/"),
        api_key=api_key,
        api_secret=api_secret,
    )


def _parse_token_service(raw: Mapping[str, Any]) -> TokenServiceConfig:
    path = ("token_service",)
    lifetime = _integer(raw, "jwt_lifetime_s", path, default=3600, minimum=60)

    local_base = raw.get("local_openid_base_url")
    if local_base is not None and (
        not isinstance(local_base, str) or not local_base.startswith(("http://", "https://"))
    ):
        raise ConfigError(
            "must be an http:// or https:// URL", path + ("local_openid_base_url",)
        )

    partners = _mapping(
        raw.get("partner_openid_base_urls", {}), path + ("partner_openid_base_urls",)
    )
    for server_name, base_url in partners.items():
        if not isinstance(base_url, str) or not base_url.startswith("https://"):
            raise ConfigError(
                "must be an https:// URL",
                path + ("partner_openid_base_urls", str(server_name)),
            )

    return TokenServiceConfig(
        jwt_lifetime_s=lifetime,
        local_openid_base_url=local_base.rstrip("/") if local_base else None,
        partner_openid_base_urls=dict(partners),
    )


def _parse_guests(raw: Mapping[str, Any]) -> GuestConfig:
    path = ("guests",)
    return GuestConfig(
        # Synapse itself rejects display names longer than 256 characters.
        display_name_max_length=_integer(
            raw, "display_name_max_length", path, default=64, minimum=8, maximum=256
        ),
        password_attempts_per_link=_integer(
            raw, "password_attempts_per_link", path, default=10, minimum=1
        ),
        password_attempts_per_address=_integer(
            raw, "password_attempts_per_address", path, default=20, minimum=1
        ),
        password_window_s=_integer(
            raw, "password_window_s", path, default=900, minimum=1
        ),
        return_cookie_max_age_s=_integer(
            raw, "return_cookie_max_age_s", path, default=30 * 24 * 3600, minimum=60
        ),
    )


def _parse_demo(raw: Mapping[str, Any]) -> DemoConfig:
    path = ("demo",)
    enabled = raw.get("enabled", False)
    if not isinstance(enabled, bool):
        raise ConfigError("must be true or false", path + ("enabled",))
    if not enabled:
        return DemoConfig()

    secret = _string(raw, "cli_secret", path)
    if len(secret) < 32:
        raise ConfigError("must be at least 32 characters", path + ("cli_secret",))
    return DemoConfig(enabled=True, cli_secret=secret)


def _mapping(value: Any, path: tuple[str, ...]) -> Mapping[str, Any]:
    if value is None:
        raise ConfigError("is required", path)
    if not isinstance(value, Mapping):
        raise ConfigError("must be a mapping", path)
    return value


def _string(
    raw: Mapping[str, Any],
    key: str,
    path: tuple[str, ...],
    default: str | None = None,
) -> str:
    value = raw.get(key, default)
    if value is None:
        raise ConfigError("is required", path + (key,))
    if not isinstance(value, str) or not value:
        raise ConfigError("must be a non-empty string", path + (key,))
    return value


def _integer(
    raw: Mapping[str, Any],
    key: str,
    path: tuple[str, ...],
    default: int,
    minimum: int,
    maximum: int | None = None,
) -> int:
    value = raw.get(key, default)
    # bool is a subclass of int, and `true` is never a meaningful count.
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"must be an integer >= {minimum}", path + (key,))
    if maximum is not None and value > maximum:
        raise ConfigError(f"must be an integer <= {maximum}", path + (key,))
    return value
