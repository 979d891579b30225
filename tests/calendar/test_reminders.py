# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reminders by e-mail and Matrix mention, at their time, once, also across restarts.

The homeservers here remind 10 minutes and 15 s before the start and poll
every second (FAST_REMINDERS), so a test waits seconds instead of minutes.
"""

import time
from datetime import datetime, timedelta
from typing import Iterator

import pytest

from tests.calendar.conftest import start_mailing_homeserver
from tests.calendar.scheduling import STOCKHOLM, schedule, stockholm_now
from tests.conftest import DATABASES
from tests.harness.homeserver import Homeserver
from tests.harness.mail_sink import MailSink, ReceivedMail
from tests.harness.matrix_client import MatrixClient

REMINDER_OFFSET_S = 15
LONG_REMINDER_OFFSET_S = 600
# Upper bound on delivery delay checked here: the poll interval is 1 s, the
# rest is slack for a loaded test machine. Not a latency measurement.
DELIVERY_SLACK_S = 10
# Several poll intervals: long enough for a duplicate to show up.
DUPLICATE_WATCH_S = 4


@pytest.fixture(params=DATABASES)
def restartable_homeserver(request: pytest.FixtureRequest,
                           tmp_path_factory: pytest.TempPathFactory,
                           mail_sink: MailSink) -> Iterator[Homeserver]:
    """A homeserver of this test's own, mailing to `mail_sink`, free to restart."""
    server = start_mailing_homeserver(request, tmp_path_factory, mail_sink)
    yield server
    server.stop()


def schedule_soon(organiser: MatrixClient, starts_in_s: int, participants: list[str],
                  title: str, offset_s: int = REMINDER_OFFSET_S) -> tuple[dict, float]:
    """Schedule a meeting starting in `starts_in_s` seconds; return it and the time
    its reminder `offset_s` seconds before the start is due."""
    start = stockholm_now() + timedelta(seconds=starts_in_s)
    meeting = schedule(organiser, title=title, start=start.isoformat(),
                       end=(start + timedelta(hours=1)).isoformat(), participants=participants)
    start_epoch = start.replace(tzinfo=STOCKHOLM).timestamp()
    return meeting, start_epoch - offset_s


def reminder_mails(sink: MailSink, address: str) -> list[ReceivedMail]:
    return [mail for mail in sink.messages_to(address) if mail.subject.startswith("Påminnelse")]


def reminder_messages(client: MatrixClient, room_id: str) -> list[dict]:
    return [
        event for event in client.messages(room_id, limit=100)
        if event.get("type") == "m.room.message"
        and event["content"].get("se.hubs.schedule", {}).get("change") == "reminder"
    ]


def wait_for_reminder_message(client: MatrixClient, room_id: str, timeout_s: float) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        found = reminder_messages(client, room_id)
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no reminder in {room_id} after {timeout_s:.0f} s")
        time.sleep(0.3)


def sleep_until(epoch: float) -> None:
    time.sleep(max(0.0, epoch - time.time()))


def address(name: str) -> str:
    return f"{name}.{datetime.now().timestamp():.6f}@example.org"


def test_reminder_arrives_at_time(calendar_homeserver, mail_sink):
    alice = calendar_homeserver.register_user()
    bob = calendar_homeserver.register_user()
    anna = address("anna")
    meeting, due = schedule_soon(alice, 25, [bob.user_id, anna], "Avstämning")
    bob.join(meeting["room_id"])

    mail = mail_sink.wait_for(lambda m: m in reminder_mails(mail_sink, anna),
                              timeout_s=25 + DELIVERY_SLACK_S, description="reminder e-mail")
    message = wait_for_reminder_message(bob, meeting["room_id"], timeout_s=DELIVERY_SLACK_S)

    assert mail.received_at >= due
    assert mail.received_at <= due + DELIVERY_SLACK_S
    assert mail.subject.startswith("Påminnelse: Avstämning börjar kl. ")
    assert "(Europe/Stockholm, " in mail.text()
    assert meeting["join_url"] in mail.text()
    assert mail.part("text/calendar") is None

    assert message["sender"] == f"@hubs:{calendar_homeserver.server_name}"
    assert message["content"]["msgtype"] == "m.text"
    assert sorted(message["content"]["m.mentions"]["user_ids"]) == sorted(
        [alice.user_id, bob.user_id])
    assert message["origin_server_ts"] / 1000 >= due
    assert meeting["join_url"] in message["content"]["body"]

    # The mention notifies Bob: Synapse's push rules recorded a highlight for him.
    notifications = bob.request("GET", "/_matrix/client/v3/notifications",
                                params={"only": "highlight"})["notifications"]
    assert message["event_id"] in [n["event"]["event_id"] for n in notifications]

    time.sleep(DUPLICATE_WATCH_S)
    assert len(reminder_mails(mail_sink, anna)) == 1
    assert len(reminder_messages(alice, meeting["room_id"])) == 1


def test_reminders_survive_restart_once(restartable_homeserver, mail_sink):
    server = restartable_homeserver
    alice = server.register_user()
    during_downtime = address("downtime")
    after_restart = address("restart")
    # One reminder falls due while Synapse is down: the 10-minute reminder of
    # a meeting ten minutes away, so the meeting has surely not begun when a
    # slow restart finishes. The other falls due after Synapse is back.
    caught_up, caught_up_due = schedule_soon(alice, LONG_REMINDER_OFFSET_S + 10,
                                             [during_downtime], "Under driftstopp",
                                             offset_s=LONG_REMINDER_OFFSET_S)
    persisted, persisted_due = schedule_soon(alice, 75, [after_restart], "Efter omstart")

    assert server.synapse is not None
    server.synapse.stop()
    sleep_until(caught_up_due + 2)
    assert reminder_mails(mail_sink, during_downtime) == []
    restart_began = time.time()
    server.start_synapse()

    first = mail_sink.wait_for(lambda m: m in reminder_mails(mail_sink, during_downtime),
                               timeout_s=DELIVERY_SLACK_S + 10, description="caught-up reminder")
    assert first.received_at >= restart_began
    assert first.subject.startswith("Påminnelse: Under driftstopp")

    second = mail_sink.wait_for(
        lambda m: m in reminder_mails(mail_sink, after_restart),
        timeout_s=max(0.0, persisted_due - time.time()) + DELIVERY_SLACK_S,
        description="reminder scheduled before the restart")
    assert second.received_at >= persisted_due

    # Exactly once each, in mail and in the room.
    time.sleep(DUPLICATE_WATCH_S)
    assert len(reminder_mails(mail_sink, during_downtime)) == 1
    assert len(reminder_mails(mail_sink, after_restart)) == 1
    assert len(reminder_messages(alice, caught_up["room_id"])) == 1
    assert len(reminder_messages(alice, persisted["room_id"])) == 1


def test_cancelled_meeting_sends_no_reminder(calendar_homeserver, mail_sink):
    alice = calendar_homeserver.register_user()
    anna = address("anna")
    meeting, due = schedule_soon(alice, 18, [anna], "Ställs in")

    alice.request("POST", f"/_synapse/client/hubs/v1/schedule/{meeting['meeting_id']}/cancel",
                  json={})
    sleep_until(due + DUPLICATE_WATCH_S)

    assert reminder_mails(mail_sink, anna) == []
    assert reminder_messages(alice, meeting["room_id"]) == []
