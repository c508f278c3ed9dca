"""History screen (``h`` in the Playground, ``:history``): past runs, re-open, re-run, export.

The list is read again each time the screen is shown (the Playground adds
runs while it is hidden), in a worker thread: a history locked by another
process costs a short wait and a message, never a frozen screen. Everything
shown comes from runs, i.e. from servers, users and whatever is in the file:
cleaned and rendered as plain text, never as markup. A row that is not a
readable record is listed as "unreadable record #id" (it can be deleted).
"""

from __future__ import annotations

import json

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container, VerticalScroll
from textual.widgets import DataTable, Footer, Static

from hftui.history import History, HistoryError, is_truncated
from hftui.keys import bindings_for
from hftui.screens.base import HFScreen
from hftui.widgets.header import AppHeader
from hftui.widgets.lists import ListTable
from hftui.widgets.safe_text import clean, one_line, safe_markup

PREVIEW_CHARS = 6_000
COLUMN_WIDTHS = {"time": 11, "task": 20, "status": 11, "elapsed": 7}
LIST_LIMIT = 500


def _when(created_at: str) -> str:
    from hftui.client.models import parse_time

    moment = parse_time(created_at)
    if moment is None:
        return "-"
    return moment.strftime("%m-%d %H:%M")


def _elapsed(record: dict) -> str:
    value = (record.get("timings") or {}).get("elapsed")
    return f"{value:.2f}s" if isinstance(value, (int, float)) else "-"


def _target(record: dict) -> str:
    if record.get("unreadable"):
        return f"unreadable record #{record.get('id')}"
    t = record.get("target") or {}
    return t.get("label") or t.get("model") or t.get("url") or "-"


def _json(value, limit: int = PREVIEW_CHARS) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text if len(text) <= limit else text[:limit] + "\n…"


def preview_text(record: dict) -> Text:
    """The selected run as plain text (no markup interpretation)."""
    out = Text(end="")

    def section(title: str, body: str, style: str = "") -> None:
        out.append(one_line(title, 200) + "\n", style="bold")
        out.append(clean(body, PREVIEW_CHARS) + "\n\n", style=style)

    if record.get("unreadable"):
        out.append(one_line(f"Unreadable record #{record.get('id')}", 100) + "\n", style="bold")
        out.append(one_line(f"This history row cannot be read ({record['unreadable']}); it is skipped. "
                            "ctrl+d deletes it.", 400))
        return out
    t = record.get("target") or {}
    head = f"#{record.get('id')} · {record.get('task') or '?'} · {t.get('kind') or '?'} {_target(record)}"
    if t.get("provider"):
        head += f" (provider {t['provider']})"
    out.append(one_line(head, 300) + "\n", style="bold")
    timings = record.get("timings") or {}
    facts = [one_line(record.get("created_at") or "-", 40), f"elapsed {_elapsed(record)}"]
    if isinstance(timings.get("ttft"), (int, float)):
        facts.append(f"first token {timings['ttft']:.2f}s")
    if isinstance(timings.get("tokens"), int):
        facts.append(f"{timings['tokens']} tokens")
    out.append(" · ".join(facts) + "\n\n", style="dim")
    section("Inputs", _json(record.get("inputs") or {}))
    if record.get("parameters"):
        section("Parameters", _json(record.get("parameters")))
    if record.get("error"):
        section("Error", str(record["error"]), style="bold red")
    result = record.get("result")
    if result is not None:
        if is_truncated(result):
            section(f"Result (too big to keep: {result.get('chars')} chars; preview)", str(result.get("preview")))
        else:
            section("Result", result if isinstance(result, str) else _json(result))
    out.rstrip()
    return out


class HistoryScreen(HFScreen[None]):
    """The run history."""

    title_text = "History"

    DEFAULT_CSS = """
    HistoryScreen #history-body { layout: horizontal; height: 1fr; }
    HistoryScreen #history-table { width: 2fr; height: 1fr; border: round $primary 40%; }
    HistoryScreen #history-table:focus { border: round $primary; }
    HistoryScreen #history-preview { width: 1fr; height: 1fr; border: round $primary 40%; padding: 0 1; }
    HistoryScreen.-narrow #history-body { layout: vertical; }
    HistoryScreen.-narrow #history-table { width: 1fr; }
    HistoryScreen.-narrow #history-preview { width: 1fr; }
    HistoryScreen #history-status { height: 1; padding: 0 1; color: $text-muted; }
    HistoryScreen #history-status.-error { color: $error; }
    """

    BINDINGS = bindings_for("HistoryScreen")

    def __init__(self, history: History | None = None) -> None:
        super().__init__()
        self._history = history
        self.records: dict[int, dict] = {}
        """Runs shown, by id."""
        self.task_filter: str | None = None
        """Only runs of this task are listed (None: all)."""

    @property
    def history(self) -> History:
        return self._history if self._history is not None else self.app.history

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Container(id="history-body"):
            table = ListTable(id="history-table", cursor_type="row")
            table.border_title = "History"
            yield table
            with VerticalScroll(id="history-preview"):
                yield Static("", id="history-preview-text")
        yield Static("", id="history-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#history-table", DataTable)
        for key, label in (("time", "Time"), ("task", "Task"), ("target", "Target"), ("status", "Status"),
                           ("elapsed", "Elapsed")):
            table.add_column(label, key=key, width=COLUMN_WIDTHS.get(key, 20))
        self.set_class(self.size.width < 110, "-narrow")
        table.focus()
        self.reload()

    def on_resize(self, event) -> None:
        self.set_class(event.size.width < 110, "-narrow")
        self.call_after_refresh(self._fit_columns)

    def _fit_columns(self) -> None:
        """Fixed short columns; the target takes the rest (cut with …) so no column hides off-screen."""
        from textual.widgets.data_table import ColumnKey

        table = self.query_one("#history-table", DataTable)
        available = table.scrollable_content_region.width - 1
        fixed = sum(COLUMN_WIDTHS.values()) + 2 * table.cell_padding * len(table.columns)
        column = table.columns.get(ColumnKey("target"))
        if column is not None:
            column.width, column.auto_width = max(12, available - fixed), False
            table._require_update_dimensions = True  # DataTable recomputes its virtual size on refresh
            table.refresh()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload()

    def main_widget(self) -> DataTable:
        return self.query_one("#history-table", DataTable)

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#history-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    def reload(self) -> None:
        """Read the runs again (in a worker); keeps the cursor on the same run when it is still there."""
        self._load()

    @work(group="history-load", exclusive=True, exit_on_error=False, description="Read the run history")
    async def _load(self) -> None:
        try:
            records = await self.history.list_async(limit=LIST_LIMIT, task=self.task_filter)
        except HistoryError as exc:
            self._status(one_line(exc, 300), error=True)
            return
        self._show_records(records)

    def _show_records(self, records: list[dict]) -> None:
        table = self.query_one("#history-table", DataTable)
        current = self.current
        self.records = {r["id"]: r for r in records}
        table.clear()
        error_style = f"bold {self.app.theme_variables.get('error', 'red')}"
        ok_style = f"{self.app.theme_variables.get('success', 'green')}"
        statuses = {"error": ("✖ error", error_style),
                    "cancelled": ("◼ cancelled", self.app.theme_variables.get("warning", "yellow"))}
        for r in records:
            status, style = statuses.get(r.get("status"), ("✔ ok", ok_style))
            if r.get("unreadable"):
                status, style = "✖ bad", error_style
            table.add_row(
                Text(_when(r.get("created_at") or ""), no_wrap=True, overflow="ellipsis"),
                Text(one_line(r.get("task") or "-", 30), no_wrap=True, overflow="ellipsis"),
                Text(one_line(_target(r), 60), no_wrap=True, overflow="ellipsis"),
                Text(status, style=style),
                Text(_elapsed(r), justify="right"),
                key=str(r["id"]),
            )
        table.border_title = f"History[{len(records)}]" + (f" {safe_markup(self.task_filter, 40)}"
                                                            if self.task_filter else "")
        if current is not None and current["id"] in self.records:
            table.move_cursor(row=table.get_row_index(str(current["id"])), animate=False)
        self._preview()
        self._status(one_line(f"{len(records)} run{'s' if len(records) != 1 else ''} · {self.history.path}", 300)
                     if records else "No runs yet: run something in the Playground (2).")

    @property
    def current(self) -> dict | None:
        """The run under the cursor."""
        table = self.query_one("#history-table", DataTable)
        if not table.row_count:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - cursor outside rows while they are replaced
            return None
        return self.records.get(int(str(key.value)))

    def _preview(self) -> None:
        record = self.current
        text = preview_text(record) if record else Text("")
        self.query_one("#history-preview-text", Static).update(text)

    @on(DataTable.RowHighlighted, "#history-table")
    def _highlighted(self) -> None:
        self._preview()

    @on(DataTable.RowSelected, "#history-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_run()

    def _readable(self) -> dict | None:
        """The run under the cursor, or None (with a word when it is an unreadable row)."""
        record = self.current
        if record is not None and record.get("unreadable"):
            self.notify(f"Run #{record.get('id')} cannot be read; nothing to open or export (ctrl+d deletes it).",
                        severity="warning", markup=False)
            return None
        return record

    def action_back(self) -> None:
        """Esc: back to the screen the History was opened from."""
        self.run_worker(self.app.switch_to(self.app.previous_screen or "playground"), exit_on_error=False,
                        group="history-back")

    def action_open_run(self) -> None:
        record = self._readable()
        if record is not None:
            self._reopen(record, False, self.app.key_hold.hold(longest=5.0, typing_only=True))

    def action_rerun(self) -> None:
        record = self._readable()
        if record is not None:
            self._reopen(record, True, self.app.key_hold.hold(longest=5.0, typing_only=True))

    @work(group="history-open", exclusive=True, exit_on_error=False)
    async def _reopen(self, record: dict, run: bool, hold: object) -> None:
        """Switch to the Playground and hand it the run (and ask it to run again); keys typed from the
        key that asked for it wait for the Playground's form (``hftui.key_hold``)."""
        try:
            await self._reopen_now(record, run)
        finally:
            self.app.key_hold.release(hold)

    async def _reopen_now(self, record: dict, run: bool) -> None:
        from hftui.screens.playground import PlaygroundScreen

        screen = await self.app.switch_to("playground")
        if not isinstance(screen, PlaygroundScreen):  # not connected: switch_to said so
            return
        try:
            screen.load_run(record)
            if run:
                await screen.run_now()  # load_run has just replaced the form: run_now waits for the new one
        except Exception as exc:  # noqa: BLE001 - shown as a readable message
            self.app.show_error(exc)

    def action_export(self) -> None:
        from hftui.screens.export import ExportScreen

        if self.current is None:
            self.notify("No run selected.", severity="warning")
            return
        record = self._readable()
        if record is not None:
            self.app.push_screen(ExportScreen(record))

    def action_delete(self) -> None:
        from hftui.widgets.confirm import ConfirmScreen

        record = self.current
        if record is None:
            return

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self._delete(record["id"])

        self.app.push_screen(ConfirmScreen(f"Delete run #{record['id']}?",
                                           f"{record.get('task')} on {_target(record)} will be removed "
                                           "from the history.", confirm="Delete", variant="error",
                                           focus_cancel=True), done)

    @work(group="history-delete", exit_on_error=False, description="Delete a run")
    async def _delete(self, run_id: int) -> None:
        try:
            await self.history.delete_async(run_id)
        except HistoryError as exc:
            self._status(one_line(exc, 300), error=True)
            return
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    @work(group="history-cycle", exclusive=True, exit_on_error=False, description="Read the run tasks")
    async def action_cycle_task(self) -> None:
        try:
            runs = await self.history.list_async(limit=LIST_LIMIT)
        except HistoryError as exc:
            self._status(one_line(exc, 300), error=True)
            return
        tasks = sorted({r.get("task") or "" for r in runs} - {""})
        cycle = [None, *tasks]
        index = cycle.index(self.task_filter) if self.task_filter in cycle else 0
        self.task_filter = cycle[(index + 1) % len(cycle)]
        self.reload()
