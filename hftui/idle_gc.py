"""Full garbage collections while nobody types.

A full pass of Python's collector takes 0.1 s and more once screens have come and gone (a
closed Describe, a create form, replaced Playground forms: ~30,000 objects in cycles), and
the collector starts one whenever enough has been allocated: often in the middle of a key
press (``bench/keys.py`` caught a 134 ms pass inside ``:play``). So after the warm-up the app
takes the oldest generation over: the automatic full pass is put off, and a full pass runs
once the keyboard and mouse have been quiet for ``IDLE_BEFORE`` seconds and the app has no
work running (a stream, a load), and only if something reached the oldest generation since
the last one. After ``LONGEST_WITHOUT`` seconds without one it runs anyway, so memory stays
bounded in a session that is never idle. The young generations are collected as before.

    collector = IdleCollector(busy=lambda: False)
    collector.start()          # the automatic full pass put off
    collector.input_seen()     # on every key and mouse event
    collector.tick()           # often (a timer): a full pass if one is due; True if it ran
    collector.stop()           # the thresholds as they were
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

IDLE_BEFORE = 1.0
"""Seconds without a key or mouse event before a full pass may run."""
LONGEST_WITHOUT = 60.0
"""Seconds after which a full pass runs even if the app was never idle."""
TICK = 0.5
"""How often the app asks (seconds)."""
PUT_OFF = 1_000_000
"""The oldest generation's threshold while the app decides: never reached in practice."""


class IdleCollector:
    def __init__(self, busy: Callable[[], bool], clock: Callable[[], float] = time.monotonic) -> None:
        self._busy = busy
        self._clock = clock
        self._last_input = self._last_full = clock()
        self._saved: tuple[int, int, int] | None = None

    @property
    def started(self) -> bool:
        return self._saved is not None

    def start(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            young, middle, _ = self._saved
            gc.set_threshold(young, middle, PUT_OFF)
            self._last_full = self._clock()

    def stop(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def input_seen(self) -> None:
        self._last_input = self._clock()

    def due(self) -> bool:
        if self._saved is None or gc.get_count()[2] == 0:  # nothing reached the oldest generation
            return False
        now = self._clock()
        if now - self._last_full >= LONGEST_WITHOUT:
            return True
        return now - self._last_input >= IDLE_BEFORE and not self._busy()

    def tick(self) -> bool:
        if not self.due():
            return False
        gc.collect()
        self._last_full = self._clock()
        return True
