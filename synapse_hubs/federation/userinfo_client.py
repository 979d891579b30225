# SPDX-License-Identifier: AGPL-3.0-or-later
"""Ask a partner server over federation who an OpenID token belongs to.

lk-jwt-service finds the token's server the way federation does (well-known
delegation, SRV, port 8448) and checks the certificate the same way. Synapse's
federation client does exactly that, with the admin's federation TLS settings
(`federation_custom_ca_list`, `federation_verify_certificates`), so we use it
rather than a second, weaker discovery of our own.
"""

from typing import Any

from synapse.module_api import ModuleApi

USERINFO_PATH = "/_matrix/federation/v1/openid/userinfo"
# The caller's call starts only after this request returns.
TIMEOUT_MS = 10_000


class FederationUserinfoClient:
    def __init__(self, api: ModuleApi) -> None:
        # TODO: the ModuleApi exposes no federation client; this reaches into Synapse internals.
        self._client = api._hs.get_federation_http_client()

    async def userinfo(self, server_name: str, access_token: str) -> Any:
        """Return the userinfo JSON, or raise what the federation client raises."""
        return await self._client.get_json(
            destination=server_name,
            path=USERINFO_PATH,
            args={"access_token": access_token},
            timeout=TIMEOUT_MS,
            # A partner that was down a minute ago may be back; the caller is waiting now.
            ignore_backoff=True,
            retry_on_dns_fail=False,
        )
