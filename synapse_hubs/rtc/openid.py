# SPDX-License-Identifier: AGPL-3.0-or-later
"""Check a Matrix OpenID token with the homeserver that issued it.

The token service learns who a caller is only from the issuing server's
`GET /_matrix/federation/v1/openid/userinfo`. It asks our own server for
our users, and partner servers over federation for theirs; tokens of any
other server are refused before any request. When the issuing server cannot
confirm a token the caller gets an explicit error, never a call of their own.
"""

import logging

from synapse.module_api import ModuleApi
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.config import TokenServiceConfig
from synapse_hubs.federation.config import FederationConfig
from synapse_hubs.federation.partner_policy import server_of
from synapse_hubs.federation.userinfo_client import USERINFO_PATH, FederationUserinfoClient
from synapse_hubs.rtc.token_requests import OpenIdToken

logger = logging.getLogger(__name__)

UNCONFIRMED = "SE_HUBS_OPENID_UNCONFIRMED"


class OpenIdVerifier:
    def __init__(self, api: ModuleApi, config: TokenServiceConfig,
                 federation: FederationConfig) -> None:
        self._api = api
        self._config = config
        self._federation = federation
        self._federation_client = FederationUserinfoClient(api)

    async def verify(self, token: OpenIdToken) -> str:
        """Return the Matrix user ID the token belongs to, or raise 401/403/502."""
        server_name = token.matrix_server_name
        is_ours = server_name == self._api.server_name
        if not is_ours and server_name not in self._federation.partners:
            raise SynapseError(
                403, f"OpenID tokens from {server_name[:100]!r} are not accepted here: "
                "that server is not a partner of this server", Codes.FORBIDDEN,
            )

        userinfo = await self._fetch_userinfo(server_name, is_ours, token)
        user_id = userinfo.get("sub") if isinstance(userinfo, dict) else None
        if not isinstance(user_id, str) or server_of(user_id) != server_name:
            # A server may only vouch for its own users.
            logger.warning("OpenID userinfo from %s named a user of another server: %r",
                           server_name, user_id)
            raise SynapseError(401, "The OpenID token could not be verified", Codes.UNAUTHORIZED)
        return user_id

    async def _fetch_userinfo(self, server_name: str, is_ours: bool, token: OpenIdToken
                              ) -> object:
        try:
            if is_ours:
                base_url = (self._config.local_openid_base_url
                            or self._api.public_baseurl.rstrip("/"))
                return await self._get(base_url, token)
            partner_url = self._federation.openid_base_urls.get(server_name)
            if partner_url is not None:
                return await self._get(partner_url, token)
            return await self._federation_client.userinfo(server_name, token.access_token)
        except SynapseError as error:
            # The HTTP clients raise SynapseError only for their own timeouts.
            logger.warning("OpenID userinfo request to %s timed out: %s", server_name, error.msg)
            raise _unconfirmed(server_name, "did not respond in time") from error
        except Exception as error:
            status = getattr(error, "code", None)
            if isinstance(status, int) and 400 <= status < 500:
                # The issuing server does not know the token: forged or expired.
                logger.info("OpenID token rejected by %s (HTTP %d)", server_name, status)
                raise SynapseError(
                    401, f"Your homeserver {server_name[:100]} says the OpenID token is invalid "
                    "or has expired", Codes.UNAUTHORIZED,
                ) from error
            logger.warning("OpenID userinfo request to %s failed: %s: %s",
                           server_name, type(error).__name__, status)
            raise _unconfirmed(server_name, "could not be reached") from error

    async def _get(self, base_url: str, token: OpenIdToken) -> object:
        return await self._api.http_client.get_json(
            base_url + USERINFO_PATH, args={"access_token": token.access_token}
        )


def _unconfirmed(server_name: str, reason: str) -> SynapseError:
    return SynapseError(
        502, f"Your homeserver {server_name[:100]} {reason}, so your identity could not be "
        "confirmed and no call token was issued", UNCONFIRMED,
    )
