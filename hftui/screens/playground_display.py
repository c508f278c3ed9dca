"""What the Playground's run session reports, shown on the Playground (a ``RunListener``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hftui.controllers.run_session import RunListener
from hftui.widgets.run_problem import RunProblem
from hftui.widgets.safe_text import one_line

if TYPE_CHECKING:
    from pathlib import Path

    from hftui.controllers.meter import StreamMeter
    from hftui.screens.playground import PlaygroundScreen
    from hftui.tasks import TaskSpec


class Display(RunListener):
    """What the run session reports, shown on the Playground."""

    def __init__(self, screen: PlaygroundScreen) -> None:
        self.screen = screen

    def status(self, text: str, state: str = "") -> None:
        self.screen.run_status.show(text, state)

    def problem(self, message: str | None) -> None:
        self.screen._show_error(message)

    def offer_wait(self) -> None:
        self.screen.query_one(RunProblem).offer_wait()

    def warning(self, text: str) -> None:
        self.screen.notify(one_line(text, 300), severity="warning", markup=False)

    def loading(self, seconds: float | None, *, waking: bool = False) -> None:
        if seconds is None:
            self.screen.run_status.stop_count_down()
        else:
            self.screen.run_status.count_down(seconds, waking=waking)

    def streaming(self, meter: StreamMeter | None) -> None:
        self.screen.run_status.follow(meter)

    def result(self, spec: TaskSpec, result: Any, values: dict, saved: Path | None) -> None:
        self.screen._show_result(spec, result, values, saved)

    def message_sent(self, spec: TaskSpec) -> None:
        # Emptied only if it still holds what was sent: the next message, typed while the reply streamed, stays.
        form = self.screen.form
        if form.values().get(spec.message_field) == self.screen._sent_message:
            form.set_value(spec.message_field, "")
