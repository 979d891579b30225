# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fixtures for calendar tests: an SMTP sink and a homeserver that mails to it."""

from typing import Iterator

import pytest

from tests.conftest import DATABASES, start_homeserver
from tests.harness.homeserver import Homeserver
from tests.harness.mail_sink import MailSink

# Short enough that a reminder test waits seconds, not minutes.
FAST_REMINDERS = {"reminder_offsets": ["10m", "15s"], "reminder_poll_interval": "1s"}


@pytest.fixture(scope="module")
def mail_sink() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


def start_mailing_homeserver(request: pytest.FixtureRequest,
                             tmp_path_factory: pytest.TempPathFactory,
                             mail_sink: MailSink) -> Homeserver:
    """Start a Synapse without SFU that mails to `mail_sink` and sends reminders quickly."""
    return start_homeserver(
        tmp_path_factory, request.param, with_sfu=False, smtp_port=mail_sink.port,
        module_overrides={"calendar": FAST_REMINDERS},
    )


@pytest.fixture(scope="module", params=DATABASES)
def calendar_homeserver(request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory,
                        mail_sink: MailSink) -> Iterator[Homeserver]:
    """A Synapse without SFU whose e-mail goes to `mail_sink`, shared by one test module."""
    server = start_mailing_homeserver(request, tmp_path_factory, mail_sink)
    yield server
    server.stop()
