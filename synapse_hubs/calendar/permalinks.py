# SPDX-License-Identifier: AGPL-3.0-or-later
"""Links to a chat message that Matrix clients open in place.

With the default prefix "https://matrix.to" the link has the form of the
Matrix specification's matrix.to navigation (appendix "Matrix.to
navigation"): `https://matrix.to/#/<room id>/<event id>?via=<server>`.
Element Web, Element X and other clients recognise it and open the message
without visiting matrix.to. Any other prefix is taken as an Element Web
instance, whose own link form is `<prefix>/#/room/<room id>/<event id>`.
"""

import urllib.parse

MATRIX_TO = "https://matrix.to"


def message_permalink(prefix: str, room_id: str, event_id: str, via_server: str) -> str:
    """Return a link to one event; identifiers are percent-encoded as the Matrix spec recommends."""
    room = urllib.parse.quote(room_id, safe="")
    event = urllib.parse.quote(event_id, safe="")
    if prefix.rstrip("/") == MATRIX_TO:
        via = urllib.parse.quote(via_server, safe="")
        return f"{MATRIX_TO}/#/{room}/{event}?via={via}"
    return f"{prefix.rstrip('/')}/#/room/{room}/{event}"
