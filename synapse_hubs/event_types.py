# SPDX-License-Identifier: AGPL-3.0-or-later
"""Matrix event types that Hubs defines.

Every type of ours starts with EVENT_PREFIX so that clients and admins can
tell them apart; docs/events.md describes each one. Where Element Call
already defines an event (call membership, reactions, raised hands), Hubs
uses Element Call's type instead of inventing its own.
"""

EVENT_PREFIX = "se.hubs"

# State event (state_key "") that marks a room as a meeting and contains its policy.
MEETING = f"{EVENT_PREFIX}.meeting"

# State event (state_key "") with a meeting's e-ID policy: who must verify with
# Swedish e-ID before joining, by which methods, at which minimum level.
EID_POLICY = f"{EVENT_PREFIX}.eid_policy"

# State event (state_key "") that shows every member whether the meeting is
# being recorded. Only the service account sends it.
RECORDING = f"{EVENT_PREFIX}.recording"

# State event (state_key "") with the meeting's queue of raised hands, in
# the order the server received them. Only the service account sends it.
HAND_QUEUE = f"{EVENT_PREFIX}.hand_queue"

# State event (state_key "") with the meeting's moderation: mutes, camera
# rights, presenters and who may share a screen. Moderators (power level 50)
# may send it; the SFU enforces it.
MODERATION = f"{EVENT_PREFIX}.moderation"

# Our state types; a meeting room's power levels require level 100 for each of them.
POLICY_STATE_TYPES = (MEETING, EID_POLICY, RECORDING, HAND_QUEUE)

# MatrixRTC call membership as Element Call and matrix-js-sdk send it today.
CALL_MEMBER = "org.matrix.msc3401.call.member"
