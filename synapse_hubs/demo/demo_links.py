# SPDX-License-Identifier: AGPL-3.0-or-later
"""POST /demo/links: the organiser and guest links that `hubs up` prints.

Enabled only by `demo.enabled` and served only to loopback clients that send
the deployment's CLI secret. Repeated calls reuse the organiser account and
the demo meeting, and return a fresh guest link and organiser login link.
"""

import hmac
import ipaddress
import logging
from typing import Any

from synapse.module_api import LoggingTransaction, ModuleApi, SynapseRequest
from synapse.module_api.errors import Codes, SynapseError

from synapse_hubs.config import DemoConfig
from synapse_hubs.event_types import MEETING
from synapse_hubs.guests.links import GuestLinks
from synapse_hubs.http.router import JsonRouter, client_address
from synapse_hubs.meetings.creation import MeetingFactory
from synapse_hubs.meetings.policy import ACCESS_PUBLIC
from synapse_hubs.readiness import Readiness, not_ready_error
from synapse_hubs.urls import guest_link_url, meeting_url

logger = logging.getLogger(__name__)

ORGANISER_LOCALPART = "organiser"
ORGANISER_DISPLAY_NAME = "Arrangör (demo)"
MEETING_TITLE = "Demomöte"
_MEETING_NAME = "default"

LOGIN_TOKEN_VALID_MINUTES = 60
GUEST_LINK_LIFETIME_S = 24 * 3600


class DemoLinks:
    def __init__(
        self,
        api: ModuleApi,
        config: DemoConfig,
        readiness: Readiness,
        factory: MeetingFactory,
        links: GuestLinks,
    ) -> None:
        self._api = api
        self._config = config
        self._readiness = readiness
        self._factory = factory
        self._links = links

    def register(self, router: JsonRouter) -> None:
        router.add("POST", "/demo/links", self._create_links)

    async def _create_links(self, request: SynapseRequest) -> tuple[int, Any]:
        self._authorise(request)
        # `hubs up` retries on 503 while the module's start-up still runs.
        if not self._readiness.is_ready:
            raise not_ready_error()

        organiser = await self._ensure_organiser()
        room_id = await self._ensure_meeting(organiser)
        _, link_token = await self._links.create(
            room_id, organiser, expires_in_s=GUEST_LINK_LIFETIME_S, label="Demo"
        )
        login_token = await self._api.create_login_token(
            organiser, duration_in_ms=LOGIN_TOKEN_VALID_MINUTES * 60 * 1000
        )

        public_baseurl = self._api.public_baseurl
        return 200, {
            "meeting_title": MEETING_TITLE,
            "room_id": room_id,
            "organiser_user_id": organiser,
            "organiser_url": (f"{meeting_url(public_baseurl, room_id, via=[self._api.server_name])}"
                              f"#loginToken={login_token}"),
            "organiser_url_valid_minutes": LOGIN_TOKEN_VALID_MINUTES,
            "guest_url": guest_link_url(public_baseurl, link_token),
        }

    def _authorise(self, request: SynapseRequest) -> None:
        address = client_address(request)
        if not is_loopback_address(address):
            logger.warning("Refused demo links request from non-loopback address %s", address)
            raise SynapseError(
                403, "The demo endpoint accepts requests from loopback addresses only",
                Codes.FORBIDDEN,
            )

        authorization = request.getHeader("Authorization") or ""
        presented = authorization.removeprefix("Bearer ")
        if not hmac.compare_digest(presented.encode("utf-8"),
                                   self._config.cli_secret.encode("utf-8")):
            logger.warning("Refused demo links request with a wrong CLI secret")
            raise SynapseError(401, "Wrong or missing CLI secret", Codes.UNAUTHORIZED)

    async def _ensure_organiser(self) -> str:
        user_id = self._api.get_qualified_user_id(ORGANISER_LOCALPART)
        # get_userinfo_by_id, unlike check_user_exists, logs no failed-login warning.
        if await self._api.get_userinfo_by_id(user_id) is None:
            await self._api.register_user(ORGANISER_LOCALPART, displayname=ORGANISER_DISPLAY_NAME)
            logger.info("Registered the demo organiser %s", user_id)
        return user_id

    async def _ensure_meeting(self, organiser: str) -> str:
        room_id = await self._stored_room_id()
        if room_id is not None and await self._is_meeting(room_id):
            return room_id

        room_id, _ = await self._factory.create(
            organiser, MEETING_TITLE, ACCESS_PUBLIC, e2ee=False
        )
        await self._store_room_id(room_id)
        return room_id

    async def _is_meeting(self, room_id: str) -> bool:
        state = await self._api.get_room_state(room_id, [(MEETING, "")])
        return (MEETING, "") in state

    async def _stored_room_id(self) -> str | None:
        def select_txn(txn: LoggingTransaction) -> str | None:
            txn.execute("SELECT room_id FROM hubs_demo_meetings WHERE name = ?", (_MEETING_NAME,))
            row = txn.fetchone()
            return row[0] if row else None

        return await self._api.run_db_interaction("hubs_get_demo_meeting", select_txn)

    async def _store_room_id(self, room_id: str) -> None:
        def upsert_txn(txn: LoggingTransaction) -> None:
            txn.execute(
                "INSERT INTO hubs_demo_meetings (name, room_id) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET room_id = excluded.room_id",
                (_MEETING_NAME, room_id),
            )

        await self._api.run_db_interaction("hubs_store_demo_meeting", upsert_txn)


def is_loopback_address(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return parsed.is_loopback
