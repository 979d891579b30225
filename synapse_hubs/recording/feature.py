# SPDX-License-Identifier: AGPL-3.0-or-later
"""Wire meeting recording into Synapse: tables, endpoints, callbacks, webhooks, timers."""

import logging

from synapse.module_api import ModuleApi

from synapse_hubs.config import HubsConfig
from synapse_hubs.http.router import JsonRouter
from synapse_hubs.meetings.access import MeetingAccess
from synapse_hubs.readiness import Readiness
from synapse_hubs.recording.announcer import RecordingAnnouncer
from synapse_hubs.recording.audit_log import AuditLog
from synapse_hubs.recording.recording_access import RecordingAccess
from synapse_hubs.recording.recording_control import RecordingControl
from synapse_hubs.recording.recording_event_rules import RecordingEventRules
from synapse_hubs.recording.recording_resource import RecordingResource
from synapse_hubs.recording.recording_store import RecordingStore
from synapse_hubs.recording.schema import FEATURE, RECORDING_MIGRATIONS
from synapse_hubs.recording.sfu_recording_client import SfuRecordingClient
from synapse_hubs.rtc.participant_store import ParticipantStore
from synapse_hubs.rtc.webhook import SfuWebhook
from synapse_hubs.storage.store import SchemaGate

logger = logging.getLogger(__name__)

RETENTION_INTERVAL_MS = 60 * 60 * 1000
RECONCILE_INTERVAL_MS = 60 * 1000


class RecordingFeature:
    def __init__(self, api: ModuleApi, config: HubsConfig, schema: SchemaGate, readiness: Readiness,
                 api_router: JsonRouter, webhook: SfuWebhook, participants: ParticipantStore,
                 service_user_id: str) -> None:
        self._api = api
        self._schema = schema
        self._readiness = readiness
        schema.register(FEATURE, RECORDING_MIGRATIONS)
        recording = config.recording

        store = RecordingStore(api)
        audit = AuditLog(api)
        announcer = RecordingAnnouncer(api, service_user_id)
        self.control = RecordingControl(api, recording, store, audit, announcer,
                                        SfuRecordingClient(api, config.sfu), participants,
                                        service_user_id)
        self.access = RecordingAccess(api, recording, store, audit, announcer)
        RecordingResource(api, readiness, MeetingAccess(api), self.control, self.access, store,
                          audit).register(api_router)

        rules = RecordingEventRules(api, store, announcer, service_user_id, recording.worker_to_run_on)
        api.register_third_party_rules_callbacks(check_event_allowed=rules.check_event_allowed,
                                                 on_new_event=rules.on_new_event)
        webhook.add_handler("egress_ended", self._on_egress_ended)
        webhook.add_handler("participant_joined", self._on_participant_joined)

        api.looping_background_call(self._delete_expired, RETENTION_INTERVAL_MS,
                                    desc="hubs_recording_retention")
        api.looping_background_call(self._reconcile, RECONCILE_INTERVAL_MS,
                                    desc="hubs_recording_reconcile")
        logger.info("Recording loaded: enabled by default=%s, folder %s, retention %d days",
                    recording.enabled, recording.directory or "not set", recording.retention_days)

    async def sweep(self) -> None:
        """Apply retention and settle unreported recordings now, as the timers do later."""
        if self._api.should_run_background_tasks():
            await self._delete_expired()
            await self._reconcile()

    async def _on_egress_ended(self, event: dict) -> None:
        await self.control.on_egress_ended(event)

    async def _on_participant_joined(self, event: dict) -> None:
        await self.control.on_participant_joined(event)

    async def _delete_expired(self) -> None:
        await self._schema.ensure_ready()
        try:
            deleted = await self.access.delete_expired()
        except Exception:
            logger.exception("Deleting expired recordings failed; retrying next round")
            return
        if deleted:
            logger.info("Deleted %d recordings whose retention period ended", deleted)

    async def _reconcile(self) -> None:
        await self._schema.ensure_ready()
        try:
            await self.control.reconcile()
        except Exception:
            logger.exception("Checking running recordings with the SFU failed; retrying next round")
