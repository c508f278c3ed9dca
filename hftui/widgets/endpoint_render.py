"""How the Endpoints table looks: its component classes and CSS, and how one line is drawn.

The widget (``endpoint_table``) decides which rows, caches the strips and supplies
the styles of the component classes (``style("changed")`` …: partial styles added
to ``base``); the cell text comes from ``endpoint_columns``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from hftui.widgets.endpoint_columns import COLUMNS, NAME, STATE, UPDATED, Layout, fit_cell, fixed_width
from hftui.widgets.endpoint_rows import Row
from hftui.widgets.endpoint_states import state_class

if TYPE_CHECKING:
    from hftui.client.models import EndpointState

SPINNER = "◐◓◑◒"
"""Frames replacing the glyph of transitional states (and of rows with an action in flight)."""

COMPONENT_CLASSES = {f"endpoint-table--{name}" for name in (
    "header", "cursor", "selected", "changed", "running", "pending", "failed", "paused", "other", "empty")}
TABLE_CSS = """
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


def row_strip(row: Row, endpoint_state: EndpointState, layout: Layout, *, updated: str, state: str, selected: bool,
              pending: bool, base: Style, style: Callable[[str], Style]) -> Strip:
    """The whole row: per column a marker cell (▸ selected, Δ ↑ ↓ changed) then the text.

    ``state`` is the state cell's text, ``endpoint_state`` picks its colour (``pending``: an action's).
    """
    state_style = base + style("pending") if pending else base + style(state_class(endpoint_state))
    changed = base + style("changed")
    selected_style = base + style("selected")
    segments: list[Segment] = []
    marks = row.marks
    widths = layout.widths
    for i in layout.order:
        w = widths[i]
        text = updated if i == UPDATED else state if i == STATE else row.cells[i]
        if len(text) > w:
            text = fit_cell(i, text, w)
        text = text.rjust(w) if COLUMNS[i].right else text.ljust(w)
        mark = marks.get(i)
        if i == NAME:
            segments.append(Segment("▸" if selected else " ", selected_style))
        elif mark:
            segments.append(Segment(mark, changed))
        else:
            segments.append(Segment(" ", base))
        if i == STATE:
            cell_style = state_style
        elif i == NAME and selected:
            cell_style = selected_style
        elif mark:
            cell_style = changed
        else:
            cell_style = base
        segments.append(Segment(text, cell_style))
    segments.append(Segment(" ", base))
    return Strip(segments, layout.total)


def visible_part(strip: Strip, layout: Layout, scroll_x: int, width: int, base: Style) -> Strip:
    """The name column stays put; the columns after it scroll."""
    fixed = fixed_width(layout, scroll_x, width)
    if not fixed:
        return strip.crop_extend(scroll_x, scroll_x + width, base)
    head = strip.crop(0, fixed)
    tail = strip.crop_extend(fixed + scroll_x, fixed + scroll_x + width - fixed, base)
    return Strip.join([head, tail])


def message_strip(text: str, width: int, style: Style, base: Style) -> Strip:
    """A line of its own in the body ("Loading…", the empty table's hint)."""
    return Strip([Segment("  " + text, style)]).crop_extend(0, width, base)
