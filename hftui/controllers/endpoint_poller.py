"""EndpointPoller: the Endpoints table's polling, without Textual.

    poller = EndpointPoller(fetch, listener, interval=5.0)
    await poller.run()            # the screen runs it in a worker; cancel to stop
    poller.poll_now()             # ctrl+r: at once, or right after the poll in flight
    poller.poll_soon(1.0)         # an action wants a reconciling poll
    poller.step(+1)               # slower / faster, through INTERVALS
    poller.reset()                # another namespace: results of older polls are dropped
    poller.tick()                 # once a second: a slow poll says so

One poll at a time (dolphie habit); the next is scheduled only when the
previous one finished. On errors the delay doubles up to ``MAX_BACKOFF``
(longer when a 429 says so) and the last good rows stay. A poll is one
request with no client retries (``fetch`` passes ``retry=False``): the next
poll is the retry, so a stalled server shows after one timeout.

The listener hears the rows of each good poll with the state changes since
the previous one (``polled``), a status line (``status``) and ``changed``
whenever the header's numbers may have moved.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from hftui.client.errors import RateLimited, ServerError, describe_error
from hftui.clock import now
from hftui.sanitize import one_line

if TYPE_CHECKING:
    from hftui.client.models import Endpoint

INTERVALS = (1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0)
"""The refresh intervals ``+`` and ``-`` step through (seconds)."""
MAX_BACKOFF = 120.0
SLOW_POLL = 2.0
"""A poll running longer than this (seconds) is shown as "refreshing… Ns"."""

Transition = tuple[str, str, str]
"""(endpoint key, old raw state, new raw state)."""


def transition_lines(transitions: Sequence[Transition], limit: int = 5) -> list[str]:
    """``acme/x: running → failed``, one a line, the ones past ``limit`` counted."""
    lines = [f"{one_line(k, 80)}: {one_line(old, 30)} → {one_line(new, 30)}" for k, old, new in transitions[:limit]]
    return lines + ([f"… and {len(transitions) - limit} more"] if len(transitions) > limit else [])


def merge_transitions(earlier: Sequence[Transition], later: Sequence[Transition]) -> list[Transition]:
    """One change per endpoint across polls (first old state → latest new); one back where it was is none."""
    merged = {key: (old, new) for key, old, new in earlier}
    for key, old, new in later:
        merged[key] = (merged[key][0] if key in merged else old, new)
    return [(key, old, new) for key, (old, new) in merged.items() if old != new]


class PollListener:
    """What a display hears from the poller (each method may be left as is)."""

    def polled(self, endpoints: list[Endpoint], transitions: list[Transition]) -> None:
        """A good poll's rows; ``transitions``: states changed since the last poll (none on the first)."""

    def status(self, text: str, kind: str | None = None) -> None:
        """The poll's part of the status line; ``kind``: None, "busy" or "error"."""

    def changed(self) -> None:
        """Something the header shows may have changed (interval, state word)."""

    def broken(self, exc: BaseException) -> None:
        """``polled`` raised (a bug): polling goes on."""


class EndpointPoller:
    """See the module docstring. ``fetch()`` lists the endpoints of the namespace shown."""

    def __init__(self, fetch: Callable[[], Awaitable[Sequence[Endpoint]]], listener: PollListener, *,
                 interval: float = 5.0, timeout: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                 wall: Callable[[], datetime] = now) -> None:
        self.fetch = fetch
        self.listener = listener
        self.interval = interval
        self.timeout = timeout
        """The client's timeout, said while a poll is slow (None: not said)."""
        self.enabled = True
        """False: no polls on a schedule (screenshots); ``poll_now`` still polls once."""
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self.poll_count = 0
        """Polls finished (ok or not); tests wait on it."""
        self.failures = 0
        self.last_error: str | None = None
        self.retry_in: float | None = None
        """Seconds until the poll after the last failure."""
        self.last_ok: datetime | None = None
        self.loaded = False
        """A poll of this namespace succeeded (reset clears it)."""
        self.generation = 0
        self._states: dict[str, str] = {}
        self._started: float | None = None
        self._polling = False
        self._again: float | None = None
        """Seconds to wait after the poll in flight at most (0: poll again at once)."""
        self._due: float | None = None
        self._kick = asyncio.Event()

    # --- commands ---------------------------------------------------------------------

    def poll_now(self) -> None:
        """Poll at once, or right after the poll in flight."""
        self.poll_soon(0.0)

    def poll_soon(self, seconds: float) -> None:
        """Poll within ``seconds`` (after the poll in flight, if any)."""
        if self._polling:
            self._again = seconds if self._again is None else min(self._again, seconds)
            return
        due = self._clock() + seconds
        self._due = due if self._due is None else min(self._due, due)
        self._kick.set()

    def step(self, steps: int) -> float:
        """Move the interval ``steps`` along ``INTERVALS`` (+ slower); the next poll counts from now."""
        values = INTERVALS
        current = min(range(len(values)), key=lambda i: abs(values[i] - self.interval))
        self.interval = values[max(0, min(len(values) - 1, current + steps))]
        if not self._polling and self.enabled:
            self._due = self._clock() + self.interval
            self._kick.set()
        self.listener.changed()
        return self.interval

    def reset(self) -> None:
        """Another namespace: forget the rows seen and the failures; a poll in flight is dropped."""
        self.generation += 1
        self.failures = 0
        self.last_error = None
        self.loaded = False
        self._states = {}
        self.poll_now()

    def seen(self, ep: Endpoint) -> None:
        """An action's answer showed this state: a later poll showing it too is no change."""
        if ep.key in self._states:
            self._states[ep.key] = ep.raw_state

    def forget(self, key: str) -> None:
        self._states.pop(key, None)

    # --- what the display asks ---------------------------------------------------------

    def poll_seconds(self) -> float | None:
        """How long the poll in flight has been running (None: no poll waiting for its answer)."""
        return self._clock() - self._started if self._started is not None else None

    def state_word(self) -> str:
        """The header's word: refreshing… Ns, error, loading, paused or ok."""
        seconds = self.poll_seconds()
        if seconds is not None and seconds >= SLOW_POLL:
            return f"refreshing… {seconds:.0f}s"
        if self.last_error:
            return "error"
        if not self.loaded:
            return "loading"
        return "ok" if self.enabled else "paused"

    def tick(self) -> None:
        """Once a second: a slow poll says so (the rows shown may be stale)."""
        seconds = self.poll_seconds()
        if seconds is None or seconds < SLOW_POLL:
            return
        limit = f" (gives up after {self.timeout:g}s)" if self.timeout else ""
        self.listener.status(f"Refreshing… {seconds:.0f}s, no answer yet{limit}{self._kept()}", "busy")
        self.listener.changed()

    def _kept(self) -> str:
        return f" — showing rows from {self.last_ok:%H:%M:%S}" if self.last_ok else ""

    # --- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll now, then on schedule, until cancelled."""
        while True:
            delay = await self.poll_once()
            again, self._again = self._again, None
            if again is not None:
                delay = min(delay, again)
            elif not self.enabled:
                delay = None
            self._due = None if delay is None else self._clock() + delay
            await self._wait_until_due()

    async def _wait_until_due(self) -> None:
        while True:
            self._kick.clear()
            due = self._due
            if due is not None and due <= self._clock():
                return
            kick = asyncio.ensure_future(self._kick.wait())
            waits = {kick}
            if due is not None:
                waits.add(asyncio.ensure_future(self._sleep(due - self._clock())))
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in waits:
                    task.cancel()

    async def poll_once(self) -> float:
        """One poll; returns the delay before the next one (the interval, or a backoff)."""
        generation = self.generation
        self._polling = True
        self._started = self._clock()
        delay = self.interval
        try:
            endpoints = await self.fetch()
        except asyncio.CancelledError:
            self._polling = False
            self._started = None
            raise
        except Exception as exc:  # typed HFError, or anything: keep the last good rows
            self._started = None
            if generation == self.generation:
                delay = self._failed(exc)
        else:
            self._started = None
            if generation == self.generation:
                self._succeeded(list(endpoints))
        self._polling = False
        self.poll_count += 1
        return delay

    def _failed(self, exc: Exception) -> float:
        self.failures += 1
        delay = min(self.interval * (2 ** self.failures), MAX_BACKOFF)
        retry_after = exc.retry_after if isinstance(exc, (RateLimited, ServerError)) else None
        if retry_after is not None and retry_after > delay:  # the server says when
            delay = min(float(retry_after), 10 * MAX_BACKOFF)
        self.last_error = describe_error(exc, 300)
        self.retry_in = delay
        self.listener.status(f"⚠ {self.last_error} — retrying in {delay:g}s{self._kept()}", "error")
        self.listener.changed()
        return delay

    def _succeeded(self, endpoints: list[Endpoint]) -> None:
        self.failures = 0
        self.last_error = None
        states = {ep.key: ep.raw_state for ep in endpoints}
        transitions = [(key, self._states[key], state) for key, state in states.items()
                       if key in self._states and self._states[key] != state] if self.loaded else []
        self._states = states
        self.loaded = True
        self.last_ok = self._wall()
        try:
            self.listener.polled(endpoints, transitions)
        except Exception as exc:  # a bug there must not stop the polling
            self.listener.broken(exc)
        count = len(endpoints)
        self.listener.status(f"Updated {self.last_ok:%H:%M:%S} · {count} endpoint{'' if count == 1 else 's'}")
        self.listener.changed()
