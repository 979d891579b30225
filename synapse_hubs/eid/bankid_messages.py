# SPDX-License-Identifier: AGPL-3.0-or-later
"""BankID hint codes mapped to the recommended user messages (RFA), in sv and en.

BankID's relying party guidelines number the messages the user should see
(RFA1 to RFA23) and state which to show for each status and hint code. The
wording below is our own; the meaning of each message follows the
guidelines.
"""

from dataclasses import dataclass

RFA_MESSAGES: dict[str, dict[str, str]] = {
    "RFA1": {"sv": "Starta BankID-appen.",
             "en": "Start your BankID app."},
    "RFA3": {"sv": "Åtgärden avbröts. Försök igen.",
             "en": "The action was cancelled. Please try again."},
    "RFA4": {"sv": "En identifiering eller underskrift för det här personnumret pågår "
                   "redan. Försök igen.",
             "en": "An identification or signing for this personal number is already "
                   "in progress. Please try again."},
    "RFA5": {"sv": "Ett internt fel uppstod. Försök igen.",
             "en": "An internal error occurred. Please try again."},
    "RFA6": {"sv": "Åtgärden avbröts.",
             "en": "The action was cancelled."},
    "RFA8": {"sv": "BankID-appen svarar inte. Kontrollera att den är startad och att du "
                   "har internetanslutning. Försök sedan igen.",
             "en": "The BankID app is not responding. Check that it is started and that "
                   "you have an internet connection, then try again."},
    "RFA9": {"sv": "Skriv in din säkerhetskod i BankID-appen och välj Identifiera.",
             "en": "Enter your security code in the BankID app and select Identify."},
    "RFA13": {"sv": "Försöker starta BankID-appen.",
              "en": "Trying to start your BankID app."},
    "RFA14": {"sv": "Söker efter BankID, det kan ta en liten stund …",
              "en": "Searching for BankID, it may take a little while …"},
    "RFA15": {"sv": "Söker efter BankID, det kan ta en liten stund …",
              "en": "Searching for BankID, it may take a little while …"},
    "RFA16": {"sv": "Det BankID du försöker använda är spärrat eller för gammalt. "
                    "Använd ett annat BankID eller skaffa ett nytt hos din bank.",
              "en": "The BankID you are trying to use is blocked or too old. Use another "
                    "BankID or get a new one from your bank."},
    "RFA17": {"sv": "Det gick inte att läsa QR-koden eller starta BankID-appen. "
                    "Kontrollera att appen är uppdaterad och försök igen.",
              "en": "The QR code could not be read or the BankID app could not be started. "
                    "Check that the app is up to date and try again."},
    "RFA21": {"sv": "Identifiering pågår.",
              "en": "Identification in progress."},
    "RFA22": {"sv": "Okänt fel. Försök igen.",
              "en": "Unknown error. Please try again."},
    "RFA23": {"sv": "Fotografera och läs av din id-handling med BankID-appen.",
              "en": "Photograph and scan your ID document with the BankID app."},
}

# Hint codes of pending orders. outstandingTransaction maps to RFA13 only
# when we started the app ourselves (autoStartToken); with a QR code it is RFA1.
PENDING_HINTS = {
    "outstandingTransaction": "RFA1",
    "noClient": "RFA1",
    "started": "RFA15",
    "userSign": "RFA9",
    "userMrtd": "RFA23",
    "userCallConfirm": "RFA21",
}

FAILED_HINTS = {
    "expiredTransaction": "RFA8",
    "certificateErr": "RFA16",
    "userCancel": "RFA6",
    "cancelled": "RFA3",
    "startFailed": "RFA17",
}

# HTTP error codes of the RP API that the user can act on.
ERROR_CODES = {
    "alreadyInProgress": "RFA4",
    "internalError": "RFA5",
    "maintenance": "RFA5",
    "requestTimeout": "RFA5",
}

UNKNOWN_PENDING = "RFA21"
UNKNOWN_FAILED = "RFA22"


@dataclass(frozen=True)
class HintMessage:
    rfa: str
    sv: str
    en: str

    def text(self, language: str) -> str:
        return self.sv if language == "sv" else self.en


def message_for(status: str, hint_code: str | None, auto_started: bool = False) -> HintMessage:
    """Return the RFA message for a collect status ('pending'/'failed') and hint code."""
    if status == "pending":
        if hint_code == "outstandingTransaction" and auto_started:
            rfa = "RFA13"
        elif hint_code == "started" and auto_started:
            rfa = "RFA14"
        else:
            rfa = PENDING_HINTS.get(hint_code or "", UNKNOWN_PENDING)
    else:
        rfa = FAILED_HINTS.get(hint_code or "", UNKNOWN_FAILED)
    return _message(rfa)


def message_for_error(error_code: str | None) -> HintMessage | None:
    """Return the RFA message for an RP API HTTP error, or None when it is our own bug."""
    rfa = ERROR_CODES.get(error_code or "")
    return _message(rfa) if rfa else None


def _message(rfa: str) -> HintMessage:
    texts = RFA_MESSAGES[rfa]
    return HintMessage(rfa=rfa, sv=texts["sv"], en=texts["en"])
