# SPDX-License-Identifier: AGPL-3.0-or-later
"""Publishable sources from the moderation state, and the state's changes and parsing."""

import pytest

from synapse_hubs.meetings.policy import MeetingPolicy
from synapse_hubs.moderation.media_permissions import (
    ALL_SOURCES,
    is_asked_to_mute,
    publish_sources,
)
from synapse_hubs.moderation.moderation_state import ModerationState
from synapse_hubs.rtc.grants import CallParticipant, video_grant

PUBLIC = MeetingPolicy(title="Möte", access="public", owner="@o:hubs.test", created_ts=1,
                       e2ee=False)
PRIVATE = MeetingPolicy(title="Möte", access="private", owner="@o:hubs.test", created_ts=1,
                        e2ee=False)
GRETA = "@greta:hubs.test"
MODERATOR = "@mod:hubs.test"


@pytest.mark.parametrize("meeting, expected", [
    (PUBLIC, ("camera", "microphone")),
    (PRIVATE, ALL_SOURCES),
    (None, ALL_SOURCES),
])
def test_default_screen_share_by_access(meeting, expected):
    assert publish_sources(ModerationState(), meeting, GRETA, is_moderator=False) == expected


def test_mute_all_spares_moderators_and_given_word():
    state = ModerationState().with_all_muted(True)
    assert publish_sources(state, PRIVATE, GRETA, False) == (
        "camera", "screen_share", "screen_share_audio")
    assert "microphone" in publish_sources(state, PRIVATE, MODERATOR, True)

    given = state.with_user_muted(GRETA, False)
    assert given.unmuted == {GRETA}
    assert "microphone" in publish_sources(given, PRIVATE, GRETA, False)

    # Muting everyone again takes the word back.
    assert "microphone" not in publish_sources(given.with_all_muted(True), PRIVATE, GRETA, False)


def test_unmute_all_lifts_individual_mutes():
    state = ModerationState().with_user_muted(GRETA, True).with_all_muted(False)
    assert state.muted == frozenset()
    assert "microphone" in publish_sources(state, PUBLIC, GRETA, False)


def test_individual_mute_applies_to_moderators():
    state = ModerationState().with_user_muted(MODERATOR, True)
    assert "microphone" not in publish_sources(state, PUBLIC, MODERATOR, True)


def test_camera_and_presenter_rights():
    state = ModerationState().with_camera_allowed(GRETA, False).with_presenter(GRETA, True)
    assert publish_sources(state, PUBLIC, GRETA, False) == (
        "microphone", "screen_share", "screen_share_audio")
    state = state.with_screen_share("everyone").with_presenter(GRETA, False)
    assert "screen_share" in publish_sources(state, PUBLIC, "@other:hubs.test", False)


def test_nothing_allowed_means_no_publish():
    state = ModerationState().with_user_muted(GRETA, True).with_camera_allowed(GRETA, False)
    grant = video_grant("ROOM", CallParticipant("join", is_guest=True, meeting=PUBLIC,
                                                user_id=GRETA, moderation=state))
    assert grant["canPublish"] is False
    assert grant["canPublishSources"] == []


def test_content_round_trip_and_invalid_fields():
    state = (ModerationState().with_all_muted(True).with_presenter(GRETA, True)
             .with_screen_share("presenters"))
    assert ModerationState.from_content(state.to_content()) == state

    parsed = ModerationState.from_content({"muted_all": "yes", "muted": "@x:y",
                                           "presenters": [GRETA, 5], "screen_share": "all"})
    assert parsed == ModerationState(presenters=frozenset({GRETA}))


def test_self_unmute_mute_all_only_asks():
    state = ModerationState().with_all_muted(True, self_unmute=True)
    assert "microphone" in publish_sources(state, PRIVATE, GRETA, False)
    assert is_asked_to_mute(state, GRETA, False) is True
    assert is_asked_to_mute(state, MODERATOR, True) is False
    assert is_asked_to_mute(state.with_all_muted(False), GRETA, False) is False
    assert ModerationState.from_content(state.to_content()) == state
