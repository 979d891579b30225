# SPDX-License-Identifier: AGPL-3.0-or-later
"""Built-in test identity provider, so a demo can try the step-up without real e-ID.

Enabled only by `eid.test_provider.enabled`. Its pages carry the banner
"TEST – inte riktig e-legitimation", and the identity it returns is
whatever the user typed, so it must never be enabled in production. It
still goes through the same validation and storage as real providers.
"""

import logging
import uuid

from synapse_hubs.eid import step_up_failure as failure
from synapse_hubs.eid.assurance import LEVELS, METHODS
from synapse_hubs.eid.flow_store import BrowserSession, FlowStore
from synapse_hubs.eid.identity_number import InvalidIdentityNumber, parse_identity_number
from synapse_hubs.eid.step_up_failure import StepUpFailed
from synapse_hubs.eid.verified_identity import VerifiedIdentity, clean_display_name

logger = logging.getLogger(__name__)

TEST_PROVIDER_ID = "test"
TEST_ISSUER = "urn:hubs:eid:test-provider"


class TestProvider:
    is_test = True
    id = TEST_PROVIDER_ID
    methods = METHODS
    display_name = "TEST"

    def __init__(self, flows: FlowStore) -> None:
        self._flows = flows

    async def begin(self, session: BrowserSession, method: str, min_loa: str,
                    end_user_ip: str) -> str:
        state, _ = await self._flows.create_flow(session, self.id, method, "", "")
        logger.warning("Test e-ID provider used by %s in %s", session.user_id, session.room_id)
        return f"/_synapse/client/hubs/eid/test_provider?state={state}"

    def identity(self, method: str, form: dict[str, str]) -> VerifiedIdentity:
        if form.get("action") == "cancel":
            raise StepUpFailed("user_cancel", failure.CANCELLED)

        try:
            number = parse_identity_number(form.get("number", ""))
        except InvalidIdentityNumber as error:
            raise StepUpFailed("number_invalid", failure.INVALID_IDENTITY) from error

        loa = form.get("loa", "loa3")
        if loa not in LEVELS:
            raise StepUpFailed("loa_unknown")
        return VerifiedIdentity(
            number=number, previous_number=None,
            verified_name=clean_display_name(form.get("given_name"), form.get("family_name")),
            method=method, loa=loa, acr=f"test:{loa}", issuer=TEST_ISSUER,
            transaction_ref="test-" + uuid.uuid4().hex,
        )
