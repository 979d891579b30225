# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tables of the e-ID feature (see synapse_hubs/storage/schema.py for the rules).

hubs_eid_verifications contains one record per (user, meeting). It never
contains an identity number, token, IP address, signature or OCSP data:
the person is represented by an HMAC (subject_key) under a secret that is
kept outside the database.

The other three tables hold short-lived step-up state and are emptied by
the cleanup task: start tickets, browser sessions and pending attempts at
a provider. Ticket and session ids and OIDC states are stored as SHA-256
hashes, so a database reader cannot replay them.
"""

FEATURE = "eid"

MIGRATIONS = [
    [
        """
        CREATE TABLE hubs_eid_verifications (
            user_id TEXT NOT NULL,
            room_id TEXT NOT NULL,
            subject_key TEXT NOT NULL,
            key_id TEXT NOT NULL,
            verified_name TEXT NOT NULL,
            method TEXT NOT NULL,
            loa TEXT NOT NULL,
            acr TEXT NOT NULL,
            issuer TEXT NOT NULL,
            provider_id TEXT NOT NULL,
            transaction_ref TEXT NOT NULL,
            verified_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            PRIMARY KEY (user_id, room_id)
        )
        """,
        "CREATE INDEX hubs_eid_verifications_expires ON hubs_eid_verifications (expires_at)",
        """
        CREATE TABLE hubs_eid_tickets (
            ticket_hash TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            room_id TEXT NOT NULL,
            return_to TEXT,
            expires_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE hubs_eid_sessions (
            session_hash TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            room_id TEXT NOT NULL,
            return_to TEXT,
            language TEXT NOT NULL,
            expires_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE hubs_eid_flows (
            state_hash TEXT PRIMARY KEY,
            session_hash TEXT NOT NULL,
            provider_id TEXT NOT NULL,
            method TEXT NOT NULL,
            nonce TEXT NOT NULL,
            code_verifier TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            provider_data TEXT NOT NULL
        )
        """,
    ],
]
