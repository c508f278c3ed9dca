"""EndpointTable: a line-API table of endpoints that updates in place.

Why not DataTable: refreshing 2,000 rows with ``update_cell`` or
``clear()`` + re-add costs 50–430 ms of CPU per poll. Here a refresh
compares each endpoint with the one already shown (one dict comparison),
re-formats only the rows that changed, and repaints only the changed rows
that are on screen; ``render_line`` draws only visible lines, from a
per-row strip cache. Rows are keyed by ``namespace/name``: the cursor,
the selection (space) and the scroll position survive every refresh.

    table.update(endpoints) -> UpdateResult(changed, added, removed, transitions)
    table.set_filter(predicate | None)     # predicate(Endpoint) -> bool
    table.set_prices(fn)                   # fn(Endpoint) -> float | None  ($/replica-hour)
    table.set_pending(key, "pausing")      # optimistic label in the state cell
    table.clear_pending(key)
    table.cursor_key / table.cursor_endpoint / table.selected_keys / table.visible_count

A changed cell is marked (Δ, ↑, ↓) until the next refresh. State is shown
as glyph + word + colour (component classes styled from theme variables),
so it reads without colour too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from hftui.clock import ago, now
from hftui.tasks import short_name
from hftui.keys import bindings_for
from hftui.widgets.endpoint_states import state_class, state_label
from hftui.widgets.safe_text import one_line

if TYPE_CHECKING:
    from hftui.client.models import Endpoint

EMPTY_TEXT = "No endpoints yet — a: create one · 1: Models, to try models without one"
"""What an empty table says: most users have no endpoint; the two keys that help (fits 80 columns)."""
FILTERED_TEXT = "No endpoint matches the filter (/ and f change it)."

SPINNER = "◐◓◑◒"
"""Frames replacing the glyph of transitional states (and of rows with an action in flight)."""
SPIN_FAST = 0.25
"""Seconds per spinner frame while an action the user started is in flight (a row shows "pausing")."""
SPIN_SLOW = 2.0
"""Seconds per frame otherwise: a transitional state the server reports (initializing, updating)
lasts minutes and is watched, not waited on. A frame repaints each busy row from the table's
left edge up to its glyph (that is how Textual writes a partial line), ~150 bytes a row: four
frames a second would keep an idle terminal busy at ~1 KB/s (issue 11 asks ≤ 300 B/s)."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    min_width: int
    max_width: int
    right: bool = False
    short_label: str | None = None
    """Shown when the column is narrower than ``label``."""
    core: bool = False
    """Kept on screen first when not every column fits (the others are reached with ← →)."""


COLUMNS: tuple[Column, ...] = (
    Column("name", "NAME", 10, 48, core=True),
    Column("state", "STATE", 9, 16, core=True),
    Column("model", "MODEL", 10, 60, core=True),
    Column("task", "TASK", 6, 30),
    Column("region", "REGION", 6, 24),
    Column("instance", "INSTANCE", 6, 24, short_label="INST"),
    Column("replicas", "REPLICAS", 4, 12, short_label="REPL", core=True),
    Column("price", "$/H", 3, 9, right=True, core=True),
    Column("url", "URL", 3, 24),
    Column("updated", "UPDATED", 3, 4, right=True, short_label="UPD", core=True),
)
_NAME, _STATE, _MODEL, _TASK, _REGION, _INSTANCE, _REPLICAS, _PRICE, _URL, _UPDATED = range(len(COLUMNS))
_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
_CONTENT = 0
"""A shrink target meaning "no narrower than the content" (only the label gets shorter)."""

# How columns give up width when the table is narrower than all of them at their natural
# width: (column, target) in turn, each only as far as still needed. Lossless first (short
# labels), then abbreviations, then cuts. When even that is too wide the core columns come
# first, shrunk by _CORE_STEPS, and the others are reached by scrolling.
_STEPS: tuple[tuple[int, int], ...] = (
    (_REPLICAS, _CONTENT), (_UPDATED, _CONTENT), (_INSTANCE, _CONTENT),
    (_TASK, 10), (_URL, 8), (_MODEL, 24), (_MODEL, 20), (_NAME, 32),
    (_REGION, 9), (_INSTANCE, 8), (_TASK, 8), (_URL, 6), (_MODEL, 16), (_NAME, 16),
)
_GENTLE_STEPS = _STEPS[:5]
_SNAP = frozenset({_TASK, _REGION, _INSTANCE})
"""Columns that abbreviate (rather than cut) when narrower than their text."""
_GIVE_BACK = (_MODEL, _NAME, _URL, _REGION, _TASK)
"""Who gets the cells a snapped column left over."""
_CORE_STEPS: tuple[tuple[int, int], ...] = (
    (_REPLICAS, _CONTENT), (_UPDATED, _CONTENT), (_MODEL, 24), (_NAME, 32), (_MODEL, 16), (_NAME, 16),
    (_MODEL, 12), (_NAME, 10),
)


@dataclass(frozen=True)
class Layout:
    """Which columns are drawn in which order, how wide, and where each starts."""

    order: tuple[int, ...]
    widths: tuple[int, ...]
    """Per column index (COLUMNS order)."""
    starts: tuple[int, ...]
    """Per position in ``order``: the x where the column's marker cell starts."""
    total: int
    fits: bool
    """Every column is on screen (no horizontal scrolling)."""
    scroll_width: int
    """The virtual width: at the far right a column starts right after the fixed name column."""


def layout_columns(natural: Sequence[int], content: Sequence[int], available: int) -> Layout:
    """Column widths for ``available`` cells (see _STEPS); ``natural`` includes the labels."""
    widths = list(natural)

    def total(order) -> int:
        return sum(widths[i] + 1 for i in order) + 1

    def shrink(order, steps) -> None:
        need = total(order) - available
        for i, target in steps:
            if need <= 0:
                return
            if i not in order:
                continue
            floor = max(content[i], len(COLUMNS[i].short_label or COLUMNS[i].label)) if target == _CONTENT \
                else max(target, COLUMNS[i].min_width)
            # Abbreviating columns go straight to their abbreviation's width: a column cut
            # part-way would show "text-gen" in 13 cells.
            cut = widths[i] - floor if i in _SNAP else min(need, widths[i] - floor)
            if cut > 0:
                widths[i] -= cut
                need -= cut

    def give_back(order) -> None:
        slack = available - total(order)
        for i in _GIVE_BACK:
            if slack <= 0:
                return
            if i in order and widths[i] < natural[i]:
                if i in _SNAP and slack < natural[i] - widths[i]:
                    continue  # still abbreviated: the extra cells would stay blank
                more = min(slack, natural[i] - widths[i])
                widths[i] += more
                slack -= more

    order = tuple(range(len(COLUMNS)))
    shrink(order, _STEPS)
    fits = total(order) <= available
    if fits:
        give_back(order)
    if not fits:
        widths = list(natural)
        core = tuple(i for i in order if COLUMNS[i].core)
        shrink(core, _CORE_STEPS)
        rest = tuple(i for i in order if not COLUMNS[i].core)
        for i, target in _GENTLE_STEPS:  # scrolled-to columns: only abbreviated, not cut
            if i in rest:
                label = len(COLUMNS[i].short_label or COLUMNS[i].label)
                widths[i] = min(widths[i], max(target or content[i], COLUMNS[i].min_width, label))
        order = core + rest
    starts = []
    x = 0
    for i in order:
        starts.append(x)
        x += widths[i] + 1
    total = x + 1
    scroll_width = total
    if total > available and len(starts) > 1:
        stops = [start - starts[1] for start in starts[1:]]
        need = total - available
        scroll_width = min((stop for stop in stops if stop >= need), default=need) + available
    return Layout(order, tuple(widths), tuple(starts), total, fits, scroll_width)


def _initial_content() -> list[int]:
    content = [0] * len(COLUMNS)
    content[_UPDATED] = 4  # "59m", "364d": drawn at paint time, never measured
    return content


def _num(v: int | None) -> str:
    return "?" if v is None else str(v)


def short_url(url: str | None) -> str:
    """The host, without the HF suffix (the endpoint id is what tells endpoints apart) or the port."""
    if not url:
        return "-"
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    if not host.startswith("["):
        host = host.split(":", 1)[0]
    for suffix in (".endpoints.huggingface.cloud", ".huggingface.cloud"):
        if host.endswith(suffix):
            host = host[: -len(suffix)].split(".", 1)[0]
    return host or "-"


_INSTANCE_PREFIXES = ("nvidia-", "intel-", "amd-", "aws-", "google-")


def short_instance(accelerator: str | None, instance_type: str | None, size: str | None) -> str:
    """``gpu·l4·x1`` from gpu / nvidia-l4 / x1."""
    kind = instance_type or ""
    for prefix in _INSTANCE_PREFIXES:
        if kind.startswith(prefix):
            kind = kind[len(prefix):]
            break
    return "·".join(p for p in (accelerator, kind, size) if p) or "-"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else (text[: width - 1] + "…" if width > 0 else "")


def fit_path(text: str, width: int) -> str:
    """``owner/name`` in ``width`` cells: the owner gives way first (``meta-…/Llama-3.1-8B``)."""
    if len(text) <= width:
        return text
    owner, slash, name = text.rpartition("/")
    if slash and owner:
        room = width - len(name) - 2
        if room >= 2:
            return f"{owner[:room]}…/{name}"
        if len(name) <= width:
            return name
        return _cut(name, width)
    return _cut(text, width)


def fit_cell(column: int, text: str, width: int) -> str:
    """A cell's text in ``width`` cells: abbreviated where a column knows how, else cut with ``…``."""
    if len(text) <= width:
        return text
    if column in (_MODEL, _NAME):
        return fit_path(text, width)
    if column == _TASK:
        short = short_name(text)  # at most 8 characters (hftui.tasks)
        if short is not None and len(short) <= width:
            return short
    elif column == _REGION:  # the vendor goes first: "us-east-1"
        return _cut(text.split("/", 1)[-1], width)
    elif column == _INSTANCE:  # then the accelerator, which the type implies: "l4·x1"
        return _cut(text.split("·", 1)[-1], width)
    return _cut(text, width)


def endpoint_cells(ep: Endpoint, price: float | None, with_namespace: bool = False) -> tuple[str, ...]:
    """The full text of every column but ``updated`` (computed when drawn), in COLUMNS order.

    ``with_namespace``: the name column reads ``namespace/name`` (the "all namespaces" view).
    """
    region = "/".join(p for p in (ep.vendor, ep.region) if p) or "-"
    replicas = f"{_num(ep.ready_replica)}/{_num(ep.target_replica)} {_num(ep.min_replica)}–{_num(ep.max_replica)}"
    return (
        one_line(f"{ep.namespace}/{ep.name}" if with_namespace else ep.name, 100),
        state_label(ep.raw_state),
        one_line(ep.repository or "-", 120),
        one_line(ep.task or "-", 40),
        one_line(region, 60),
        one_line(short_instance(ep.accelerator, ep.instance_type, ep.instance_size), 60),
        replicas,
        "-" if price is None else f"${price:,.2f}",
        "⚠ invalid" if ep.url_invalid else one_line(short_url(ep.url), 80),
    )


_signature = attrgetter(
    "raw_state", "ready_replica", "target_replica", "min_replica", "max_replica", "updated_at", "repository",
    "task", "accelerator", "instance_type", "instance_size", "vendor", "region", "url", "name",
)
"""Every Endpoint field a row shows: a row is re-formatted only when this tuple changes."""


@dataclass(slots=True)
class _Row:
    endpoint: Endpoint
    cells: tuple[str, ...]
    signature: tuple = ()
    marks: dict[int, str] = field(default_factory=dict)
    pending: str | None = None
    strip: Strip | None = None
    strip_key: tuple | None = None


@dataclass(frozen=True)
class UpdateResult:
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    transitions: tuple[tuple[str, str, str], ...] = ()
    """(key, old raw state, new raw state) for rows whose state changed."""


class EndpointTable(ScrollView, can_focus=True):
    """See the module docstring."""

    COMPONENT_CLASSES = {
        "endpoint-table--header",
        "endpoint-table--cursor",
        "endpoint-table--selected",
        "endpoint-table--changed",
        "endpoint-table--running",
        "endpoint-table--pending",
        "endpoint-table--failed",
        "endpoint-table--paused",
        "endpoint-table--other",
        "endpoint-table--empty",
    }
    DEFAULT_CSS = """
    EndpointTable {
        height: 1fr;
        scrollbar-size-horizontal: 0;  /* a row is worth more at 80x24; the header shows ← → instead */
        background: $surface;
        color: $foreground;
        & > .endpoint-table--header { text-style: bold; background: $panel; color: $text-accent; }
        & > .endpoint-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .endpoint-table--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
        }
        & > .endpoint-table--selected { text-style: bold; color: $accent; }
        & > .endpoint-table--changed { text-style: bold underline; color: $accent; }
        & > .endpoint-table--running { color: $success; }
        & > .endpoint-table--pending { color: $warning; }
        & > .endpoint-table--failed { color: $error; text-style: bold; }
        & > .endpoint-table--paused { color: $text-muted; }
        & > .endpoint-table--other { color: $text-muted; }
        & > .endpoint-table--empty { color: $text-muted; }
    }
    """
    BINDINGS = bindings_for("EndpointTable")

    cursor_row: reactive[int] = reactive(0, always_update=False, repaint=False)

    class CursorMoved(Message):
        """The cursor moved to another endpoint (``key`` None when the table is empty)."""

        def __init__(self, table: EndpointTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> EndpointTable:
            return self.table

    class Refreshed(Message):
        """Rows were updated from a poll."""

        def __init__(self, table: EndpointTable, result: UpdateResult) -> None:
            super().__init__()
            self.table = table
            self.result = result

        @property
        def control(self) -> EndpointTable:
            return self.table

    def __init__(self, *, empty_text: str = EMPTY_TEXT, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._rows: dict[str, _Row] = {}
        self._order: list[str] = []
        self._view: list[str] = []
        self._index: dict[str, int] = {}
        self._marked: set[str] = set()
        self._filter: Callable[[Endpoint], bool] | None = None
        self._price: Callable[[Endpoint], float | None] = lambda ep: None
        self._content: list[int] = _initial_content()
        """Widest cell text seen per column (grows only, so widths stay put across refreshes)."""
        self._layout: Layout | None = None
        self._layout_width = -1
        self._layout_gen = 0
        self._resize_queued = False
        self._styles: dict[str, Style] | None = None
        self.selected_keys: set[str] = set()
        self.empty_text = empty_text
        self.show_namespace = False
        """Names read ``namespace/name`` (set_show_namespace)."""
        self.spinner = True
        """Animate the glyph of transitional rows (off when the clock is frozen)."""
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
        return self._rows[key].endpoint if key else None

    def endpoints(self) -> list[Endpoint]:
        """Every endpoint held (filtered out ones too), in table order."""
        return [self._rows[k].endpoint for k in self._order]

    def visible_endpoints(self) -> list[Endpoint]:
        return [self._rows[k].endpoint for k in self._view]

    def get(self, key: str) -> Endpoint | None:
        row = self._rows.get(key)
        return row.endpoint if row else None

    def cell_text(self, key: str, column: str) -> str:
        """The text a cell shows (tests and the changed-cell logic use it)."""
        row = self._rows[key]
        i = _INDEX[column]
        if i == _UPDATED:
            return ago(row.endpoint.updated_at)
        if i == _STATE:
            return self._state_text(row, self._frame(row))
        return row.cells[i]

    def marks(self, key: str) -> dict[str, str]:
        """Changed-cell markers of a row: column key -> marker."""
        row = self._rows[key]
        return {COLUMNS[i].key: m for i, m in row.marks.items()}

    def move_cursor_to(self, key: str) -> bool:
        i = self._index.get(key)
        if i is None:
            return False
        self._set_cursor(i)
        return True

    def set_prices(self, price: Callable[[Endpoint], float | None]) -> None:
        """Where the $/h column comes from; re-formats every row (rare: the catalog arrived)."""
        self._price = price
        self._reformat()

    def set_show_namespace(self, show: bool) -> None:
        """Names read ``namespace/name`` (when several namespaces are listed)."""
        if show != self.show_namespace:
            self.show_namespace = show
            self._content = _initial_content()
            self._reformat()

    def _reformat(self) -> None:
        price, ns = self._price, self.show_namespace
        for row in self._rows.values():
            row.cells = endpoint_cells(row.endpoint, price(row.endpoint), ns)
            row.signature = _signature(row.endpoint)
            row.strip = None
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
        row = self._rows.get(key)
        if row is not None:
            row.pending = label
            row.strip = None
            self._refresh_key(key)

    def clear_pending(self, key: str) -> None:
        row = self._rows.get(key)
        if row is not None and row.pending is not None:
            row.pending = None
            row.strip = None
            self._refresh_key(key)

    def pending_of(self, key: str) -> str | None:
        row = self._rows.get(key)
        return row.pending if row else None

    def clear(self) -> None:
        """Forget every row (a namespace switch)."""
        self._rows.clear()
        self._order = []
        self._marked.clear()
        self.selected_keys.clear()
        self.loaded = False
        self._content = _initial_content()
        self._invalidate_layout()
        self._rebuild_view(None)
        self.refresh()

    def update_one(self, ep: Endpoint) -> UpdateResult:
        """Apply one endpoint (an action's answer) without touching the others."""
        return self._apply(ep_list=[ep], complete=False)

    def update(self, endpoints: Sequence[Endpoint]) -> UpdateResult:
        """Apply a full poll: rows not in ``endpoints`` are removed."""
        return self._apply(ep_list=endpoints, complete=True)

    # --- the in-place update ------------------------------------------------------------

    def _apply(self, ep_list: Sequence[Endpoint], complete: bool) -> UpdateResult:
        rows = self._rows
        dirty: list[str] = []
        if complete:
            for key in self._marked:  # markers last one refresh
                row = rows.get(key)
                if row is not None:
                    row.marks = {}
                    row.strip = None
                    dirty.append(key)
            self._marked = set()
        changed: list[str] = []
        added: list[str] = []
        transitions: list[tuple[str, str, str]] = []
        price = self._price
        show_ns = self.show_namespace
        grown = False
        content = self._content
        for ep in ep_list:
            key = f"{ep.namespace}/{ep.name}"
            row = rows.get(key)
            signature = _signature(ep)
            if row is None:
                cells = endpoint_cells(ep, price(ep), show_ns)
                rows[key] = _Row(ep, cells, signature)
                added.append(key)
                grown = True
                continue
            old = row.endpoint
            row.endpoint = ep  # always keep the newest object (describe/actions read it)
            if row.signature == signature:
                continue
            row.signature = signature
            cells = endpoint_cells(ep, price(ep), show_ns)
            marks = {}
            for i, (a, b) in enumerate(zip(row.cells, cells)):
                if a != b:
                    marks[i] = "Δ"
                    if len(b) > content[i] and content[i] < COLUMNS[i].max_width:
                        grown = True
            if _REPLICAS in marks:
                before, after = old.ready_replica or 0, ep.ready_replica or 0
                marks[_REPLICAS] = "↑" if after > before else "↓" if after < before else "Δ"
            if old.raw_state != ep.raw_state:
                transitions.append((key, old.raw_state, ep.raw_state))
            row.cells = cells
            row.marks = marks
            row.strip = None
            if marks:
                self._marked.add(key)
            changed.append(key)
            dirty.append(key)
        removed: list[str] = []
        if complete and (len(rows) != len(ep_list) or added):
            present = {f"{ep.namespace}/{ep.name}" for ep in ep_list}
            removed = [k for k in rows if k not in present]
            for k in removed:
                del rows[k]
                self._marked.discard(k)
                self.selected_keys.discard(k)
        if grown:
            self._fit_widths([rows[k] for k in (*added, *changed) if k in rows])
        if added or removed or not self.loaded:
            self.loaded = True
            cursor_key = self.cursor_key
            self._order = sorted(rows)
            self._rebuild_view(cursor_key)
            self.refresh()
        elif self._filter is not None and changed:
            # A changed row may enter or leave the filtered view.
            cursor_key = self.cursor_key
            before = self._view
            self._rebuild_view(cursor_key)
            if before != self._view:
                self.refresh()
            else:
                self._refresh_keys(dirty)
        else:
            self._refresh_keys(dirty)
        result = UpdateResult(tuple(changed), tuple(added), tuple(removed), tuple(transitions))
        if self.is_attached:
            self.post_message(self.Refreshed(self, result))
        return result

    def _fit_widths(self, rows: Iterable[_Row]) -> None:
        content = self._content
        before = list(content)
        for row in rows:
            for i, text in enumerate(row.cells):
                n = len(text)
                if n > content[i]:
                    content[i] = min(n, COLUMNS[i].max_width)
        if content != before:
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
            natural = [max(n, len(c.label), c.min_width) for n, c in zip(self._content, COLUMNS)]
            layout = self._layout = layout_columns(natural, self._content, width)
            if width != self._layout_width:
                self._layout_width = width
                self._layout_gen += 1
        return layout

    def column_label(self, i: int, width: int) -> str:
        col = COLUMNS[i]
        if len(col.label) <= width or not col.short_label:
            return col.label[:width]
        return col.short_label[:width]

    def _rebuild_view(self, keep_key: str | None) -> None:
        pred = self._filter
        if pred is None:
            self._view = list(self._order)
        else:
            rows = self._rows
            self._view = [k for k in self._order if pred(rows[k].endpoint)]
        self._index = {k: i for i, k in enumerate(self._view)}
        self._update_virtual_size()
        if keep_key is not None and keep_key in self._index:
            self._set_cursor(self._index[keep_key], scroll=False)
        else:
            self._set_cursor(min(self.cursor_row, max(0, len(self._view) - 1)), scroll=False)

    def _update_virtual_size(self) -> None:
        self._resize_queued = False
        self.virtual_size = Size(self._total_width(), len(self._view) + 1)

    def _total_width(self) -> int:
        return self.layout_info.scroll_width

    def _refresh_key(self, key: str) -> None:
        self._refresh_keys([key])

    def _refresh_keys(self, keys: Iterable[str]) -> None:
        if not self.is_attached:
            return
        top = int(self.scroll_offset.y)
        height = max(0, self.size.height - 1)
        index = self._index
        width = max(self.virtual_size.width, self.size.width)
        # Only the changed rows that are on screen; one refresh call for all of them.
        regions = [Region(0, i + 1 - top, width, 1)  # +1 for the header line
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
            self.post_message(self.CursorMoved(self, self.cursor_key))
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

    def _column_stops(self) -> list[int]:
        """Scroll positions that put a column right after the (fixed) name column."""
        layout = self.layout_info
        base = layout.starts[1] if len(layout.starts) > 1 else 0
        return [x - base for x in layout.starts[1:]]

    def action_scroll_left(self) -> None:
        x = int(self.scroll_offset.x)
        stops = [s for s in self._column_stops() if s < x]
        self.scroll_to(x=stops[-1] if stops else 0, animate=False, immediate=True)

    def action_scroll_right(self) -> None:
        x = int(self.scroll_offset.x)
        limit = max(0, int(self.max_scroll_x))
        stops = [s for s in self._column_stops() if s > x]
        self.scroll_to(x=min(stops[0], limit) if stops else limit, animate=False, immediate=True)

    def action_toggle_select(self) -> None:
        key = self.cursor_key
        if key is None:
            return
        if key in self.selected_keys:
            self.selected_keys.discard(key)
        else:
            self.selected_keys.add(key)
        self._rows[key].strip = None
        self._refresh_key(key)

    def on_click(self, event: events.Click) -> None:
        y = event.y - self.gutter.top if hasattr(self, "gutter") else event.y
        if y >= 1:
            self._set_cursor(int(self.scroll_offset.y) + y - 1)

    def on_mount(self) -> None:
        # A frozen clock (tests, screenshots) freezes the spinner too: same frames every run.
        import os

        if self.spinner and not os.environ.get("HFTUI_FROZEN_TIME"):
            self.set_interval(SPIN_FAST, self._spin, name="endpoint-table-spinner")

    def _spin(self) -> None:
        if not self.screen.is_current or not self._view:
            return
        top = int(self.scroll_offset.y)
        height = max(0, self.size.height - 1)
        rows = self._rows
        busy = [k for k in self._view[top: top + height]
                if rows[k].pending or rows[k].endpoint.state.is_transitional]
        if not busy:
            return
        t = time.monotonic()
        waited_on = any(rows[k].pending for k in busy)
        if waited_on or t - self._last_frame >= SPIN_SLOW - SPIN_FAST / 2:
            self._last_frame = t
            self.spinner_frame = (self.spinner_frame + 1) % len(SPINNER)
            self._refresh_glyphs(busy)

    def _refresh_glyphs(self, keys: Iterable[str]) -> None:
        """Repaint only the state glyph of these rows: a spinner frame changes nothing else."""
        x = self._glyph_x()
        if x is None:
            return
        top = int(self.scroll_offset.y)
        height = max(0, self.size.height - 1)
        index = self._index
        regions = [Region(x, i + 1 - top, 1, 1)
                   for i in map(index.get, keys) if i is not None and top <= i < top + height]
        if regions:
            self.refresh(*regions)

    def _glyph_x(self) -> int | None:
        """Where the state glyph is drawn (x in the view), None when the column is scrolled off."""
        layout = self.layout_info
        if _STATE not in layout.order:
            return None
        x = layout.starts[layout.order.index(_STATE)] + 1  # after the marker cell
        scroll_x = int(self.scroll_offset.x)
        width = self.scrollable_content_region.width
        if scroll_x > 0 and len(layout.starts) > 1:  # see _visible_part: the name column stays put
            fixed = min(layout.starts[1], width)
            if x >= fixed:
                x -= scroll_x
                if x < fixed:
                    return None
        return x if 0 <= x < width else None

    def on_resize(self) -> None:
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    # --- rendering --------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        for row in self._rows.values():
            row.strip = None

    def _base_style(self) -> Style:
        # rich_style walks the ancestors for the background on every call; it only
        # changes with the CSS, which clears the cache (notify_style_update).
        styles = self._styles if self._styles is not None else {}
        self._styles = styles
        base = styles.get("__base__")
        if base is None:
            base = styles["__base__"] = self.rich_style
        return base

    def _style(self, name: str) -> Style:
        if self._styles is None:
            self._styles = {}
        style = self._styles.get(name)
        if style is None:
            full = name in ("header", "cursor")
            style = self.get_component_rich_style(f"endpoint-table--{name}", partial=not full)
            self._styles[name] = style
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
            return self._header_line(layout, scroll_x, width)
        i = scroll_y + y - 1
        if i >= len(self._view):
            if i == 0 and not self._view:
                text = (self.empty_text if not self._rows else FILTERED_TEXT) if self.loaded else "Loading…"
                return Strip([Segment("  " + text, base + self._style("empty"))]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        key = self._view[i]
        strip = self._row_strip(self._rows[key], key, layout)
        if i == self.cursor_row:
            # post_style: the cursor colours win over the cells' own.
            strip = Strip(Segment.apply_style(strip, post_style=self._style("cursor")), strip.cell_length)
        return self._visible_part(strip, layout, scroll_x, width, base)

    @staticmethod
    def _visible_part(strip: Strip, layout: Layout, scroll_x: int, width: int, base: Style) -> Strip:
        """The name column stays put; the columns after it scroll."""
        if scroll_x <= 0 or len(layout.starts) < 2:
            return strip.crop_extend(scroll_x, scroll_x + width, base)
        fixed = min(layout.starts[1], width)
        head = strip.crop(0, fixed)
        tail = strip.crop_extend(fixed + scroll_x, fixed + scroll_x + width - fixed, base)
        return Strip.join([head, tail])

    def _header_line(self, layout: Layout, scroll_x: int, width: int) -> Strip:
        """Column labels; ``←``/``→`` say more columns are scrolled off."""
        parts = [" "]
        for i in layout.order:
            w = layout.widths[i]
            label = self.column_label(i, w)
            parts.append((label.rjust(w) if COLUMNS[i].right else label.ljust(w)) + " ")
        full = "".join(parts)
        fixed = min(layout.starts[1], width) if scroll_x > 0 and len(layout.starts) > 1 else 0
        text = (full[:fixed] + full[fixed + scroll_x: fixed + scroll_x + width - fixed]).ljust(width)
        if width >= 2:
            if scroll_x > 0:
                text = text[:fixed] + "←" + text[fixed + 1:]
            if scroll_x + width < len(full):
                text = text[:-1] + "→"
        return Strip([Segment(text, self._style("header"))], width)

    def _frame(self, row: _Row) -> str:
        """The spinner frame for a row in transition or with an action in flight, else ""."""
        if row.pending or row.endpoint.state.is_transitional:
            return SPINNER[self.spinner_frame]
        return ""

    @staticmethod
    def _state_text(row: _Row, frame: str) -> str:
        if row.pending:
            return f"{frame} {row.pending}"
        if frame:
            return frame + row.cells[_STATE][1:]
        return row.cells[_STATE]

    def _row_strip(self, row: _Row, key: str, layout: Layout) -> Strip:
        ep = row.endpoint
        updated = ago(ep.updated_at, self._now())
        selected = key in self.selected_keys
        frame = self._frame(row)
        strip_key = (updated, selected, frame, self._layout_gen)
        if row.strip is not None and row.strip_key == strip_key:
            return row.strip
        base = self._base_style()
        state_style = base + self._style(state_class(ep.state))
        changed = base + self._style("changed")
        segments: list[Segment] = []
        marks = row.marks
        widths = layout.widths
        for i in layout.order:
            w = widths[i]
            if i == _UPDATED:
                text = updated
            elif i == _STATE:
                text = self._state_text(row, frame)
            else:
                text = row.cells[i]
            if len(text) > w:
                text = fit_cell(i, text, w)
            text = text.rjust(w) if COLUMNS[i].right else text.ljust(w)
            mark = marks.get(i)
            if i == _NAME:
                segments.append(Segment("▸" if selected else " ", base + self._style("selected")))
            elif mark:
                segments.append(Segment(mark, changed))
            else:
                segments.append(Segment(" ", base))
            if i == _STATE:
                style = base + self._style("pending") if row.pending else state_style
            elif i == _NAME and selected:
                style = base + self._style("selected")
            elif mark:
                style = changed
            else:
                style = base
            segments.append(Segment(text, style))
        segments.append(Segment(" ", base))
        strip = Strip(segments, layout.total)
        row.strip = strip
        row.strip_key = strip_key
        return strip

    _now_cache: tuple[float, object] | None = None

    def _now(self):
        # One clock read per frame is enough; "ago" has a one-second resolution.
        import time

        t = time.monotonic()
        cached = self._now_cache
        if cached is None or t - cached[0] > 0.5:
            cached = (t, now())
            self._now_cache = cached
        return cached[1]
