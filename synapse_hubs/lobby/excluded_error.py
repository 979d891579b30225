# SPDX-License-Identifier: AGPL-3.0-or-later
"""The error a denied or removed guest gets when they try to come back."""

from synapse.module_api.errors import SynapseError

from synapse_hubs.lobby.decisions import DENY

ERRCODE = "SE_HUBS_REMOVED"


def excluded_error(decision: str) -> SynapseError:
    """Return the 403 for a guest excluded by `decision` ("deny" or "remove")."""
    if decision == DENY:
        message = ("A moderator denied this guest session entry to this meeting. "
                   "Open the meeting link again to ask for entry as a new guest.")
    else:
        message = ("This guest session was removed from this meeting by a moderator "
                   "and cannot rejoin it.")
    return SynapseError(403, message, ERRCODE, additional_fields={"se.hubs.decision": decision})
