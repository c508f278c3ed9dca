"""Models screen (``1``): search the Hub, see who serves a model, open it in the Playground.

Network work runs in workers so typing never waits:
- ``models-search`` (exclusive): one search at a time; a newer query cancels
  the older one, and a generation counter drops any page that lands late;
- ``models-more`` (exclusive): the next page (Link header) when the table is
  scrolled near its end;
- ``models-detail`` (exclusive): model-info + model card of the focused row,
  cached per id, so moving the cursor quickly only fetches where it stops.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, Horizontal
from textual.timer import Timer
from textual.widgets import Checkbox, DataTable, Footer, Input, Select, Static

from hftui.client.models import ModelInfo
from hftui.keys import bindings_for
from hftui.screens.base import HFScreen
from hftui.widgets.header import AppHeader
from hftui.widgets.model_detail import ModelDetail
from hftui.widgets.model_table import ModelTable
from hftui.widgets.pickers import open_picker
from hftui.widgets.safe_text import one_line, safe_content

SEARCH_DEBOUNCE = 0.35
"""Seconds of quiet typing before a search is sent."""
DETAIL_DEBOUNCE = 0.12
"""Seconds the cursor rests on a row before its details are fetched."""
PAGE_SIZE = 50
DETAIL_CACHE = 64
"""Models whose info + card are kept in memory."""
NARROW = 140
"""Below this width the detail pane goes under the table instead of beside it."""

SORTS = (("trending", "trending"), ("downloads", "downloads"), ("likes", "likes"),
         ("recently updated", "lastModified"))

PIPELINE_TASKS = (
    "text-generation", "image-text-to-text", "text-classification", "token-classification", "fill-mask",
    "question-answering", "zero-shot-classification", "summarization", "translation", "text2text-generation",
    "feature-extraction", "sentence-similarity", "text-ranking", "table-question-answering",
    "text-to-image", "image-to-text", "image-classification", "object-detection", "image-segmentation",
    "image-to-image", "depth-estimation", "zero-shot-image-classification", "zero-shot-object-detection",
    "unconditional-image-generation", "mask-generation", "image-feature-extraction", "keypoint-detection",
    "image-to-video", "text-to-video", "video-classification", "video-text-to-text",
    "visual-question-answering", "document-question-answering", "visual-document-retrieval", "any-to-any",
    "automatic-speech-recognition", "audio-classification", "text-to-speech", "text-to-audio",
    "audio-to-audio", "audio-text-to-text", "voice-activity-detection", "tabular-classification",
    "tabular-regression", "time-series-forecasting", "reinforcement-learning", "robotics", "graph-ml",
    "image-to-3d", "text-to-3d", "other",
)
"""Every Hub pipeline tag, for the task filter."""


class SearchInput(Input):
    """The search box (Esc goes back to the table through the app's ``focus_main``)."""


class ModelsScreen(HFScreen[None]):
    """Hub search, serving status and model cards."""

    title_text = "Models"

    DEFAULT_CSS = """
    ModelsScreen #models-controls { height: 1; margin: 1 0 0 0; }
    ModelsScreen #models-search { width: 1fr; }
    ModelsScreen #models-task { width: 30; margin-left: 1; }
    ModelsScreen #models-sort { width: 22; margin-left: 1; }
    ModelsScreen.-narrow #models-controls { margin: 0; }
    ModelsScreen.-narrow #models-task { width: 22; }
    ModelsScreen.-narrow #models-sort { width: 20; }
    ModelsScreen #models-servable { width: auto; margin-left: 1; }
    ModelsScreen #models-body { height: 1fr; layout: horizontal; }
    ModelsScreen #models-table { width: 3fr; height: 1fr; border: round $primary 40%; }
    ModelsScreen #models-table:focus { border: round $primary; }
    ModelsScreen #models-detail { width: 2fr; height: 1fr; border: round $primary 40%; }
    ModelsScreen #models-detail:focus-within { border: round $primary; }
    ModelsScreen.-narrow #models-body { layout: vertical; }
    ModelsScreen.-narrow #models-table { width: 1fr; height: 1fr; }
    ModelsScreen.-narrow #models-detail { width: 1fr; height: 1fr; }
    ModelsScreen.-no-detail #models-detail { display: none; }
    ModelsScreen.-no-detail #models-table { width: 1fr; height: 1fr; }
    ModelsScreen #models-status { height: 1; padding: 0 1; color: $text-muted; }
    ModelsScreen #models-status.-error { color: $error; }
    ModelsScreen #models-status.-busy { color: $warning; }
    """

    BINDINGS = bindings_for("ModelsScreen")

    def __init__(self) -> None:
        super().__init__()
        self._generation = 0
        self._next_url: str | None = None
        self._loading_more = False
        self._search_timer: Timer | None = None
        self._detail_timer: Timer | None = None
        self._cache: OrderedDict[str, tuple[ModelInfo, str | None]] = OrderedDict()
        self._last_query: tuple | None = None
        self.searches = 0
        """Searches sent so far (tests check the debounce with it)."""
        self.searching = False
        """A search is waiting for its first page."""

    # -- layout -------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="models-controls"):
            yield SearchInput(placeholder="Search models (/)", id="models-search", compact=True)
            yield Select([(t, t) for t in PIPELINE_TASKS], prompt="any task", id="models-task", compact=True)
            yield Select(SORTS, value="trending", allow_blank=False, id="models-sort", compact=True)
            yield Checkbox("servable", id="models-servable", compact=True,
                           tooltip="Only models served now: warm on hf-inference, or a live Inference Provider (v)")
        with Container(id="models-body"):
            yield ModelTable(id="models-table")
            yield ModelDetail(id="models-detail")
        yield Static("", id="models-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#models-search", Input).tooltip = "Search model ids (debounced). Esc: back to the table"
        self.query_one("#models-task", Select).tooltip = "Filter by pipeline task"
        self.query_one("#models-sort", Select).tooltip = "Sort order (always descending)"
        self._apply_width(self.size.width)
        self._update_title(0)
        self.query_one(ModelTable).focus()
        self._start_search()

    def on_resize(self, event) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(0 < width < NARROW, "-narrow")

    def main_widget(self) -> ModelTable:
        """What Esc in a text field goes back to (used by the app)."""
        return self.query_one(ModelTable)

    # -- the query -----------------------------------------------------------------------------------------

    @property
    def query_state(self) -> tuple[str, str | None, str, bool]:
        """(search text, task or None, sort key, servable only)."""
        text = self.query_one("#models-search", Input).value.strip()
        task = self.query_one("#models-task", Select).value
        sort = self.query_one("#models-sort", Select).value
        servable = self.query_one("#models-servable", Checkbox).value
        return (text, task if isinstance(task, str) else None, sort if isinstance(sort, str) else "trending",
                servable)

    def set_search(self, text: str) -> None:
        """Search for ``text`` now (``:models <text>``)."""
        search = self.query_one("#models-search", Input)
        search.value = one_line(text, None)  # a pasted : line may carry controls; the field paints them
        self._start_search()

    def clear_filter(self) -> bool:
        """Esc on the table: the search text goes first, then the task filter; False when neither is set."""
        if self.query_one("#models-search", Input).value.strip():
            self.set_search("")
            return True
        task = self.query_one("#models-task", Select)
        if isinstance(task.value, str):
            task.clear()  # Changed -> a new search
            return True
        return False

    @on(Input.Changed, "#models-search")
    def _typed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE, self._start_search)

    @on(Input.Submitted, "#models-search")
    def _submitted(self) -> None:
        self._start_search()
        self.query_one(ModelTable).focus()

    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _filters_changed(self) -> None:
        if self.is_mounted:
            self._start_search()

    def _start_search(self, force: bool = False) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        query = self.query_state
        if query == self._last_query and not force:
            return
        self._last_query = query
        self._generation += 1
        self._next_url = None
        self._loading_more = False
        self.workers.cancel_group(self, "models-more")
        self.searching = True
        self._search(query, self._generation)

    def _status(self, text: str, kind: str = "") -> None:
        status = self.query_one("#models-status", Static)
        status.update(text)
        status.set_class(kind == "error", "-error")
        status.set_class(kind == "busy", "-busy")

    def _update_title(self, count: int | None = None) -> None:
        # The count is always read from the table: a count passed around can be stale.
        count = self.query_one(ModelTable).row_count
        text, task, sort, servable = self.query_state
        parts = [f"Models[{count}{'+' if self._next_url else ''}]"]
        if text:
            parts.append(f"</{one_line(text, 40)}>")
        if task:
            parts.append(task)
        parts.append(dict((v, k) for k, v in SORTS).get(sort, sort))
        if servable:
            parts.append("servable")
        self.query_one(ModelTable).border_title = safe_content(" ".join(parts))

    def _client(self):
        client = self.app.client
        if client is None:
            self._status("Not connected (log in first).", "error")
        return client

    @work(exclusive=True, group="models-search", exit_on_error=False, description="search models")
    async def _search(self, query: tuple, generation: int) -> None:
        from hftui.client import HFError

        client = self._client()
        if client is None:
            self.searching = False
            return
        text, task, sort, servable = query
        self.searches += 1
        self._status("Searching…", "busy")
        try:
            page = await client.hub.search_models(search=text or None, task=task, sort=sort, limit=PAGE_SIZE,
                                                  servable_only=servable)
        except HFError as exc:
            if generation == self._generation:
                self.searching = False
                self._status(f"Search failed: {one_line(exc.user_message(), 300)}", "error")
                self._last_query = None  # let the same query be retried
            return
        if generation != self._generation:
            return
        self.searching = False
        table = self.query_one(ModelTable)
        self._next_url = page.next_url
        table.set_models(page.models)
        self._update_title(table.row_count)
        self._status_counts()
        if not page.models:
            await self.query_one(ModelDetail).show_empty("No model matches this search.")

    def _status_counts(self) -> None:
        rows = self.query_one(ModelTable).row_count
        self._update_title()
        more = " · more load as you scroll" if self._next_url else ""
        self._status(f"{rows} model{'s' if rows != 1 else ''}{more}")

    @on(ModelTable.NearEnd)
    def _near_end(self) -> None:
        table = self.query_one(ModelTable)
        if not table.is_near_end():
            table.allow_next_page()
        elif self._next_url and not self._loading_more:
            self._loading_more = True
            self._more(self._next_url, self._generation)

    @work(exclusive=True, group="models-more", exit_on_error=False, description="next page of models")
    async def _more(self, url: str, generation: int) -> None:
        from hftui.client import HFError

        client = self._client()
        table = self.query_one(ModelTable)
        if client is None:
            return
        self._status(f"{table.row_count} models · loading more…", "busy")
        try:
            page = await client.hub.next_models(url)
        except HFError as exc:
            if generation == self._generation:
                self._loading_more = False
                table.allow_next_page()
                self._status(f"Could not load more: {one_line(exc.user_message(), 300)}", "error")
            return
        if generation != self._generation:
            return
        # An empty page ends the list even if it carries a next link (no endless empty fetches).
        self._next_url = page.next_url if page.models else None
        self._loading_more = False
        table.append_models(page.models)
        self._update_title(table.row_count)
        self._status_counts()
        table.allow_next_page()
        if self._next_url and table.is_near_end():  # the new rows still do not fill the view
            self._near_end()

    # -- detail ----------------------------------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#models-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is None or event.row_key.value is None:  # highlight cleared (table emptied)
            return
        info = self.query_one(ModelTable).models.get(str(event.row_key.value))
        if info is None:
            return
        if self._detail_timer is not None:
            self._detail_timer.stop()
        cached = self._cache.get(info.id)
        if cached is not None:
            self._cache.move_to_end(info.id)
            self._show_cached(info.id)
            return
        self.query_one(ModelDetail).show_loading(info)
        self._detail_timer = self.set_timer(DETAIL_DEBOUNCE, lambda: self._load_detail(info, False))

    def _show_cached(self, model_id: str) -> None:
        self.workers.cancel_group(self, "models-detail")
        info, card = self._cache[model_id]
        detail = self.query_one(ModelDetail)
        self.run_worker(detail.show(info, card if detail.model_id != model_id or not detail.card_loaded else None),
                        group="models-detail-render", exclusive=True, exit_on_error=False)

    @work(exclusive=True, group="models-detail", exit_on_error=False, description="model info and card")
    async def _load_detail(self, base: ModelInfo, refresh: bool) -> None:
        from hftui.client import HFError

        client = self._client()
        if client is None:
            return
        detail = self.query_one(ModelDetail)
        cached = self._cache.get(base.id)
        if refresh and cached is not None:
            self._status(f"Refreshing the status of {one_line(base.id, 80)}…", "busy")
            try:
                info = await client.hub.model_info(base.id)
            except HFError as exc:
                self._status(f"Status refresh failed: {one_line(exc.user_message(), 300)}", "error")
                return
            card = cached[1]
            self._remember(base.id, info, card)
            if detail.model_id == base.id:
                await detail.show(info, None)
            self.query_one(ModelTable).update_model(_with_id(info, base.id))
            self._status(f"Status of {one_line(base.id, 80)} refreshed.")
            return
        info_result, card_result = await asyncio.gather(
            client.hub.model_info(base.id), client.hub.model_card(base.id), return_exceptions=True)
        for result in (info_result, card_result):
            if isinstance(result, BaseException) and not isinstance(result, HFError):
                raise result  # cancellation and real bugs are not swallowed
        table = self.query_one(ModelTable)
        current = table.current
        still_here = current is None or current.id == base.id  # the cursor may have moved on meanwhile
        if isinstance(info_result, HFError):
            if still_here:
                await detail.show_error(base.id, info_result.user_message())
            return
        card = card_result if isinstance(card_result, str) else \
            f"*Could not load the model card: {one_line(card_result.user_message(), 300)}*"
        self._remember(base.id, info_result, card)
        table.update_model(_with_id(info_result, base.id))
        if still_here:
            await detail.show(info_result, card)

    def _remember(self, model_id: str, info: ModelInfo, card: str | None) -> None:
        self._cache[model_id] = (info, card)
        self._cache.move_to_end(model_id)
        while len(self._cache) > DETAIL_CACHE:
            self._cache.popitem(last=False)

    # -- actions -----------------------------------------------------------------------------------------------

    def _current(self) -> ModelInfo | None:
        table = self.query_one(ModelTable)
        base = table.current
        if base is None:
            return None
        cached = self._cache.get(base.id)
        return cached[0] if cached else base

    def action_focus_search(self) -> None:
        self.query_one("#models-search", Input).focus()

    def action_refresh_status(self) -> None:
        base = self.query_one(ModelTable).current
        if base is None:
            self.notify("No model selected.", severity="warning")
            return
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._load_detail(base, base.id in self._cache)

    def action_copy_id(self) -> None:
        info = self._current()
        if info is None:
            self.notify("No model selected.", severity="warning")
            return
        if self.app.copy_to_clipboard_osc52(info.id, single_line=True):
            self.notify(one_line(info.id, 120), title="Copied", markup=False)

    def action_toggle_detail(self) -> None:
        self.toggle_class("-no-detail")

    def action_toggle_servable(self) -> None:
        box = self.query_one("#models-servable", Checkbox)
        box.value = not box.value

    def action_pick_task(self) -> None:
        open_picker(self.query_one("#models-task", Select))

    def action_pick_sort(self) -> None:
        open_picker(self.query_one("#models-sort", Select))

    def action_cycle_sort(self) -> None:
        select = self.query_one("#models-sort", Select)
        keys = [v for _, v in SORTS]
        current = select.value if select.value in keys else "trending"
        select.value = keys[(keys.index(current) + 1) % len(keys)]

    def action_reload(self) -> None:
        self._start_search(force=True)

    @on(DataTable.RowSelected, "#models-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_playground()

    def action_open_playground(self) -> None:
        info = self._current()
        if info is None:
            return
        self.app.run_worker(self.app.open_playground(model=info, task=playground_task(info)),
                            group="open-playground", exit_on_error=False)


def playground_task(info: ModelInfo) -> str | None:
    """The task the Playground opens with: chat for conversational models, else the pipeline's nearest task."""
    from hftui.tasks import task_for_model

    return task_for_model(info)


def _with_id(info: ModelInfo, model_id: str) -> ModelInfo:
    """model-info follows renames; keep the row's id so the row is updated, not orphaned."""
    if info.id == model_id:
        return info
    from dataclasses import replace

    return replace(info, id=model_id)
