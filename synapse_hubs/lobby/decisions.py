# SPDX-License-Identifier: AGPL-3.0-or-later
"""Names of the moderators' lobby decisions, as stored in the audit log and exclusions."""

ADMIT = "admit"
DENY = "deny"
REMOVE = "remove"

# Decisions that exclude a guest account from the meeting for good.
EXCLUDING = (DENY, REMOVE)
