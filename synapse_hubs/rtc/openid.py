# SPDX-License-Identifier: AGPL-3.0-or-later
"""Check a Matrix OpenID token with the homeserver that issued it.

The token service learns who a caller is only from the issuing server's
`GET /_matrix/federation/v1/openid/userinfo`. It queries our own server and
the configured partner servers, and no others: discovering arbitrary servers
needs federation support, which the token service does not have yet.
"""

import logging

from synapse.module_api import ModuleApi, UserID
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.config import TokenServiceConfig
from synapse_hubs.rtc.token_requests import OpenIdToken

logger = logging.getLogger(__name__)

USERINFO_PATH = "/_matrix/federation/v1/openid/userinfo"


class OpenIdVerifier:
    def __init__(self, api: ModuleApi, config: TokenServiceConfig) -> None:
        self._api = api
        self._config = config

    async def verify(self, token: OpenIdToken) -> str:
        """Return the Matrix user ID the token belongs to, or raise 401/403/502."""
        server_name = token.matrix_server_name
        base_url = self._base_url_for(server_name)
        if base_url is None:
            raise SynapseError(
                403, f"OpenID tokens from {server_name[:100]!r} are not accepted here",
                Codes.FORBIDDEN,
            )

        userinfo = await self._fetch_userinfo(base_url, token)
        user_id = userinfo.get("sub") if isinstance(userinfo, dict) else None
        if not self._belongs_to(user_id, server_name):
            # A server may only vouch for its own users.
            logger.warning("OpenID userinfo from %s named a user of another server: %r",
                           server_name, user_id)
            raise SynapseError(401, "The OpenID token could not be verified", Codes.UNAUTHORIZED)
        assert isinstance(user_id, str)
        return user_id

    def _base_url_for(self, server_name: str) -> str | None:
        if server_name == self._api.server_name:
            return self._config.local_openid_base_url or self._api.public_baseurl.rstrip("/")
        partner_url = self._config.partner_openid_base_urls.get(server_name)
        return partner_url.rstrip("/") if partner_url else None

    async def _fetch_userinfo(self, base_url: str, token: OpenIdToken) -> object:
        try:
            return await self._api.http_client.get_json(
                base_url + USERINFO_PATH, args={"access_token": token.access_token}
            )
        except SynapseError as error:
            # The HTTP client raises SynapseError only for its own timeouts.
            logger.warning("OpenID userinfo request to %s failed: %s",
                           token.matrix_server_name, error.msg)
            raise SynapseError(502, "The request to the homeserver of the OpenID token timed out",
                               Codes.UNKNOWN) from error
        except Exception as error:
            status = getattr(error, "code", None)
            if isinstance(status, int) and 400 <= status < 500:
                # The issuing server does not know the token: forged or expired.
                raise SynapseError(
                    401, "The OpenID token is invalid or has expired", Codes.UNAUTHORIZED
                ) from error
            logger.warning("OpenID userinfo request to %s failed: %s: %s",
                           token.matrix_server_name, type(error).__name__, status)
            raise SynapseError(502, "The homeserver of the OpenID token could not be reached",
                               Codes.UNKNOWN) from error

    @staticmethod
    def _belongs_to(user_id: object, server_name: str) -> bool:
        if not isinstance(user_id, str):
            return False
        try:
            return UserID.from_string(user_id).domain == server_name
        except SynapseError:
            return False
