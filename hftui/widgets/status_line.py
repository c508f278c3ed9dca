"""StatusLine: one line under a table, saying what the screen is doing and what just happened.

    line.set_status("Updated 12:00:01 · 7 endpoints")      # the background work's state
    line.note("Paused acme/x", ttl=5)                       # an action's outcome, for a while
    line.note("⚠ Pausing acme/x failed: 500", "error", ttl=20)

``kind`` is None, ``busy`` or ``error`` (the ``-busy``/``-error`` classes of
``#status-line`` in app.tcss). A note is shown before the status until it
expires; a status error that is older than the note does not hide it (a
poll must not wipe out why an action failed a moment ago).
"""

from __future__ import annotations

import time

from textual.widgets import Static

from hftui.widgets.safe_text import one_line


class StatusLine(Static):
    def __init__(self, text: str = "", *, id: str | None = "status-line") -> None:  # noqa: A002
        super().__init__(text, id=id, markup=False)
        self._status: tuple[str, str | None] = (text, None)
        self._status_at = 0.0
        self._note: tuple[str, str | None, float | None, float] | None = None
        """(text, kind, expires at, set at)"""

    @property
    def text(self) -> str:
        return str(self.render())

    def set_status(self, text: str, kind: str | None = None) -> None:
        if (text, kind) != self._status:
            self._status_at = time.monotonic()
        self._status = (text, kind)
        self._show()

    def note(self, text: str, kind: str | None = None, ttl: float | None = None) -> None:
        """Shown until ``ttl`` seconds pass (None: until replaced)."""
        at = time.monotonic()
        self._note = (text, kind, None if ttl is None else at + ttl, at)
        self._show()

    def _show(self) -> None:
        text, kind = self._status
        note = self._note
        if note is not None and note[2] is not None and time.monotonic() > note[2]:
            note = self._note = None
        if note is not None and (kind != "error" or note[3] >= self._status_at):
            text, kind = f"{note[0]} · {text[0].lower()}{text[1:]}" if text else note[0], note[1]
        self.update(one_line(text, 400))
        self.set_class(kind == "error", "-error")
        self.set_class(kind == "busy", "-busy")
