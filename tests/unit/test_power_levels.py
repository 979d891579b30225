# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading a user's power level in meeting rooms and older rooms."""

import math

from synapse_hubs.meetings.power_levels import meeting_power_levels, user_power_level

V12_CREATE = {"room_version": "12"}
V11_CREATE = {"room_version": "11"}
LEVELS = {"users": {"@mod:hubs.test": 50, "@hubs:hubs.test": 100}, "users_default": 0}


def test_creator_unlimited_in_v12():
    assert user_power_level("@owner:hubs.test", "@owner:hubs.test", V12_CREATE, LEVELS) == math.inf


def test_additional_creator_unlimited_in_v12():
    create = {**V12_CREATE, "additional_creators": ["@co:hubs.test"]}

    assert user_power_level("@co:hubs.test", "@owner:hubs.test", create, LEVELS) == math.inf


def test_listed_user_level():
    assert user_power_level("@mod:hubs.test", "@owner:hubs.test", V12_CREATE, LEVELS) == 50


def test_unlisted_user_gets_default():
    levels = {**LEVELS, "users_default": 10}

    assert user_power_level("@x:hubs.test", "@owner:hubs.test", V12_CREATE, levels) == 10


def test_creator_not_special_before_v12():
    assert user_power_level("@owner:hubs.test", "@owner:hubs.test", V11_CREATE, LEVELS) == 0


def test_creator_without_power_levels_event_before_v12():
    assert user_power_level("@owner:hubs.test", "@owner:hubs.test", V11_CREATE, None) == 100
    assert user_power_level("@x:hubs.test", "@owner:hubs.test", V11_CREATE, None) == 0


def test_string_level_read_as_integer():
    levels = {"users": {"@mod:hubs.test": "75"}}

    assert user_power_level("@mod:hubs.test", "@owner:hubs.test", V11_CREATE, levels) == 75


def test_meeting_power_levels_protect_policy():
    content = meeting_power_levels("@hubs:hubs.test")

    assert content["users"] == {"@hubs:hubs.test": 100}
    assert content["events"]["se.hubs.meeting"] == 100
    assert content["events"]["org.matrix.msc3401.call.member"] == 0
    assert content["events"]["m.room.power_levels"] == 100
