# SPDX-License-Identifier: AGPL-3.0-or-later
"""Error codes of our own, for the `errcode` field of error responses.

Standard Matrix codes (M_FORBIDDEN, M_NOT_FOUND, ...) come from
synapse.module_api.errors.Codes; these cover the cases Matrix has no code for.
"""

# A guest link whose access period has ended (HTTP 410).
LINK_EXPIRED = "SE_HUBS_LINK_EXPIRED"

# A guest link that a moderator revoked (HTTP 410).
LINK_REVOKED = "SE_HUBS_LINK_REVOKED"
