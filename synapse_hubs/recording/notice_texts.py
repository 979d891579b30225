# SPDX-License-Identifier: AGPL-3.0-or-later
"""Texts of the recording notices in the meeting chat: Swedish first, then English.

Each notice carries both languages in one message, because a room has
members who read either; the join page shows its own translated banner.
"""

from datetime import datetime, timezone

SEPARATOR = "\n\n"
NAME_MAX_LENGTH = 64


def started(started_by_name: str | None) -> str:
    if started_by_name is None:
        return _both(
            "🔴 Mötet spelas nu in. Inspelningen startade automatiskt, eftersom rummet är "
            "inställt så. Alla som deltar i samtalet kommer med i inspelningen.",
            "🔴 This meeting is now being recorded. The recording started automatically, because "
            "the room is set up to do so. Everyone taking part in the call is included in it.",
        )
    name = _name(started_by_name)
    return _both(
        f"🔴 Mötet spelas nu in. {name} startade inspelningen. Alla som deltar i samtalet "
        "kommer med i inspelningen.",
        f"🔴 This meeting is now being recorded. {name} started the recording. Everyone taking "
        "part in the call is included in it.",
    )


def reminder(member_name: str) -> str:
    name = _name(member_name)
    return _both(f"🔴 {name}: observera att mötet spelas in.",
                 f"🔴 {name}: please note that this meeting is being recorded.")


def ended_kept() -> str:
    return _both("Inspelningen har avslutats.", "The recording has stopped.")


def ended_discarded() -> str:
    return _both("Inspelningen har avslutats. Den sparades inte eftersom den var för kort.",
                 "The recording has stopped. It was not kept because it was too short.")


def ended_failed() -> str:
    return _both("Inspelningen har avslutats, men den kunde inte sparas.",
                 "The recording has stopped, but it could not be saved.")


def shared(started_ts: int, duration_ms: int, url: str) -> str:
    when = datetime.fromtimestamp(started_ts / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    minutes = max(1, round(duration_ms / 60_000))
    return _both(
        f"Inspelningen från {when} ({minutes} min) är delad med alla i mötet. Hämta den här: {url}",
        f"The recording from {when} ({minutes} min) is shared with everyone in the meeting. "
        f"Download it here: {url}",
    )


def _both(swedish: str, english: str) -> str:
    return swedish + SEPARATOR + english


def _name(name: str) -> str:
    return name if len(name) <= NAME_MAX_LENGTH else name[: NAME_MAX_LENGTH - 1] + "…"
