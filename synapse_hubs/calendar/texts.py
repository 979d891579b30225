# SPDX-License-Identifier: AGPL-3.0-or-later
"""User-facing texts of invitations, notices, reminders and ICS files.

Each text exists in Swedish ("sv", the default) and English ("en"). Texts are
plain strings with str.format fields; HTML escaping happens in the e-mail
templates, because titles and names are user input.
"""

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "subject.invitation": "Inbjudan: {title}",
        "subject.update": "Uppdaterad: {title}",
        "subject.cancellation": "Inställt: {title}",
        "subject.reminder": "Påminnelse: {title} börjar kl. {time}",
        "heading.invitation": "Du är inbjuden till ett videomöte",
        "heading.update": "Mötet har ändrats",
        "heading.cancellation": "Mötet är inställt",
        "heading.reminder": "Mötet börjar snart",
        "intro.invitation": "{organiser} har bjudit in dig till ett videomöte i Hubs.",
        "intro.update": "{organiser} har ändrat mötet. Här är de nya uppgifterna.",
        "intro.cancellation": "{organiser} har ställt in mötet. Du behöver inte göra något.",
        "intro.reminder": "Mötet börjar {time}.",
        "label.title": "Möte",
        "label.when": "När",
        "label.repeats": "Upprepas",
        "label.organiser": "Arrangör",
        "label.join": "Länk",
        "label.description": "Beskrivning",
        "label.source": "Från chatten",
        "button.join": "Gå med i mötet",
        "footer.attachment": (
            "Kalenderfilen invite.ics är bifogad. Öppna den för att lägga in "
            "mötet i din kalender. Du behöver inget konto och inget program "
            "för att gå med, bara en webbläsare."
        ),
        "footer.cancellation": (
            "Den bifogade filen invite.ics tar bort mötet ur din kalender."
        ),
        "footer.reminder": "Du får den här påminnelsen eftersom du är inbjuden till mötet.",
        "ics.intro": "Videomöte i Hubs.",
        "ics.join": "Gå med: {url}",
        "ics.source": "Från chatten: {url}",
        "ics.alarm": "Mötet {title} börjar snart.",
        "ics.conference": "Gå med i mötet",
        "notice.scheduled": "Mötet ”{title}” är inbokat: {time}.",
        "notice.updated": "Mötet ”{title}” har ändrats: {time}.",
        "notice.cancelled": "Mötet ”{title}” är inställt. Chatten finns kvar.",
        "notice.source": "Uppföljning av det här meddelandet: {url}",
        "notice.reminder": "Påminnelse: ”{title}” börjar {time}. Gå med: {url}",
        "todo.source": "Från chatten: {url}",
    },
    "en": {
        "subject.invitation": "Invitation: {title}",
        "subject.update": "Updated: {title}",
        "subject.cancellation": "Cancelled: {title}",
        "subject.reminder": "Reminder: {title} starts at {time}",
        "heading.invitation": "You are invited to a video meeting",
        "heading.update": "The meeting has changed",
        "heading.cancellation": "The meeting is cancelled",
        "heading.reminder": "The meeting starts soon",
        "intro.invitation": "{organiser} has invited you to a video meeting in Hubs.",
        "intro.update": "{organiser} has changed the meeting. Here are the new details.",
        "intro.cancellation": "{organiser} has cancelled the meeting. You need to do nothing.",
        "intro.reminder": "The meeting starts {time}.",
        "label.title": "Meeting",
        "label.when": "When",
        "label.repeats": "Repeats",
        "label.organiser": "Organiser",
        "label.join": "Link",
        "label.description": "Description",
        "label.source": "From the chat",
        "button.join": "Join the meeting",
        "footer.attachment": (
            "The calendar file invite.ics is attached. Open it to add the "
            "meeting to your calendar. You need no account and no app to join, "
            "only a web browser."
        ),
        "footer.cancellation": "The attached file invite.ics removes the meeting from your calendar.",
        "footer.reminder": "You receive this reminder because you are invited to the meeting.",
        "ics.intro": "Video meeting in Hubs.",
        "ics.join": "Join: {url}",
        "ics.source": "From the chat: {url}",
        "ics.alarm": "The meeting {title} starts soon.",
        "ics.conference": "Join the meeting",
        "notice.scheduled": "The meeting “{title}” is scheduled: {time}.",
        "notice.updated": "The meeting “{title}” has changed: {time}.",
        "notice.cancelled": "The meeting “{title}” is cancelled. The chat stays.",
        "notice.source": "Follow-up of this message: {url}",
        "notice.reminder": "Reminder: “{title}” starts {time}. Join: {url}",
        "todo.source": "From the chat: {url}",
    },
}


def text(language: str, key: str, **fields: Any) -> str:
    """Return the text `key` in `language`, with its fields filled in."""
    return TEXTS[language][key].format(**fields)


def bilingual(key: str, first_language: str = "sv", **fields: Any) -> str:
    """Return `key` in both languages, `first_language` first, on two lines.

    Fields whose value depends on the language are passed as callables that
    take the language code.
    """
    second_language = "en" if first_language == "sv" else "sv"
    lines = []
    for language in (first_language, second_language):
        resolved = {name: value(language) if callable(value) else value
                    for name, value in fields.items()}
        lines.append(text(language, key, **resolved))
    return "\n".join(lines)
