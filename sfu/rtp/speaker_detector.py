# SPDX-License-Identifier: AGPL-3.0-or-later
"""Dominant speaker identification from RFC 6464 audio levels.

Implements the method of I. Volfin and I. Cohen, "Dominant speaker
identification for multipoint videoconferencing", Computer Speech &
Language 27(4), 2013, in the form Jitsi (jitsi-utils
DominantSpeakerIdentification) and mediasoup (ActiveSpeakerObserver) use
for audio levels instead of spectra. The constants below are theirs.

Each speaker keeps the last 50 levels (about 1 s at 20 ms per packet).
Levels are turned into loudness 0-127 (127 minus the -dBov value, so 0 is
silence), and anything within one sub-band (10) of the speaker's own noise
floor counts as silence. Three time scales are scored:

* immediate: the newest level as one of 13 sub-bands,
* medium: how many of the newest 5 levels exceed sub-band 7,
* long: how many of the 10 blocks of 5 levels have all 5 above sub-band 7.

Each count v out of n becomes a score
``log C(n, v) + n log 0.5 - log lambda + lambda v`` (at least 1e-10), with
lambda 0.78, 24 and 47. A challenger replaces the dominant speaker when its
score ratios on the three scales exceed e^3, e^2 and e^0. Among several
challengers the one with the largest medium ratio wins.
"""

import math

DEFAULT_DECISION_INTERVAL_MS = 300
MIN_DECISION_INTERVAL_MS = 100
MAX_DECISION_INTERVAL_MS = 5000

_MAX_LEVEL = 127
_SUB_BANDS = 13  # N1
_SUB_BAND_WIDTH = (_MAX_LEVEL + _SUB_BANDS - 1) // _SUB_BANDS  # 10
_MEDIUM_LEVELS = 5  # N2: levels per medium block
_LONG_BLOCKS = 10  # N3: medium blocks in the long window
_HISTORY = _MEDIUM_LEVELS * _LONG_BLOCKS
_MEDIUM_THRESHOLD = 7  # sub-band a level must exceed to count as active
_LONG_THRESHOLD = 4  # active levels a block must exceed (i.e. all 5)

_C1 = 3.0
_C2 = 2.0
_C3 = 0.0
_MIN_SCORE = 1e-10

# A speaker without a level for this long gets a silent level per period, which is
# what the background thread of the reference implementations does every 40 ms.
_LEVEL_IDLE_TIMEOUT_MS = 40
# The noise floor estimate may rise after 15 s of levels (750 packets of 20 ms).
_MIN_LEVEL_WINDOW = 15 * 1000 // 20

_LOUDEST_EXPIRY_MS = 150

# A decide() call up to this much before the interval ends still decides, so a
# timer with the same period never skips a decision because of its jitter.
_MAX_DECISION_EARLY_MS = 20


def _score(active: int, total: int, rate: float) -> float:
    value = (
        math.log(math.comb(total, active)) + total * math.log(0.5)
        - math.log(rate) + rate * active
    )
    return max(value, _MIN_SCORE)


_IMMEDIATE_SCORES = tuple(_score(v, _SUB_BANDS, 0.78) for v in range(_SUB_BANDS))
_MEDIUM_SCORES = tuple(_score(v, _MEDIUM_LEVELS, 24.0) for v in range(_MEDIUM_LEVELS + 1))
_LONG_SCORES = tuple(_score(v, _LONG_BLOCKS, 47.0) for v in range(_LONG_BLOCKS + 1))


class _Speaker:
    __slots__ = (
        "levels", "newest", "min_level", "next_min_level", "next_min_count",
        "last_level_ms", "silence_mark_ms", "energy",
    )

    def __init__(self) -> None:
        self.levels = [0] * _HISTORY  # loudness ring buffer
        self.newest = 0  # index of the newest level
        self.min_level = 0  # noise floor, 0 while unknown
        self.next_min_level = 0
        self.next_min_count = 0
        self.last_level_ms: int | None = None
        self.silence_mark_ms = 0
        self.energy = 0  # smoothed loudness above the noise floor, for the loudest list

    def push(self, loudness: int) -> None:
        newest = self.newest + 1
        if newest == _HISTORY:
            newest = 0
        self.newest = newest
        self.levels[newest] = loudness

    def fill_silence(self, now_ms: int) -> None:
        """Push one silent level per idle period since the last level."""
        if self.last_level_ms is None:
            return
        periods = (now_ms - self.silence_mark_ms) // _LEVEL_IDLE_TIMEOUT_MS
        if periods <= 0 or now_ms - self.last_level_ms <= _LEVEL_IDLE_TIMEOUT_MS:
            return
        for _ in range(min(periods, _HISTORY)):
            self.push(0)
        self.silence_mark_ms += periods * _LEVEL_IDLE_TIMEOUT_MS

    def update_min_level(self, loudness: int) -> None:
        """Track the noise floor, following it down at once and raising it slowly (geometric mean) after 15 s."""
        # NOTE: digital silence (level 127) never sets the floor, so a source that alternates
        # silence with one constant level, such as a test beep, never counts as active.
        # Jitsi and mediasoup behave the same, so tests need speech-like audio.
        if loudness == 0:
            return
        if self.min_level == 0 or loudness < self.min_level:
            self.min_level = loudness
            self.next_min_level = 0
            self.next_min_count = 0
            return

        if self.next_min_level == 0 or loudness < self.next_min_level:
            self.next_min_level = loudness
        self.next_min_count += 1
        if self.next_min_count >= _MIN_LEVEL_WINDOW:
            self.min_level = min(int(math.sqrt(self.min_level * self.next_min_level)), _MAX_LEVEL)
            self.next_min_level = 0
            self.next_min_count = 0

    def scores(self) -> tuple[float, float, float]:
        """Immediate, medium and long speech activity scores from the level history."""
        threshold = self.min_level + _SUB_BAND_WIDTH
        levels = self.levels
        index = self.newest

        newest = levels[index]
        immediate = newest // _SUB_BAND_WIDTH if newest >= threshold else 0

        active_blocks = 0
        newest_block_active = 0
        for block in range(_LONG_BLOCKS):
            active = 0
            for _ in range(_MEDIUM_LEVELS):
                level = levels[index]
                if level >= threshold and level // _SUB_BAND_WIDTH > _MEDIUM_THRESHOLD:
                    active += 1
                index = index - 1 if index else _HISTORY - 1
            if block == 0:
                newest_block_active = active
            if active > _LONG_THRESHOLD:
                active_blocks += 1

        return (
            _IMMEDIATE_SCORES[min(immediate, _SUB_BANDS - 1)],
            _MEDIUM_SCORES[newest_block_active],
            _LONG_SCORES[active_blocks],
        )


class DominantSpeakerDetector:
    """Dominant speaker of one room, decided about once per decision interval.

    ``on_level`` is O(1) and meant for every audio packet that carries the
    audio level extension. ``decide`` costs O(speakers) per interval.
    Levels for an id that was never added, or was removed, are ignored,
    because packets can still arrive after a participant left.
    """

    def __init__(self, decision_interval_ms: int = DEFAULT_DECISION_INTERVAL_MS) -> None:
        if not MIN_DECISION_INTERVAL_MS <= decision_interval_ms <= MAX_DECISION_INTERVAL_MS:
            raise ValueError(
                f"decision interval {decision_interval_ms} ms is outside "
                f"{MIN_DECISION_INTERVAL_MS}-{MAX_DECISION_INTERVAL_MS} ms"
            )
        self.decision_interval_ms = decision_interval_ms
        self._speakers: dict[str, _Speaker] = {}
        self._dominant: str | None = None
        self._last_decision_ms: int | None = None

    @property
    def dominant(self) -> str | None:
        """The current dominant speaker without a new decision."""
        return self._dominant

    def add_speaker(self, speaker_id: str) -> None:
        """Start tracking ``speaker_id``. Adding a known id does nothing."""
        if speaker_id not in self._speakers:
            self._speakers[speaker_id] = _Speaker()

    def remove_speaker(self, speaker_id: str) -> None:
        """Stop tracking ``speaker_id``. If it was dominant, the next ``decide`` picks anew."""
        self._speakers.pop(speaker_id, None)
        if speaker_id == self._dominant:
            self._dominant = None
            self._last_decision_ms = None

    def on_level(self, speaker_id: str, level_dbov: int, now_ms: int) -> None:
        """Record one RFC 6464 level (0 loudest to 127 silence, in -dBov) at ``now_ms``.

        Levels older than the speaker's previous one are ignored.
        """
        if not 0 <= level_dbov <= _MAX_LEVEL:
            raise ValueError(f"audio level {level_dbov} is outside 0-127 -dBov")
        speaker = self._speakers.get(speaker_id)
        if speaker is None:
            return
        if speaker.last_level_ms is not None:
            if now_ms < speaker.last_level_ms:
                return
            speaker.fill_silence(now_ms)

        loudness = _MAX_LEVEL - level_dbov
        speaker.push(loudness)
        speaker.update_min_level(loudness)
        above_floor = loudness if loudness >= speaker.min_level + _SUB_BAND_WIDTH else 0
        speaker.energy = (above_floor + speaker.energy + 1) // 2
        speaker.last_level_ms = now_ms
        speaker.silence_mark_ms = now_ms

    def decide(self, now_ms: int) -> str | None:
        """Return the dominant speaker id, re-deciding if an interval has passed.

        A call up to 20 ms (at most a tenth of the interval) early counts as
        on time, for callers driven by a timer of the same period.

        With no speakers it is None and with one it is that one. With no
        dominant speaker yet, the first added speaker is nominated and the
        others compete with it, as in the reference implementations.
        """
        last = self._last_decision_ms
        early_allowance = min(_MAX_DECISION_EARLY_MS, self.decision_interval_ms // 10)
        if last is not None and now_ms - last < self.decision_interval_ms - early_allowance:
            return self._dominant
        self._last_decision_ms = now_ms

        speakers = self._speakers
        for speaker in speakers.values():
            speaker.fill_silence(now_ms)

        if len(speakers) <= 1:
            self._dominant = next(iter(speakers), None)
            return self._dominant

        dominant_id = self._dominant if self._dominant in speakers else next(iter(speakers))
        dominant_immediate, dominant_medium, dominant_long = speakers[dominant_id].scores()

        best_id = dominant_id
        best_medium_ratio = _C2
        for speaker_id, speaker in speakers.items():
            if speaker_id == dominant_id:
                continue
            immediate, medium, long = speaker.scores()
            medium_ratio = math.log(medium / dominant_medium)
            if (
                math.log(immediate / dominant_immediate) > _C1
                and medium_ratio > best_medium_ratio
                and math.log(long / dominant_long) > _C3
            ):
                best_id = speaker_id
                best_medium_ratio = medium_ratio

        self._dominant = best_id
        return best_id

    def loudest(self, now_ms: int, count: int) -> list[str]:
        """Return up to ``count`` speaker ids heard within 150 ms, loudest first.

        Loudness is the exponentially smoothed level above each speaker's
        noise floor, and silent speakers are left out.
        """
        recent = [
            (speaker.energy, speaker_id)
            for speaker_id, speaker in self._speakers.items()
            if speaker.energy > 0 and speaker.last_level_ms is not None
            and now_ms - speaker.last_level_ms <= _LOUDEST_EXPIRY_MS
        ]
        recent.sort(key=lambda entry: entry[0], reverse=True)
        return [speaker_id for _, speaker_id in recent[:count]]
