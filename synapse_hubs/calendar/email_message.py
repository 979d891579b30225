# SPDX-License-Identifier: AGPL-3.0-or-later
"""MIME structure of calendar e-mails.

An invitation follows the layout calendar clients recognise (Outlook,
Thunderbird, Gmail):

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; method=REQUEST      (read inline as an iTIP message)
      text/calendar; method=REQUEST; name=invite.ics   (attachment)

Every part is quoted-printable or base64, so the message is 7-bit clean and
needs no 8BITMIME support from the SMTP server.
"""

import email.policy
import email.utils
from email.message import EmailMessage

from synapse_hubs.calendar.email_content import EmailContent

ICS_FILENAME = "invite.ics"


def build_email(
    sender: str,
    recipient: str,
    content: EmailContent,
    ics: bytes | None = None,
    ics_method: str | None = None,
    domain: str | None = None,
) -> EmailMessage:
    """Return the e-mail with text and HTML parts and, if given, the ICS inline and attached."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = content.subject
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    # RFC 3834: tell autoresponders (out-of-office) not to reply.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"

    message.set_content(content.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(content.html, subtype="html", charset="utf-8", cte="quoted-printable")

    if ics is not None:
        method = ics_method or "PUBLISH"
        message.add_alternative(
            ics.decode("utf-8"),
            subtype="calendar",
            charset="utf-8",
            cte="quoted-printable",
            params={"method": method},
        )
        message.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename=ICS_FILENAME,
            params={"method": method, "charset": "utf-8"},
        )
    return message
