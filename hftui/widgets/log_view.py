"""A log viewer that stays fast on long logs and follows the tail.

Built on Textual's ``Log`` (a line-API widget: only visible lines are
rendered, from a line cache). ``set_text(text)`` takes the whole log as
fetched again: when the old text is a prefix of the new one only the new
lines are appended, so following a growing log costs the size of the
growth, not of the log. Lines are cleaned of terminal controls first.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Log

from hftui.widgets.safe_text import clean

MAX_LINES = 200_000


class LogView(Log):
    BINDINGS = [
        Binding("G,end", "follow", "Follow", id="logs.follow", tooltip="Jump to the end and follow new lines"),
        Binding("g,home", "top", "Top", id="logs.top", tooltip="Jump to the first line", show=False),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(highlight=False, max_lines=MAX_LINES, auto_scroll=True, id=id, classes=classes)
        self._text = ""
        self._raw = ""

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> int:
        """Show ``text``; returns how many lines were added (all of them after a reset)."""
        old = self._raw
        if old and len(text) >= len(old) and old.endswith("\n") and text.startswith(old):
            added = text[len(old):]
            self._raw = text
            if not added:
                return 0
            # Only the new part is cleaned and split: following a long log costs its growth.
            lines = clean(added, limit=None).splitlines()
            self._text += "\n".join(lines) + "\n"
            self.write_lines(lines)
            return len(lines)
        self._raw = text
        cleaned = clean(text, limit=None)
        self._text = cleaned
        self.clear()
        lines = cleaned.splitlines()
        self.write_lines(lines, scroll_end=True)
        return len(lines)

    def action_follow(self) -> None:
        self.auto_scroll = True
        self.scroll_end(animate=False)

    def action_top(self) -> None:
        self.scroll_home(animate=False)

    # Smooth-scroll animation repaints every frame of a 50,000-line view; jump instead.
    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)
