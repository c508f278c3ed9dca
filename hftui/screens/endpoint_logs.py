"""``l``: an endpoint's logs, scrollable, following the tail (re-fetched on a timer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.widgets import Footer, Static

from hftui.keys import bindings_for
from hftui.screens.base import HFScreen
from hftui.widgets.header import AppHeader
from hftui.widgets.log_view import LogView
from hftui.widgets.safe_text import one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import Endpoint

TAIL = 50_000
"""Lines asked for on each fetch."""


class LogsScreen(HFScreen[None]):
    title_text = "Logs"
    DEFAULT_CSS = """
    LogsScreen LogView { height: 1fr; border: round $primary-muted; }
    LogsScreen LogView:focus { border: round $primary; }
    """
    BINDINGS = bindings_for("LogsScreen")

    def __init__(self, endpoint: Endpoint, *, interval: float = 5.0, poll_logs: bool = True) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.interval = interval
        self.poll_logs = poll_logs
        self.fetches = 0

    def compose(self) -> ComposeResult:
        yield AppHeader()
        log = LogView(id="log")
        log.border_title = safe_content(f"Logs {one_line(self.endpoint.key, 80)}")
        yield log
        yield Static("Loading logs…", id="status-line", markup=False)
        yield Footer()

    def main_widget(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self.query_one(LogView).focus()
        self._fetch()
        if self.poll_logs:
            self.set_interval(self.interval, self._fetch, name="logs-refresh")

    @work(exclusive=True, group="logs", exit_on_error=False, description="fetch logs")
    async def _fetch(self) -> None:
        ep = self.endpoint
        status = self.query_one("#status-line", Static)
        try:
            text = await self.app.client.endpoints.logs(ep.namespace, ep.name, tail=TAIL)
        except Exception as exc:
            from hftui.client import HFError

            msg = exc.user_message() if isinstance(exc, HFError) else f"{type(exc).__name__}: {exc}"
            status.update(f"⚠ {one_line(msg, 300)}")
            status.add_class("-error")
            return
        status.remove_class("-error")
        log = self.query_one(LogView)
        log.set_text(text)
        self.fetches += 1
        self._show_status()

    def _show_status(self) -> None:
        log = self.query_one(LogView)
        follow = "following new lines" if log.auto_scroll else "not following (F follows)"
        wrap = "long lines wrapped (w: one row each)" if log.wrap else "one row per line (w wraps)"
        self.query_one("#status-line", Static).update(f"{log.entries:,} lines · {follow} · {wrap}")

    def action_reload(self) -> None:
        self._fetch()

    def action_toggle_follow(self) -> None:
        log = self.query_one(LogView)
        log.auto_scroll = not log.auto_scroll
        if log.auto_scroll:
            log.scroll_end(animate=False)
        self._show_status()

    def action_toggle_wrap(self) -> None:
        log = self.query_one(LogView)
        log.wrap = not log.wrap
        self._show_status()

    def action_close(self) -> None:
        self.dismiss(None)
