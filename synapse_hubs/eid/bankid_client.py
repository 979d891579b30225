# SPDX-License-Identifier: AGPL-3.0-or-later
"""Client for the BankID Relying Party API v6 (/auth, /collect, /cancel).

JSON over HTTPS with mutual TLS: the relying party presents the client
certificate its bank issued and trusts only BankID's server CA. Errors
come back as HTTP 4xx/5xx with `{"errorCode", "details"}`.
"""

import logging
from dataclasses import dataclass
from typing import Any

from synapse_hubs.eid.config import BankIdProviderConfig
from synapse_hubs.eid.outbound_http import OutboundHttp, ProviderHttpError

logger = logging.getLogger(__name__)


class BankIdApiError(Exception):
    """The RP API refused a request; `error_code` is BankID's errorCode, if any."""

    def __init__(self, error_code: str | None, status: int | None) -> None:
        super().__init__(f"BankID RP API error {error_code} (HTTP {status})")
        self.error_code = error_code
        self.status = status


@dataclass(frozen=True)
class Order:
    order_ref: str
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str


@dataclass(frozen=True)
class CollectResult:
    status: str
    hint_code: str | None
    completion_data: dict[str, Any] | None


class BankIdClient:
    def __init__(self, config: BankIdProviderConfig, http: OutboundHttp | None = None) -> None:
        self._base_url = config.api_url
        self._http = http or OutboundHttp(
            ca_cert_path=config.ca_cert_path,
            client_cert_path=config.client_cert_path,
            client_key_path=config.client_key_path,
        )

    async def auth(self, end_user_ip: str, user_visible_data: str | None = None) -> Order:
        body: dict[str, Any] = {"endUserIp": end_user_ip}
        if user_visible_data:
            body["userVisibleData"] = user_visible_data
            body["userVisibleDataFormat"] = "simpleMarkdownV1"
        answer = await self._call("auth", body)
        try:
            return Order(answer["orderRef"], answer["autoStartToken"],
                         answer["qrStartToken"], answer["qrStartSecret"])
        except (KeyError, TypeError) as error:
            raise BankIdApiError("malformedResponse", 200) from error

    async def collect(self, order_ref: str) -> CollectResult:
        answer = await self._call("collect", {"orderRef": order_ref})
        status = answer.get("status")
        if status not in ("pending", "failed", "complete"):
            raise BankIdApiError("malformedResponse", 200)
        return CollectResult(status, answer.get("hintCode"), answer.get("completionData"))

    async def cancel(self, order_ref: str) -> None:
        await self._call("cancel", {"orderRef": order_ref})

    async def _call(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            status, answer = await self._http.post_json(self._base_url + endpoint, body)
        except ProviderHttpError as error:
            raise BankIdApiError("unreachable", None) from error

        if status != 200:
            error_code = answer.get("errorCode") if isinstance(answer, dict) else None
            # BankID's `details` describe our request, never the user; still,
            # log only the code.
            logger.warning("BankID /%s failed: HTTP %d %s", endpoint, status, error_code)
            raise BankIdApiError(error_code, status)
        if not isinstance(answer, dict):
            raise BankIdApiError("malformedResponse", status)
        return answer
