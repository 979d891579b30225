# SPDX-License-Identifier: AGPL-3.0-or-later
"""One federation rig for this package: A and B are partners, A does not know C.

The rig is shared by every module here (pytest runs them in name order);
test_partner_tokens.py stops and restarts B in its last test, so it keeps
the name that sorts last.
"""

from typing import Iterator

import pytest

from tests.harness.federation import FederationRig

PARTNERS = {"a": ["b"], "b": ["a"], "c": ["a"]}


@pytest.fixture(scope="package")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FederationRig]:
    """A, B and C, started once; tests use their own users and rooms.

    C lists A as a partner, but A does not list C, so every refusal the tests
    see comes from A's policy, not from C holding back. C needs no SFU.
    """
    # SQLite only: the partner policy keeps nothing in the database, and
    # three more PostgreSQL databases would slow every run.
    started = FederationRig(tmp_path_factory.mktemp("federation"), PARTNERS,
                            without_sfu=["c"]).start()
    yield started
    started.stop()
