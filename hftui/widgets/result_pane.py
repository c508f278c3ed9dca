"""ResultPane: the Playground's right side — status line, view tabs, and the run's output.

    pane = ResultPane(output, session)         # the StreamOutput transcript, the RunSession
    pane.streaming = spec.streams             # the transcript, or the one-shot ResultArea
    pane.view                                 # "output" | "tokens" | "raw" (the selected tab)

The Tokens and Raw tabs show ``RunDetails`` of the session's last run
(``show_details()`` again after each run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Tab, Tabs

from hftui.widgets.results import ResultArea
from hftui.widgets.run_details import RunDetails, raw_text, tokens_text
from hftui.widgets.run_status import RunStatus
from hftui.widgets.stream_output import StreamOutput

if TYPE_CHECKING:
    from hftui.controllers.run_session import RunSession

VIEWS = (("output", "Output"), ("tokens", "Tokens"), ("raw", "Raw"))


class ResultPane(Vertical):
    DEFAULT_CSS = """
    ResultPane #pg-views { height: 1; }
    ResultPane #pg-views Underline { display: none; }
    """

    def __init__(self, output: StreamOutput, session: RunSession, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._output = output
        self._session = session
        self._result = ResultArea(id="pg-result")
        self._details = RunDetails(id="pg-details")
        self._streaming = False
        self.view = "output"
        self._show()

    def compose(self) -> ComposeResult:
        yield RunStatus("Ready. ctrl+r runs.", id="pg-status")
        yield Tabs(*(Tab(label, id=f"view-{name}") for name, label in VIEWS), id="pg-views")
        yield self._result
        yield self._output
        yield self._details

    @property
    def streaming(self) -> bool:
        return self._streaming

    @streaming.setter
    def streaming(self, value: bool) -> None:
        self._streaming = value
        self._show()

    def _show(self) -> None:
        # One of the three is shown, by its display and not by a class on the pane: a class there
        # restyles all the pane holds (~40 ms on every task change).
        output = self.view == "output"
        self._result.display = output and not self._streaming
        self._output.display = output and self._streaming
        self._details.display = not output

    @on(Tabs.TabActivated, "#pg-views")
    def _tab(self, event: Tabs.TabActivated) -> None:
        event.stop()
        view = (event.tab.id or "view-output").removeprefix("view-")
        self.view = view
        self._show()
        self.show_details()

    def show_details(self) -> None:
        """Fill the Tokens / Raw view (when shown) from the last run."""
        if self.view == "tokens":
            self.details.show_text(tokens_text(self._session.last_result))
        elif self.view == "raw":
            self.details.show_text(raw_text(self._session.exchanges.last))

    def select(self, view: str) -> None:
        self.query_one("#pg-views", Tabs).active = f"view-{view}"

    @property
    def details(self) -> RunDetails:
        return self._details
