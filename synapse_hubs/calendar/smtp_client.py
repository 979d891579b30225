# SPDX-License-Identifier: AGPL-3.0-or-later
"""Send prepared e-mails through the SMTP server configured in Synapse.

ModuleApi.send_mail (Synapse 1.39 to at least 1.163) builds the message
itself from a text and an HTML body, so it cannot attach an ICS file. This
module therefore sends the complete MIME message with Twisted's ESMTP client,
using the SMTP host, port, credentials and TLS settings of Synapse's own
`email:` section. The module API has no accessor for those settings, so
`read_synapse_smtp_settings` is the one place that reads Synapse's parsed
config (`hs.config.email`, attribute names as of Synapse 1.163).
"""

import email.utils
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from io import BytesIO

from synapse.module_api import ModuleApi, make_deferred_yieldable
from twisted.internet import defer
from twisted.internet.endpoints import HostnameEndpoint
from twisted.internet.ssl import optionsForClientTLS
from twisted.mail.smtp import ESMTPSenderFactory
from twisted.protocols.tls import TLSMemoryBIOFactory

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 30


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    # Synapse's `email.notif_from` with "%(app)s" filled in.
    sender: str
    username: str | None = None
    password: str | None = None
    # STARTTLS when the server offers it.
    enable_tls: bool = True
    # Fail unless STARTTLS succeeds.
    require_tls: bool = False
    # TLS from the first byte (SMTPS, usually port 465).
    force_tls: bool = False
    # Name expected in the server's certificate; None uses `host`.
    tls_name: str | None = None

    def __repr__(self) -> str:
        # Keeps the password out of logs and tracebacks.
        return f"SmtpSettings(host={self.host!r}, port={self.port}, sender={self.sender!r})"


def read_synapse_smtp_settings(api: ModuleApi) -> SmtpSettings | None:
    """Return Synapse's SMTP settings, or None when its `email:` section is absent.

    Synapse rejects an `email:` section without `notif_from`, so a missing
    `notif_from` means e-mail is not configured at all.
    """
    try:
        config = api._hs.config.email  # type: ignore[attr-defined]
        notif_from = config.email_notif_from
        if not notif_from:
            return None
        return SmtpSettings(
            host=config.email_smtp_host,
            port=int(config.email_smtp_port),
            sender=_fill_app_name(notif_from, config.email_app_name),
            username=config.email_smtp_user,
            password=config.email_smtp_pass,
            enable_tls=bool(config.enable_smtp_tls),
            require_tls=bool(config.require_transport_security),
            force_tls=bool(config.force_tls),
            tls_name=config.email_tlsname,
        )
    except AttributeError:
        logger.exception(
            "Cannot read Synapse's e-mail settings (the internal config layout "
            "changed); calendar e-mails are disabled"
        )
        return None


async def send_email(settings: SmtpSettings, message: EmailMessage) -> None:
    """Deliver `message` to its To address; raises on any SMTP or network error."""
    sender = email.utils.parseaddr(str(message["From"]))[1]
    recipient = email.utils.parseaddr(str(message["To"]))[1]
    if not recipient:
        raise ValueError("the e-mail has no valid To address")

    finished: defer.Deferred = defer.Deferred()
    tls_name = (settings.tls_name or settings.host) if settings.enable_tls else None
    factory = ESMTPSenderFactory(
        settings.username.encode("utf-8") if settings.username else None,
        settings.password.encode("utf-8") if settings.password else None,
        sender,
        recipient,
        # Twisted's SMTP client turns every LF into CRLF itself, so the
        # message must be serialised with bare LF line endings.
        BytesIO(message.as_bytes(policy=message.policy.clone(linesep="\n"))),
        finished,
        heloFallback=True,
        requireAuthentication=settings.username is not None,
        requireTransportSecurity=settings.require_tls,
        hostname=tls_name,
    )
    if settings.force_tls:
        factory = TLSMemoryBIOFactory(optionsForClientTLS(tls_name or settings.host), True, factory)

    from twisted.internet import reactor

    endpoint = HostnameEndpoint(reactor, settings.host, settings.port, timeout=CONNECT_TIMEOUT_S)
    await make_deferred_yieldable(endpoint.connect(factory))
    await make_deferred_yieldable(finished)


def _fill_app_name(notif_from: str, app_name: str) -> str:
    # Synapse allows "%(app)s" in notif_from and falls back to the raw string
    # when the substitution fails; do the same.
    try:
        return notif_from % {"app": app_name}
    except (KeyError, TypeError, ValueError):
        return notif_from
