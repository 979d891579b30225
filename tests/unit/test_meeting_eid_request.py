# SPDX-License-Identifier: AGPL-3.0-or-later
"""The `eid` field of POST /meetings: completed from the server default, refused if unservable."""

import pytest
from synapse.api.errors import SynapseError

from synapse_hubs.eid.config import parse_eid_config
from synapse_hubs.meetings.resource import parse_eid_policy

NO_PROVIDERS = parse_eid_config({"default_policy": {"required_for": "nobody"}})


def test_missing_field_keeps_server_default():
    assert parse_eid_policy({"title": "Möte"}, NO_PROVIDERS) is None


def test_nobody_needs_no_provider():
    policy = parse_eid_policy({"eid": {"required_for": "nobody", "methods": []}}, NO_PROVIDERS)

    assert policy == {"required_for": "nobody", "methods": [], "min_loa": "loa3"}


def test_method_without_provider_is_refused():
    with pytest.raises(SynapseError) as refused:
        parse_eid_policy({"eid": {"required_for": "external", "methods": ["freja"]}},
                         NO_PROVIDERS)

    assert refused.value.code == 400
    assert refused.value.errcode == "M_INVALID_PARAM"
    assert "freja" in refused.value.msg
