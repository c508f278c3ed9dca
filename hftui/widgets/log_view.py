"""A log viewer that stays fast on long logs and follows the tail.

Built on Textual's ``Log`` (a line-API widget: only visible lines are
rendered, from a line cache). ``set_text(text)`` takes the whole log as
fetched again: when the old text is a prefix of the new one only the new
lines are appended, so following a growing log costs the size of the
growth, not of the log. Lines are cleaned of terminal controls first.

``wrap`` (on by default; ``w`` in the logs screen) folds each line at the
view's width, continuation rows indented, so an 80-column terminal shows the
message and not only the timestamp and the replica name; off, one row per
line and the view scrolls sideways. A resize folds the lines again.
"""

from __future__ import annotations

from rich.cells import cell_len, chop_cells
from textual.widgets import Log

from hftui.keys import bindings_for
from hftui.widgets.safe_text import clean

MAX_LINES = 200_000
INDENT = "  "
"""Start of a continuation row of a wrapped line."""


def wrap_line(line: str, width: int, indent: str = INDENT) -> list[str]:
    """``line`` cut into rows of at most ``width`` cells; rows after the first start with ``indent``."""
    if width <= len(indent) + 4 or (len(line) <= width and (line.isascii() or cell_len(line) <= width)):
        return [line]
    if line.isascii():  # the common case, without measuring cells
        rows = [line[:width]]
        step = width - len(indent)
        rows.extend(indent + line[i:i + step] for i in range(width, len(line), step))
        return rows
    first, *rest = chop_cells(line, width)
    rows = [first]
    rest_text = "".join(rest)
    rows.extend(indent + part for part in chop_cells(rest_text, width - cell_len(indent)))
    return rows


class LogView(Log):
    DEFAULT_CSS = """
    LogView.-wrap { overflow-x: hidden; }
    """
    BINDINGS = bindings_for("LogView")

    def __init__(self, *, id: str | None = None, classes: str | None = None, wrap: bool = True) -> None:
        super().__init__(highlight=False, max_lines=MAX_LINES, auto_scroll=True, id=id, classes=classes)
        self._text = ""
        self._raw = ""
        self._source: list[str] = []
        self._wrap = wrap
        self._wrapped_at = 0
        self.set_class(wrap, "-wrap")

    @property
    def text(self) -> str:
        return self._text

    @property
    def entries(self) -> int:
        """Lines of the log (a wrapped line is one entry over several rows)."""
        return len(self._source)

    @property
    def wrap(self) -> bool:
        return self._wrap

    @wrap.setter
    def wrap(self, value: bool) -> None:
        if value != self._wrap:
            self._wrap = value
            self.set_class(value, "-wrap")  # wrapped rows fit: no sideways scrollbar
            self._relayout()

    def _wrap_width(self) -> int:
        # The vertical scrollbar is left room for before it shows: no row reflows when it appears.
        return max(0, self.size.width - self.styles.scrollbar_size_vertical)

    def _rows(self, lines: list[str]) -> list[str]:
        if not self._wrap:
            return lines
        width = self._wrapped_at = self._wrap_width()
        if width <= 0:
            return lines
        rows: list[str] = []
        for line in lines:
            rows.extend(wrap_line(line, width))
        return rows

    def _relayout(self) -> None:
        """Lay every line out again (wrap toggled, or the width changed), keeping the view's place."""
        at_end = self.is_vertical_scroll_end
        top_entry = self._entry_at_row(round(self.scroll_y))
        self.clear()
        self.write_lines(self._rows(self._source), scroll_end=False)
        if at_end and self.auto_scroll:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        else:
            self.scroll_to(y=self._row_of_entry(top_entry), animate=False, immediate=True)

    def _entry_at_row(self, row: int) -> int:
        if not self._wrap or not self._wrapped_at:
            return row
        seen = 0
        for n, line in enumerate(self._source):
            seen += len(wrap_line(line, self._wrapped_at))
            if seen > row:
                return n
        return len(self._source)

    def _row_of_entry(self, entry: int) -> int:
        if not self._wrap or not self._wrapped_at:
            return entry
        return sum(len(wrap_line(line, self._wrapped_at)) for line in self._source[:entry])

    def on_resize(self) -> None:
        if self._wrap and self._source and self._wrap_width() != self._wrapped_at:
            self._relayout()

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
            self._source.extend(lines)
            if len(self._source) > MAX_LINES:
                del self._source[:-MAX_LINES]
            self.write_lines(self._rows(lines))
            return len(lines)
        self._raw = text
        cleaned = clean(text, limit=None)
        self._text = cleaned
        self.clear()
        lines = cleaned.splitlines()
        self._source = lines[-MAX_LINES:]
        self.write_lines(self._rows(self._source), scroll_end=True)
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
