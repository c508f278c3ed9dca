"""Counters, a fixed-size latency histogram and the end-of-run summary.

Everything here is O(1) in memory whatever the number of inputs: latencies
go into log-spaced buckets (1% wide) instead of a list, so p50/p95 stay
cheap and the runner's memory stays flat as the input file grows.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from hftui.controllers.cost import CostEstimate, money
from hftui.sanitize import one_line

_log = math.log


class LatencyHistogram:
    """Log-bucketed latencies (milliseconds); percentiles within ~1%."""

    _GROWTH = 1.01
    _MIN_MS = 0.01
    _BUCKETS = int(math.log(24 * 3600 * 1000 / _MIN_MS, _GROWTH)) + 2  # 10 µs .. 1 day
    _LOG_MIN = math.log(_MIN_MS)
    _INV_LOG_GROWTH = 1 / math.log(_GROWTH)

    __slots__ = ("_counts", "count", "total_ms", "max_ms")

    def __init__(self) -> None:
        self._counts = [0] * self._BUCKETS
        self.count = 0
        self.total_ms = 0.0
        self.max_ms = 0.0

    def add(self, ms: float) -> None:
        # once per input: comparisons and a precomputed 1/ln(growth) instead of min/max/log(x, base)
        if ms < self._MIN_MS:
            ms = self._MIN_MS
        idx = int((_log(ms) - self._LOG_MIN) * self._INV_LOG_GROWTH)
        if idx >= self._BUCKETS:
            idx = self._BUCKETS - 1
        self._counts[idx] += 1
        self.count += 1
        self.total_ms += ms
        if ms > self.max_ms:
            self.max_ms = ms

    def percentile(self, p: float) -> float | None:
        """The p-th percentile (0..100) in ms, or None with no samples."""
        if not self.count:
            return None
        rank = max(1, math.ceil(self.count * p / 100))
        seen = 0
        for idx, n in enumerate(self._counts):
            seen += n
            if seen >= rank:
                # geometric middle of the bucket, never above the real maximum
                return min(self._MIN_MS * self._GROWTH ** (idx + 0.5), self.max_ms)
        return self.max_ms


@dataclass
class Stats:
    """Live counters of one run; read by the progress displays (CLI and TUI)."""

    total: int = 0
    """Inputs (non-blank lines) in the input file."""
    skipped: int = 0
    """Lines already in the output from an earlier run."""
    skipped_failed: int = 0
    """Of those, error records (kept unless ``--retry-failed``)."""
    ok: int = 0
    failed: int = 0
    in_flight: int = 0
    retries: int = 0
    started: float | None = None
    """``time.monotonic()`` when the first request went out."""
    finished: float | None = None
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)

    @property
    def done(self) -> int:
        """Finished in this run (ok + failed)."""
        return self.ok + self.failed

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.skipped - self.done)

    def elapsed(self, now: float | None = None) -> float:
        if self.started is None:
            return 0.0
        end = self.finished if self.finished is not None else (time.monotonic() if now is None else now)
        return max(0.0, end - self.started)

    def rate(self, now: float | None = None) -> float:
        """Finished inputs per second since the first request."""
        elapsed = self.elapsed(now)
        return self.done / elapsed if elapsed > 0 else 0.0

    def eta(self, now: float | None = None) -> float | None:
        rate = self.rate(now)
        return self.remaining / rate if rate > 0 else None

    @property
    def fraction(self) -> float:
        todo = self.total - self.skipped
        return 1.0 if todo <= 0 else min(1.0, self.done / todo)


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = max(0.0, seconds)
    if seconds < 10:
        return f"{seconds:.1f}s"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m"
    if m:
        return f"{m}m{s:02d}s"
    return f"{s}s"


def fmt_ms(ms: float | None) -> str:
    if ms is None:
        return "-"
    return f"{ms:.0f} ms" if ms >= 10 else f"{ms:.1f} ms"


def progress_line(stats: Stats, now: float | None = None) -> str:
    """``1234/10000 · 3 failed · 812/s · ETA 11s`` (counts of this run)."""
    todo = stats.total - stats.skipped
    parts = [f"{stats.done}/{todo} done"]
    if stats.failed:
        parts.append(f"{stats.failed} failed")
    parts.append(f"{stats.rate(now):.1f}/s")
    if stats.retries:
        parts.append(f"{stats.retries} retries")
    if stats.finished is not None:
        parts.append(f"took {fmt_duration(stats.elapsed())}")
    else:
        parts.append(f"ETA {fmt_duration(stats.eta(now))}" if stats.remaining else "finishing")
    return " · ".join(parts)


class FailedLines:
    """Which failed inputs a display names one by one: the first ``limit``, then a count.

    A malformed line or a failed request is worth a line of its own (with its
    line number) as it happens; ten thousand of them are not.
    """

    def __init__(self, limit: int = 10) -> None:
        self.limit = limit
        self.shown = 0
        self.more = 0

    def add(self, line: int, message: str) -> str | None:
        """The text to show for this failure, or None once ``limit`` were shown."""
        if self.shown >= self.limit:
            self.more += 1
            return None
        self.shown += 1
        return f"line {line}: {one_line(message, 200)}"

    def tail(self, output: str | None = None) -> str | None:
        """``… and N more failed lines`` once some were not shown."""
        if not self.more:
            return None
        where = f" (each one is in {output})" if output else ""
        return f"… and {self.more} more failed line{'s' * (self.more != 1)}{where}"


@dataclass
class Cost:
    """Estimated compute cost of an endpoint for this run."""

    billed_seconds: float
    price_per_hour: float | None
    replicas: int
    still_running: bool
    """True when the endpoint was left running (no ``--pause-after``)."""

    @property
    def dollars(self) -> float | None:
        hourly = CostEstimate(self.price_per_hour).hourly(self.replicas)
        return None if hourly is None else self.billed_seconds / 3600 * hourly


@dataclass
class Summary:
    """What the run did; ``lines()`` is shown by both the CLI and the TUI."""

    target: str
    output: str
    stats: Stats
    interrupted: bool = False
    fatal: str | None = None
    """Why the run could not start or continue (target not found, endpoint failed...)."""
    cost: Cost | None = None
    paused: bool = False
    resumed: bool = False
    """The run resumed the endpoint (it was paused or scaled to zero)."""
    pause_error: str | None = None
    total_seconds: float | None = None
    """Whole run, endpoint start and pause included."""

    @property
    def failed_total(self) -> int:
        return self.stats.failed + self.stats.skipped_failed

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        if self.fatal:
            return 2
        return 1 if self.failed_total else 0

    def left_running(self) -> str | None:
        """``Endpoint left running — $1.30/h …`` when the run leaves a billed endpoint up."""
        c = self.cost
        if c is None or not c.still_running:
            return None
        if c.price_per_hour is None:
            price = "hourly price unknown"
        else:
            price = f"{money(c.price_per_hour * c.replicas)}/h" + (f" ({c.replicas} replicas)" if c.replicas != 1 else "")
        was = " (it was paused before this run)" if self.resumed else ""
        return f"Endpoint left running — {price} until you pause it{was}."

    def lines(self) -> list[str]:
        s = self.stats
        out = []
        if self.fatal:
            out.append(f"Error: {self.fatal}")
        if s.total or s.started is not None:
            head = "Interrupted" if self.interrupted else ("Stopped" if self.fatal else "Finished")
            counts = f"{head}: {s.ok} ok · {s.failed} failed this run"
            if s.skipped:
                counts += f" · {s.skipped} already in output"
            if s.remaining and (self.interrupted or self.fatal):
                counts += f" · {s.remaining} not run"
            out.insert(0, counts + f" (of {s.total} inputs)")
        elif self.interrupted:
            out.insert(0, "Interrupted before any input was sent.")
        if s.done:
            wall = s.elapsed()
            out.append(f"Latency p50 {fmt_ms(s.latency.percentile(50))} · p95 {fmt_ms(s.latency.percentile(95))}"
                       f" · throughput {s.rate():.1f}/s · wall {fmt_duration(wall)}"
                       + (f" ({fmt_duration(self.total_seconds)} in all)"
                          if self.total_seconds is not None and self.total_seconds > wall + 1 else "")
                       + (f" · {s.retries} retries" if s.retries else ""))
        if s.skipped_failed:
            out.append(f"{s.skipped_failed} inputs failed in an earlier run (re-run them with --retry-failed)")
        if self.cost is not None:
            c = self.cost
            hours = c.billed_seconds / 3600
            if c.dollars is not None:
                out.append(f"Estimated cost: {fmt_duration(c.billed_seconds)} billed × {money(c.price_per_hour)}/h"
                           f" × {c.replicas} replica{'s' * (c.replicas != 1)} ≈ ${c.dollars:.4f}"
)
            else:
                out.append(f"Estimated cost: {hours:.3f} h billed × {c.replicas} replica(s) (price unknown)")
        if self.paused:
            out.append("Endpoint paused again." if self.resumed else "Endpoint paused.")
        if self.pause_error:
            out.append(f"Could not pause the endpoint: {self.pause_error}")
        fate = self.left_running()
        if fate:
            out.append(fate)
        if s.total or s.started is not None:
            out.append(f"Output: {self.output}")
        return out
