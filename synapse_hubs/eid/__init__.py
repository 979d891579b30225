# SPDX-License-Identifier: AGPL-3.0-or-later
"""Per-meeting Swedish e-ID (BankID, Freja eID+, SITHS) before anyone is admitted.

EidFeature wires the parts together. Other features call
`EidFeature.gate.require_verification(user_id, room_id)` before they grant
access (the SFU token service does), and register their guest accounts as
external participants with `EidFeature.gate.add_guest_check`.
"""
