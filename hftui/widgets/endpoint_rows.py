"""The Endpoints table's rows and how a poll changes them, as one pure function (``diff_rows``).

The table holds two dicts keyed ``namespace/name``: the newest Endpoint object
(Describe and actions read it) and the row formatted from it. A row is
re-formatted only when an endpoint field it shows changed (one tuple comparison
per endpoint); an unchanged row stays the same object, so a poll of 2,000
endpoints with a few changes costs little. A changed cell is marked (Δ, or ↑/↓
for ready replicas) until the next full poll. No Textual here: the widget
(``endpoint_table``) keeps the result and repaints the rows named in ``repaint``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from hftui.widgets.endpoint_columns import REPLICAS

if TYPE_CHECKING:
    from hftui.client.models import Endpoint

signature = attrgetter(
    "raw_state", "ready_replica", "target_replica", "min_replica", "max_replica", "updated_at", "repository",
    "task", "accelerator", "instance_type", "instance_size", "vendor", "region", "url", "name",
)
"""Every Endpoint field a row shows: a row is re-formatted only when this tuple changes."""

NO_MARKS: Mapping[int, str] = MappingProxyType({})

Cells = Callable[["Endpoint"], tuple[str, ...]]
"""An endpoint's cell texts in COLUMNS order (endpoint_cells with the price and namespace view bound)."""


class Row(NamedTuple):
    """One endpoint as the table shows it; never changed in place (a diff makes new rows)."""

    cells: tuple[str, ...]
    signature: tuple
    marks: Mapping[int, str] = NO_MARKS
    """Column index -> marker of a cell that changed in the last update."""


@dataclass(frozen=True)
class UpdateResult:
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    transitions: tuple[tuple[str, str, str], ...] = ()
    """(key, old raw state, new raw state) for rows whose state changed."""


@dataclass(frozen=True)
class RowsDiff:
    """The table after an update (new dicts; the ones given are left as they were)."""

    endpoints: dict[str, Endpoint]
    rows: dict[str, Row]
    result: UpdateResult
    repaint: tuple[str, ...]
    """Rows that still exist and look different: changed, or their markers cleared."""


def _marks(before: Endpoint, ep: Endpoint, old: tuple[str, ...], new: tuple[str, ...]) -> Mapping[int, str]:
    marks = {i: "Δ" for i, (a, b) in enumerate(zip(old, new)) if a != b}
    if REPLICAS in marks:
        was, now = before.ready_replica or 0, ep.ready_replica or 0
        marks[REPLICAS] = "↑" if now > was else "↓" if now < was else "Δ"
    return marks or NO_MARKS


def diff_rows(endpoints_before: Mapping[str, Endpoint], rows: Mapping[str, Row], endpoints: Sequence[Endpoint],
              *, complete: bool, cells: Cells) -> RowsDiff:
    """Apply ``endpoints`` to the table (``endpoints_before`` and its ``rows``, same keys).

    ``complete``: a full poll — rows not in ``endpoints`` are removed and the previous
    update's markers cleared. Otherwise (one endpoint an action returned) the other
    rows stay exactly as they were, markers included.
    """
    latest: dict[str, Endpoint] = {}
    new = dict(rows)
    changed: list[str] = []
    added: list[str] = []
    transitions: list[tuple[str, str, str]] = []
    repaint: list[str] = []
    for ep in endpoints:
        key = f"{ep.namespace}/{ep.name}"
        latest[key] = ep
        sig = signature(ep)
        old = rows.get(key)
        if old is None:
            new[key] = Row(cells(ep), sig)
            added.append(key)
        elif old.signature != sig:
            before = endpoints_before[key]
            text = cells(ep)
            new[key] = Row(text, sig, _marks(before, ep, old.cells, text))
            if before.raw_state != ep.raw_state:
                transitions.append((key, before.raw_state, ep.raw_state))
            changed.append(key)
            repaint.append(key)
        elif complete and old.marks:  # markers last one full poll
            new[key] = Row(old.cells, sig)
            repaint.append(key)
    removed: tuple[str, ...] = ()
    if complete:
        if added or len(latest) != len(rows):
            removed = tuple(k for k in rows if k not in latest)
            for k in removed:
                del new[k]
    else:
        latest = {**endpoints_before, **latest}
    result = UpdateResult(tuple(changed), tuple(added), removed, tuple(transitions))
    return RowsDiff(latest, new, result, tuple(repaint))


def reformat_rows(endpoints: Mapping[str, Endpoint], rows: Mapping[str, Row], cells: Cells) -> dict[str, Row]:
    """Every row's cells again (the prices arrived, or the name column changed); markers kept."""
    return {k: Row(cells(ep), signature(ep), rows[k].marks) for k, ep in endpoints.items()}
