# SPDX-License-Identifier: AGPL-3.0-or-later
"""Texts of the e-ID pages, in Swedish (default) and English."""

LANGUAGES = ("sv", "en")

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Identifiera dig med e-legitimation",
        "intro": "Mötet kräver att du identifierar dig med svensk e-legitimation innan du "
                 "släpps in. Välj hur du vill identifiera dig.",
        "no_methods": "Ingen av de e-legitimationer som mötet godtar är tillgänglig på den här "
                      "servern. Kontakta mötets arrangör.",
        "continue": "Fortsätt",
        "starting": "Startar identifieringen …",
        "no_script": "Sidan behöver JavaScript för att fortsätta.",
        "link_invalid": "Länken är ogiltig, redan använd eller för gammal. Gå tillbaka till "
                        "mötet och försök igen.",
        "success_title": "Du är identifierad",
        "success": "Identifieringen lyckades. Gå tillbaka till mötet och gå med igen.",
        "back_to_meeting": "Tillbaka till mötet",
        "failure_title": "Identifieringen misslyckades",
        "cancelled_title": "Identifieringen avbröts",
        "try_again": "Försök igen",
        "cancel": "Avbryt",
        "bankid_title": "Identifiera dig med BankID",
        "bankid_scan": "Öppna BankID-appen och skanna QR-koden.",
        "bankid_same_device": "Öppna BankID på den här enheten",
        "test_banner": "TEST – inte riktig e-legitimation",
        "test_title": "Testinloggning",
        "test_intro": "Det här är en testleverantör för demonstration. Den kontrollerar "
                      "ingenting och får aldrig användas i skarp drift.",
        "test_number": "Personnummer (testnummer)",
        "test_given_name": "Förnamn",
        "test_family_name": "Efternamn",
        "test_loa": "Tillitsnivå",
        "test_identify": "Identifiera",
        "language_switch": "In English",
    },
    "en": {
        "title": "Identify yourself with e-ID",
        "intro": "This meeting requires you to identify yourself with Swedish e-ID before "
                 "you are let in. Choose how you want to identify yourself.",
        "no_methods": "None of the e-ID methods this meeting accepts is available on this "
                      "server. Contact the meeting's organiser.",
        "continue": "Continue",
        "starting": "Starting the identification …",
        "no_script": "This page needs JavaScript to continue.",
        "link_invalid": "The link is invalid, already used or too old. Go back to the "
                        "meeting and try again.",
        "success_title": "You are identified",
        "success": "The identification succeeded. Go back to the meeting and join again.",
        "back_to_meeting": "Back to the meeting",
        "failure_title": "Identification failed",
        "cancelled_title": "Identification cancelled",
        "try_again": "Try again",
        "cancel": "Cancel",
        "bankid_title": "Identify yourself with BankID",
        "bankid_scan": "Open the BankID app and scan the QR code.",
        "bankid_same_device": "Open BankID on this device",
        "test_banner": "TEST – not a real e-ID",
        "test_title": "Test sign-in",
        "test_intro": "This is a test provider for demonstrations. It checks nothing and "
                      "must never be used in production.",
        "test_number": "Personal identity number (test number)",
        "test_given_name": "Given name",
        "test_family_name": "Family name",
        "test_loa": "Level of assurance",
        "test_identify": "Identify",
        "language_switch": "På svenska",
    },
}

METHOD_LABELS = {
    "bankid": {"sv": "BankID", "en": "BankID"},
    "freja": {"sv": "Freja eID+", "en": "Freja eID+"},
    "siths": {"sv": "SITHS eID (vård och omsorg)", "en": "SITHS eID (health and social care)"},
}

FAILURE_MESSAGES: dict[str, dict[str, str]] = {
    "cancelled": {"sv": "Du avbröt identifieringen. Du släpps inte in i mötet förrän du har "
                        "identifierat dig.",
                  "en": "You cancelled the identification. You cannot enter the meeting until "
                        "you have identified yourself."},
    "expired": {"sv": "Identifieringen tog för lång tid och avbröts.",
                "en": "The identification took too long and was stopped."},
    "failed": {"sv": "Identifieringen kunde inte genomföras. Inga uppgifter har sparats.",
               "en": "The identification could not be completed. Nothing has been saved."},
    "loa_too_low": {"sv": "Din e-legitimation har för låg tillitsnivå för det här mötet.",
                    "en": "Your e-ID has too low a level of assurance for this meeting."},
    "method_not_allowed": {"sv": "Mötet godtar inte den här e-legitimationen.",
                           "en": "This meeting does not accept this e-ID."},
    "different_person": {"sv": "Det här kontot är redan identifierat som en annan person i "
                               "mötet. Använd en ny länk till mötet.",
                         "en": "This account is already identified as another person in this "
                               "meeting. Use a new link to the meeting."},
    "session_invalid": {"sv": "Identifieringen hör inte till den här webbläsaren eller har "
                              "redan använts. Börja om från mötet.",
                        "en": "The identification does not belong to this browser or has "
                              "already been used. Start again from the meeting."},
    "invalid_identity": {"sv": "E-legitimationen gav inget giltigt svenskt personnummer eller "
                               "samordningsnummer.",
                         "en": "The e-ID did not provide a valid Swedish personal identity "
                               "number or coordination number."},
}


def pick_language(requested: str | None, accept_language: str | None) -> str:
    """Return 'sv' or 'en': an explicit choice, else the browser's first match, else 'sv'."""
    if requested in LANGUAGES:
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "sv"
