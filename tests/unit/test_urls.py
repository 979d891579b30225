# SPDX-License-Identifier: AGPL-3.0-or-later
"""Meeting links name the servers that route a join to the room."""

from synapse_hubs.urls import matrix_uri, meeting_url

ROOM = "!PLQU0GxHET2SL42Av_y3Ff0eBNRtVJXpaee_4TcrKxk"


def test_meeting_url_without_via_is_unchanged():
    assert meeting_url("https://hubs.example.org", ROOM) == (
        f"https://hubs.example.org/_synapse/client/hubs/meet/{ROOM}")


def test_meeting_url_carries_via_servers_with_ports():
    url = meeting_url("https://hubs.example.org/", ROOM, via=["hubs.example.org", "127.0.0.1:8448"])

    assert url.endswith(f"/meet/{ROOM}?via=hubs.example.org&via=127.0.0.1:8448")


def test_matrix_uri_joins_through_via():
    assert matrix_uri(ROOM, via=["hubs.example.org"]) == (
        f"matrix:roomid/{ROOM[1:]}?via=hubs.example.org&action=join")
    assert matrix_uri("!legacy:old.example", via=[]) == (
        "matrix:roomid/legacy:old.example?action=join")
