# SPDX-License-Identifier: AGPL-3.0-or-later
"""Parse the `federation:` block: which other servers are partners.

    federation:
      partners: ["hubs.region.example", "hubs.kommun.example"]

Only our own server and the partners may take part in our rooms and get SFU
tokens. The older `token_service.partner_openid_base_urls` still works. Its
server names count as partners too, and its URLs name where their OpenID
tokens are checked instead of discovering the server over federation.
"""

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from synapse.module_api.errors import ConfigError

# A Matrix server name: a host name, IPv4 or bracketed IPv6 address, optional port.
_SERVER_NAME = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")


@dataclass(frozen=True)
class FederationConfig:
    partners: frozenset[str] = field(default_factory=frozenset)
    # server_name -> base URL for checking OpenID tokens without federation discovery.
    openid_base_urls: Mapping[str, str] = field(default_factory=dict)


def parse_federation_config(raw: Any, legacy_openid_base_urls: Mapping[str, str]
                            ) -> FederationConfig:
    path = ("federation",)
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError("must be a mapping", path)

    partners_raw = raw.get("partners", [])
    if not isinstance(partners_raw, list):
        raise ConfigError("must be a list of server names", path + ("partners",))
    partners = set()
    for index, name in enumerate(partners_raw):
        if not isinstance(name, str) or not _SERVER_NAME.match(name):
            raise ConfigError("must be a server name such as 'hubs.example.se'",
                              path + ("partners", str(index)))
        partners.add(name)

    partners.update(legacy_openid_base_urls)
    return FederationConfig(
        partners=frozenset(partners),
        openid_base_urls={name: url.rstrip("/") for name, url in legacy_openid_base_urls.items()},
    )
