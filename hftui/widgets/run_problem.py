"""RunProblem: the message beside the Playground's form when a run fails, with an offer to wait.

    problem.show(message)        # None hides it; the text is cleaned and cut
    problem.offer_wait()         # a 503 'model loading' refused: show "Wait for the model and run again"
    problem.text                 # what it says ("" when hidden)

The button posts ``RunProblem.WaitRequested``; the screen turns 'Wait for model' on and runs again.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Static

from hftui.widgets.safe_text import clean

MESSAGE_CHARS = 2000


class RunProblem(Vertical):
    DEFAULT_CSS = """
    RunProblem { color: $error; height: auto; display: none; padding: 0 1; border: round $error; }
    RunProblem.-shown { display: block; }
    RunProblem #problem-wait { display: none; margin-top: 1; }
    RunProblem.-can-wait #problem-wait { display: block; }
    """

    class WaitRequested(Message):
        """Run again, waiting for the model."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="problem-text")
        yield Button("Wait for the model and run again", id="problem-wait", compact=True)

    def show(self, message: str | None) -> None:
        self.text = clean(message or "", limit=MESSAGE_CHARS)
        self.query_one("#problem-text", Static).update(Text(self.text))
        self.set_class(bool(message), "-shown")
        self.remove_class("-can-wait")

    def offer_wait(self) -> None:
        self.add_class("-can-wait")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "problem-wait":
            event.stop()
            self.remove_class("-can-wait")
            self.post_message(self.WaitRequested())
