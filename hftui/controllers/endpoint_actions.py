"""EndpointActions: pause, resume, scale to zero and delete in flight, without Textual.

    actions = EndpointActions(listener, timeout=30)
    work = actions.start([(ep, pause(client.endpoints, ep)), ...])   # None: nothing to do
    await work                     # the screen runs it in a worker
    actions.reconcile(endpoints)   # after each good poll

``start`` marks each endpoint busy at once (a second ``p`` on the same row
says "already pausing"), and the row shows the pending word ("pausing")
until the answer. The server's answer is applied to the row, then a poll
soon reconciles.

A request that went out but got no answer (``HFError.maybe_applied``: a read
timeout, a connection cut after sending) may have been applied: it is not a
failure. It is remembered with a predicate over the endpoint as later polls
show it (``Action.applied``), and the polls tell within ``unsure_for``
seconds whether it happened. Several endpoints at once (marked rows) end in
one summary naming every endpoint.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hftui.client.errors import ConnectionFailed, HFError, describe_error
from hftui.client.models import Endpoint
from hftui.client.models import EndpointState as S
from hftui.sanitize import one_line

if TYPE_CHECKING:
    from hftui.client.endpoints import EndpointsAPI

UNSURE_FOR = 60.0
"""Seconds the polls have to show that an unanswered action happened."""
LISTED = 8
"""Endpoints named one by one in a summary (the rest are counted)."""


@dataclass(frozen=True)
class Action:
    verb: str
    """``Pausing``: said while it runs and when it fails."""
    pending: str
    """``pausing``: the word in the row's state cell meanwhile."""
    done: str
    """``Paused``: said when it worked."""
    call: Callable[[], Awaitable[object]]
    applied: Callable[[Endpoint | None], bool] | None = None
    """Whether a poll's endpoint (None: gone) shows the action done."""
    deleting: bool = False
    """The row says "deleting" until a poll no longer lists it."""


def pause(api: EndpointsAPI, ep: Endpoint) -> Action:
    return Action("Pausing", "pausing", "Paused", lambda: api.pause(ep.namespace, ep.name),
                  lambda cur: cur is not None and cur.state is S.PAUSED)


def resume(api: EndpointsAPI, ep: Endpoint) -> Action:
    return Action("Resuming", "resuming", "Resumed", lambda: api.resume(ep.namespace, ep.name),
                  lambda cur: cur is not None and not cur.state.is_idle)


def scale_to_zero(api: EndpointsAPI, ep: Endpoint) -> Action:
    return Action("Scaling to zero", "scaling to 0", "Scaled to zero",
                  lambda: api.scale_to_zero(ep.namespace, ep.name),
                  lambda cur: cur is not None and cur.state is S.SCALED_TO_ZERO)


def delete(api: EndpointsAPI, ep: Endpoint) -> Action:
    return Action("Deleting", "deleting", "Deleted", lambda: api.delete(ep.namespace, ep.name),
                  lambda cur: cur is None, deleting=True)


class ActionListener:
    """What a display hears (each method may be left as is)."""

    def pending(self, key: str, label: str | None) -> None:
        """The row's pending word (None: clear it)."""

    def answered(self, ep: Endpoint) -> None:
        """The server answered with the endpoint as it is now: show it."""

    def note(self, text: str, kind: str | None = None, ttl: float | None = None) -> None:
        """An action's outcome on the status line; ``kind``: None, busy or error; ``ttl``: seconds shown."""

    def failed(self, key: str, verb: str, exc: BaseException) -> None:
        """One action was refused or failed (not sent, or answered with an error)."""

    def warn(self, text: str, title: str | None = None) -> None:
        """Something to say in a toast (already busy, no answer, a summary with failures)."""

    def poll_soon(self) -> None:
        """A poll should come soon to reconcile the rows with the server."""


@dataclass
class _Unsure:
    verb: str
    done: str
    applied: Callable[[Endpoint | None], bool]
    deadline: float


class EndpointActions:
    """See the module docstring."""

    def __init__(self, listener: ActionListener, *, timeout: float | None = None,
                 clock: Callable[[], float] = time.monotonic, unsure_for: float = UNSURE_FOR) -> None:
        self.listener = listener
        self.timeout = timeout
        """The client's timeout, named when an action got no answer."""
        self._clock = clock
        self.unsure_for = unsure_for
        self.busy: dict[str, str] = {}
        """Endpoint key -> pending word, while its action is in flight."""
        self.deleting: set[str] = set()
        self.unsure: dict[str, _Unsure] = {}

    def start(self, items: Sequence[tuple[Endpoint, Action]]) -> Coroutine[Any, Any, list[str]] | None:
        """Mark each endpoint busy now; returns the work to await (None when every one was busy)."""
        begun = [(ep, action) for ep, action in items if self._begin(ep, action)]
        if not begun:
            return None
        if len(begun) == 1:
            ep, action = begun[0]
            self.listener.note(f"{action.verb} {one_line(ep.key, 80)}…", "busy")
        else:
            self.listener.note(f"{begun[0][1].verb} {len(begun)} endpoints…", "busy")
        return self._run(begun)

    def _begin(self, ep: Endpoint, action: Action) -> bool:
        key = ep.key
        self.unsure.pop(key, None)
        if key in self.busy:
            self.listener.warn(f"{one_line(key, 80)}: already {self.busy[key]}…")
            return False
        self.busy[key] = action.pending
        if action.deleting:
            self.deleting.add(key)
        self.listener.pending(key, action.pending)
        return True

    async def _run(self, begun: list[tuple[Endpoint, Action]]) -> list[str]:
        alone = len(begun) == 1
        outcomes = await asyncio.gather(*(self._do(ep, action, alone) for ep, action in begun))
        if not alone:
            self._summary(begun, outcomes)
        return [outcome for outcome, _ in outcomes]

    async def _do(self, ep: Endpoint, action: Action, alone: bool) -> tuple[str, BaseException | None]:
        """One action: ``done``, ``failed`` or ``unsure`` (sent, no answer), with the error."""
        key = ep.key
        try:
            result = await action.call()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if isinstance(exc, HFError) and exc.maybe_applied:
                self._no_answer(key, action, exc, alone)
                return "unsure", exc
            self.deleting.discard(key)  # a refused delete: the row is not going away
            if alone:
                self.listener.failed(key, action.verb, exc)
                self.listener.note(f"⚠ {action.verb} {one_line(key, 80)} failed: {describe_error(exc)}",
                                   "error", ttl=20)
            return "failed", exc
        else:
            if isinstance(result, Endpoint):
                self.listener.answered(result)
            if alone:
                self.listener.note(f"{action.done} {one_line(key, 80)}", None, ttl=5)
            self.listener.poll_soon()  # the server moves on from the answer we got
            return "done", None
        finally:
            self.busy.pop(key, None)
            self.listener.pending(key, "deleting" if key in self.deleting else None)

    def _what(self, exc: BaseException) -> str:
        if isinstance(exc, ConnectionFailed):  # cut, not slow: "no answer within 30s" would mislead
            return f"the connection was cut ({one_line(exc.message, 120)})"
        return f"no answer within {self.timeout:g}s" if self.timeout else "no answer"

    def _no_answer(self, key: str, action: Action, exc: BaseException, alone: bool) -> None:
        """The request went out but no answer came back: it may have been applied. The polls tell."""
        if action.applied is not None:
            self.unsure[key] = _Unsure(action.verb, action.done, action.applied, self._clock() + self.unsure_for)
        if alone:
            text = (f"⏱ {action.verb} {one_line(key, 80)}: {self._what(exc)} — it may still have been applied; "
                    "the next refresh will tell")
            self.listener.warn(text, "No answer")
            self.listener.note(text, "busy", ttl=60)
        self.listener.poll_soon()

    def _summary(self, begun: list[tuple[Endpoint, Action]], outcomes) -> None:
        """One note (and a toast when something went wrong) naming every endpoint of a bulk action."""
        verb, done = begun[0][1].verb, begun[0][1].done
        by: dict[str, list[str]] = {"done": [], "failed": [], "unsure": []}
        for (ep, _), (outcome, exc) in zip(begun, outcomes):
            name = one_line(ep.key, 80)
            by[outcome].append(name if exc is None or outcome == "unsure" else f"{name} ({describe_error(exc, 80)})")

        def listed(names: list[str]) -> str:
            more = f" and {len(names) - LISTED} more" if len(names) > LISTED else ""
            return ", ".join(names[:LISTED]) + more

        parts = []
        if by["done"]:
            parts.append(f"{done} {len(by['done'])} of {len(begun)}: {listed(by['done'])}")
        if by["failed"]:
            parts.append(f"⚠ {verb} failed for {listed(by['failed'])}")
        if by["unsure"]:
            parts.append(f"⏱ no answer for {listed(by['unsure'])} — the next refresh will tell")
        text = " · ".join(parts)
        trouble = bool(by["failed"] or by["unsure"])
        self.listener.note(text, "error" if by["failed"] else "busy" if by["unsure"] else None,
                           ttl=30 if trouble else 10)
        if trouble:
            self.listener.warn("\n".join(parts), f"{verb} {len(begun)} endpoints")

    def reconcile(self, endpoints: Sequence[Endpoint]) -> None:
        """After a good poll: rows being deleted stay marked while listed; say whether each
        unanswered action happened after all."""
        shown = {ep.key: ep for ep in endpoints}
        self.deleting &= shown.keys()
        for key in self.deleting:
            self.listener.pending(key, "deleting")
        for key, unsure in list(self.unsure.items()):
            if unsure.applied(shown.get(key)):
                del self.unsure[key]
                self.listener.note(f"{unsure.done} {one_line(key, 80)} (no answer came, but the refresh shows it)",
                                   None, ttl=10)
            elif self._clock() > unsure.deadline:
                del self.unsure[key]
                if key in self.deleting:
                    self.deleting.discard(key)
                    self.listener.pending(key, None)
                self.listener.note(f"⚠ {unsure.verb} {one_line(key, 80)}: not seen on the server — try again "
                                   "if needed", "error", ttl=20)
