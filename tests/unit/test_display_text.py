# SPDX-License-Identifier: AGPL-3.0-or-later
"""Cleaning of guest-supplied names and titles."""

import pytest

from synapse_hubs.display_text import clean_display_text, truncate_display_text


@pytest.mark.parametrize("raw, expected", [
    ("Greta Gäst", "Greta Gäst"),
    # Right-to-left override and pop directional formatting.
    ("\u202eevil\u202c Name", "evil Name"),
    # Bidi isolates and the left-to-right mark.
    ("\u2066Anna\u2069\u200e", "Anna"),
    # Zero-width space, joiner and non-joiner, byte order mark, soft hyphen.
    ("An\u200bn\u200da\u200c\ufeff\u00ad", "Anna"),
    # NUL, bell, escape; the printable rest of an escape sequence stays visible.
    ("Bo\x00b\x07\x1b[31m", "Bob[31m"),
    ("  Greta \t\n Gäst  ", "Greta Gäst"),
    ("Greta\u2028Gäst\u00a0X", "Greta Gäst X"),
    # Decomposed é becomes the precomposed letter (NFC).
    ("Gre\u0301ta", "Gr\u00e9ta"),
    # A format character between a letter and its accent is removed, then NFC applies.
    ("e\u200b\u0301", "\u00e9"),
    ("\ud800Lone", "Lone"),
    ("\u200b\u202e \t", ""),
    ("", ""),
])
def test_clean_display_text(raw, expected):
    assert clean_display_text(raw) == expected


def test_truncate_caps_length():
    assert truncate_display_text("A" * 10_000, 64) == "A" * 64


def test_truncate_drops_trailing_space():
    assert truncate_display_text("abc def", 4) == "abc"


def test_truncate_keeps_letter_with_its_marks():
    # "q" followed by two combining marks has no precomposed form.
    text = "xxxxq\u0331\u0301"

    assert truncate_display_text(text, 5) == "xxxx"
    assert truncate_display_text(text, 7) == text


def test_truncate_short_text_unchanged():
    assert truncate_display_text("Anna", 64) == "Anna"
