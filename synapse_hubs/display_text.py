# SPDX-License-Identifier: AGPL-3.0-or-later
"""Clean user-supplied text that other people see, such as guest names and meeting titles.

The result is NFC-normalised and trimmed, with every run of whitespace
collapsed to one space. It has no lone surrogates and no control or format
characters: Unicode categories Cc and Cf, which include bidi overrides and
isolates, zero-width spaces and joiners, the byte order mark and soft hyphens.
Removing the bidi controls keeps a name from reordering the text around it.
The pages additionally isolate the name when they render it.
"""

import unicodedata

# Cc: control, Cf: format, Cs: lone surrogate (valid in decoded JSON, not encodable as UTF-8).
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def clean_display_text(value: str) -> str:
    """Return value without invisible or reordering characters, whitespace collapsed."""
    text = unicodedata.normalize("NFC", value)

    # Whitespace first, so that a tab or line break between two words leaves a space.
    text = "".join(" " if character.isspace() else character for character in text)

    text = "".join(
        character
        for character in text
        if unicodedata.category(character) not in _REMOVED_CATEGORIES
    )

    # Removing a format character can bring a base letter next to a combining mark.
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def truncate_display_text(text: str, max_length: int) -> str:
    """Cut cleaned text to at most max_length code points, without a trailing space."""
    if len(text) <= max_length:
        return text

    # When the cut would separate a letter from its combining marks, drop
    # that letter too, because the letter alone reads differently.
    cut_at = max_length
    while cut_at > 0 and unicodedata.combining(text[cut_at]):
        cut_at -= 1
    return text[:cut_at].rstrip()
