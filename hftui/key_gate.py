"""Keys typed while a screen or a form is being built never act as shortcuts.

Textual hands every key to the focused widget's queue at once: a burst such as
``enter h e l l o`` (one terminal read) is all queued on the Models table before
Enter has opened the Playground, and ``h`` opens History. So the app runs keys
through this gate (``HFTUIApp.on_event``):

- a key that is only text for the focused field goes straight through;
- any other key (it may be a shortcut) goes through, and the keys after it wait
  until the app is quiet again (every queue of the screen empty), then are
  handled as usual, in order — ``jjj`` still moves three rows;
- while a screen or a form is being built (``hold()``), keys wait too; once it
  is ready they go to the text field that then has focus, or are dropped —
  never interpreted as shortcuts.

    token = gate.hold(ready=None, longest=2.0, strict=True)   # ready: polled; None: until gate.done(token)
    gate.done(token)
    gate.take(key_event) -> bool                 # True: held (the app must not handle it now)
    await gate.flush(dispatch)                   # the app, on KeyGate.Flush: handle what was held
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual import events
from textual.message import Message
from textual.widgets import Input, TextArea

if TYPE_CHECKING:
    from textual.app import App

MAX_HELD = 256
"""A paste-sized burst; more than that while a screen is built is not typing."""
POLL = 0.01
QUIET_LONGEST = 1.0
"""A shortcut's work that keeps the queues busy longer than this does not hold keys any longer."""
EDITING_KEYS = frozenset({"backspace", "delete", "left", "right", "home", "end"})
"""Non-printable keys that still only edit the field they land in."""


def is_typing(app: App, event: events.Key) -> bool:
    """``event`` only edits the focused text field (it cannot be a shortcut there)."""
    return isinstance(app.focused, (Input, TextArea)) and (event.is_printable or event.key in EDITING_KEYS)


class _Hold:
    __slots__ = ("ready", "deadline")

    def __init__(self, ready: Callable[[], bool] | None, deadline: float) -> None:
        self.ready = ready
        self.deadline = deadline


class KeyGate:
    """The app's key buffer while a shortcut works or a screen or form is composed."""

    class Flush(Message):
        """Posted to the app when every hold is over: it handles the held keys, in its own turn."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._holds: dict[object, _Hold] = {}
        self._held: list[events.Key] = []
        self._strict = False
        """A screen or form was built while keys waited: they may only type, never act."""
        self._flushing = False
        self._timer = None
        self.dropped = 0
        """Keys dropped (nothing to type into once the screen was ready): tests read it."""

    @property
    def holding(self) -> bool:
        return bool(self._holds) or self._flushing

    def hold(self, ready: Callable[[], bool] | None = None, *, longest: float = 2.0, strict: bool = True) -> object:
        """Hold keys until ``ready()`` is true (or ``done(token)`` when ``ready`` is None), at most ``longest`` s.
        ``strict``: keys held meanwhile only type into the field that has focus then (a form is being
        built under them); otherwise they are handled as usual once the hold is over (a switch to a
        screen that is ready on arrival: ``j`` moves in its list)."""
        self._strict = self._strict or strict
        return self._add(ready, longest)

    def done(self, token: object) -> None:
        if self._holds.pop(token, None) is not None:
            self._poll()

    def take(self, event: events.Key) -> bool:
        """True: ``event`` is held. False: the app handles it now (and, if it may be a shortcut, the keys
        after it wait until its work is done)."""
        if self.holding:
            if len(self._held) < MAX_HELD:
                self._held.append(event)
            else:
                self.dropped += 1
            return True
        if not is_typing(self.app, event):
            self._add(self._quiet, QUIET_LONGEST)
        return False

    async def flush(self, dispatch: Callable[[events.Key], Awaitable[None]]) -> None:
        """Handle the held keys (called by the app on ``Flush``, so nothing else runs in between)."""
        self._flushing = False
        held, self._held = self._held, []
        strict, self._strict = self._strict, False
        dropped = self.dropped
        while held:
            event = held.pop(0)
            if strict:
                if is_typing(self.app, event):
                    self.app.focused._forward_event(event)
                else:
                    self.dropped += 1
                continue
            if not is_typing(self.app, event):
                self._add(self._quiet, QUIET_LONGEST)
                self._held = held + self._held  # the rest waits for this one's work
                await dispatch(event)
                return
            await dispatch(event)
        if self.dropped > dropped:
            self.app.bell()  # a shortcut typed while the screen was built did nothing: say so

    # --- holds ------------------------------------------------------------------------

    def _add(self, ready: Callable[[], bool] | None, longest: float) -> object:
        token = object()
        self._holds[token] = _Hold(ready, time.monotonic() + longest)
        if self._timer is None:
            self._timer = self.app.set_interval(POLL, self._poll, name="key-gate")
        return token

    def _poll(self) -> None:
        now = time.monotonic()
        for token, hold in list(self._holds.items()):
            if now >= hold.deadline or (hold.ready is not None and self._is_ready(hold.ready)):
                del self._holds[token]
        if self._holds:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._held:
            self._flushing = True
            self.app.post_message(self.Flush())
        else:
            self._strict = False

    @staticmethod
    def _is_ready(ready: Callable[[], bool]) -> bool:
        try:
            return bool(ready())
        except Exception:  # a screen torn down meanwhile: nothing to wait for
            return True

    def _quiet(self) -> bool:
        """Nothing waits in the app's, the screen's or any of its widgets' queues, and no worker a key
        started is still to begin (its first step may open a screen)."""
        from textual.worker import WorkerState

        app = self.app
        if app.message_queue_size or any(w.state is WorkerState.PENDING for w in app.workers):
            return False
        screen = app.screen
        return not any(node.message_queue_size for node in screen.walk_children(with_self=True))
