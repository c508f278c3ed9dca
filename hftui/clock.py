"""The one clock the UI reads, so tests and screenshots can freeze it.

``HFTUI_FROZEN_TIME`` (RFC 3339) fixes "now" for the whole process, and
stops the durations measured with ``monotonic()`` (they read 0).
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone


def frozen() -> bool:
    """Time stands still (tests and screenshots): timings read 0, nothing animates."""
    return bool(os.environ.get("HFTUI_FROZEN_TIME"))


def monotonic() -> float:
    """Seconds for measuring durations; always 0 under a frozen clock."""
    return 0.0 if frozen() else time.monotonic()


def now() -> datetime:
    frozen = os.environ.get("HFTUI_FROZEN_TIME")
    if frozen:
        from hftui.client.models import parse_time

        parsed = parse_time(frozen)
        if parsed:
            return parsed
    return datetime.now(timezone.utc)


def ago(moment: datetime | None, reference: datetime | None = None) -> str:
    """Compact age: ``12s``, ``5m``, ``3h``, ``2d``, ``2y``; ``-`` when unknown."""
    if moment is None:
        return "-"
    seconds = int(((reference or now()) - moment).total_seconds())
    if seconds < 0:
        seconds = 0
    for unit, size in (("y", 365 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
