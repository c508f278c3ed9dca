"""``w``: wait until an endpoint is running, showing each state passed and the elapsed time.

The wait has a time limit (10 min unless chosen otherwise; "none" waits for good), like
huggingface_hub's ``InferenceEndpoint.wait(timeout=…)``: when the time is up it says so and stops
waiting. Choosing a longer limit waits again, counted from the start. Esc stops waiting. Neither
touches the endpoint, which keeps going.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Select, Static

from hftui.keys import bindings_for
from hftui.widgets.endpoint_states import idle_reason, state_label
from hftui.widgets.safe_text import one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import Endpoint


DEFAULT_TIMEOUT = 600.0
"""Seconds ``w`` waits before saying the time is up."""
NO_LIMIT = 0
"""The time-limit choice that means "wait until it runs or fails"."""
LIMITS = (60, 300, 600, 1800, 3600)


def _elapsed(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def limit_label(seconds: float | None) -> str:
    """``600`` -> ``10 min``; None -> ``none``."""
    if not seconds:
        return "none"
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds // 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds // 60:g} min"
    return f"{seconds:g}s"


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
    WaitScreen #wait-limit { height: 1; margin-top: 1; }
    WaitScreen #wait-limit > Static { width: auto; padding-right: 1; color: $text-muted; }
    WaitScreen #wait-limit > Select { width: 16; }
    WaitScreen.-done > Vertical { border: round $success; }
    WaitScreen.-failed > Vertical { border: round $error; }
    WaitScreen.-timeout #wait-elapsed { color: $warning; }
    """
    BINDINGS = bindings_for("WaitScreen")

    def __init__(self, endpoint: Endpoint, *, poll_interval: float = 2.0, timeout: float | None = DEFAULT_TIMEOUT,
                 resuming: bool = False) -> None:
        """``timeout``: seconds before the wait gives up (None: no limit); the user can change it.
        ``resuming``: a resume was just sent, so a paused state shown first is expected."""
        super().__init__()
        self.resuming = resuming
        self.endpoint = endpoint
        self.poll_interval = poll_interval
        self.timeout = timeout if timeout and timeout > 0 else None
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
            limits = {*LIMITS, *([self.timeout] if self.timeout else [])}  # a caller's own limit too
            options = [(limit_label(v), v) for v in sorted(limits)] + [("none", NO_LIMIT)]
            with Horizontal(id="wait-limit"):
                yield Static("time limit", markup=False)
                yield Select(options, value=self.timeout or NO_LIMIT, allow_blank=False, compact=True,
                             id="wait-timeout", tooltip="Stop waiting after this long (the endpoint keeps going)")

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
            idle = ep.state.is_idle and not (self.resuming and len(self.states) == 1)
            hint.set_class(not idle, "-hidden")
            if idle:
                hint.update(f"{one_line(ep.name, 60)} {idle_reason(ep.state)} — esc, then r to resume")

    def _tick(self) -> None:
        if self.outcome is None:
            limit = f"of {limit_label(self.timeout)}" if self.timeout else "· no time limit"
            self.query_one("#wait-elapsed", Static).update(
                f"elapsed {_elapsed(time.monotonic() - self._start)} {limit} · polling every {self.poll_interval:g}s")

    def _time_left(self) -> float | None:
        if self.timeout is None:
            return None
        return max(0.0, self.timeout - (time.monotonic() - self._start))

    @on(Select.Changed, "#wait-timeout")
    def _limit_changed(self, event: Select.Changed) -> None:
        chosen = None if event.value in (NO_LIMIT, Select.NULL) else float(event.value)
        if chosen == self.timeout:
            return
        self.timeout = chosen
        if self.outcome in (None, "timeout"):  # still waiting, or given up: wait (again) under the new limit
            self.outcome = None
            self.remove_class("-timeout")
            self._tick()
            self._worker = self._wait()

    @work(exclusive=True, group="wait", exit_on_error=False, description="wait until running")
    async def _wait(self) -> None:
        from hftui.client import HFError, WaitTimeout

        ep = self.endpoint
        elapsed = self.query_one("#wait-elapsed", Static)
        try:
            final = await self.app.client.endpoints.wait_until_running(
                ep.namespace, ep.name, timeout=self._time_left(), poll_interval=self.poll_interval,
                on_state=self._record)
        except WaitTimeout as exc:
            self.outcome = "timeout"
            self.add_class("-timeout")
            state = one_line(exc.last_state or self.states[-1][1], 20)
            elapsed.update(f"⏱ Timed out after {limit_label(self.timeout)}: {one_line(ep.name, 60)} is still "
                           f"{state}. It keeps going — only the waiting stopped. Choose a longer time limit to "
                           "wait again, or esc.")
            self.app.bell()
            return
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
