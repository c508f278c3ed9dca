"""The Endpoints table's columns and cell text: which columns, how wide, what each cell reads.

Plain Python (the widget, ``endpoint_table``, draws what this decides; an import
contract in pyproject keeps Textual out), so the layout, the abbreviations and the
scrolled view's geometry are tested as plain functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hftui.sanitize import one_line
from hftui.tasks import short_name
from hftui.widgets.endpoint_states import state_label

if TYPE_CHECKING:
    from hftui.client.models import Endpoint


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
NAME, STATE, MODEL, TASK, REGION, INSTANCE, REPLICAS, PRICE, URL, UPDATED = range(len(COLUMNS))
INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
_CONTENT = 0
"""A shrink target meaning "no narrower than the content" (only the label gets shorter)."""

# How columns give up width when the table is narrower than all of them at their natural
# width: (column, target) in turn, each only as far as still needed. Lossless first (short
# labels), then abbreviations, then cuts. When even that is too wide the core columns come
# first, shrunk by _CORE_STEPS, and the others are reached by scrolling.
_STEPS: tuple[tuple[int, int], ...] = (
    (REPLICAS, _CONTENT), (UPDATED, _CONTENT), (INSTANCE, _CONTENT),
    (TASK, 10), (URL, 8), (MODEL, 24), (MODEL, 20), (NAME, 32),
    (REGION, 9), (INSTANCE, 8), (TASK, 8), (URL, 6), (MODEL, 16), (NAME, 16),
)
_GENTLE_STEPS = _STEPS[:5]
_SNAP = frozenset({TASK, REGION, INSTANCE})
"""Columns that abbreviate (rather than cut) when narrower than their text."""
_GIVE_BACK = (MODEL, NAME, URL, REGION, TASK)
"""Who gets the cells a snapped column left over."""
_CORE_STEPS: tuple[tuple[int, int], ...] = (
    (REPLICAS, _CONTENT), (UPDATED, _CONTENT), (MODEL, 24), (NAME, 32), (MODEL, 16), (NAME, 16),
    (MODEL, 12), (NAME, 10),
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


def natural_widths(content: Sequence[int]) -> list[int]:
    """Each column's width when nothing has to give: its widest text, its label, its minimum."""
    return [max(n, len(c.label), c.min_width) for n, c in zip(content, COLUMNS)]


def column_label(i: int, width: int) -> str:
    """A column's header text in ``width`` cells (the short label when the full one does not fit)."""
    col = COLUMNS[i]
    if len(col.label) <= width or not col.short_label:
        return col.label[:width]
    return col.short_label[:width]


def grow_content(content: list[int], cells: Iterable[Sequence[str]]) -> bool:
    """Widen ``content`` (widest text per column, capped at max_width) to fit ``cells``; True if it grew.

    Widths only grow, so columns stay put across refreshes.
    """
    grew = False
    for row in cells:
        for i, text in enumerate(row):
            n = len(text)
            if n > content[i] and content[i] < COLUMNS[i].max_width:
                content[i] = min(n, COLUMNS[i].max_width)
                grew = True
    return grew


def initial_content() -> list[int]:
    content = [0] * len(COLUMNS)
    content[UPDATED] = 4  # "59m", "364d": drawn at paint time, never measured
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
    if column in (MODEL, NAME):
        return fit_path(text, width)
    if column == TASK:
        short = short_name(text)  # at most 8 characters (hftui.tasks)
        if short is not None and len(short) <= width:
            return short
    elif column == REGION:  # the vendor goes first: "us-east-1"
        return _cut(text.split("/", 1)[-1], width)
    elif column == INSTANCE:  # then the accelerator, which the type implies: "l4·x1"
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


def state_text(cell: str, pending: str | None, frame: str) -> str:
    """The state cell as drawn: an action's label while it is in flight, the spinner frame for the glyph."""
    if pending:
        return f"{frame} {pending}"
    if frame:
        return frame + cell[1:]
    return cell


# --- the scrolled view: the name column stays put, the columns after it scroll ----------


def fixed_width(layout: Layout, scroll_x: int, width: int) -> int:
    """How many cells on the left do not scroll (the marker and name column), 0 when not scrolled."""
    return min(layout.starts[1], width) if scroll_x > 0 and len(layout.starts) > 1 else 0


def column_stops(layout: Layout) -> list[int]:
    """Scroll positions that put a column right after the (fixed) name column."""
    base = layout.starts[1] if len(layout.starts) > 1 else 0
    return [x - base for x in layout.starts[1:]]


def header_text(layout: Layout, scroll_x: int, width: int) -> str:
    """The header line: column labels; ``←``/``→`` say more columns are scrolled off."""
    parts = [" "]
    for i in layout.order:
        w = layout.widths[i]
        label = column_label(i, w)
        parts.append((label.rjust(w) if COLUMNS[i].right else label.ljust(w)) + " ")
    full = "".join(parts)
    fixed = fixed_width(layout, scroll_x, width)
    text = (full[:fixed] + full[fixed + scroll_x: fixed + scroll_x + width - fixed]).ljust(width)
    if width >= 2:
        if scroll_x > 0:
            text = text[:fixed] + "←" + text[fixed + 1:]
        if scroll_x + width < len(full):
            text = text[:-1] + "→"
    return text


def glyph_x(layout: Layout, scroll_x: int, width: int) -> int | None:
    """Where the state glyph is drawn (x in the view), None when the column is scrolled off."""
    if STATE not in layout.order:
        return None
    x = layout.starts[layout.order.index(STATE)] + 1  # after the marker cell
    fixed = fixed_width(layout, scroll_x, width)
    if fixed and x >= fixed:
        x -= scroll_x
        if x < fixed:
            return None
    return x if 0 <= x < width else None
