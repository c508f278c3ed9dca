"""Progress on stderr for ``hftui batch``.

On a terminal: one line redrawn in place (bar, done/failed, rate, ETA).
Otherwise (a log file, CI): a plain line every ``interval`` seconds. Notices
and endpoint states are printed as their own lines either way.

Every line goes out through ``say()``: one clean line (``hftui.sanitize``:
no escape sequence or control a server put in a name, state or message
reaches the terminal) with the token masked. The progress line itself holds
only our own numbers.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from hftui.batch.runner import BatchListener
from hftui.batch.stats import FailedLines, Stats, fmt_duration, progress_line
from hftui.sanitize import one_line, redact

MAX_LINE = 2000
"""Longest line printed (a server's text in it is cut shorter where it comes in)."""

if TYPE_CHECKING:
    from hftui.client.models import Endpoint


def bar(fraction: float, width: int) -> str:
    filled = int(round(max(0.0, min(1.0, fraction)) * width))
    return "█" * filled + "░" * (width - filled)


class StderrProgress(BatchListener):
    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None,
                 interval: float | None = None, secrets: Iterable[str | None] = ()) -> None:
        self.stream = stream or sys.stderr
        self.secrets = tuple(s for s in secrets if s)
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval = interval if interval is not None else (0.1 if self.tty else 10.0)
        self.stats: Stats | None = None
        self._drawn = False
        self._last_state: str | None = None
        self._t0 = time.monotonic()
        self.failures = FailedLines()
        self.output: str | None = None

    # -- BatchListener ---------------------------------------------------------------

    def notice(self, text: str) -> None:
        self._print(text)

    def endpoint_state(self, endpoint: Endpoint) -> None:
        if endpoint.raw_state == self._last_state:
            return
        self._last_state = endpoint.raw_state
        msg = f" — {one_line(endpoint.message, 120)}" if endpoint.message else ""
        self._print(f"  [{fmt_duration(time.monotonic() - self._t0):>6}] {one_line(endpoint.key, 120)}:"
                    f" {one_line(endpoint.raw_state, 40)}{msg}")

    def input_failed(self, line: int, message: str) -> None:
        text = self.failures.add(line, message)
        if text is not None:
            self._print(f"  {text}")

    def started(self, stats: Stats) -> None:
        self.stats = stats
        todo = stats.total - stats.skipped
        self._print(f"Running {todo} inputs" + (f" ({stats.skipped} already done)" if stats.skipped else "") + "…")

    # -- drawing ---------------------------------------------------------------------

    def say(self, text: str) -> None:
        """Print one line (a notice, a summary line): cleaned, the token masked."""
        self._print(text)

    def _print(self, text: str) -> None:
        self._clear()
        print(one_line(redact(text, self.secrets), MAX_LINE), file=self.stream, flush=True)

    def _clear(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self._drawn = False

    def render(self) -> str:
        assert self.stats is not None
        line = progress_line(self.stats)
        if not self.tty:
            return f"progress: {line}"
        width = shutil.get_terminal_size((80, 24)).columns
        pct = f"{self.stats.fraction * 100:3.0f}%"
        room = width - len(line) - len(pct) - 4
        if room >= 10:
            return f"{bar(self.stats.fraction, min(room, 40))} {pct} {line}"[: width - 1]
        return line[: width - 1]

    def draw(self) -> None:
        if self.stats is None:
            return
        if self.tty:
            self.stream.write("\r\x1b[2K" + self.render())
            self.stream.flush()
            self._drawn = True
        else:
            print(self.render(), file=self.stream, flush=True)

    def finish(self) -> None:
        if self.stats is not None and self.tty:
            self.draw()
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
        tail = self.failures.tail(self.output)
        if tail:
            self._print(f"  {tail}")

    async def loop(self) -> None:
        """Redraw until cancelled."""
        while True:
            await asyncio.sleep(self.interval)
            if self.stats is not None and self.stats.finished is None:
                self.draw()
