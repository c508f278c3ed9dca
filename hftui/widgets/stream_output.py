"""StreamOutput: a streaming text / Markdown transcript whose cost does not grow with its length.

Why not ``Markdown.get_stream()``: appending to one growing Markdown widget
re-parses and re-lays-out more and more as the answer grows (0.37 s of CPU
per 1,000 tokens at the start, 1.04 s at 20,000). Here:

- the document is a list of *frozen* blocks, rendered once to strips
  (paragraphs and fenced code blocks in Markdown mode, wrapped rows in plain
  mode), plus one *live tail* re-rendered per frame;
- a paragraph that never ends (no blank line) is frozen in slices of
  ``TAIL_LIMIT`` characters (``markdown_blocks``), so the tail stays small;
- tokens are only appended to a buffer; a timer renders at most
  ``FPS`` frames per second, whatever the token rate;
- the widget uses the line API (``ScrollView.render_line``) so only the
  visible rows are drawn; earlier content costs nothing per frame.

All text is untrusted: control characters and escape sequences are stripped
(``safe_text.clean``), Markdown is rendered by Rich with hyperlinks off (no
clickable links, no Textual actions), and nothing is parsed as markup.

    out.begin("markdown" | "plain" | "notice", header="Assistant")   # start a live section
    out.append(text)                                      # cheap; any rate
    out.finish()                                          # freeze the tail
    out.add_block(text, kind="user" | "plain" | "markdown" | "error" | "notice", header=...)
    out.live_text / out.plain_text() / out.clear()
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from hftui.widgets.markdown_blocks import TranscriptMarkdown, split_finished
from hftui.widgets.plain_wrap import PlainWrapper, wrap_plain
from hftui.sanitize import scrub, secret_start
from hftui.widgets.safe_text import clean

FPS = 20


@dataclass
class Block:
    kind: str  # markdown | plain | user | error | notice | header
    text: str
    gap: bool = True
    """A blank row before the block (False for slices of one long paragraph)."""
    lines: list[Strip] = field(default_factory=list)


class StreamOutput(ScrollView, can_focus=True):
    """A transcript of frozen blocks plus one live section (see module docstring)."""

    DEFAULT_CSS = """
    StreamOutput {
        height: 1fr;
        scrollbar-gutter: stable;
        overflow-x: hidden;
        background: $surface;
    }
    StreamOutput > .stream-output--header { color: $accent; text-style: bold; }
    StreamOutput > .stream-output--user { color: $text; }
    StreamOutput > .stream-output--error { color: $error; text-style: bold; }
    StreamOutput > .stream-output--notice { color: $text-muted; text-style: italic; }
    StreamOutput > .stream-output--plain { color: $text; }
    """

    COMPONENT_CLASSES = {"stream-output--header", "stream-output--user", "stream-output--error",
                         "stream-output--notice", "stream-output--plain"}

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._blocks: list[Block] = []
        self._lines: list[Strip] = []
        self._tail: list[Strip] = []
        self._width = 0
        self._cache: dict[tuple[int, int, int], tuple[Style, Strip]] = {}
        # live section
        self._live_kind: str | None = None
        self._live_header: str | None = None
        self._live_style = "plain"
        self._live_chunks: list[str] = []
        self._live_started_block = 0
        self._md_src = ""
        self._wrapper: PlainWrapper | None = None
        self._pending: list[str] = []
        self._held = ""
        """Cleaned text that may begin the token, kept back until the next piece says (``secret_start``)."""
        self._flush_timer = None
        self.frames = 0
        """Frames rendered (for the benchmark)."""
        self.chars_shown = 0
        """Characters of the live section rendered so far (for tests/benchmark)."""
        self._received = 0
        self._clock = time.monotonic
        self._last_flush = 0.0
        self.last_text = ""
        """The text of the last finished live section (what a cancel or a cut keeps)."""
        self.follow = True
        """Keep the end in view as text arrives. Sticky: only the user scrolling up turns it off
        (a scroll clamped while the content grows must not); scrolling back to the end, End,
        or a new section turns it on again."""
        self._own_scroll = False

    # --- public API ---------------------------------------------------------------

    @property
    def live(self) -> bool:
        return self._live_kind is not None

    @property
    def live_text(self) -> str:
        """The raw (cleaned) text of the live section so far, flushed or not."""
        return "".join(self._live_chunks) + "".join(self._pending)

    def begin(self, kind: str = "markdown", *, header: str | None = None) -> None:
        if self.live:
            self.finish()
        if header:
            self._add_block(Block("header", header))
        self._live_kind = "markdown" if kind == "markdown" else "plain"
        self._live_style = "notice" if kind == "notice" else "plain"
        self._live_header = header
        self._live_chunks = []
        self._held = ""
        self._md_src = ""
        self._live_started_block = len(self._blocks)
        self._wrapper = PlainWrapper(self._text_width()) if self._live_kind == "plain" else None
        self._gap_pending = bool(self._blocks) and not header
        self._received = 0
        self.chars_shown = 0
        self._tail = []
        self._update_size()
        if self.follow:
            self._scroll_bottom()

    def append(self, text: str) -> None:
        """Add streamed text; rendered at the next frame (at most FPS per second)."""
        if not text:
            return
        if not self.live:
            self.begin("plain")
        self._pending.append(text)
        self._received += len(text)
        if not self.is_mounted:
            return
        if self._clock() - self._last_flush >= 1 / FPS:
            # A busy event loop can starve timers: render from here once a frame is due.
            if self._flush_timer is not None:
                self._flush_timer.stop()
            self._flush()
        elif self._flush_timer is None:
            self._flush_timer = self.set_timer(1 / FPS, self._flush)

    def finish(self) -> None:
        """Freeze whatever is live (the text stays, nothing is lost)."""
        if not self.live:
            return
        self._flush(final=True)
        self.last_text = "".join(self._live_chunks)
        self._live_kind = None
        self._wrapper = None
        self._tail = []
        self._update_size()

    def add_block(self, text: str, kind: str = "plain", *, header: str | None = None) -> None:
        """A finished block: a user message, a notice, an error line, a whole Markdown answer."""
        if self.live:
            self.finish()
        if header:
            self._add_block(Block("header", header))
        self._add_block(Block(kind, clean(text, limit=None), gap=not header and bool(self._blocks)))
        self.follow = True
        self._update_size()
        self._scroll_to_end_if_following()

    def clear(self) -> None:
        self._blocks.clear()
        self._lines.clear()
        self._tail = []
        self._cache.clear()
        self._pending.clear()
        self._held = ""
        self._live_kind = None
        self._live_chunks = []
        self._md_src = ""
        self._wrapper = None
        self.follow = True
        self._update_size()
        self._set_own_scroll(0)
        self.refresh()

    def flush_now(self) -> None:
        """Render pending text immediately (tests, end of stream)."""
        self._flush()

    def plain_text(self) -> str:
        """Every row as plain text (frozen + live), for tests and copying."""
        return "\n".join(s.text.rstrip() for s in (*self._lines, *self._tail))

    # --- rendering ------------------------------------------------------------------

    def _text_width(self) -> int:
        # One blank cell each side (drawn by render_line, not CSS padding: cheaper per frame).
        width = self.scrollable_content_region.width if self.is_mounted else 0
        return max(10, (width - 2) if width else 78)

    def _style(self, kind: str) -> Style:
        try:
            return self.get_component_rich_style(f"stream-output--{kind}", partial=True)
        except Exception:  # before styles exist
            return Style()

    def _render_block(self, block: Block, width: int) -> list[Strip]:
        if block.kind == "header":
            style = self._style("header")
            return [Strip([Segment(clean(block.text, limit=200), style)])]
        if block.kind == "markdown":
            return self._render_markdown(block.text, width)
        style = self._style(block.kind if block.kind in ("user", "error", "notice", "plain") else "plain")
        return [Strip([Segment(row, style)]) if row else Strip([]) for row in wrap_plain(block.text, width)]

    def _render_markdown(self, source: str, width: int) -> list[Strip]:
        if not source.strip():
            return []
        console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False, markup=False)
        md = TranscriptMarkdown(source)
        lines = console.render_lines(md, options, pad=False, new_lines=False)
        strips = [Strip(line) for line in lines]
        while strips and not strips[-1].text.strip():
            strips.pop()
        while strips and not strips[0].text.strip():
            strips.pop(0)
        return strips

    def _add_block(self, block: Block) -> None:
        width = self._text_width()
        if block.gap and self._blocks:
            self._lines.append(Strip([]))
        block.lines = self._render_block(block, width)
        self._lines.extend(block.lines)
        self._blocks.append(block)

    def _freeze_markdown(self, text: str, gap: bool) -> None:
        if text.strip():
            self._add_block(Block("markdown", text, gap=gap))

    def _flush(self, final: bool = False) -> None:
        self._flush_timer = None
        self._last_flush = self._clock()
        text = self._held + clean("".join(self._pending), limit=None, mask_secrets=False)
        self._pending.clear()
        # Masked as a whole with what was held back: a token echoed in pieces, each shown as it
        # came, was on the screen whole.
        text = scrub(text, cut=final)
        held = 0 if final else secret_start(text)
        text, self._held = (text[:-held], text[-held:]) if held else (text, "")
        if not self.live:
            return
        self._live_chunks.append(text)
        self.chars_shown += len(text)
        width = self._text_width()
        if self._live_kind == "plain":
            assert self._wrapper is not None
            rows = self._wrapper.feed(text)
            if final:
                rows += self._wrapper.close()
                self._wrapper.row, self._wrapper.row_w = "", 0
            if rows:
                style = self._style(self._live_style)
                if self._gap_pending:
                    self._lines.append(Strip([]))
                    self._gap_pending = False
                self._lines.extend(Strip([Segment(r, style)]) if r else Strip([]) for r in rows)
            tail = self._wrapper.row
            self._tail = [Strip([Segment(tail, self._style(self._live_style))])] if tail else []
        else:
            self._md_src += text
            blocks, self._md_src, self._gap_pending = split_finished(self._md_src, self._gap_pending, final)
            for block, gap in blocks:
                self._freeze_markdown(block, gap)
            self._tail = self._render_markdown(self._md_src, width) if self._md_src.strip() else []
            if self._tail and self._gap_pending:
                self._tail.insert(0, Strip([]))
        self.frames += 1
        self._update_size()
        if self.follow:
            self._scroll_bottom()
        self.refresh()

    def _update_size(self) -> None:
        size = Size(self._text_width(), len(self._lines) + len(self._tail))
        if size == self.virtual_size:
            return
        update = getattr(self, "_scroll_update", None)
        if self.is_mounted and callable(update):
            # Growing content changes only what can be scrolled, not this widget's own size: skip
            # the screen-wide layout pass that assigning the (layout=True) reactive would cost.
            self.set_reactive(ScrollView.virtual_size, size)
            update(size)
        else:
            self.virtual_size = size

    def _at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y - 1

    def _set_own_scroll(self, y: float) -> None:
        self._own_scroll = True
        try:
            self.scroll_to(None, y, animate=False, immediate=True)
        finally:
            self._own_scroll = False

    def _scroll_bottom(self) -> None:
        bottom = max(0, self.virtual_size.height - self.scrollable_content_region.height)
        self._set_own_scroll(bottom)
        if self.is_mounted and self.scroll_y < bottom:
            # Clamped: the new height is not laid out yet. Try again once it is.
            self.call_after_refresh(self._scroll_end_if_following)

    def _scroll_end_if_following(self) -> None:
        if self.follow:
            bottom = max(0, self.virtual_size.height - self.scrollable_content_region.height)
            self._set_own_scroll(bottom)

    def _scroll_to_end_if_following(self) -> None:
        if self.follow:
            self._scroll_bottom()
        self.refresh()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._own_scroll:
            return
        if new_value < old_value and not self._at_end():
            self.follow = False  # the user scrolled up to read
        elif self._at_end():
            self.follow = True  # back at the end (wheel, PageDown, End, scrollbar)

    def action_scroll_end(self) -> None:
        self.follow = True
        super().action_scroll_end()

    def on_resize(self) -> None:
        width = self._text_width()
        if width == self._width:
            if self.follow:  # taller or shorter: the end stays in view
                self.call_after_refresh(self._scroll_end_if_following)
            return
        self._width = width
        self._rerender_all(width)

    def _rerender_all(self, width: int) -> None:
        """Width changed: render every block again (the only O(length) step)."""
        self._cache.clear()
        self._lines = []
        for index, block in enumerate(self._blocks):
            if block.gap and index:
                self._lines.append(Strip([]))
            block.lines = self._render_block(block, width)
            self._lines.extend(block.lines)
        if self.live and self._live_kind == "plain":
            # Re-wrap the live plain section from its source.
            live_rows = wrap_plain("".join(self._live_chunks), width)
            self._wrapper = PlainWrapper(width)
            if live_rows:
                last = live_rows.pop()
                self._wrapper.row, self._wrapper.row_w = last, cell_len(last)
                style = self._style("plain")
                self._lines.extend(Strip([Segment(r, style)]) if r else Strip([]) for r in live_rows)
                self._tail = [Strip([Segment(last, style)])]
        elif self.live:
            self._tail = self._render_markdown(self._md_src, width)
        self._update_size()
        if self.follow:
            self.call_after_refresh(self._scroll_end_if_following)
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._cache.clear()
        if self._width:
            self._rerender_all(self._width)

    def _base_style(self) -> Style:
        # rich_style walks the DOM; once per style change is enough.
        base = getattr(self, "_base", None)
        if base is None:
            base = self._base = self.rich_style
        return base

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self._base_style()
        frozen = len(self._lines)
        if index < frozen:
            # Frozen rows never change: keep their final strips (cleared on resize/style/clear).
            key = (index, scroll_x, width)
            cached = self._cache.get(key)
            if cached is not None and cached[0] is base:
                return cached[1]
            strip = self._finish_strip(self._lines[index], scroll_x, width, base)
            if len(self._cache) > 4 * max(1, self.size.height):  # about the rows on screen
                self._cache.clear()
            self._cache[key] = (base, strip)
            return strip
        if index - frozen < len(self._tail):
            return self._finish_strip(self._tail[index - frozen], scroll_x, width, base)
        return Strip.blank(width, base)

    @staticmethod
    def _finish_strip(strip: Strip, scroll_x: int, width: int, base: Style) -> Strip:
        margin = Segment(" ", base)
        inner = strip.crop_extend(scroll_x, scroll_x + max(0, width - 1), None)
        return Strip([margin, *inner], width).apply_style(base)
