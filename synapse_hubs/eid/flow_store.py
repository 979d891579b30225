# SPDX-License-Identifier: AGPL-3.0-or-later
"""Short-lived step-up state: start tickets, browser sessions, pending attempts.

The step-up runs in a browser that has no Matrix access token. It is
carried over in three single-use steps, each stored in the database so
that any Synapse worker can serve the next request:

1. A start ticket, minted for an authenticated (user, meeting) by the JSON
   API or by a refused join. It travels in the URL fragment of the start
   link, which browsers never send to servers or write to access logs.
2. A browser session, created when the start page redeems the ticket. Its
   id lives only in an HttpOnly cookie scoped to the e-ID pages.
3. A flow: one attempt at one provider, keyed by the OIDC/SAML state (or
   BankID order handle) and bound to the browser session. It holds the
   nonce and PKCE verifier until the callback consumes it.

Only SHA-256 hashes of ticket ids, session ids and states are stored.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from synapse.module_api import LoggingTransaction, ModuleApi

from synapse_hubs.eid.verification_store import now_ms

TICKET_LIFETIME_MS = 10 * 60 * 1000
SESSION_LIFETIME_MS = 30 * 60 * 1000


@dataclass(frozen=True)
class StartTicket:
    user_id: str
    room_id: str
    return_to: str | None


@dataclass(frozen=True)
class BrowserSession:
    session_hash: str
    user_id: str
    room_id: str
    return_to: str | None
    language: str


@dataclass(frozen=True)
class Flow:
    state_hash: str
    session_hash: str
    provider_id: str
    method: str
    nonce: str
    code_verifier: str
    # Milliseconds since the Unix epoch.
    created_at: int
    expires_at: int
    provider_data: dict[str, Any]


def new_secret() -> str:
    """Return 256 random bits, URL-safe (well above OIDC's 128-bit state minimum)."""
    return secrets.token_urlsafe(32)


def secret_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class FlowStore:
    def __init__(self, api: ModuleApi, flow_timeout_s: int) -> None:
        self._api = api
        self._flow_timeout_ms = flow_timeout_s * 1000

    # Tickets ------------------------------------------------------------

    async def create_ticket(self, user_id: str, room_id: str, return_to: str | None) -> str:
        ticket = new_secret()
        await self._api.run_db_interaction(
            "hubs_eid_create_ticket", _insert_txn, "hubs_eid_tickets",
            {"ticket_hash": secret_hash(ticket), "user_id": user_id, "room_id": room_id,
             "return_to": return_to, "expires_at": now_ms() + TICKET_LIFETIME_MS},
        )
        return ticket

    async def redeem_ticket(self, ticket: str) -> StartTicket | None:
        """Consume the ticket; return None if it is unknown, used or expired."""
        row = await self._api.run_db_interaction(
            "hubs_eid_redeem_ticket", _take_txn, "hubs_eid_tickets", "ticket_hash",
            secret_hash(ticket), ("user_id", "room_id", "return_to", "expires_at"),
        )
        if row is None or row["expires_at"] <= now_ms():
            return None
        return StartTicket(row["user_id"], row["room_id"], row["return_to"])

    # Browser sessions ---------------------------------------------------

    async def create_session(self, ticket: StartTicket, language: str) -> str:
        session_id = new_secret()
        await self._api.run_db_interaction(
            "hubs_eid_create_session", _insert_txn, "hubs_eid_sessions",
            {"session_hash": secret_hash(session_id), "user_id": ticket.user_id,
             "room_id": ticket.room_id, "return_to": ticket.return_to, "language": language,
             "expires_at": now_ms() + SESSION_LIFETIME_MS},
        )
        return session_id

    async def get_session(self, session_id: str) -> BrowserSession | None:
        row = await self._api.run_db_interaction(
            "hubs_eid_get_session", _select_txn, "hubs_eid_sessions", "session_hash",
            secret_hash(session_id),
            ("session_hash", "user_id", "room_id", "return_to", "language", "expires_at"),
        )
        if row is None or row["expires_at"] <= now_ms():
            return None
        return BrowserSession(row["session_hash"], row["user_id"], row["room_id"],
                              row["return_to"], row["language"])

    async def delete_session(self, session_hash: str) -> None:
        await self._api.run_db_interaction(
            "hubs_eid_delete_session", _delete_txn, "hubs_eid_sessions", "session_hash",
            session_hash,
        )

    # Flows --------------------------------------------------------------

    async def create_flow(self, session: BrowserSession, provider_id: str, method: str,
                          nonce: str, code_verifier: str,
                          provider_data: dict[str, Any] | None = None) -> tuple[str, Flow]:
        """Store a new attempt and return its state (the only plaintext copy) and the flow."""
        state = new_secret()
        created = now_ms()
        flow = Flow(secret_hash(state), session.session_hash, provider_id, method, nonce,
                    code_verifier, created, created + self._flow_timeout_ms,
                    provider_data or {})
        await self._api.run_db_interaction(
            "hubs_eid_create_flow", _insert_txn, "hubs_eid_flows", _flow_row(flow)
        )
        return state, flow

    async def get_flow(self, state: str) -> Flow | None:
        row = await self._api.run_db_interaction(
            "hubs_eid_get_flow", _select_txn, "hubs_eid_flows", "state_hash",
            secret_hash(state), _FLOW_COLUMNS,
        )
        return _flow_from_row(row)

    async def take_flow(self, state: str) -> Flow | None:
        """Consume the flow so its state can never be used again."""
        row = await self._api.run_db_interaction(
            "hubs_eid_take_flow", _take_txn, "hubs_eid_flows", "state_hash",
            secret_hash(state), _FLOW_COLUMNS,
        )
        return _flow_from_row(row)

    async def update_flow_data(self, flow: Flow, provider_data: dict[str, Any]) -> None:
        await self._api.run_db_interaction(
            "hubs_eid_update_flow", _update_flow_data_txn, flow.state_hash,
            json.dumps(provider_data),
        )

    async def update_flow_request_id(self, flow: Flow, request_id: str) -> None:
        """Store a SAML AuthnRequest id in the flow's nonce column."""
        await self._api.run_db_interaction(
            "hubs_eid_update_flow_request", _update_flow_nonce_txn, flow.state_hash, request_id,
        )

    async def pending_flows(self, provider_id: str) -> list[Flow]:
        rows = await self._api.run_db_interaction(
            "hubs_eid_pending_flows", _select_provider_flows_txn, provider_id
        )
        return [flow for row in rows if (flow := _flow_from_row(row)) is not None]

    async def delete_flow(self, flow: Flow) -> bool:
        return await self._api.run_db_interaction(
            "hubs_eid_delete_flow", _delete_txn, "hubs_eid_flows", "state_hash",
            flow.state_hash,
        )

    async def delete_expired(self) -> None:
        await self._api.run_db_interaction("hubs_eid_purge_flows", _delete_expired_txn, now_ms())


_FLOW_COLUMNS = ("state_hash", "session_hash", "provider_id", "method", "nonce",
                 "code_verifier", "created_at", "expires_at", "provider_data")


def _flow_row(flow: Flow) -> dict[str, Any]:
    row = {column: getattr(flow, column) for column in _FLOW_COLUMNS}
    row["provider_data"] = json.dumps(flow.provider_data)
    return row


def _flow_from_row(row: dict[str, Any] | None) -> Flow | None:
    if row is None or row["expires_at"] <= now_ms():
        return None
    values = dict(row)
    values["provider_data"] = json.loads(values["provider_data"])
    return Flow(**values)


def _insert_txn(txn: LoggingTransaction, table: str, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    placeholders = ", ".join("?" for _ in row)
    txn.execute(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", tuple(row.values()))


def _select_txn(txn: LoggingTransaction, table: str, key_column: str, key: str,
                columns: tuple[str, ...]) -> dict[str, Any] | None:
    txn.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {key_column} = ?", (key,))
    row = txn.fetchone()
    return dict(zip(columns, row)) if row else None


def _take_txn(txn: LoggingTransaction, table: str, key_column: str, key: str,
              columns: tuple[str, ...]) -> dict[str, Any] | None:
    row = _select_txn(txn, table, key_column, key, columns)
    if row is None:
        return None
    txn.execute(f"DELETE FROM {table} WHERE {key_column} = ?", (key,))
    # Two requests racing on one state both read the row, but only the
    # DELETE that actually removed it may use it.
    return row if txn.rowcount == 1 else None


def _delete_txn(txn: LoggingTransaction, table: str, key_column: str, key: str) -> bool:
    txn.execute(f"DELETE FROM {table} WHERE {key_column} = ?", (key,))
    return txn.rowcount == 1


def _update_flow_data_txn(txn: LoggingTransaction, state_hash: str, data: str) -> None:
    txn.execute("UPDATE hubs_eid_flows SET provider_data = ? WHERE state_hash = ?",
                (data, state_hash))


def _update_flow_nonce_txn(txn: LoggingTransaction, state_hash: str, nonce: str) -> None:
    txn.execute("UPDATE hubs_eid_flows SET nonce = ? WHERE state_hash = ?", (nonce, state_hash))


def _select_provider_flows_txn(txn: LoggingTransaction, provider_id: str
                               ) -> list[dict[str, Any]]:
    txn.execute(f"SELECT {', '.join(_FLOW_COLUMNS)} FROM hubs_eid_flows WHERE provider_id = ?",
                (provider_id,))
    return [dict(zip(_FLOW_COLUMNS, row)) for row in txn.fetchall()]


def _delete_expired_txn(txn: LoggingTransaction, now: int) -> None:
    for table in ("hubs_eid_tickets", "hubs_eid_sessions", "hubs_eid_flows"):
        txn.execute(f"DELETE FROM {table} WHERE expires_at <= ?", (now,))
