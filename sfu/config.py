# SPDX-License-Identifier: AGPL-3.0-or-later
"""SFU configuration file (YAML): parsing, validation and documented defaults.

Example with every option (config/sfu.example.yaml has the same with comments)::

    listen: {host: 127.0.0.1, port: 7880}
    rtc:
      announce_addresses: [127.0.0.1]   # ICE host candidates we offer
      allowed_remote_networks: []       # CIDRs; empty means any remote address
      ice_servers: []                   # TURN servers handed to clients:
                                        # {urls, username, credential} or
                                        # {urls, shared_secret, credential_ttl_s}
    keys: {API_KEY: API_SECRET}
    webhook: {url: null, api_key: API_KEY}
    room:
      empty_timeout_s: 300
      departure_timeout_s: 10
      max_participants: 0               # 0 means no limit
      last_n: 0                         # 0 forwards every video track
    recording:
      directory: null                   # where WebM recordings go; null disables recording
      min_duration_s: 2                 # shorter recordings are discarded
      max_duration_s: 14400             # a recording stops by itself after this long
    log_level: INFO
"""

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml


class ConfigError(ValueError):
    """An invalid SFU config value; the message names the option."""

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"sfu config: {option} {problem}")
        self.option = option


@dataclass(frozen=True)
class IceServer:
    """A TURN server for clients: static credentials, or a coturn shared secret.

    With `shared_secret` the SFU mints short-lived credentials per participant
    (coturn's `use-auth-secret`, the "TURN REST API" scheme), so no long-lived
    TURN password ever reaches a browser.
    """

    urls: tuple[str, ...]
    username: str = ""
    credential: str = ""
    shared_secret: str = ""
    credential_ttl_s: int = 86400


@dataclass(frozen=True)
class RtcConfig:
    announce_addresses: tuple[str, ...] = ("127.0.0.1",)
    allowed_remote_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    ice_servers: tuple[IceServer, ...] = ()


@dataclass(frozen=True)
class RoomConfig:
    # A room with nobody in it is closed after this many seconds.
    empty_timeout_s: int = 300
    # A participant whose signaling and media both went silent is removed
    # after this many seconds.
    departure_timeout_s: int = 10
    max_participants: int = 0
    last_n: int = 0


@dataclass(frozen=True)
class WebhookConfig:
    url: str | None = None
    api_key: str | None = None


@dataclass(frozen=True)
class RecordingConfig:
    # Folder the recorder writes WebM files to; None disables recording.
    # It must not be inside Synapse's media store, and Synapse needs read
    # and delete access to it to serve downloads and apply retention.
    directory: Path | None = None
    # A recording shorter than this is deleted instead of kept.
    min_duration_s: int = 2
    # A recording stops by itself after this long.
    max_duration_s: int = 4 * 3600


@dataclass(frozen=True)
class SfuConfig:
    keys: Mapping[str, str]
    host: str = "127.0.0.1"
    port: int = 7880
    rtc: RtcConfig = field(default_factory=RtcConfig)
    room: RoomConfig = field(default_factory=RoomConfig)
    webhook: WebhookConfig = field(default_factory=WebhookConfig)
    recording: RecordingConfig = field(default_factory=RecordingConfig)
    log_level: str = "INFO"


def load_config(path: Path) -> SfuConfig:
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(str(path), f"could not be read: {error}") from error
    return parse_config(raw or {})


def parse_config(raw: Mapping[str, Any]) -> SfuConfig:
    if not isinstance(raw, Mapping):
        raise ConfigError("(top level)", "must be a mapping")

    listen = _mapping(raw, "listen")
    keys = _mapping(raw, "keys")
    if not keys:
        raise ConfigError("keys", "must hold at least one API key and secret")
    for key, secret in keys.items():
        if not isinstance(secret, str) or len(secret) < 32:
            raise ConfigError(f"keys.{key}", "must be a secret of at least 32 characters")

    log_level = raw.get("log_level", "INFO")
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("log_level", "must be DEBUG, INFO, WARNING or ERROR")

    return SfuConfig(
        keys=dict(keys),
        host=_string(listen, "listen.host", "host", "127.0.0.1"),
        port=_port(listen.get("port", 7880), "listen.port"),
        rtc=_parse_rtc(_mapping(raw, "rtc")),
        room=_parse_room(_mapping(raw, "room")),
        webhook=_parse_webhook(_mapping(raw, "webhook")),
        recording=_parse_recording(_mapping(raw, "recording")),
        log_level=log_level,
    )


def _parse_rtc(raw: Mapping[str, Any]) -> RtcConfig:
    addresses = raw.get("announce_addresses", ["127.0.0.1"])
    if not isinstance(addresses, list) or not addresses:
        raise ConfigError("rtc.announce_addresses", "must be a non-empty list of IP addresses")
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ConfigError("rtc.announce_addresses", f"has an invalid IP address {address!r}")

    networks = []
    for network in raw.get("allowed_remote_networks", []) or []:
        try:
            networks.append(ipaddress.ip_network(network, strict=False))
        except ValueError:
            raise ConfigError("rtc.allowed_remote_networks", f"has an invalid network {network!r}")

    ice_servers = []
    for index, server in enumerate(raw.get("ice_servers", []) or []):
        option = f"rtc.ice_servers[{index}]"
        if not isinstance(server, Mapping) or not server.get("urls"):
            raise ConfigError(option, "must be a mapping with 'urls'")
        urls = server["urls"]
        urls = (urls,) if isinstance(urls, str) else tuple(urls)
        shared_secret = server.get("shared_secret", "")
        if shared_secret and (server.get("username") or server.get("credential")):
            raise ConfigError(option, "must have either shared_secret or username and credential")
        ttl = server.get("credential_ttl_s", 86400)
        if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 60:
            raise ConfigError(f"{option}.credential_ttl_s", "must be an integer >= 60")
        ice_servers.append(IceServer(urls, server.get("username", ""), server.get("credential", ""),
                                     shared_secret, ttl))

    return RtcConfig(
        announce_addresses=tuple(addresses),
        allowed_remote_networks=tuple(networks),
        ice_servers=tuple(ice_servers),
    )


def _parse_room(raw: Mapping[str, Any]) -> RoomConfig:
    return RoomConfig(
        empty_timeout_s=_count(raw, "room.empty_timeout_s", "empty_timeout_s", 300),
        departure_timeout_s=_count(raw, "room.departure_timeout_s", "departure_timeout_s", 10),
        max_participants=_count(raw, "room.max_participants", "max_participants", 0),
        last_n=_count(raw, "room.last_n", "last_n", 0),
    )


def _parse_webhook(raw: Mapping[str, Any]) -> WebhookConfig:
    url = raw.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://"))):
        raise ConfigError("webhook.url", "must be an http:// or https:// URL")
    return WebhookConfig(url=url, api_key=raw.get("api_key"))


def _parse_recording(raw: Mapping[str, Any]) -> RecordingConfig:
    directory = raw.get("directory")
    if directory is not None and (not isinstance(directory, str) or not directory.startswith("/")):
        raise ConfigError("recording.directory", "must be an absolute path or null")
    min_duration_s = _count(raw, "recording.min_duration_s", "min_duration_s", 2)
    max_duration_s = _count(raw, "recording.max_duration_s", "max_duration_s", 4 * 3600)
    if max_duration_s <= min_duration_s:
        raise ConfigError("recording.max_duration_s", "must be greater than recording.min_duration_s")
    return RecordingConfig(
        directory=Path(directory) if directory else None,
        min_duration_s=min_duration_s,
        max_duration_s=max_duration_s,
    )


def _mapping(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(key, "must be a mapping")
    return value


def _string(raw: Mapping[str, Any], option: str, key: str, default: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(option, "must be a non-empty string")
    return value


def _port(value: Any, option: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 65535:
        raise ConfigError(option, "must be a port number from 0 to 65535")
    return value


def _count(raw: Mapping[str, Any], option: str, key: str, default: int) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(option, "must be an integer >= 0")
    return value
