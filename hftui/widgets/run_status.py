"""RunStatus: the Playground's one-line status, with a loading countdown and live stream stats.

    status.show(text, state="")          # state: running | ok | error | "" (coloured by CSS classes)
    status.count_down(seconds)           # "Model loading… ready in ~N s" (or the endpoint waking) once a second; stop_count_down()
    status.follow(meter)                 # "Streaming · <meter summary>" 4 times a second; follow(None) stops
    status.history                       # every line shown (tests read the transient ones)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from hftui import clock
from hftui.widgets.safe_text import one_line

if TYPE_CHECKING:
    from hftui.controllers.meter import StreamMeter

STATES = ("running", "error", "ok")


class RunStatus(Static):
    DEFAULT_CSS = """
    RunStatus { height: 1; padding: 0 1; color: $text-muted; background: $boost; }
    RunStatus.-running { color: $warning; }
    RunStatus.-error { color: $error; }
    RunStatus.-ok { color: $success; }
    """

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(Text(text), id=id)
        self.history: list[str] = []
        self._until: float | None = None
        self._waking = False
        self._countdown = None
        self._meter: StreamMeter | None = None
        self._ticker = None

    def show(self, text: str, state: str = "") -> None:
        self.history.append(text)
        del self.history[:-200]
        self.update(Text(one_line(text, 300)))
        for name in STATES:
            self.set_class(name == state, f"-{name}")

    def count_down(self, seconds: float, *, waking: bool = False) -> None:
        """The client waits for a loading model (``waking``: an endpoint scaled to zero): show when it
        should be ready."""
        self._waking = waking
        self._until = clock.monotonic() + seconds
        self._tick_countdown()
        if self._countdown is None:
            self._countdown = self.set_interval(1.0, self._tick_countdown)

    def stop_count_down(self) -> None:
        self._until = None
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None

    def _tick_countdown(self) -> None:
        if self._until is None:
            return
        left = max(0, round(self._until - clock.monotonic()))
        if self._waking:
            self.show(f"endpoint waking up (scaled to zero) · ready in ~{left} s (Esc cancels)", "running")
        else:
            self.show(f"Model loading… ready in ~{left} s (waiting for it; Esc cancels)", "running")

    def follow(self, meter: StreamMeter | None) -> None:
        """Show a running stream's stats (not while counting down); None stops."""
        self._meter = meter
        if meter is None:
            if self._ticker is not None:
                self._ticker.stop()
                self._ticker = None
        elif self._ticker is None:
            self._ticker = self.set_interval(0.25, self._tick_stats)

    def _tick_stats(self) -> None:
        if self._meter is not None and self._until is None:
            self.show(f"Streaming · {self._meter.summary()}", "running")
