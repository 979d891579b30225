# SPDX-License-Identifier: AGPL-3.0-or-later
"""Step-up with the BankID RP API v6 directly: order, animated QR, collect, cancel.

The browser polls once a second. Each poll returns a QR code computed on
the server for the current second (the qrStartSecret stays in the flow
row) and at most every 2 seconds calls /collect, as BankID requires. When
the browser stops polling, the cleanup task cancels the order at BankID.
"""

import logging
import time
from dataclasses import dataclass
from typing import Any

import segno

from synapse_hubs.eid import step_up_failure as failure
from synapse_hubs.eid.bankid_client import BankIdApiError, BankIdClient
from synapse_hubs.eid.bankid_messages import message_for, message_for_error
from synapse_hubs.eid.bankid_qr import qr_content
from synapse_hubs.eid.config import BankIdProviderConfig
from synapse_hubs.eid.flow_store import BrowserSession, Flow, FlowStore
from synapse_hubs.eid.identity_number import InvalidIdentityNumber, parse_identity_number
from synapse_hubs.eid.step_up_failure import StepUpFailed
from synapse_hubs.eid.verified_identity import VerifiedIdentity, clean_display_name

logger = logging.getLogger(__name__)

COLLECT_INTERVAL_S = 2.0
# An order whose page has not polled for this long is treated as abandoned.
ABANDON_AFTER_S = 15.0
BANKID_LOA = "loa3"


@dataclass(frozen=True)
class PollResult:
    """Outcome of one poll of the QR page, with `identity` set once the order completed."""

    status: str
    message: str | None = None
    rfa: str | None = None
    qr: str | None = None
    auto_start_url: str | None = None
    identity: VerifiedIdentity | None = None


class BankIdProvider:
    is_test = False

    def __init__(self, config: BankIdProviderConfig, flows: FlowStore,
                 client: BankIdClient | None = None) -> None:
        self.config = config
        self.id = config.id
        self.methods = config.methods
        self.display_name = config.display_name or ""
        self._flows = flows
        self._client = client or BankIdClient(config)

    async def begin(self, session: BrowserSession, method: str, min_loa: str,
                    end_user_ip: str) -> str:
        """Start an order and return the URL of the QR page."""
        try:
            order = await self._client.auth(end_user_ip)
        except BankIdApiError as error:
            raise _api_failure(error) from error

        data = {
            "order_ref": order.order_ref,
            "auto_start_token": order.auto_start_token,
            "qr_start_token": order.qr_start_token,
            "qr_start_secret": order.qr_start_secret,
            "order_time": time.time(),
            "last_collect": 0.0,
            "last_poll": time.time(),
            "hint_code": None,
        }
        state, _ = await self._flows.create_flow(session, self.id, method, "", "", data)
        logger.info("Started BankID order for %s in %s", session.user_id, session.room_id)
        return f"/_synapse/client/hubs/eid/bankid#state={state}"

    async def poll(self, flow: Flow, language: str) -> PollResult:
        data = dict(flow.provider_data)
        now = time.time()
        data["last_poll"] = now

        if now - data["last_collect"] >= COLLECT_INTERVAL_S:
            data["last_collect"] = now
            result = await self._collect(flow, data, language)
            if result is not None:
                return result

        await self._flows.update_flow_data(flow, data)
        message = message_for("pending", data["hint_code"])
        return PollResult(
            status="pending",
            message=message.text(language),
            rfa=message.rfa,
            qr=segno.make_qr(qr_content(data["qr_start_token"], data["qr_start_secret"],
                                        data["order_time"], now)).svg_data_uri(scale=5),
            auto_start_url=(f"bankid:///?autostarttoken={data['auto_start_token']}"
                            "&redirect=null"),
        )

    async def _collect(self, flow: Flow, data: dict[str, Any], language: str
                       ) -> PollResult | None:
        try:
            result = await self._client.collect(data["order_ref"])
        except BankIdApiError as error:
            await self._flows.delete_flow(flow)
            raise _api_failure(error) from error

        if result.status == "pending":
            data["hint_code"] = result.hint_code
            return None

        # The order is finished either way; only one poll may act on it.
        if not await self._flows.delete_flow(flow):
            raise StepUpFailed("flow_already_finished", failure.SESSION_INVALID)

        if result.status == "failed":
            message = message_for("failed", result.hint_code)
            message_key = failure.CANCELLED if result.hint_code == "userCancel" else \
                failure.EXPIRED if result.hint_code == "expiredTransaction" else failure.FAILED
            logger.info("BankID order failed with hint %s", result.hint_code)
            raise StepUpFailed(f"bankid_{result.hint_code}", message_key, rfa=message.rfa)

        return PollResult(status="complete",
                          identity=self._identity(result.completion_data, data["order_ref"]))

    async def cancel(self, flow: Flow) -> None:
        await self._flows.delete_flow(flow)
        await self._cancel_order(flow)

    async def cancel_abandoned(self) -> None:
        """Cancel orders whose page stopped polling (closed tab, lost network)."""
        now = time.time()
        for flow in await self._flows.pending_flows(self.id):
            if now - flow.provider_data.get("last_poll", 0) < ABANDON_AFTER_S:
                continue
            if await self._flows.delete_flow(flow):
                logger.info("Cancelling abandoned BankID order")
                await self._cancel_order(flow)

    async def _cancel_order(self, flow: Flow) -> None:
        try:
            await self._client.cancel(flow.provider_data["order_ref"])
        except BankIdApiError as error:
            # The order may already be finished at BankID; nothing to undo.
            logger.info("BankID /cancel failed: %s", error.error_code)

    def _identity(self, completion: dict[str, Any] | None, order_ref: str) -> VerifiedIdentity:
        user = (completion or {}).get("user") or {}
        try:
            number = parse_identity_number(str(user.get("personalNumber", "")))
        except InvalidIdentityNumber as error:
            raise StepUpFailed("number_invalid", failure.INVALID_IDENTITY) from error

        # Only the fields below are read; signature, ocspResponse and
        # device data in completionData are dropped with this request.
        return VerifiedIdentity(
            number=number, previous_number=None,
            verified_name=clean_display_name(user.get("givenName"), user.get("surname"))
            or clean_display_name(user.get("name")),
            method="bankid", loa=BANKID_LOA, acr="bankid-rp-v6",
            issuer=self.config.api_url, transaction_ref=order_ref,
        )


def _api_failure(error: BankIdApiError) -> StepUpFailed:
    message = message_for_error(error.error_code)
    if message is None:
        # invalidParameters, unauthorized and the like are our configuration
        # errors, not something the user can act on.
        logger.error("BankID RP API rejected our request: %s (HTTP %s)",
                     error.error_code, error.status)
        return StepUpFailed(f"bankid_{error.error_code}")
    return StepUpFailed(f"bankid_{error.error_code}", failure.FAILED, rfa=message.rfa)
