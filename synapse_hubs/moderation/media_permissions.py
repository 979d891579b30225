# SPDX-License-Identifier: AGPL-3.0-or-later
"""Track sources a call participant may publish, decided from the moderation state.

One function decides it for both the SFU token (new joins and reconnects)
and the permission updates sent to participants already in the call, so
the two can never disagree.

Rules:
- microphone: not for a muted user. Mute-all mutes everyone except
  moderators and the users given the word since. A mute-all that lets
  people unmute themselves is not enforced here: the join page turns
  their microphones off and they may turn them on again.
- camera: not while a moderator has revoked the user's camera right.
- screen share (with its audio): for moderators and presenters, and for
  everyone when the meeting's screen share policy is "everyone". The
  default is "presenters" for public meetings (guests come in by link)
  and "everyone" for private, invite-only meetings.
"""

from synapse_hubs.meetings.policy import ACCESS_PUBLIC, MeetingPolicy
from synapse_hubs.moderation.moderation_state import (
    SCREEN_SHARE_EVERYONE,
    SCREEN_SHARE_PRESENTERS,
    ModerationState,
)

# LiveKit TrackSource names in the order LiveKit lists them.
ALL_SOURCES = ("camera", "microphone", "screen_share", "screen_share_audio")


def screen_share_policy(moderation: ModerationState, meeting: MeetingPolicy) -> str:
    if moderation.screen_share is not None:
        return moderation.screen_share
    return SCREEN_SHARE_PRESENTERS if meeting.access == ACCESS_PUBLIC else SCREEN_SHARE_EVERYONE


def is_muted(moderation: ModerationState, user_id: str, is_moderator: bool) -> bool:
    if user_id in moderation.muted:
        return True
    return (moderation.muted_all and not moderation.self_unmute
            and _affected_by_mute_all(moderation, user_id, is_moderator))


def is_asked_to_mute(moderation: ModerationState, user_id: str, is_moderator: bool) -> bool:
    """Return True when a mute-all asks this user to mute but lets them unmute themselves."""
    return (moderation.muted_all and moderation.self_unmute
            and _affected_by_mute_all(moderation, user_id, is_moderator))


def _affected_by_mute_all(moderation: ModerationState, user_id: str, is_moderator: bool) -> bool:
    return not is_moderator and user_id not in moderation.unmuted


def may_share_screen(moderation: ModerationState, meeting: MeetingPolicy, user_id: str,
                     is_moderator: bool) -> bool:
    return (is_moderator or user_id in moderation.presenters
            or screen_share_policy(moderation, meeting) == SCREEN_SHARE_EVERYONE)


def publish_sources(moderation: ModerationState, meeting: MeetingPolicy | None, user_id: str,
                    is_moderator: bool) -> tuple[str, ...]:
    """Return the sources `user_id` may publish; every source in a room that is not a meeting."""
    if meeting is None:
        return ALL_SOURCES
    allowed = {
        "camera": user_id not in moderation.camera_revoked,
        "microphone": not is_muted(moderation, user_id, is_moderator),
        "screen_share": may_share_screen(moderation, meeting, user_id, is_moderator),
    }
    allowed["screen_share_audio"] = allowed["screen_share"]
    return tuple(source for source in ALL_SOURCES if allowed[source])
