# SPDX-License-Identifier: AGPL-3.0-or-later
"""Versioned creation of the module's own tables in Synapse's database.

Each feature owns a list of migrations; migration N is a list of SQL
statements that takes its tables from version N to N+1. Migrations are
append-only: change a table by adding a migration, never by editing one that
has shipped. The statements must run on both SQLite and PostgreSQL, so they
use only TEXT, BIGINT and INTEGER columns (booleans as 0/1, binary as hex).
"""

import logging
from typing import Sequence

from synapse.module_api import LoggingTransaction, ModuleApi

logger = logging.getLogger(__name__)

Migrations = Sequence[Sequence[str]]

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS hubs_schema_versions (
    feature TEXT PRIMARY KEY,
    version INTEGER NOT NULL
)
"""


async def apply_migrations(api: ModuleApi, feature: str, migrations: Migrations) -> None:
    """Bring `feature`'s tables to the newest version, running missing migrations."""
    await api.run_db_interaction(
        f"hubs_migrate_{feature}", _apply_migrations_txn, feature, migrations
    )


def _apply_migrations_txn(
    txn: LoggingTransaction, feature: str, migrations: Migrations
) -> None:
    txn.execute(_VERSION_TABLE)
    txn.execute("SELECT version FROM hubs_schema_versions WHERE feature = ?", (feature,))
    row = txn.fetchone()
    current = row[0] if row else 0

    if current > len(migrations):
        # A newer release created these tables; running old code against them
        # could corrupt data, so stop here.
        raise RuntimeError(
            f"Hubs tables for {feature!r} are at version {current}, but this "
            f"release knows only {len(migrations)}; upgrade synapse_hubs"
        )

    for version in range(current, len(migrations)):
        logger.info("Applying Hubs schema migration %s/%d", feature, version + 1)
        for statement in migrations[version]:
            txn.execute(statement)

    if current == 0:
        txn.execute(
            "INSERT INTO hubs_schema_versions (feature, version) VALUES (?, ?)",
            (feature, len(migrations)),
        )
    elif current < len(migrations):
        txn.execute(
            "UPDATE hubs_schema_versions SET version = ? WHERE feature = ?",
            (len(migrations), feature),
        )
