# SPDX-License-Identifier: AGPL-3.0-or-later
"""Smoothed speaking level of one audio track for LiveKit's ``SpeakerInfo.level``.

RFC 6464 levels arrive per packet in -dBov (0 loudest, 127 silence). Per
observation window this takes the loudest level among the packets that
count as speech, converts it to linear amplitude (10^(-dBov/20)), weights
it by the share of the window that was speech, and smooths the result
over windows. A window with too little speech yields 0 at once, so the
speaking indicator drops quickly.
"""

DEFAULT_ACTIVE_LEVEL_DBOV = 35
DEFAULT_MIN_ACTIVE_SHARE = 0.4
DEFAULT_WINDOW_MS = 400
DEFAULT_SMOOTHING_WINDOWS = 2

_SILENT_DBOV = 127
_LINEAR = tuple(10 ** (-level / 20) for level in range(_SILENT_DBOV + 1))


def linear_level(level_dbov: int) -> float:
    """Convert an RFC 6464 level in -dBov (0-127) to linear amplitude 0..1."""
    if not 0 <= level_dbov <= _SILENT_DBOV:
        raise ValueError(f"audio level {level_dbov} is outside 0-127 -dBov")
    return _LINEAR[level_dbov]


class AudioLevelMeter:
    """Speaking level of one track in 0..1, updated once per observation window.

    A packet whose level is at or above ``active_level_dbov`` (in loudness,
    i.e. a -dBov value at or below it) counts as speech. A window in which
    speech makes up less than ``min_active_share`` of the observed duration
    yields 0. The level is an exponential moving average over about
    ``smoothing_windows`` windows, and it reads 0 once no packet was seen
    for two windows.
    """

    def __init__(
        self,
        active_level_dbov: int = DEFAULT_ACTIVE_LEVEL_DBOV,
        min_active_share: float = DEFAULT_MIN_ACTIVE_SHARE,
        window_ms: int = DEFAULT_WINDOW_MS,
        smoothing_windows: int = DEFAULT_SMOOTHING_WINDOWS,
    ) -> None:
        if not 0 <= active_level_dbov <= _SILENT_DBOV:
            raise ValueError(f"active level {active_level_dbov} is outside 0-127 -dBov")
        if not 0.0 <= min_active_share <= 1.0:
            raise ValueError(f"minimum active share {min_active_share} is outside 0-1")
        if window_ms <= 0:
            raise ValueError(f"window {window_ms} ms must be positive")
        if smoothing_windows < 1:
            raise ValueError(f"smoothing over {smoothing_windows} windows must be at least 1")

        self.active_level_dbov = active_level_dbov
        self.min_active_share = min_active_share
        self.window_ms = window_ms
        # An EMA with factor 2/(n+1) has the same centre of mass as an n-window average.
        self._smoothing = 2.0 / (smoothing_windows + 1)
        self.threshold = _LINEAR[active_level_dbov]  # linear amplitude of the active level
        self._level = 0.0
        self._observed_ms = 0
        self._active_ms = 0
        self._loudest_dbov = _SILENT_DBOV
        self._last_observed_ms: int | None = None

    def observe(self, level_dbov: int, duration_ms: int, now_ms: int) -> None:
        """Add one packet's level covering ``duration_ms`` of audio (20 for usual Opus)."""
        if not 0 <= level_dbov <= _SILENT_DBOV:
            raise ValueError(f"audio level {level_dbov} is outside 0-127 -dBov")

        self._last_observed_ms = now_ms
        self._observed_ms += duration_ms
        if level_dbov <= self.active_level_dbov:
            self._active_ms += duration_ms
            if level_dbov < self._loudest_dbov:
                self._loudest_dbov = level_dbov
        if self._observed_ms >= self.window_ms:
            self._close_window()

    def _close_window(self) -> None:
        share = self._active_ms / self._observed_ms
        if share >= self.min_active_share:
            sample = _LINEAR[self._loudest_dbov] * min(share, 1.0)
            self._level += (sample - self._level) * self._smoothing
        else:
            self._level = 0.0
        self._observed_ms = 0
        self._active_ms = 0
        self._loudest_dbov = _SILENT_DBOV

    def level(self, now_ms: int) -> float:
        """Return the smoothed level in 0..1, or 0 if nothing arrived for two windows."""
        if self._last_observed_ms is None or now_ms - self._last_observed_ms >= 2 * self.window_ms:
            self._level = 0.0
            self._observed_ms = 0
            self._active_ms = 0
            self._loudest_dbov = _SILENT_DBOV
        return self._level

    def is_active(self, now_ms: int) -> bool:
        """Tell whether the track counts as speaking now.

        That is a level at or above the smallest one a window can yield
        that had just the minimum share of speech at exactly the active
        level, so after silence it takes about two such windows.
        """
        level = self.level(now_ms)
        return level > 0.0 and level >= self.threshold * self.min_active_share
