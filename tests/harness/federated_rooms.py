# SPDX-License-Identifier: AGPL-3.0-or-later
"""Steps that rooms shared across the federation rig's servers need: waiting, inviting, joining."""

import time
from typing import Any, Callable

from tests.harness.federation import FederationRig
from tests.harness.homeserver import Homeserver
from tests.harness.matrix_client import MatrixClient


def wait_for(condition: Callable[[], Any], timeout_s: float = 20.0,
             what: str = "condition") -> Any:
    """Poll until condition() is truthy; federation delivers asynchronously."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def invited_rooms(client: MatrixClient) -> set[str]:
    return set(client.request("GET", "/_matrix/client/v3/sync",
                              params={"timeout": 0})["rooms"].get("invite", {}))


def join_via(client: MatrixClient, room_id: str, server_name: str) -> None:
    """Join a room that lives on another server, naming that server as the route."""
    client.request("POST", f"/_matrix/client/v3/join/{room_id}", json={},
                   params={"server_name": server_name})


def invite_and_join(rig: FederationRig, host: MatrixClient, host_server: str,
                    room_id: str, visitor: MatrixClient) -> None:
    """host invites visitor (of another rig server) into room_id and visitor joins."""
    host.invite(room_id, visitor.user_id)
    wait_for(lambda: room_id in invited_rooms(visitor), what="the invite to arrive")
    join_via(visitor, room_id, rig.server_names[host_server])
    wait_for(lambda: host.membership(room_id, visitor.user_id) == "join",
             what="the visitor's join to arrive")


def partner_refusals(server: Homeserver, user_id: str) -> list[str]:
    """Return the log lines where the partner policy rejected or dropped something of user_id."""
    return [line for line in server.synapse_log().splitlines()
            if "partner_policy" in line and user_id in line and "not a partner" in line]
