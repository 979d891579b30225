# SPDX-License-Identifier: AGPL-3.0-or-later
"""The demo endpoint's loopback check, which loopback-only tests cannot reach otherwise."""

import pytest

from synapse_hubs.demo.demo_links import is_loopback_address


@pytest.mark.parametrize("address, expected", [
    ("127.0.0.1", True),
    ("127.3.4.5", True),
    ("::1", True),
    ("::ffff:127.0.0.1", True),
    ("10.0.0.1", False),
    ("192.168.1.10", False),
    ("::ffff:192.168.1.10", False),
    ("2001:db8::1", False),
    ("not-an-address", False),
])
def test_is_loopback_address(address, expected):
    assert is_loopback_address(address) is expected
