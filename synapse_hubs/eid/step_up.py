# SPDX-License-Identifier: AGPL-3.0-or-later
"""Turn a provider's VerifiedIdentity into a stored verification record.

Every provider ends here, so the policy checks and the privacy rules are
applied the same way for all of them. The method and level must satisfy
the meeting's current policy. The identity number becomes a subject key
and goes no further than this function.
"""

import logging

from synapse_hubs.eid import step_up_failure as failure
from synapse_hubs.eid.admission_gate import AdmissionGate
from synapse_hubs.eid.assurance import meets_minimum
from synapse_hubs.eid.config import EidConfig
from synapse_hubs.eid.flow_store import BrowserSession
from synapse_hubs.eid.step_up_failure import StepUpFailed
from synapse_hubs.eid.verification_store import (
    DifferentPersonError,
    VerificationRecord,
    VerificationStore,
    now_ms,
)
from synapse_hubs.eid.verified_identity import VerifiedIdentity

logger = logging.getLogger(__name__)


class StepUp:
    def __init__(self, config: EidConfig, gate: AdmissionGate,
                 records: VerificationStore) -> None:
        self._config = config
        self._gate = gate
        self._records = records

    async def finish(self, session: BrowserSession, provider_id: str, chosen_method: str,
                     identity: VerifiedIdentity) -> VerificationRecord:
        """Store the verification of the session's user for its meeting, or raise StepUpFailed."""
        policy = await self._gate.policy_for(session.room_id)
        if identity.method != chosen_method or identity.method not in policy.methods:
            raise StepUpFailed("method_not_allowed", failure.METHOD_NOT_ALLOWED)
        if not meets_minimum(identity.loa, policy.min_loa):
            raise StepUpFailed(f"loa_too_low:{identity.loa}<{policy.min_loa}",
                               failure.LOA_TOO_LOW)

        keyring = self._config.keyring
        assert keyring is not None, "parse_eid_config requires a key when providers exist"
        subject_key = keyring.subject_key(session.room_id, identity.number)
        previous_key = (keyring.subject_key(session.room_id, identity.previous_number)
                        if identity.previous_number else None)

        verified_at = now_ms()
        record = VerificationRecord(
            user_id=session.user_id, room_id=session.room_id, subject_key=subject_key,
            key_id=keyring.key_id, verified_name=identity.verified_name,
            method=identity.method, loa=identity.loa, acr=identity.acr[:200],
            issuer=identity.issuer, provider_id=provider_id,
            transaction_ref=identity.transaction_ref, verified_at=verified_at,
            expires_at=verified_at + self._config.verification_lifetime_s * 1000,
        )
        try:
            await self._records.save(record, previous_key)
        except DifferentPersonError as error:
            logger.warning("Refused e-ID verification of %s in %s: the account is already "
                           "verified as another person", session.user_id, session.room_id)
            raise StepUpFailed("different_person", failure.DIFFERENT_PERSON) from error

        logger.info("Stored e-ID verification of %s in %s (%s at %s via %s, ref %s)",
                    session.user_id, session.room_id, identity.method, identity.loa,
                    provider_id, identity.transaction_ref)
        return record
