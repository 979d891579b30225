# SPDX-License-Identifier: AGPL-3.0-or-later
"""A requested e-ID policy (POST /meetings, the schedule API): completed from the server
default, rejected when no provider serves it."""

from datetime import datetime, timezone

import pytest
from synapse.api.errors import SynapseError

from synapse_hubs.calendar.schedule_request import RequestDefaults, parse_fields
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


def test_schedule_request_refuses_unserved_method():
    defaults = RequestDefaults(time_zone="Europe/Stockholm", eid_config=NO_PROVIDERS)
    body = {"policy": {"eid": {"required_for": "everyone", "methods": ["siths"]}}}

    with pytest.raises(SynapseError) as refused:
        parse_fields(body, defaults, datetime.now(timezone.utc), current=None)

    assert refused.value.code == 400
    assert refused.value.errcode == "M_INVALID_PARAM"
    assert "siths" in refused.value.msg


def test_schedule_request_completes_from_default():
    defaults = RequestDefaults(time_zone="Europe/Stockholm", eid_config=NO_PROVIDERS)
    body = {"policy": {"eid": {"required_for": "nobody"}}}

    fields = parse_fields(body, defaults, datetime.now(timezone.utc), current=None)

    assert fields.policy.eid == {"required_for": "nobody", "methods": ["bankid"], "min_loa": "loa3"}
