# SPDX-License-Identifier: AGPL-3.0-or-later
"""Parse and validate the `eid:` block of the Hubs module config.

Everything is checked when Synapse loads the module: files are read, keys
parsed and URLs checked, so a wrong setting stops startup with a
ConfigError that names the option (for example `eid.providers[0].issuer`).

Example::

    eid:
      pnr_hmac_key_path: /etc/hubs/eid-pnr-hmac.key
      default_policy: {required_for: external, methods: [bankid], min_loa: loa3}
      verification_lifetime_s: 43200
      providers:
        - id: idura
          type: oidc
          profile: idura
          issuer: https://example.idura.broker
          client_id: urn:my:application
          client_auth: private_key_jwt
          private_key_path: /etc/hubs/idura-rp.pem
          methods: [bankid, freja]
        - id: bankid
          type: bankid
          api_url: https://appapi2.bankid.com/rp/v6.0/
          client_cert_path: /etc/hubs/bankid-rp.crt
          client_key_path: /etc/hubs/bankid-rp.key
          ca_cert_path: /etc/hubs/bankid-server-ca.crt
      test_provider: {enabled: false}
"""

import ipaddress
import shutil
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey
from synapse.module_api.errors import ConfigError

from synapse_hubs.eid.assurance import METHODS
from synapse_hubs.eid.claim_profiles import PROFILES
from synapse_hubs.eid.policy import EidPolicy, PolicyError, parse_policy, policy_from_request
from synapse_hubs.eid.subject_key import KeyFileError, SubjectKeyring

Path_ = tuple[str, ...]

CLIENT_AUTH_METHODS = ("private_key_jwt", "client_secret_basic", "client_secret_post")
PROVIDER_TYPES = ("oidc", "saml", "bankid")


@dataclass(frozen=True)
class OidcProviderConfig:
    id: str
    profile: str
    issuer: str
    client_id: str
    client_auth: str
    methods: tuple[str, ...]
    client_secret: str | None = None
    # Parsed signing key for private_key_jwt (joserfc RSAKey or ECKey).
    private_key: Any = None
    scopes: tuple[str, ...] | None = None
    display_name: str | None = None
    type: str = "oidc"


@dataclass(frozen=True)
class SamlProviderConfig:
    id: str
    methods: tuple[str, ...]
    sp_entity_id: str
    idp_metadata_path: Path
    sp_key_path: Path
    sp_cert_path: Path
    xmlsec_binary: str | None = None
    display_name: str | None = None
    type: str = "saml"


@dataclass(frozen=True)
class BankIdProviderConfig:
    id: str
    api_url: str
    client_cert_path: Path | None
    client_key_path: Path | None
    ca_cert_path: Path | None
    methods: tuple[str, ...] = ("bankid",)
    display_name: str | None = None
    type: str = "bankid"


ProviderConfig = OidcProviderConfig | SamlProviderConfig | BankIdProviderConfig


@dataclass(frozen=True)
class EidConfig:
    default_policy: EidPolicy = field(default_factory=EidPolicy)
    keyring: SubjectKeyring | None = None
    providers: tuple[ProviderConfig, ...] = ()
    test_provider_enabled: bool = False
    # How long a verification admits its user to its meeting.
    verification_lifetime_s: int = 12 * 3600
    # Records are deleted this long after they expire (audit window).
    retention_after_expiry_s: int = 30 * 24 * 3600
    # How long a browser has to finish one step-up attempt at the provider.
    flow_timeout_s: int = 600

    def methods_served(self) -> set[str]:
        served = {m for provider in self.providers for m in provider.methods}
        if self.test_provider_enabled:
            served.update(METHODS)
        return served

    def serves(self, policy: EidPolicy) -> bool:
        """Return True when a participant the policy applies to can meet it here."""
        return policy.required_for == "nobody" or bool(set(policy.methods) & self.methods_served())

    def requested_policy(self, raw: Any) -> EidPolicy:
        """Complete a policy from an API request with the default one, or raise PolicyError.

        A policy that names only methods no provider serves would lock every
        participant it applies to out, so it is rejected.
        """
        policy = policy_from_request(raw, self.default_policy)
        if not self.serves(policy):
            raise PolicyError(f"no identity provider on this server serves "
                              f"{', '.join(policy.methods)}")
        return policy


def parse_eid_config(raw: Mapping[str, Any] | None) -> EidConfig:
    """Build EidConfig from the raw `eid` mapping, or raise ConfigError."""
    path: Path_ = ("eid",)
    raw = _mapping(raw if raw is not None else {}, path)

    default_policy = _parse_default_policy(raw.get("default_policy", {}), path)
    test_enabled = _bool(_mapping(raw.get("test_provider", {}), path + ("test_provider",)),
                         "enabled", path + ("test_provider",))

    providers = _parse_providers(raw.get("providers", []), path + ("providers",))
    config = EidConfig(
        default_policy=default_policy,
        providers=providers,
        test_provider_enabled=test_enabled,
        verification_lifetime_s=_integer(raw, "verification_lifetime_s", path,
                                         default=12 * 3600, minimum=60),
        retention_after_expiry_s=_integer(raw, "retention_after_expiry_s", path,
                                          default=30 * 24 * 3600, minimum=0),
        flow_timeout_s=_integer(raw, "flow_timeout_s", path, default=600, minimum=60),
    )

    needs_key = bool(providers) or test_enabled
    key_path = raw.get("pnr_hmac_key_path")
    if needs_key and key_path is None:
        raise ConfigError("is required when a provider or the test provider is enabled",
                          path + ("pnr_hmac_key_path",))
    if key_path is not None:
        config = _with_keyring(config, key_path, path + ("pnr_hmac_key_path",))

    _check_default_policy_is_servable(config, path)
    return config


def _parse_default_policy(raw: Any, path: Path_) -> EidPolicy:
    path = path + ("default_policy",)
    try:
        return parse_policy(_mapping(raw, path))
    except PolicyError as error:
        raise ConfigError(str(error), path) from error


def _with_keyring(config: EidConfig, key_path: Any, path: Path_) -> EidConfig:
    if not isinstance(key_path, str) or not key_path:
        raise ConfigError("must be a file path", path)
    try:
        keyring = SubjectKeyring.from_file(Path(key_path))
    except KeyFileError as error:
        raise ConfigError(str(error), path) from error
    return EidConfig(**{**config.__dict__, "keyring": keyring})


def _check_default_policy_is_servable(config: EidConfig, path: Path_) -> None:
    policy = config.default_policy
    if not config.serves(policy):
        raise ConfigError(
            f"requires e-ID by {', '.join(policy.methods)} for {policy.required_for} "
            "participants, but no provider serves it: add a provider to eid.providers, "
            "enable eid.test_provider for a demo, or set required_for to nobody",
            path + ("default_policy",),
        )


def _parse_providers(raw: Any, path: Path_) -> tuple[ProviderConfig, ...]:
    if not isinstance(raw, list):
        raise ConfigError("must be a list", path)

    providers: list[ProviderConfig] = []
    seen_ids: set[str] = set()
    for index, entry in enumerate(raw):
        entry_path = path[:-1] + (f"{path[-1]}[{index}]",)
        entry = _mapping(entry, entry_path)
        provider = _parse_provider(entry, entry_path)
        if provider.id in seen_ids:
            raise ConfigError(f"duplicate provider id {provider.id!r}", entry_path + ("id",))
        seen_ids.add(provider.id)
        providers.append(provider)
    return tuple(providers)


def _parse_provider(raw: Mapping[str, Any], path: Path_) -> ProviderConfig:
    provider_id = _string(raw, "id", path)
    if not provider_id.replace("-", "").replace("_", "").isalnum() or provider_id == "test":
        raise ConfigError("must contain only letters, digits, '-' and '_' and not be 'test'",
                          path + ("id",))

    provider_type = raw.get("type")
    if provider_type not in PROVIDER_TYPES:
        raise ConfigError(f"must be one of {', '.join(PROVIDER_TYPES)}", path + ("type",))

    display_name = raw.get("display_name")
    if display_name is not None and not isinstance(display_name, str):
        raise ConfigError("must be a string", path + ("display_name",))

    if provider_type == "oidc":
        return _parse_oidc(raw, path, provider_id, display_name)
    if provider_type == "saml":
        return _parse_saml(raw, path, provider_id, display_name)
    return _parse_bankid(raw, path, provider_id, display_name)


def _parse_oidc(raw: Mapping[str, Any], path: Path_, provider_id: str,
                display_name: str | None) -> OidcProviderConfig:
    profile = raw.get("profile")
    if profile not in PROFILES:
        raise ConfigError(f"must be one of {', '.join(sorted(PROFILES))}", path + ("profile",))

    issuer = _url(raw, "issuer", path)
    client_id = _string(raw, "client_id", path)
    client_auth = raw.get("client_auth", "private_key_jwt")
    if client_auth not in CLIENT_AUTH_METHODS:
        raise ConfigError(f"must be one of {', '.join(CLIENT_AUTH_METHODS)}",
                          path + ("client_auth",))

    client_secret = None
    private_key = None
    if client_auth == "private_key_jwt":
        private_key = _load_private_key(_file(raw, "private_key_path", path),
                                        path + ("private_key_path",))
    else:
        client_secret = _secret(raw, "client_secret", path)

    methods = _methods(raw, path)
    unsupported = [m for m in methods if m not in PROFILES[profile].methods]
    if unsupported:
        raise ConfigError(f"profile {profile} does not support {', '.join(unsupported)}",
                          path + ("methods",))

    scopes = raw.get("scopes")
    if scopes is not None:
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise ConfigError("must be a list of strings", path + ("scopes",))
        if "openid" not in scopes:
            raise ConfigError("must contain 'openid'", path + ("scopes",))
        scopes = tuple(scopes)

    return OidcProviderConfig(
        id=provider_id, profile=profile, issuer=issuer.rstrip("/"), client_id=client_id,
        client_auth=client_auth, methods=methods, client_secret=client_secret,
        private_key=private_key, scopes=scopes, display_name=display_name,
    )


def _parse_saml(raw: Mapping[str, Any], path: Path_, provider_id: str,
                display_name: str | None) -> SamlProviderConfig:
    # pysaml2 checks signatures by running the xmlsec1 program.
    xmlsec_binary = raw.get("xmlsec_binary") or shutil.which("xmlsec1")
    if xmlsec_binary is None or not Path(str(xmlsec_binary)).is_file():
        raise ConfigError("xmlsec1 not found: install it (Debian package xmlsec1) or set "
                          "the path of the program", path + ("xmlsec_binary",))
    methods = _methods(raw, path)
    # The method is not in the SAML response, so each IdP entry serves one.
    if len(methods) != 1:
        raise ConfigError("a saml provider serves exactly one method; add one entry per IdP",
                          path + ("methods",))
    return SamlProviderConfig(
        id=provider_id,
        methods=methods,
        sp_entity_id=_string(raw, "sp_entity_id", path),
        idp_metadata_path=_file(raw, "idp_metadata_path", path),
        sp_key_path=_file(raw, "sp_key_path", path),
        sp_cert_path=_file(raw, "sp_cert_path", path),
        xmlsec_binary=xmlsec_binary,
        display_name=display_name,
    )


def _parse_bankid(raw: Mapping[str, Any], path: Path_, provider_id: str,
                  display_name: str | None) -> BankIdProviderConfig:
    api_url = _url(raw, "api_url", path)
    if not api_url.endswith("/"):
        api_url += "/"

    is_https = api_url.startswith("https://")
    cert = _optional_file(raw, "client_cert_path", path)
    key = _optional_file(raw, "client_key_path", path)
    ca = _optional_file(raw, "ca_cert_path", path)
    # BankID authenticates the relying party by its client certificate, so
    # the real service cannot be used without one.
    if is_https and (cert is None or key is None):
        raise ConfigError("client_cert_path and client_key_path are required for https",
                          path + ("client_cert_path",))

    methods = _methods(raw, path, default=["bankid"])
    if methods != ("bankid",):
        raise ConfigError("a bankid provider serves only the method bankid", path + ("methods",))
    return BankIdProviderConfig(
        id=provider_id, api_url=api_url, client_cert_path=cert, client_key_path=key,
        ca_cert_path=ca, display_name=display_name,
    )


def _load_private_key(key_path: Path, path: Path_) -> Any:
    data = key_path.read_bytes()
    for key_type in (RSAKey, ECKey):
        try:
            key = key_type.import_key(data)
        except (JoseError, ValueError, TypeError):
            continue
        if key.is_private:
            return key
    raise ConfigError("must contain an RSA or EC private key in PEM format", path)


def _methods(raw: Mapping[str, Any], path: Path_, default: list[str] | None = None
             ) -> tuple[str, ...]:
    methods = raw.get("methods", default)
    if not isinstance(methods, list) or not methods:
        raise ConfigError(f"must be a non-empty list drawn from {', '.join(METHODS)}",
                          path + ("methods",))
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ConfigError(f"unknown method {unknown[0]!r}; allowed: {', '.join(METHODS)}",
                          path + ("methods",))
    return tuple(m for m in METHODS if m in methods)


def _url(raw: Mapping[str, Any], key: str, path: Path_) -> str:
    value = _string(raw, key, path)
    parsed = urllib.parse.urlsplit(value)
    if parsed.scheme == "https" and parsed.hostname:
        return value
    # Plain http only to this machine, which is what offline tests use.
    if parsed.scheme == "http" and parsed.hostname and _is_loopback(parsed.hostname):
        return value
    raise ConfigError("must be an https:// URL (http:// only for loopback addresses)",
                      path + (key,))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secret(raw: Mapping[str, Any], key: str, path: Path_) -> str:
    """Read `key` inline or from the file named by `<key>_path`."""
    if raw.get(f"{key}_path") is not None:
        value = _file(raw, f"{key}_path", path).read_text().strip()
        if not value:
            raise ConfigError("file is empty", path + (f"{key}_path",))
        return value
    if raw.get(key) is None:
        raise ConfigError(f"is required (or set {key}_path)", path + (key,))
    return _string(raw, key, path)


def _file(raw: Mapping[str, Any], key: str, path: Path_) -> Path:
    value = _string(raw, key, path)
    file_path = Path(value)
    if not file_path.is_file():
        raise ConfigError(f"file not found: {value}", path + (key,))
    return file_path


def _optional_file(raw: Mapping[str, Any], key: str, path: Path_) -> Path | None:
    if raw.get(key) is None:
        return None
    return _file(raw, key, path)


def _mapping(value: Any, path: Path_) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError("must be a mapping", path)
    return value


def _string(raw: Mapping[str, Any], key: str, path: Path_) -> str:
    value = raw.get(key)
    if value is None:
        raise ConfigError("is required", path + (key,))
    if not isinstance(value, str) or not value:
        raise ConfigError("must be a non-empty string", path + (key,))
    return value


def _bool(raw: Mapping[str, Any], key: str, path: Path_) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError("must be true or false", path + (key,))
    return value


def _integer(raw: Mapping[str, Any], key: str, path: Path_, default: int, minimum: int) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"must be an integer >= {minimum}", path + (key,))
    return value
