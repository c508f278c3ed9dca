"""``w``: wait until an endpoint is running, showing each state passed and the elapsed time.

Esc stops waiting (the endpoint itself is not touched).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from hftui.keys import bindings_for
from hftui.widgets.endpoint_table import IDLE_STATES, idle_reason, state_label
from hftui.widgets.safe_text import one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import Endpoint


def _elapsed(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class WaitScreen(ModalScreen[str | None]):
    """Dismisses with the final state (``running``), or None when stopped or failed."""

    DEFAULT_CSS = """
    WaitScreen { align: center middle; }
    WaitScreen > Vertical { width: 70; max-width: 100%; height: auto; max-height: 90%;
                            border: round $warning; background: $surface; padding: 0 1; }
    WaitScreen #wait-log { height: auto; }
    WaitScreen #wait-elapsed { color: $text-muted; margin-top: 1; }
    WaitScreen #wait-hint { color: $warning; height: auto; }
    WaitScreen #wait-hint.-hidden { display: none; }
    WaitScreen.-done > Vertical { border: round $success; }
    WaitScreen.-failed > Vertical { border: round $error; }
    """
    BINDINGS = bindings_for("WaitScreen")

    def __init__(self, endpoint: Endpoint, *, poll_interval: float = 2.0, timeout: float | None = None,
                 resuming: bool = False) -> None:
        """``resuming``: a resume was just sent, so a paused state shown first is expected."""
        super().__init__()
        self.resuming = resuming
        self.endpoint = endpoint
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.states: list[tuple[float, str]] = []
        self.outcome: str | None = None
        self._start = time.monotonic()

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = safe_content(f"Waiting for {one_line(self.endpoint.key, 60)} to run")
            box.border_subtitle = "esc: stop waiting"
            yield Static("", id="wait-log", markup=False)
            yield Static("", id="wait-hint", markup=False, classes="-hidden")
            yield Static("", id="wait-elapsed", markup=False)

    def on_mount(self) -> None:
        self._start = time.monotonic()
        self._record(self.endpoint)
        self._tick()
        self._ticker = self.set_interval(1.0, self._tick)
        self._worker = self._wait()

    def _record(self, ep: Endpoint) -> None:
        if not self.states or self.states[-1][1] != ep.raw_state:
            self.states.append((time.monotonic() - self._start, ep.raw_state))
            lines = [f"{_elapsed(t):>7}  {state_label(s)}" for t, s in self.states]
            self.query_one("#wait-log", Static).update("\n".join(lines))
            # Paused / scaled to zero: nothing will happen by waiting, say what will.
            hint = self.query_one("#wait-hint", Static)
            idle = ep.raw_state in IDLE_STATES and not (self.resuming and len(self.states) == 1)
            hint.set_class(not idle, "-hidden")
            if idle:
                hint.update(f"{one_line(ep.name, 60)} {idle_reason(ep.raw_state)} — esc, then r to resume")

    def _tick(self) -> None:
        if self.outcome is None:
            self.query_one("#wait-elapsed", Static).update(
                f"elapsed {_elapsed(time.monotonic() - self._start)} · polling every {self.poll_interval:g}s")

    @work(exclusive=True, group="wait", exit_on_error=False, description="wait until running")
    async def _wait(self) -> None:
        from hftui.client import HFError

        ep = self.endpoint
        elapsed = self.query_one("#wait-elapsed", Static)
        try:
            final = await self.app.client.endpoints.wait_until_running(
                ep.namespace, ep.name, timeout=self.timeout, poll_interval=self.poll_interval,
                on_state=self._record)
        except HFError as exc:
            self.outcome = "failed"
            self.add_class("-failed")
            elapsed.update(f"✗ {one_line(exc.user_message(), 300)} after "
                           f"{_elapsed(time.monotonic() - self._start)} — esc closes")
            self.app.bell()
            return
        self._record(final)
        self.outcome = final.raw_state
        self.add_class("-done")
        elapsed.update(f"● running after {_elapsed(time.monotonic() - self._start)} — esc closes")
        self.app.bell()

    def action_stop(self) -> None:
        self._worker.cancel()
        self.dismiss(self.outcome if self.outcome == "running" else None)
