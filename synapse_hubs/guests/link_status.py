# SPDX-License-Identifier: AGPL-3.0-or-later
"""Whether a guest link still admits guests, by the server clock."""

from synapse.module_api.errors import SynapseError

from synapse_hubs.errors import LINK_EXPIRED, LINK_REVOKED

STATUS_ACTIVE = "active"
STATUS_EXPIRED = "expired"
STATUS_REVOKED = "revoked"


def link_status(expires_ts: int | None, revoked_ts: int | None, now_ms: int) -> str:
    """Return STATUS_REVOKED, STATUS_EXPIRED or STATUS_ACTIVE; revocation wins over expiry."""
    if revoked_ts is not None:
        return STATUS_REVOKED
    if expires_ts is not None and now_ms >= expires_ts:
        return STATUS_EXPIRED
    return STATUS_ACTIVE


def raise_unless_active(status: str) -> None:
    """Raise the 410 error for an expired or revoked link."""
    if status == STATUS_REVOKED:
        raise SynapseError(410, "This guest link has been revoked", LINK_REVOKED)
    if status == STATUS_EXPIRED:
        raise SynapseError(410, "This guest link has expired", LINK_EXPIRED)
