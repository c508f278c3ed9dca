"""Over SSH every byte counts: the real app, idle on Endpoints in a pty, writes ≤ 300 B/s
(the spinner of two busy rows, the status line after each poll; the screens warmed in the
background write nothing)."""

from __future__ import annotations

import time

import pytest
from tests.hardening.ptyapp import PtyApp, ptys_available

pytestmark = pytest.mark.skipif(not ptys_available(), reason="no pseudo-terminals here")


def drain(app: PtyApp, seconds: float) -> float:
    """Read everything the app writes for ``seconds``; the time it took."""
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < seconds:
        app._pump(seconds - elapsed)
    return time.monotonic() - start


def test_idle_endpoints_writes_at_most_300_bytes_a_second():
    # A running clock (the spinner stops under a frozen one); the demo's clock stands still,
    # so the two transitional endpoints stay transitional and nothing changes state.
    app = PtyApp("--speed", "0.000001", env={"HFTUI_FROZEN_TIME": None}, size=(120, 40))
    try:
        # the rows, then their prices (the catalog comes second), then whatever is still queued
        assert app.wait_for("initializing", 30) and app.wait_for(r"\$1\.00", 30), app.text[-2000:]
        drain(app, 1.5)
        before = len(app.output)
        seconds = drain(app, 4.0)
        rate = (len(app.output) - before) / seconds
        assert app.poll() is None, app.text[-2000:]
        assert rate <= 300, f"{rate:.0f} B/s written while idle"
    finally:
        app.kill()
