# SPDX-License-Identifier: AGPL-3.0-or-later
"""RTP header extension URIs the SFU negotiates, and the ids it writes itself."""

MID = "urn:ietf:params:rtp-hdrext:sdes:mid"
RID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
REPAIRED_RID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
TRANSPORT_CC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"

# Extensions accepted from publishers; their ids are taken from the offer.
ACCEPTED_FROM_PUBLISHER = {
    "audio": (MID, AUDIO_LEVEL, TRANSPORT_CC),
    "video": (MID, RID, REPAIRED_RID, TRANSPORT_CC),
}

# Ids the SFU uses in the offers it makes to subscribers. One id space for
# the whole BUNDLE group (RFC 8843 §9.2), so audio and video never collide.
SUBSCRIBER_AUDIO_LEVEL_ID = 1
SUBSCRIBER_ABS_SEND_TIME_ID = 2
SUBSCRIBER_EXTENSIONS = {
    "audio": {SUBSCRIBER_AUDIO_LEVEL_ID: AUDIO_LEVEL},
    "video": {SUBSCRIBER_ABS_SEND_TIME_ID: ABS_SEND_TIME},
}
