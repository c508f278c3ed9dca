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
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from hftui.client.models import ModelInfo
from hftui.clock import ago
from hftui.widgets.safe_text import one_line

NEAR_END_ROWS = 8
"""Ask for the next page when the cursor or the viewport is this close to the last row."""

COLUMNS = (("model", "Model"), ("task", "Task"), ("downloads", "DLs"), ("likes", "Likes"),
           ("serving", "Serving"), ("updated", "Age"))
FIXED_WIDTHS = {"downloads": 6, "likes": 5, "serving": 9, "updated": 5}
"""Cell widths of the short columns; the model id takes what is left (cut with …)."""


def compact_number(value: int | None) -> str:
    """``6766852`` -> ``6.8M``, ``12345`` -> ``12.3k``; ``-`` when unknown."""
    if value is None:
        return "-"
    for size, unit in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= size:
            text = f"{value / size:.1f}".removesuffix(".0")
            return text + unit
    return str(value)


def serving_status(info: ModelInfo) -> tuple[str, str]:
    """(label, level) for a model's serving status; level is success/warning/muted.

    The label carries a glyph and a word so colour is never the only signal.
    """
    live = len(info.live_providers)
    if info.warm:
        return (f"● warm {live}" if live else "● warm"), "success"
    if live:
        return f"◐ live {live}", "warning"
    if any(p.status == "error" for p in info.providers):
        return "✖ error", "error"
    return "○ cold", "muted"


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
    head = max(1, (width - 1) * 2 // 5)
    tail = width - 1 - head
    start = chop_cells(text, head)[0]
    end_chars = []
    used = 0
    for ch in reversed(text):
        w = cell_len(ch)
        if used + w > tail:
            break
        end_chars.append(ch)
        used += w
    return start + "…" + "".join(reversed(end_chars))


def _cell(text: str, style: str = "", justify: str = "left") -> Text:
    return Text(text, style=style, justify=justify, no_wrap=True, overflow="ellipsis", end="")


class ModelTable(DataTable):
    """Search results. Row key = model id."""

    DEFAULT_CSS = """
    ModelTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("enter", "select_cursor", "Playground", id="models.open",
                tooltip="Open the Playground on this model with its task selected"),
        # A row table has no columns to jump between: home/end go to the first/last row (and load more).
        Binding("end,G", "scroll_bottom", "Last row", id="models.last_row", show=False,
                tooltip="Go to the last loaded model (loads the next page)"),
        Binding("home,g", "scroll_top", "First row", id="models.first_row", show=False,
                tooltip="Go to the first model"),
    ]

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
        padding = 2 * self.cell_padding * len(COLUMNS)
        model_width = max(14, available - padding - task_width - sum(FIXED_WIDTHS.values()) - 1)
        for key, width in (("task", task_width), ("model", model_width)):
            column = self.columns[ColumnKey(key)]
            column.width, column.auto_width = width, False
        if model_width != self._model_width:
            self._model_width = model_width
            for model_id in self.models:  # ids are cut to the column: cut them again
                self.update_cell(model_id, "model", self._id_cell(model_id), update_width=False)
        self._require_update_dimensions = True  # DataTable recomputes its virtual size on the next refresh
        self.refresh()

    def _level_style(self, level: str) -> str:
        if level == "muted":
            return "dim"
        variables = self.app.theme_variables if self.is_attached else {}
        return f"bold {variables.get(level, '')}".strip()

    def _row(self, info: ModelInfo) -> list:
        label, level = serving_status(info)
        return [
            self._id_cell(info.id),
            _cell(one_line(info.pipeline_tag or "-", 40)),
            _cell(compact_number(info.downloads), justify="right"),
            _cell(compact_number(info.likes), justify="right"),
            _cell(label, style=self._level_style(level)),
            _cell(ago(info.last_modified), justify="right"),
        ]

    def _id_cell(self, model_id: str) -> Text:
        return _cell(middle_cut(one_line(model_id, 96), self._model_width))

    def set_models(self, models: Iterable[ModelInfo]) -> None:
        """Replace every row (a new search)."""
        self.clear()
        self.models = {}
        self._asked_at_rows = -1
        self.append_models(models)
        if self.row_count:
            self.move_cursor(row=0, animate=False)

    def append_models(self, models: Iterable[ModelInfo]) -> None:
        """Add a page of results; ids already shown are updated in place, not duplicated."""
        self._bulk = True  # no NearEnd while the page is going in row by row
        try:
            for info in models:
                if info.id in self.models:
                    self.update_model(info)
                    continue
                self.models[info.id] = info
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
