"""StreamMeter: tokens, tokens/s, time to first token and elapsed time of one run."""

from __future__ import annotations

import time

from hftui import clock


class StreamMeter:
    """Timings of one stream (or one-shot call).

    Under a frozen clock (``hftui.clock.frozen``: tests and screenshots) time
    stands still, so timings read 0 and the status line stays deterministic.
    """

    def __init__(self) -> None:
        self._frozen = clock.frozen()
        self.started: float | None = None
        self.first: float | None = None
        self.last: float | None = None
        self.ended: float | None = None
        self.tokens = 0

    def now(self) -> float:
        return 0.0 if self._frozen else time.monotonic()  # per token: the frozen flag read once

    def start(self) -> None:
        self.started = self.now()
        self.first = self.last = self.ended = None
        self.tokens = 0

    def token(self, count: int = 1) -> None:
        t = self.now()
        if self.first is None:
            self.first = t
        self.last = t
        self.tokens += count

    def stop(self) -> None:
        if self.started is not None and self.ended is None:
            self.ended = self.now()

    @property
    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return max(0.0, (self.ended if self.ended is not None else self.now()) - self.started)

    @property
    def ttft(self) -> float | None:
        if self.started is None or self.first is None:
            return None
        return max(0.0, self.first - self.started)

    @property
    def tokens_per_s(self) -> float | None:
        if self.first is None or self.tokens < 2:
            return None
        end = self.ended if self.ended is not None else self.now()
        span = end - self.first
        return (self.tokens - 1) / span if span > 0 else None

    def timings(self) -> dict:
        return {"ttft": self.ttft, "elapsed": self.elapsed, "tokens": self.tokens,
                "tokens_per_s": self.tokens_per_s}

    def summary(self) -> str:
        # Elapsed first: in a narrow pane the line is cut from the end.
        parts = [f"{self.elapsed:.1f}s", f"{self.tokens} tok"]
        tps = self.tokens_per_s
        parts.append(f"{tps:.1f} tok/s" if tps else "– tok/s")
        ttft = self.ttft
        parts.append(f"TTFT {ttft:.2f}s" if ttft is not None and not self._frozen else "TTFT –")
        return " · ".join(parts)
