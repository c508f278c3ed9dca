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
    ResultPane #pg-stream { display: none; }
    ResultPane.-streaming #pg-stream { display: block; }
    ResultPane.-streaming #pg-result { display: none; }
    ResultPane #pg-details { display: none; }
    ResultPane.-details #pg-details { display: block; }
    ResultPane.-details #pg-result, ResultPane.-details #pg-stream { display: none; }
    """

    def __init__(self, output: StreamOutput, session: RunSession, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._output = output
        self._session = session
        self.view = "output"

    def compose(self) -> ComposeResult:
        yield RunStatus("Ready. ctrl+r runs.", id="pg-status")
        yield Tabs(*(Tab(label, id=f"view-{name}") for name, label in VIEWS), id="pg-views")
        yield ResultArea(id="pg-result")
        yield self._output
        yield RunDetails(id="pg-details")

    @property
    def streaming(self) -> bool:
        return self.has_class("-streaming")

    @streaming.setter
    def streaming(self, value: bool) -> None:
        self.set_class(value, "-streaming")

    @on(Tabs.TabActivated, "#pg-views")
    def _tab(self, event: Tabs.TabActivated) -> None:
        event.stop()
        view = (event.tab.id or "view-output").removeprefix("view-")
        self.view = view
        self.set_class(view != "output", "-details")
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
        return self.query_one(RunDetails)
