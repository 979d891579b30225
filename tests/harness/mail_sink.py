# SPDX-License-Identifier: AGPL-3.0-or-later
"""An SMTP server on loopback that keeps every message it receives, for tests.

It runs aiosmtpd in a background thread. Point Synapse at it with
`smtp_synapse_settings(sink.port)` in a Homeserver's `synapse_overrides`.
"""

import email
import email.policy
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Callable

from aiosmtpd.controller import Controller

from tests.harness.ports import free_port

SENDER = "Hubs <noreply@hubs.test>"


@dataclass(frozen=True)
class ReceivedMail:
    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage
    # time.time() when the server accepted the message.
    received_at: float

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, content_type: str, attachment: bool | None = None) -> EmailMessage | None:
        """Return the first MIME part of that type; `attachment` filters on disposition."""
        for part in self.message.walk():
            if part.get_content_type() != content_type:
                continue
            is_attachment = part.get_content_disposition() == "attachment"
            if attachment is None or attachment == is_attachment:
                return part
        return None

    def text(self, content_type: str = "text/plain") -> str:
        part = self.part(content_type, attachment=False)
        assert part is not None, f"no {content_type} part in {self.subject!r}"
        return part.get_content()


class MailSink:
    def __init__(self) -> None:
        self.port = free_port()
        self._messages: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "MailSink":
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    # aiosmtpd handler hook: called once per accepted message.
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        received = ReceivedMail(
            envelope_from=envelope.mail_from,
            envelope_to=list(envelope.rcpt_tos),
            message=message,  # type: ignore[arg-type]
            received_at=time.time(),
        )
        with self._lock:
            self._messages.append(received)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._messages)

    def messages_to(self, address: str) -> list[ReceivedMail]:
        return [mail for mail in self.messages if address in mail.envelope_to]

    def wait_for(self, predicate: Callable[[ReceivedMail], bool], timeout_s: float = 20,
                 description: str = "a matching e-mail") -> ReceivedMail:
        deadline = time.monotonic() + timeout_s
        while True:
            for mail in self.messages:
                if predicate(mail):
                    return mail
            if time.monotonic() > deadline:
                subjects = [(mail.envelope_to, mail.subject) for mail in self.messages]
                raise AssertionError(
                    f"no {description} within {timeout_s:.0f} s; received: {subjects}"
                )
            time.sleep(0.1)


def smtp_synapse_settings(port: int) -> dict[str, Any]:
    """Return the homeserver.yaml `email:` section that sends to a MailSink on `port`."""
    return {
        "email": {
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            # The sink speaks plain SMTP on loopback; STARTTLS would fail.
            "enable_tls": False,
            "notif_from": SENDER,
            "app_name": "Hubs",
        }
    }
