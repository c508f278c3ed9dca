"""The ``:`` command line (k9s style): ``:ep acme``, ``:models bert``, ``:q``.

``parse(text)`` turns a line into a ``Command(name, arg)`` with aliases
resolved; ``CommandLine`` is a modal bar at the bottom of the screen (a hint
row over a one-row field) that returns the typed text (or None on Esc). The
app runs it (``HFTUIApp.run_command_line``), so every screen gets the same
commands.

Tab (or →) completes the command word and its argument: namespaces (from
whoami) after ``:ep``, model ids from the run history after ``:play`` and
``:models``; the hint row lists what else matches. ↑/↓ recall earlier lines
(``hftui.command_history``: the session's, and the understood ones of earlier
sessions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from textual import work
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from hftui.command_history import CommandHistory, Recall, default_path
from hftui.keys import bindings_for
from hftui.widgets.safe_text import one_line

if TYPE_CHECKING:
    from hftui.history import History

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


WORDS = ("ep", "models", "play", "history", "batch", "help", "q")
"""The app's command words as offered for completion (short forms; every alias still works)."""
ARGUMENT_OF = {"endpoints": "namespaces", "models": "models", "playground": "models"}
"""Which list completes the argument of a command."""
MAX_ARGUMENTS = 500


def complete(value: str, words: Sequence[str], arguments: Mapping[str, Sequence[str]]) -> list[str]:
    """Every whole line ``value`` can complete to, best first (command words: shortest first;
    arguments: in the order given).

    ``":m"`` -> ``[":models"]``; ``":ep de"`` -> ``[":ep demo-user", ":ep demo-org"]`` with
    ``arguments={"namespaces": [...]}``. What was typed is kept as typed, only the rest is added.
    """
    text = value.lstrip()
    colon = ":" if text.startswith(":") else ""
    body = text[len(colon):]
    word, space, arg = body.partition(" ")
    if not space:
        low = word.lower()
        found = [w for w in dict.fromkeys(x.lstrip(":") for x in words) if w.lower().startswith(low)]
        found.sort(key=len)
        return [f"{colon}{word}{w[len(word):]}" for w in found if len(w) > len(word)]
    canonical = ALIASES.get(word.lower(), word.lower())
    options = arguments.get(ARGUMENT_OF.get(canonical, ""), ())
    low = arg.lower()
    # in list order: the user's own namespace first, the newest model first
    found = [o for o in dict.fromkeys(options) if o.lower().startswith(low) and len(o) > len(arg)]
    return [f"{colon}{word} {arg}{o[len(arg):]}" for o in found]


class CommandSuggester(Suggester):
    """Textual's suggester API over ``complete``: the first completion shows dimmed after the cursor."""

    def __init__(self, words: Sequence[str], arguments: Mapping[str, Sequence[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)  # the argument lists fill in later
        self.words = list(words)
        self.arguments = arguments

    async def get_suggestion(self, value: str) -> str | None:
        found = complete(value, self.words, self.arguments)
        return found[0] if found else None


_HISTORIES: WeakKeyDictionary[App, CommandHistory] = WeakKeyDictionary()


def command_history(app: App) -> CommandHistory:
    """The app's command history (read from the data dir on first use)."""
    found = _HISTORIES.get(app)
    if found is None:
        found = _HISTORIES[app] = CommandHistory(default_path()).load()
    return found


class CommandInput(Input):
    """The field: tab completes, ↑/↓ recall earlier lines."""

    BINDINGS = bindings_for("CommandInput")

    def action_complete(self) -> None:
        self.screen.complete()  # type: ignore[attr-defined]

    def action_previous(self) -> None:
        self.screen.recall(-1)  # type: ignore[attr-defined]

    def action_next(self) -> None:
        self.screen.recall(1)  # type: ignore[attr-defined]


class CommandLine(ModalScreen[str | None]):
    """``:`` prompt docked at the bottom; Enter returns the text, Esc None."""

    DEFAULT_CSS = """
    CommandLine {
        align: left bottom;
        background: transparent;
    }
    CommandLine > #command-bar {
        dock: bottom;
        width: 1fr;
        height: 2;
        background: $panel;
    }
    CommandLine #command-hint {
        height: 1;
        width: 1fr;
        padding: 0 1;
        color: $text-muted;
        background: $panel;
    }
    CommandLine #command-input, CommandLine #command-input:focus {
        height: 1;
        width: 1fr;
        border: none;
        padding: 0 1;
        background: $boost;
        color: $foreground;
    }
    """
    BINDINGS = bindings_for("CommandLine")

    def __init__(self, suggestions: list[str] | None = None, *, arguments: Mapping[str, Sequence[str]] | None = None,
                 history: CommandHistory | None = None, runs: History | None = None) -> None:
        """``arguments``: completions by kind (``namespaces``); ``runs``: the run history, whose
        model ids complete ``:play`` and ``:models``."""
        super().__init__()
        self.words = list(dict.fromkeys([*WORDS, *(w.lstrip(":") for w in suggestions or [])]))
        self.arguments: dict[str, list[str]] = {k: list(v) for k, v in (arguments or {}).items()}
        self.arguments.setdefault("namespaces", ["*"])
        self._history = history
        self._runs = runs
        self._recall: Recall | None = None
        self._cycle: list[str] = []
        self._cycle_at = 0

    @property
    def history(self) -> CommandHistory:
        if self._history is None:
            self._history = command_history(self.app)
        return self._history

    def compose(self) -> ComposeResult:
        with Vertical(id="command-bar"):
            yield Static("", id="command-hint", markup=False)
            yield CommandInput(placeholder=":ep [ns] · :models [q] · :play [model] · :history · :q",
                               suggester=CommandSuggester(self.words, self.arguments), id="command-input",
                               compact=True, select_on_focus=False)

    def on_mount(self) -> None:
        inp = self.query_one(Input)
        inp.value = ":"
        inp.cursor_position = 1
        inp.focus()
        self._recall = Recall(self.history.lines)
        self._hint(":")
        if self._runs is not None:
            self._load_models(self._runs)

    @work(thread=True, exclusive=True, group="command-line-models", exit_on_error=False)
    def _load_models(self, history: History) -> None:
        """Model ids of past runs, newest first (the history file is read off the UI thread)."""
        from hftui.history import HistoryError

        try:
            runs = history.list(limit=MAX_ARGUMENTS)
        except (HistoryError, OSError):
            return
        ids = [one_line((r.get("target") or {}).get("model") or "", 200) for r in runs]
        found = [i for i in dict.fromkeys(ids) if i and " " not in i]
        self.app.call_from_thread(self._models_loaded, found)

    def _models_loaded(self, ids: list[str]) -> None:
        have = self.arguments.setdefault("models", [])
        have.extend(i for i in ids if i not in have)

    # --- typing -------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value not in self._cycle:
            self._cycle = []
        self._hint(event.value)

    def _hint(self, value: str) -> None:
        """What the line does, or what it can still become."""
        cmd = parse(value)
        if self._cycle and value in self._cycle:  # tab is going through the matches: show them all
            names = [c.strip().rsplit(" ", 1)[-1] if " " in c.strip() else c.strip() for c in self._cycle]
            current = self._cycle.index(value)
            text = "tab: " + "  ".join(f"[{n}]" if i == current else n for i, n in enumerate(names[:8]))
            self.query_one("#command-hint", Static).update(one_line(text, 400))
            return
        found = complete(value, self.words, self.arguments)
        if found and (cmd is None or " " not in value.strip()):
            text = "tab: " + "  ".join(f.strip() for f in found[:8]) + ("  …" if len(found) > 8 else "")
        elif found:
            text = "tab: " + "  ".join(f.rsplit(" ", 1)[-1] for f in found[:6]) + ("  …" if len(found) > 6 else "")
        elif cmd is not None and cmd.known:
            text = APP_COMMANDS.get(cmd.name, "")
        elif cmd is not None:
            text = "enter runs it · esc closes" if cmd.name in self.words else "no such command: :help lists them"
        else:
            text = "tab completes · ↑/↓ earlier commands · esc closes"
        self.query_one("#command-hint", Static).update(one_line(text, 400))

    def complete(self) -> None:
        """Tab: take the first completion; again cycles through the others."""
        inp = self.query_one(Input)
        if self._cycle and inp.value in self._cycle:
            self._cycle_at = (self._cycle_at + 1) % len(self._cycle)
        else:
            self._cycle = complete(inp.value, self.words, self.arguments)
            self._cycle_at = 0
            if not self._cycle:
                return
        inp.value = self._cycle[self._cycle_at]
        inp.cursor_position = len(inp.value)

    def recall(self, step: int) -> None:
        inp = self.query_one(Input)
        if self._recall is None:
            return
        inp.value = self._recall.previous(inp.value) if step < 0 else self._recall.next(inp.value)
        inp.cursor_position = len(inp.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        cmd = parse(event.value)
        if cmd is not None:
            understood = cmd.known or cmd.name in self.words
            self.history.add(event.value, persist=understood)
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
