# SPDX-License-Identifier: AGPL-3.0-or-later
"""The `hubs up` configuration has no email section: scheduling still works."""

import time
from datetime import timedelta

from tests.calendar.scheduling import notices, schedule, stockholm_now


def test_schedule_without_smtp(homeserver):
    alice = homeserver.register_user()
    start = (stockholm_now() + timedelta(days=1)).replace(hour=10, minute=0, second=0)

    meeting = schedule(alice, title="Utan e-post", start=start.isoformat(),
                       end=(start + timedelta(hours=1)).isoformat(),
                       participants=["anna@example.org"])

    assert meeting["status"] == "scheduled"
    assert len(notices(alice, meeting["room_id"], meeting["meeting_id"])) == 1
    assert "Calendar e-mail is off" in homeserver.synapse_log()
    # The invitation step runs in the background after the response.
    skipped = f"not sending invitation of meeting {meeting['meeting_id']}"
    deadline = time.monotonic() + 10
    while skipped not in homeserver.synapse_log() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert skipped in homeserver.synapse_log()
