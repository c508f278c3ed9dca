"""Shared emulator state: settings, virtual clock, armed faults, cold models, request ids."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hftui.emulator.catalog import ModelSpec

# Virtual clock epoch: wall time elapsed × speed is added to this instant.
EPOCH = datetime(2026, 10, 26, 12, 0, 0, tzinfo=UTC).timestamp()

DEMO_TOKEN = "hf_hftuiDemoToken0000000000000000000"
USER = "demo-user"
ORGS = ("acme-ml", "demo-lab")
ENTERPRISE_ORGS = ("acme-ml",)  # may be billed with X-HF-Bill-To

FAULT_KINDS = ("401", "402", "403", "404", "429", "503", "500", "cut", "malformed", "slow", "html", "stream_error")


def rfc3339(ts: float, *, nanos: bool = True) -> str:
    """``2026-10-26T12:41:53.263078506Z`` (9 fractional digits) or milliseconds."""
    whole = int(ts)
    frac = ts - whole
    base = datetime.fromtimestamp(whole, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        return f"{base}.{int(round(frac * 1e9)) % 1_000_000_000:09d}Z"
    return f"{base}.{int(frac * 1000):03d}Z"


def parse_fault(value: str | None) -> tuple[str, float | None] | None:
    """``"429:7"`` → ``("429", 7.0)``; unknown kinds → None."""
    if not value:
        return None
    kind, _, arg = value.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in FAULT_KINDS:
        return None
    number = None
    if arg:
        try:
            number = float(arg)
        except ValueError:
            number = None
    return kind, number


@dataclass
class ArmedFault:
    kind: str
    arg: float | None
    path: re.Pattern | None
    method: str | None
    times: int


@dataclass
class State:
    seed: int = 0
    speed: float = 1.0
    token_rate: float = 40.0
    base_url: str = ""
    max_tokens_cap: int | None = None  # raises the 4,096-token generation limit (benchmarks of long streams)
    epoch: float = EPOCH  # virtual time at start-up (unix seconds)
    skipped: float = 0.0  # virtual seconds jumped over with advance()
    started: float = field(default_factory=time.monotonic)
    lock: threading.RLock = field(default_factory=threading.RLock)
    store: Any = None  # epstore.EndpointStore, created with the app
    faults: list[ArmedFault] = field(default_factory=list)
    # model id -> real monotonic time at which it is loaded (cold start)
    loading: dict[str, float] = field(default_factory=dict)
    cache_keys: set = field(default_factory=set)
    id_counter: int = 0
    hub_requests: int = 0
    hub_window_start: float = field(default_factory=time.monotonic)

    # ---- virtual clock
    def vnow(self) -> float:
        return self.epoch + self.skipped + (time.monotonic() - self.started) * self.speed

    def advance(self, virtual_seconds: float) -> None:
        """Jump the virtual clock forward (tests: move endpoint states without waiting)."""
        with self.lock:
            self.skipped += max(0.0, float(virtual_seconds))

    def vsleep_seconds(self, virtual: float) -> float:
        """Real seconds for a virtual duration."""
        return virtual / self.speed if self.speed > 0 else virtual

    # ---- faults
    def arm(self, kind: str, arg: float | None, path: str | None, method: str | None, times: int) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")
        fault = ArmedFault(kind, arg, re.compile(path) if path else None, method.upper() if method else None,
                           max(1, int(times)))
        with self.lock:
            self.faults.append(fault)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, method: str, path: str) -> tuple[str, float | None] | None:
        with self.lock:
            for fault in self.faults:
                if fault.method and fault.method != method.upper():
                    continue
                if fault.path and not fault.path.search(path):
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault.kind, fault.arg
        return None

    # ---- request ids: deterministic per emulator (seed + a counter), so screenshots are stable
    def next_id(self) -> str:
        with self.lock:
            self.id_counter += 1
            count = self.id_counter
        return hashlib.blake2b(f"{self.seed}:{count}".encode(), digest_size=10).hexdigest()

    # ---- response cache (only reported through x-compute-type: cache)
    def seen_before(self, path: str, body: bytes) -> bool:
        key = hashlib.blake2b(path.encode() + b"\x00" + body, digest_size=16).digest()
        with self.lock:
            if key in self.cache_keys:
                return True
            if len(self.cache_keys) > 10_000:
                self.cache_keys.clear()
            self.cache_keys.add(key)
        return False

    # ---- cold models
    def loading_remaining(self, spec: ModelSpec) -> float | None:
        """None if loaded; else real seconds left (starting the load if needed)."""
        if spec.warm:
            return None
        now = time.monotonic()
        with self.lock:
            ready = self.loading.get(spec.id)
            if ready is None:
                ready = now + self.load_seconds()
                self.loading[spec.id] = ready
        left = ready - now
        return left if left > 0 else None

    def load_seconds(self) -> float:
        # 8 s at speed 1, shorter when sped up; bounded so a near-frozen clock (snapshots) stays sane
        return min(30.0, max(0.2, 8.0 / self.speed))

    def mark_loaded(self, model_id: str) -> None:
        with self.lock:
            self.loading[model_id] = 0.0

    # ---- hub rate-limit headers (informational; never enforced)
    def ratelimit_headers(self) -> dict[str, str]:
        now = time.monotonic()
        with self.lock:
            if now - self.hub_window_start >= 300:
                self.hub_window_start, self.hub_requests = now, 0
            self.hub_requests += 1
            remaining = max(0, 1000 - self.hub_requests)
            reset = max(1, int(300 - (now - self.hub_window_start)))
        return {"ratelimit": f'"api";r={remaining};t={reset}',
                "ratelimit-policy": '"fixed window";"api";q=1000;w=300'}
