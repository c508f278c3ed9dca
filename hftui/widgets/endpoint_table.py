"""EndpointTable: a line-API table of endpoints that updates in place.

Why not DataTable: refreshing 2,000 rows with ``update_cell`` or
``clear()`` + re-add costs 50–430 ms of CPU per poll. Here a refresh
compares each endpoint with the one already shown (``endpoint_rows``),
re-formats only the rows that changed, and repaints only the changed rows
that are on screen; ``render_line`` draws only visible lines, from a
per-row strip cache. Rows are keyed by ``namespace/name``: the cursor,
the selection (space) and the scroll position survive every refresh.

Which columns fit and what a cell reads: ``endpoint_columns``; how a line is
drawn and styled: ``endpoint_render``. This module holds the widget's state
(rows, filter, cursor, selection, actions in flight) and decides what to repaint.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from hftui.clock import ago, frozen, now
from hftui.keys import bindings_for
from hftui.widgets.endpoint_columns import (
    COLUMNS,
    INDEX,
    STATE,
    UPDATED,
    Layout,
    column_stops,
    endpoint_cells,
    glyph_x,
    grow_content,
    header_text,
    initial_content,
    layout_columns,
    natural_widths,
    state_text,
)
from hftui.widgets.endpoint_render import (
    COMPONENT_CLASSES,
    SPINNER,
    TABLE_CSS,
    message_strip,
    row_strip,
    visible_part,
)
from hftui.widgets.endpoint_rows import Row, UpdateResult, diff_rows, reformat_rows

if TYPE_CHECKING:
    from hftui.client.models import Endpoint

EMPTY_TEXT = "No endpoints yet — a: create one · 1: Models, to try models without one"
"""What an empty table says: most users have no endpoint; the two keys that help (fits 80 columns)."""
FILTERED_TEXT = "No endpoint matches the filter (/ and f change it)."

SPIN_FAST = 0.25
"""Seconds per spinner frame while an action the user started is in flight (a row shows "pausing")."""
SPIN_SLOW = 2.0
"""Seconds per frame otherwise: a transitional state the server reports (initializing, updating)
lasts minutes and is watched, not waited on. A frame repaints each busy row from the table's
left edge up to its glyph (that is how Textual writes a partial line), ~150 bytes a row: four
frames a second would keep an idle terminal busy at ~1 KB/s (issue 11 asks ≤ 300 B/s)."""


class EndpointTable(ScrollView, can_focus=True):
    """See the module docstring."""

    loading_text = "Loading…"  # the body before the first rows (the screen says why when they are late)

    COMPONENT_CLASSES = COMPONENT_CLASSES
    DEFAULT_CSS = TABLE_CSS
    BINDINGS = bindings_for("EndpointTable")

    cursor_row: reactive[int] = reactive(0, always_update=False, repaint=False)

    def __init__(self, *, empty_text: str = EMPTY_TEXT, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._endpoints: dict[str, Endpoint] = {}
        """The newest object the server sent per row (Describe and actions read it)."""
        self._rows: dict[str, Row] = {}
        self._order: list[str] = []
        self._view: list[str] = []
        self._index: dict[str, int] = {}
        self._pending: dict[str, str] = {}
        """Optimistic state labels ("pausing") of rows with an action in flight."""
        self._strips: dict[str, tuple[tuple, Strip]] = {}
        """Per row: the strip drawn last and what it was drawn from (see _row_strip)."""
        self._filter: Callable[[Endpoint], bool] | None = None
        self._price: Callable[[Endpoint], float | None] = lambda ep: None
        self._content: list[int] = initial_content()
        """Widest cell text seen per column (grows only, so widths stay put across refreshes)."""
        self._layout: Layout | None = None
        self._layout_width = -1
        self._layout_gen = 0
        self._resize_queued = False
        self._styles: dict[str, Style] = {}
        """Component styles, cached until the CSS changes (notify_style_update)."""
        self.selected_keys: set[str] = set()
        self.empty_text = empty_text
        self.show_namespace = False
        """Names read ``namespace/name`` (set_show_namespace)."""
        self.spinner_frame = 0
        self._last_frame = 0.0
        self.loaded = False
        """True once the first update arrived (an empty table then says so)."""

    # --- public API -----------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def visible_count(self) -> int:
        return len(self._view)

    @property
    def cursor_key(self) -> str | None:
        if 0 <= self.cursor_row < len(self._view):
            return self._view[self.cursor_row]
        return None

    @property
    def cursor_endpoint(self) -> Endpoint | None:
        key = self.cursor_key
        return self._endpoints[key] if key else None

    def endpoints(self) -> list[Endpoint]:
        """Every endpoint held (filtered out ones too), in table order."""
        return [self._endpoints[k] for k in self._order]

    def visible_endpoints(self) -> list[Endpoint]:
        return [self._endpoints[k] for k in self._view]

    def get(self, key: str) -> Endpoint | None:
        return self._endpoints.get(key)

    def cell_text(self, key: str, column: str) -> str:
        """The text a cell shows (tests and the changed-cell logic use it)."""
        row = self._rows[key]
        i = INDEX[column]
        if i == UPDATED:
            return ago(self._endpoints[key].updated_at)
        if i == STATE:
            return state_text(row.cells[STATE], self._pending.get(key), self._frame(key))
        return row.cells[i]

    def marks(self, key: str) -> dict[str, str]:
        """Changed-cell markers of a row: column key -> marker."""
        row = self._rows[key]
        return {COLUMNS[i].key: m for i, m in row.marks.items()}

    def move_cursor_to(self, key: str) -> bool:
        i = self._index.get(key)
        if i is not None:
            self._set_cursor(i)
        return i is not None

    def set_prices(self, price: Callable[[Endpoint], float | None]) -> None:
        """Where the $/h column comes from; re-formats every row (rare: the catalog arrived)."""
        self._price = price
        self._reformat()

    def set_show_namespace(self, show: bool) -> None:
        """Names read ``namespace/name`` (when several namespaces are listed)."""
        if show != self.show_namespace:
            self.show_namespace = show
            self._content = initial_content()
            self._reformat()

    def _cells(self, ep: Endpoint) -> tuple[str, ...]:
        return endpoint_cells(ep, self._price(ep), self.show_namespace)

    def _reformat(self) -> None:
        self._rows = reformat_rows(self._endpoints, self._rows, self._cells)
        self._strips.clear()
        self._fit_widths(self._rows.values())
        self._update_virtual_size()
        self.refresh()

    def price_of(self, ep: Endpoint) -> float | None:
        return self._price(ep)

    def set_filter(self, predicate: Callable[[Endpoint], bool] | None) -> None:
        key = self.cursor_key
        self._filter = predicate
        self._rebuild_view(key)
        self.refresh()

    def set_pending(self, key: str, label: str) -> None:
        if key in self._rows:
            self._pending[key] = label
            self._strips.pop(key, None)
            self._refresh_keys([key])

    def clear_pending(self, key: str) -> None:
        if self._pending.pop(key, None) is not None:
            self._strips.pop(key, None)
            self._refresh_keys([key])

    def pending_of(self, key: str) -> str | None:
        return self._pending.get(key)

    def clear(self) -> None:
        """Forget every row (a namespace switch)."""
        self._endpoints = {}
        self._rows = {}
        self._order = []
        self._pending.clear()
        self._strips.clear()
        self.selected_keys.clear()
        self.loaded = False
        self._content = initial_content()
        self._invalidate_layout()
        self._rebuild_view(None)
        self.refresh()

    def update_one(self, ep: Endpoint) -> UpdateResult:
        """Apply one endpoint (an action's answer) without touching the others."""
        return self._apply([ep], complete=False)

    def update(self, endpoints: Sequence[Endpoint]) -> UpdateResult:
        """Apply a full poll: rows not in ``endpoints`` are removed."""
        return self._apply(endpoints, complete=True)

    # --- the in-place update ------------------------------------------------------------

    def _apply(self, endpoints: Sequence[Endpoint], complete: bool) -> UpdateResult:
        diff = diff_rows(self._endpoints, self._rows, endpoints, complete=complete, cells=self._cells)
        result = diff.result
        self._endpoints = diff.endpoints
        rows = self._rows = diff.rows
        for key in (*diff.repaint, *result.removed):
            self._strips.pop(key, None)
        for key in result.removed:
            self._pending.pop(key, None)
            self.selected_keys.discard(key)
        self._fit_widths(rows[k] for k in (*result.added, *result.changed))
        if result.added or result.removed or not self.loaded:
            self.loaded = True
            cursor_key = self.cursor_key
            self._order = sorted(rows)
            self._rebuild_view(cursor_key)
            self.refresh()
        elif self._filter is not None and result.changed:
            # A changed row may enter or leave the filtered view.
            before = self._view
            self._rebuild_view(self.cursor_key)
            if before != self._view:
                self.refresh()
            else:
                self._refresh_keys(diff.repaint)
        else:
            self._refresh_keys(diff.repaint)
        return result

    def _fit_widths(self, rows: Iterable[Row]) -> None:
        if grow_content(self._content, (row.cells for row in rows)):
            self._invalidate_layout()

    def _invalidate_layout(self) -> None:
        self._layout = None
        self._layout_gen += 1  # every cached row strip is stale
        self._update_virtual_size()
        self.refresh()

    @property
    def layout_info(self) -> Layout:
        """The current column layout (computed for the table's width)."""
        width = self.scrollable_content_region.width if self.is_attached else 0
        width = width if width > 0 else 10_000
        layout = self._layout
        if layout is None or width != self._layout_width:
            layout = self._layout = layout_columns(natural_widths(self._content), self._content, width)
            if width != self._layout_width:
                self._layout_width = width
                self._layout_gen += 1
        return layout

    def _rebuild_view(self, keep_key: str | None) -> None:
        pred = self._filter
        if pred is None:
            self._view = list(self._order)
        else:
            endpoints = self._endpoints
            self._view = [k for k in self._order if pred(endpoints[k])]
        self._index = {k: i for i, k in enumerate(self._view)}
        self._update_virtual_size()
        if keep_key is not None and keep_key in self._index:
            self._set_cursor(self._index[keep_key], scroll=False)
        else:
            self._set_cursor(min(self.cursor_row, max(0, len(self._view) - 1)), scroll=False)

    def _update_virtual_size(self) -> None:
        self._resize_queued = False
        self.virtual_size = Size(self.layout_info.scroll_width, len(self._view) + 1)

    def _refresh_keys(self, keys: Iterable[str], x: int = 0, width: int | None = None) -> None:
        """Repaint these rows (from ``x``, ``width`` cells; default the whole line) where on screen."""
        if not self.is_attached:
            return
        top = int(self.scroll_offset.y)
        height = max(0, self.size.height - 1)
        index = self._index
        if width is None:
            width = max(self.virtual_size.width, self.size.width)
        # Only the rows that are on screen; one refresh call for all of them.
        regions = [Region(x, i + 1 - top, width, 1)  # +1 for the header line
                   for i in map(index.get, keys) if i is not None and top <= i < top + height]
        if regions:
            self.refresh(*regions)

    # --- cursor ---------------------------------------------------------------------

    def _set_cursor(self, row: int, *, scroll: bool = True) -> None:
        n = len(self._view)
        row = max(0, min(row, n - 1)) if n else 0
        old = self.cursor_row
        old_key = self.cursor_key
        self.cursor_row = row
        if old != row or old_key != self.cursor_key:
            if self.is_attached:
                self.refresh()
        if scroll:
            self._scroll_cursor_into_view()

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height - 1
        if height <= 0:
            return
        top = int(self.scroll_offset.y)
        row = self.cursor_row
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor_row + 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor_row - 1)

    def action_page_down(self) -> None:
        self._set_cursor(self.cursor_row + max(1, self.scrollable_content_region.height - 2))

    def action_page_up(self) -> None:
        self._set_cursor(self.cursor_row - max(1, self.scrollable_content_region.height - 2))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self._view) - 1)

    def action_scroll_left(self) -> None:
        x = int(self.scroll_offset.x)
        stops = [s for s in column_stops(self.layout_info) if s < x]
        self.scroll_to(x=stops[-1] if stops else 0, animate=False, immediate=True)

    def action_scroll_right(self) -> None:
        x = int(self.scroll_offset.x)
        limit = max(0, int(self.max_scroll_x))
        stops = [s for s in column_stops(self.layout_info) if s > x]
        self.scroll_to(x=min(stops[0], limit) if stops else limit, animate=False, immediate=True)

    def action_toggle_select(self) -> None:
        key = self.cursor_key
        if key is None:
            return
        self.selected_keys.symmetric_difference_update((key,))
        self._strips.pop(key, None)
        self._refresh_keys([key])

    def on_click(self, event: events.Click) -> None:
        y = event.y - self.gutter.top if hasattr(self, "gutter") else event.y
        if y >= 1:
            self._set_cursor(int(self.scroll_offset.y) + y - 1)

    def on_mount(self) -> None:
        # A frozen clock (tests, screenshots) freezes the spinner too: same frames every run.
        if not frozen():
            self.set_interval(SPIN_FAST, self._spin, name="endpoint-table-spinner")

    def _spin(self) -> None:
        if not self.screen.is_current or not self._view:
            return
        top = int(self.scroll_offset.y)
        height = max(0, self.size.height - 1)
        endpoints, pending = self._endpoints, self._pending
        busy = [k for k in self._view[top: top + height]
                if k in pending or endpoints[k].state.is_transitional]
        if not busy:
            return
        t = time.monotonic()
        waited_on = any(k in pending for k in busy)
        if waited_on or t - self._last_frame >= SPIN_SLOW - SPIN_FAST / 2:
            self._last_frame = t
            self.spinner_frame = (self.spinner_frame + 1) % len(SPINNER)
            self._refresh_glyphs(busy)

    def _refresh_glyphs(self, keys: Iterable[str]) -> None:
        """Repaint only the state glyph of these rows: a spinner frame changes nothing else."""
        x = glyph_x(self.layout_info, int(self.scroll_offset.x), self.scrollable_content_region.width)
        if x is not None:
            self._refresh_keys(keys, x, 1)

    def on_resize(self) -> None:
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    # --- rendering --------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = {}
        self._strips = {}

    def _base_style(self) -> Style:
        # rich_style walks the ancestors for the background on every call; it only
        # changes with the CSS, which clears the cache (notify_style_update).
        base = self._styles.get("__base__")
        if base is None:
            base = self._styles["__base__"] = self.rich_style
        return base

    def _style(self, name: str) -> Style:
        """A component class's style (partial, to add to the base, but for the header and cursor)."""
        style = self._styles.get(name)
        if style is None:
            full = name in ("header", "cursor")
            style = self._styles[name] = self.get_component_rich_style(f"endpoint-table--{name}", partial=not full)
        return style

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self._base_style()
        layout = self.layout_info
        if self.virtual_size.width != layout.scroll_width and not self._resize_queued:
            self._resize_queued = True  # the width changed since the last layout: once per frame
            self.call_later(self._update_virtual_size)
        if y == 0:
            return Strip([Segment(header_text(layout, scroll_x, width), self._style("header"))], width)
        i = scroll_y + y - 1
        if i >= len(self._view):
            if i == 0 and not self._view:
                text = (self.empty_text if not self._rows else FILTERED_TEXT) if self.loaded else self.loading_text
                return message_strip(text, width, base + self._style("empty"), base)
            return Strip.blank(width, base)
        key = self._view[i]
        strip = self._row_strip(self._rows[key], key, layout)
        if i == self.cursor_row:
            # post_style: the cursor colours win over the cells' own.
            strip = Strip(Segment.apply_style(strip, post_style=self._style("cursor")), strip.cell_length)
        return visible_part(strip, layout, scroll_x, width, base)

    def _frame(self, key: str) -> str:
        """The spinner frame for a row in transition or with an action in flight, else ""."""
        if key in self._pending or self._endpoints[key].state.is_transitional:
            return SPINNER[self.spinner_frame]
        return ""

    def _row_strip(self, row: Row, key: str, layout: Layout) -> Strip:
        ep = self._endpoints[key]
        updated = ago(ep.updated_at, self._now())
        selected = key in self.selected_keys
        frame = self._frame(key)
        strip_key = (updated, selected, frame, self._layout_gen)
        cached = self._strips.get(key)
        if cached is not None and cached[0] == strip_key:
            return cached[1]
        pending = self._pending.get(key)
        strip = row_strip(row, ep.state, layout, updated=updated, state=state_text(row.cells[STATE], pending, frame),
                          selected=selected, pending=pending is not None, base=self._base_style(), style=self._style)
        self._strips[key] = (strip_key, strip)
        return strip

    _now_cache: tuple[float, object] | None = None

    def _now(self):
        # One clock read per frame is enough; "ago" has a one-second resolution.
        t = time.monotonic()
        cached = self._now_cache
        if cached is None or t - cached[0] > 0.5:
            cached = (t, now())
            self._now_cache = cached
        return cached[1]
