# SPDX-License-Identifier: AGPL-3.0-or-later
"""Raise and lower hands, and publish the queue to the room as `se.hubs.hand_queue` state.

The table is the source of truth. The state event lets every client,
Element included, read the queue from its sync without polling us.
"""

import logging

from synapse.module_api import ModuleApi
from synapse.module_api.errors import SynapseError

from synapse_hubs.event_types import HAND_QUEUE
from synapse_hubs.hands.hand_store import HandStore, RaisedHand

logger = logging.getLogger(__name__)


# TODO: Element Call raises a hand with an m.reaction to its call membership event;
# those hands do not enter this queue yet, and ours do not show in Element Call.
class HandQueue:
    def __init__(self, api: ModuleApi, store: HandStore, service_user_id: str) -> None:
        self._api = api
        self._store = store
        self._service_user_id = service_user_id

    async def raise_hand(self, room_id: str, user_id: str) -> list[RaisedHand]:
        if await self._store.raise_hand(room_id, user_id):
            logger.info("Hand raised by %s in %s", user_id, room_id)
            return await self._publish(room_id)
        return await self._store.queue(room_id)

    async def lower_hand(self, room_id: str, user_id: str, lowered_by: str) -> list[RaisedHand]:
        if await self._store.lower_hand(room_id, user_id):
            logger.info("Hand of %s lowered by %s in %s", user_id, lowered_by, room_id)
            return await self._publish(room_id)
        return await self._store.queue(room_id)

    async def queue(self, room_id: str) -> list[RaisedHand]:
        return await self._store.queue(room_id)

    async def on_participant_removed(self, room_id: str, user_id: str) -> None:
        await self.lower_hand(room_id, user_id, lowered_by=self._service_user_id)

    async def _publish(self, room_id: str) -> list[RaisedHand]:
        hands = await self._store.queue(room_id)
        try:
            await self._api.create_and_send_event_into_room({
                "type": HAND_QUEUE,
                "state_key": "",
                "room_id": room_id,
                "sender": self._service_user_id,
                "content": {"queue": [hand.to_json() for hand in hands]},
            })
        except SynapseError as error:
            # The table already contains the change and GET .../hands returns it.
            # The next change publishes the whole queue again.
            logger.warning("Publishing the hand queue of %s failed: %s", room_id, error)
        return hands
