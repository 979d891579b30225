# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared fixtures: real Synapse + SFU processes on SQLite and, in CI, PostgreSQL.

Set HUBS_TEST_POSTGRES to a libpq connection string of a role that may
create databases (CI uses the local server's Unix socket); every fixture
that starts a homeserver then runs once per database.
"""

import os
from typing import Iterator

import pytest

from tests.harness.homeserver import Homeserver

POSTGRES_DSN = os.environ.get("HUBS_TEST_POSTGRES")
DATABASES = ["sqlite", "postgres"] if POSTGRES_DSN else ["sqlite"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests on SQLite only.

    A browser test exercises the page and the SFU; the module code under it
    is the same on both databases, and the module tests cover PostgreSQL.
    Running each browser test twice would add about ten minutes to CI.
    """
    deselected = [item for item in items
                  if item.get_closest_marker("browser") and _runs_on_postgres(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


def _runs_on_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "postgres" in callspec.params.values()


def start_homeserver(tmp_path_factory: pytest.TempPathFactory, database: str,
                     **options) -> Homeserver:
    data_dir = tmp_path_factory.mktemp(f"hs-{database}")
    dsn = POSTGRES_DSN if database == "postgres" else None
    return Homeserver(data_dir, postgres_admin_dsn=dsn, **options).start()


@pytest.fixture(scope="session", params=DATABASES)
def homeserver(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    """One Synapse + SFU per database kind, shared by the whole session.

    Tests that share it must use their own users and rooms. Tests that
    restart or reconfigure Synapse use `own_homeserver` instead.
    """
    server = start_homeserver(tmp_path_factory, request.param)
    yield server
    server.stop()


@pytest.fixture(params=DATABASES)
def own_homeserver(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    """A Synapse + SFU of this test's own, free to restart."""
    server = start_homeserver(tmp_path_factory, request.param)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def playwright_session():
    """Playwright's sync API, per module.

    While it runs, the sync API keeps an asyncio loop marked as running in
    the main thread, so pytest-asyncio cannot start its own there. Module
    scope ends it before the next module, whose tests may be async.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def chromium(playwright_session):
    """Debian's Chromium with fake media devices; see tests/harness/browser.py."""
    from tests.harness.browser import launch_chromium

    browser = launch_chromium(playwright_session)
    yield browser
    browser.close()


@pytest.fixture
def sfu_server(tmp_path):
    """A standalone SFU with a fresh API key; see tests/harness/sfu.py."""
    from tests.harness.sfu import SfuServer

    server = SfuServer(tmp_path).start()
    yield server
    server.stop()
