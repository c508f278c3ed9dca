"""ModelTable: Hub search results, one row per model, keyed by model id.

Rows are appended page by page (``set_models`` / ``append_models``); when the
cursor or the scroll position comes near the last row the table posts
``ModelTable.NearEnd`` once per page so the screen can fetch the next one.
Every string from the Hub goes through ``safe_text`` helpers: ids and tags
are shown literally, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len, chop_cells
from rich.text import Text
from textual.message import Message
from textual.widgets.data_table import ColumnKey

from hftui.client.models import ModelInfo
from hftui.clock import ago
from hftui.keys import bindings_for
from hftui.widgets.lists import ListTable
from hftui.widgets.safe_text import one_line

NEAR_END_ROWS = 8
"""Ask for the next page when the cursor or the viewport is this close to the last row."""

COLUMNS = (("model", "Model"), ("task", "Task"), ("downloads", "DLs"), ("likes", "Likes"),
           ("serving", "Serving"), ("updated", "Age"))
FIXED_WIDTHS = {"downloads": 6, "likes": 5, "serving": 9, "updated": 5}
"""Cell widths of the short columns; the model id takes what is left (cut with …)."""
WIDE_SERVING = 15
"""The serving column on a wide table: ``● warm · 2 live``."""


def compact_number(value: int | None) -> str:
    """``6766852`` -> ``6.8M``, ``12345`` -> ``12.3k``; ``-`` when unknown."""
    if value is None:
        return "-"
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= size:
            text = f"{value / size:.1f}".removesuffix(".0")
            return text + unit
    return str(value)


def serving_status(info: ModelInfo, wide: bool = False) -> tuple[str, str]:
    """(label, level) for a model's serving status; level is success/warning/error/muted.

    The label carries a glyph and words so colour is never the only signal, and says what the
    number counts: ``● 2 live`` (narrow) / ``● warm · 2 live`` (wide) = warm, 2 live providers.
    """
    live = len(info.live_providers)
    if info.warm:
        if not live:
            return "● warm", "success"
        return (f"● warm · {live} live" if wide else f"● {live} live"), "success"
    if live:
        return (f"◐ cold · {live} live" if wide else "◐ cold"), "warning"
    if any(p.status == "error" for p in info.providers):
        return "✖ error", "error"
    return ("○ not served" if wide else "○ none"), "muted"


def serving_summary(info: ModelInfo) -> str:
    """One line saying what the serving status means, meaning first (a status line cut at its end
    keeps it): ``warm: served now by 2 live providers — meta-llama/Llama-3.1-8B (text-generation)``."""
    live = len(info.live_providers)
    providers = f"{live} live provider{'s' if live != 1 else ''}"
    if info.warm:
        what = f"warm: served now by {providers}" if live else "warm: served now"
    elif live:
        what = f"not warm: {providers}, loads on the first call"
    elif any(p.status == "error" for p in info.providers):
        what = "not served: its provider reports an error"
    else:
        what = "not served by any provider"
    task = f" ({one_line(info.pipeline_tag, 40)})" if info.pipeline_tag else ""
    return f"{what} — {one_line(info.id, 96)}{task}"


def middle_cut(text: str, width: int) -> str:
    """Shorten ``owner/name`` to ``width`` cells by cutting its middle, so the end of the name (where
    ``…-base-uncased`` and ``…-finetuned-sst-2-english`` differ) stays visible."""
    if width <= 0 or cell_len(text) <= width:
        return text
    if width < 4:
        return chop_cells(text, width)[0]
    owner, slash, name = text.partition("/")
    if slash and cell_len(name) + 4 <= width:
        # The whole name fits: shorten only the owner ("black-forest…/FLUX.1-dev").
        return chop_cells(owner, width - cell_len(name) - 2)[0] + "…/" + name
    return _cut_at(text, max(1, (width - 1) * 2 // 5), width)


def _cut_at(text: str, head: int, width: int) -> str:
    """``text`` as ``head`` cells, ``…``, and the last ``width - head - 1`` cells."""
    start = chop_cells(text, head)[0]
    tail = width - 1 - cell_len(start)
    end_chars: list[str] = []
    used = 0
    for ch in reversed(text):
        w = cell_len(ch)
        if used + w > tail:
            break
        end_chars.append(ch)
        used += w
    return start + "…" + "".join(reversed(end_chars))


def distinct_cuts(ids: Iterable[str], width: int) -> dict[str, str]:
    """Each id cut to ``width`` cells (``middle_cut``), with no two ids shown as the same string.

    Ids that ``middle_cut`` would show alike (``meta-llam…3-70B-Instruct`` for both
    ``meta-llama/Meta-Llama-3-70B-Instruct`` and ``meta-llama/Llama-3.3-70B-Instruct``) are cut
    elsewhere: the cut point moves, the least it can, until the head or the tail reaches the
    characters where they differ (``meta-llama/M…70B-Instruct`` / ``meta-llama/L…70B-Instruct``).
    """
    order = list(dict.fromkeys(ids))
    cuts = {i: middle_cut(i, width) for i in order}
    groups: dict[str, list[str]] = {}
    for model_id in order:
        groups.setdefault(cuts[model_id], []).append(model_id)
    clashing = [group for group in groups.values() if len(group) > 1]
    if not clashing or width < 4:
        return cuts
    taken = {cut for cut, group in groups.items() if len(group) == 1}
    default_head = max(1, (width - 1) * 2 // 5)
    heads = sorted(range(1, width - 1), key=lambda h: (abs(h - default_head), h))
    for group in clashing:
        for head in heads:  # one cut point for the whole group: the rows stay aligned
            shown = [_cut_at(i, head, width) for i in group]
            if len(set(shown)) == len(shown) and not taken.intersection(shown):
                break
        else:  # no common cut point tells them apart: each takes the nearest free one
            shown = []
            for model_id in group:
                pick = next((c for c in (_cut_at(model_id, h, width) for h in heads)
                             if c not in taken and c not in shown), cuts[model_id])
                shown.append(pick)
        for model_id, cut in zip(group, shown):
            cuts[model_id] = cut
        taken.update(shown)
    return cuts


def _cell(text: str, style: str = "", justify: str = "left") -> Text:
    return Text(text, style=style, justify=justify, no_wrap=True, overflow="ellipsis", end="")


class ModelTable(ListTable):
    """Search results. Row key = model id."""

    DEFAULT_CSS = """
    ModelTable { height: 1fr; }
    """

    BINDINGS = bindings_for("ModelTable")

    class NearEnd(Message):
        """The user scrolled (or moved the cursor) near the last loaded row."""

        def __init__(self, table: ModelTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> ModelTable:
            return self.table

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.models: dict[str, ModelInfo] = {}
        """The loaded models by id, in table order."""
        self._asked_at_rows = -1
        self._bulk = False
        self._model_width = 24
        self._wide = False
        self._cuts: dict[str, str] = {}
        """Shown text of each id: cut to the column, no two alike (``distinct_cuts``)."""

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key, width=FIXED_WIDTHS.get(key, 16))
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Share the width: fixed short columns, the task column by size, the id gets the rest."""
        if not self.columns:
            return
        # Leave room for the vertical scrollbar even before it shows, so no horizontal one ever appears.
        available = (self.scrollable_content_region.width or self.size.width) - 2
        task_width = 24 if available >= 110 else 18 if available >= 90 else 14
        wide = available >= 110
        serving_width = WIDE_SERVING if wide else FIXED_WIDTHS["serving"]
        padding = 2 * self.cell_padding * len(COLUMNS)
        fixed = sum(FIXED_WIDTHS.values()) - FIXED_WIDTHS["serving"] + serving_width
        model_width = max(14, available - padding - task_width - fixed - 1)
        for key, width in (("task", task_width), ("model", model_width), ("serving", serving_width)):
            column = self.columns[ColumnKey(key)]
            column.width, column.auto_width = width, False
        if wide != self._wide:
            self._wide = wide
            for info in self.models.values():
                self.update_cell(info.id, "serving", self._serving_cell(info), update_width=False)
        if model_width != self._model_width:
            self._model_width = model_width
            self._recut(list(self.models))  # ids are cut to the column: cut them again
        self._require_update_dimensions = True  # DataTable recomputes its virtual size on the next refresh
        self.refresh()

    def _level_style(self, level: str) -> str:
        if level == "muted":
            return "dim"
        variables = self.app.theme_variables if self.is_attached else {}
        return f"bold {variables.get(level, '')}".strip()

    def _row(self, info: ModelInfo) -> list:
        return [
            self._id_cell(info.id),
            _cell(one_line(info.pipeline_tag or "-", 40)),
            _cell(compact_number(info.downloads), justify="right"),
            _cell(compact_number(info.likes), justify="right"),
            self._serving_cell(info),
            _cell(ago(info.last_modified), justify="right"),
        ]

    def _serving_cell(self, info: ModelInfo) -> Text:
        label, level = serving_status(info, self._wide)
        return _cell(label, style=self._level_style(level))

    def _id_cell(self, model_id: str) -> Text:
        shown = self._cuts.get(model_id)
        return _cell(shown if shown is not None else middle_cut(one_line(model_id, 96), self._model_width))

    def _recut(self, shown_rows: list[str]) -> None:
        """Cut every id again (a page came in, or the width changed); rows in ``shown_rows`` whose
        text changes are updated (a new id can make an old one's cut ambiguous)."""
        clean = {model_id: one_line(model_id, 96) for model_id in self.models}
        by_clean = distinct_cuts(clean.values(), self._model_width)
        cuts = {model_id: by_clean[text] for model_id, text in clean.items()}
        old, self._cuts = self._cuts, cuts
        for model_id in shown_rows:
            if old.get(model_id) != cuts[model_id] or model_id not in old:
                self.update_cell(model_id, "model", self._id_cell(model_id), update_width=False)

    def set_models(self, models: Iterable[ModelInfo]) -> None:
        """Replace every row (a new search)."""
        self.clear()
        self.models = {}
        self._cuts = {}
        self._asked_at_rows = -1
        self.append_models(models)
        if self.row_count:
            self.move_cursor(row=0, animate=False)

    def append_models(self, models: Iterable[ModelInfo]) -> None:
        """Add a page of results; ids already shown are updated in place, not duplicated."""
        self._bulk = True  # no NearEnd while the page is going in row by row
        try:
            shown = list(self.models)
            new: dict[str, ModelInfo] = {}
            for info in models:
                if info.id in new:  # twice in one page: the later copy wins
                    new[info.id] = self.models[info.id] = info
                elif info.id in self.models:
                    self.update_model(info)
                else:
                    new[info.id] = self.models[info.id] = info
            self._recut(shown)
            for info in new.values():
                self.add_row(*self._row(info), key=info.id)
        finally:
            self._bulk = False

    def update_model(self, info: ModelInfo) -> None:
        """Refresh one row (e.g. after ``s`` re-read its serving status); keeps the cursor."""
        if info.id not in self.models:
            return
        self.models[info.id] = info
        for (key, _), value in zip(COLUMNS, self._row(info)):
            self.update_cell(info.id, key, value)

    @property
    def current(self) -> ModelInfo | None:
        """The model under the cursor."""
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - cursor outside the rows while they are replaced
            return None
        return self.models.get(str(key.value))

    def is_near_end(self) -> bool:
        """The cursor or the viewport is within ``NEAR_END_ROWS`` of the last row."""
        rows = self.row_count
        if not rows:
            return False
        near_cursor = self.cursor_row >= rows - NEAR_END_ROWS
        near_scroll = self.scroll_y + self.scrollable_content_region.height >= rows - NEAR_END_ROWS
        return near_cursor or near_scroll

    def _check_near_end(self) -> None:
        rows = self.row_count
        if self._bulk or not rows or self._asked_at_rows == rows:
            return
        if self.is_near_end():
            self._asked_at_rows = rows
            self.post_message(self.NearEnd(self))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._check_near_end()

    def watch_cursor_coordinate(self, old, new) -> None:
        super().watch_cursor_coordinate(old, new)
        self._check_near_end()

    def allow_next_page(self) -> None:
        """Re-arm NearEnd after a page failed to load (so scrolling retries)."""
        self._asked_at_rows = -1
