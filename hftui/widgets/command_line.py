"""The ``:`` command line (k9s style): ``:ep acme``, ``:models bert``, ``:q``.

``parse(text)`` turns a line into a ``Command(name, arg)`` with aliases
resolved; ``CommandLine`` is a one-line modal at the bottom of the screen
that returns the typed text (or None on Esc). The app runs it
(``HFTUIApp.run_command_line``), so every screen gets the same commands.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input

ALIASES = {
    "ep": "endpoints", "eps": "endpoints", "endpoint": "endpoints", "endpoints": "endpoints",
    "m": "models", "model": "models", "models": "models",
    "play": "playground", "playground": "playground", "pg": "playground",
    "history": "history", "hist": "history", "h": "history",
    "batch": "batch",
    "q": "quit", "quit": "quit", "q!": "quit", "exit": "quit",
    "help": "help",
}
"""Command words the app itself understands, alias -> canonical name."""

APP_COMMANDS = {
    "endpoints": "ep [namespace|*]  — Endpoints (optionally of a namespace, * = all)",
    "models": "models [search]  — search models",
    "playground": "play [model]  — open the playground (on a model)",
    "history": "history  — past runs",
    "batch": "batch  — batch run (on the focused endpoint)",
    "help": "help  — keys of this screen",
    "quit": "q  — quit",
}


@dataclass(frozen=True)
class Command:
    name: str
    """Canonical app command, or the word typed when it is not one (a screen action)."""
    arg: str | None = None
    known: bool = True


def parse(text: str) -> Command | None:
    """``":ep acme"`` -> ``Command("endpoints", "acme")``; None for an empty line."""
    text = text.strip()
    if text.startswith(":"):
        text = text[1:].strip()
    if not text:
        return None
    word, _, rest = text.partition(" ")
    arg = rest.strip() or None
    canonical = ALIASES.get(word.lower())
    if canonical:
        return Command(canonical, arg)
    return Command(word.lower().replace("-", "_"), arg, known=False)


class CommandLine(ModalScreen[str | None]):
    """``:`` prompt docked at the bottom; Enter returns the text, Esc None."""

    DEFAULT_CSS = """
    CommandLine {
        align: left bottom;
        background: transparent;
    }
    CommandLine > Input {
        dock: bottom;
        width: 1fr;
        height: 1;
        border: none;
        padding: 0 0;
        background: $panel;
    }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="command_line.cancel", tooltip="Close the command line"),
    ]

    def __init__(self, suggestions: list[str] | None = None) -> None:
        super().__init__()
        self._suggestions = suggestions or []

    def compose(self) -> ComposeResult:
        yield Input(placeholder=":ep [ns] · :models [q] · :play [model] · :history · :q",
                    suggester=SuggestFromList(self._suggestions, case_sensitive=False) if self._suggestions else None,
                    id="command-input")

    def on_mount(self) -> None:
        inp = self.query_one(Input)
        inp.value = ":"
        inp.cursor_position = 1
        inp.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
