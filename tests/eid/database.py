# SPDX-License-Identifier: AGPL-3.0-or-later
"""Read a test homeserver's database directly (SQLite file or PostgreSQL)."""

import sqlite3
from typing import Any

import psycopg2

from tests.harness.homeserver import Homeserver


def query(homeserver: Homeserver, sql: str, params: tuple[Any, ...] = ()) -> list[tuple]:
    """Run one SELECT with `?` placeholders and return all rows."""
    if homeserver.deployment.postgres_dsn:
        connection = psycopg2.connect(homeserver.deployment.postgres_dsn)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), params)
                return cursor.fetchall()
        finally:
            connection.close()

    path = homeserver.deployment.synapse_dir / "homeserver.db"
    connection = sqlite3.connect(path, timeout=30)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def execute(homeserver: Homeserver, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Run one data-changing statement with `?` placeholders and commit it."""
    if homeserver.deployment.postgres_dsn:
        connection = psycopg2.connect(homeserver.deployment.postgres_dsn)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), params)
        finally:
            connection.close()
        return

    connection = sqlite3.connect(homeserver.deployment.synapse_dir / "homeserver.db", timeout=30)
    try:
        with connection:
            connection.execute(sql, params)
    finally:
        connection.close()


def table_names(homeserver: Homeserver) -> list[str]:
    if homeserver.deployment.postgres_dsn:
        rows = query(homeserver, "SELECT table_name FROM information_schema.tables "
                                 "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
    else:
        rows = query(homeserver, "SELECT name FROM sqlite_master WHERE type = 'table'")
    return sorted(row[0] for row in rows)


def dump_all_tables(homeserver: Homeserver) -> str:
    """Return every row of every table as text, binary columns decoded leniently."""
    lines: list[str] = []
    for table in table_names(homeserver):
        for row in query(homeserver, f'SELECT * FROM "{table}"'):
            cells = [_text(cell) for cell in row]
            lines.append(f"{table}: " + " | ".join(cells))
    return "\n".join(lines)


def verification_rows(homeserver: Homeserver, user_id: str, room_id: str) -> list[tuple]:
    return query(homeserver,
                 "SELECT subject_key, verified_name, method, loa, verified_at, expires_at "
                 "FROM hubs_eid_verifications WHERE user_id = ? AND room_id = ?",
                 (user_id, room_id))


def _text(cell: Any) -> str:
    if isinstance(cell, (bytes, bytearray, memoryview)):
        return bytes(cell).decode("utf-8", errors="replace")
    return str(cell)
