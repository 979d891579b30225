# SPDX-License-Identifier: AGPL-3.0-or-later
"""Error codes of our own, for the `errcode` field of error responses.

Standard Matrix codes (M_FORBIDDEN, M_NOT_FOUND, ...) come from
synapse.module_api.errors.Codes; these cover the cases Matrix has no code for.
"""

# A guest link whose access period has ended (HTTP 410).
LINK_EXPIRED = "SE_HUBS_LINK_EXPIRED"

# A guest link that a moderator revoked (HTTP 410).
LINK_REVOKED = "SE_HUBS_LINK_REVOKED"

# Recording is not enabled for this meeting, or not configured on this server (HTTP 403).
RECORDING_NOT_ENABLED = "SE_HUBS_RECORDING_NOT_ENABLED"

# End-to-end encrypted meetings cannot be recorded on the server (HTTP 403).
RECORDING_E2EE = "SE_HUBS_RECORDING_E2EE"

# The meeting is already being recorded (HTTP 409).
RECORDING_ACTIVE = "SE_HUBS_RECORDING_ACTIVE"

# Nobody is in the meeting's call, so there is nothing to record (HTTP 409).
NO_CALL = "SE_HUBS_NO_CALL"

# The recording's file was deleted by its owner or by the retention policy (HTTP 410).
RECORDING_DELETED = "SE_HUBS_RECORDING_DELETED"
