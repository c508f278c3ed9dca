"""Keys typed while a screen or a form is on its way wait for it, then go where the focus is.

Textual hands a key to whatever has the focus *when the key arrives*. A screen switch or
a Playground form is built in a worker, so for a few dozen milliseconds (seconds, when
a model is looked up) keys typed right after Enter land on the screen being left, or
on a Playground whose form does not have the focus yet, and act as its shortcuts:
``hello`` typed after opening the Playground opened the History (``h``).

So whatever starts building a screen or a form *holds* keys (``hold()``) from the
moment it is asked for until it is ready; the app (``HFTUIApp.on_event``) buffers keys
while any hold is on. Once every hold is over the buffered keys are replayed in order:

- printable or editing keys go to the text field that now has the focus;
- other keys (``ctrl+r``, ``enter``, ``escape``...) are handled as usual, so ``ctrl+r``
  typed right after opening the Playground runs once the form exists;
- a printable key with no text field to type into is dropped (with a bell) when a hold
  asked for ``typing_only`` (a form was being built under it): never a shortcut.

Any key that is not typing into a text field may be a shortcut that starts such work: the
keys after it (a terminal read can hold ``enter`` and ``hello`` together) wait until the app
is quiet, i.e. its work has started and holds keys itself if it builds something.
``ctrl+c`` / ``ctrl+q`` (quit) are never held. Every hold ends by itself after
``longest`` seconds, so a screen that never gets ready cannot swallow the keyboard.

    token = app.key_hold.hold(ready=None, longest=3.0, typing_only=False)
    app.key_hold.release(token)
    app.key_hold.take(key_event) -> bool       # True: buffered (the app must not handle it now)
    await app.key_hold.replay(dispatch)        # the app, on KeyHold.Replay
"""

from __future__ import annotations

import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from textual.message import Message
from textual.widgets import Input

if TYPE_CHECKING:
    from textual import events
    from textual.app import App

MAX_HELD = 256
"""A paste-sized burst: more than that while a screen is built is not typing."""
POLL = 0.01
QUIET_LONGEST = 0.5
"""A shortcut whose work keeps the app busy longer than this does not hold the next keys longer."""
NEVER_HELD = frozenset({"ctrl+c", "ctrl+q"})
EDITING_KEYS = frozenset({"backspace", "delete", "left", "right", "home", "end", "space"})
"""Keys that only edit the text field they land in."""


def is_text_field(widget: object) -> bool:
    """An Input or a TextArea (TextArea is looked up only if it was imported: it is heavy)."""
    if isinstance(widget, Input):
        return True
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea)


def is_typing(app: App, event: events.Key) -> bool:
    """``event`` only edits the focused text field (there it cannot be a shortcut)."""
    return is_text_field(app.focused) and (event.is_printable or event.key in EDITING_KEYS)


class _Hold:
    __slots__ = ("ready", "deadline")

    def __init__(self, ready: Callable[[], bool] | None, deadline: float) -> None:
        self.ready = ready
        self.deadline = deadline


class KeyHold:
    """The app's buffer of keys typed while a screen or form is being built."""

    class Replay(Message):
        """Posted to the app when the last hold is over: it replays the buffered keys in its own turn."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._holds: dict[object, _Hold] = {}
        self._held: list[events.Key] = []
        self._typing_only = False
        self._replay_posted = False
        self._timer = None
        self.dropped = 0
        """Printable keys dropped (no text field to type into once the form was ready): tests read it."""

    @property
    def holding(self) -> bool:
        """Keys typed now are buffered."""
        return bool(self._holds) or self._replay_posted

    def hold(self, ready: Callable[[], bool] | None = None, *, longest: float = 3.0,
             typing_only: bool = False) -> object:
        """Buffer keys until ``ready()`` is true (polled), or until ``release(token)`` when ``ready`` is
        None; at most ``longest`` seconds. ``typing_only``: a form is built under these keys, so a
        printable key may only type into it."""
        self._typing_only = self._typing_only or typing_only
        token = object()
        self._holds[token] = _Hold(ready, time.monotonic() + longest)
        if self._timer is None:
            self._timer = self.app.set_interval(POLL, self._poll, name="key-hold")
        return token

    def release(self, token: object) -> None:
        if self._holds.pop(token, None) is not None:
            self._poll()

    def take(self, event: events.Key) -> bool:
        """True: ``event`` is buffered until the holds are over. False: the app handles it now."""
        if event.key in NEVER_HELD:
            return False
        if not self.holding:
            if not is_typing(self.app, event):
                # It may be a shortcut that opens a screen: the keys after it (one terminal read can
                # hold "enter" and "hello") wait until its work has started, then follow its focus.
                self.hold(self._quiet, longest=QUIET_LONGEST)
            return False
        if len(self._held) < MAX_HELD:
            self._held.append(event)
        return True

    async def replay(self, dispatch: Callable[[events.Key], Awaitable[None]]) -> None:
        """Handle the buffered keys (the app calls this on ``Replay``: nothing else runs in between)."""
        self._replay_posted = False
        dropped = self.dropped
        while self._held and not self._holds:
            event = self._held.pop(0)
            if is_typing(self.app, event):
                await dispatch(event)
                continue
            if self._typing_only and event.is_printable:
                self.dropped += 1
                continue
            await dispatch(event)
            if self._held:  # the keys after a shortcut wait until its work is done
                self.hold(self._quiet, longest=QUIET_LONGEST)
        if not self._held and not self._holds:
            self._typing_only = False
        if self.dropped > dropped:
            self.app.bell()  # a letter typed while a form was built had nowhere to go: say so

    # --- holds ------------------------------------------------------------------------

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
        if self._held and not self._replay_posted:
            self._replay_posted = True
            self.app.post_message(self.Replay())
        elif not self._held:
            self._typing_only = False

    @staticmethod
    def _is_ready(ready: Callable[[], bool]) -> bool:
        try:
            return bool(ready())
        except Exception:  # a screen torn down meanwhile: nothing to wait for
            return True

    def _quiet(self) -> bool:
        """No message waits in the app's, the screen's or its widgets' queues, and no worker is still
        to start (a shortcut's first step may open a screen, which holds keys itself)."""
        from textual.worker import WorkerState

        app = self.app
        if app.message_queue_size or any(w.state is WorkerState.PENDING for w in app.workers):
            return False
        return not any(node.message_queue_size for node in app.screen.walk_children(with_self=True))
