"""``?`` / f1: the keys of the current screen, with what they do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from hftui.keys import bindings_for
from hftui.screens.base import HFModal

if TYPE_CHECKING:
    from textual.binding import Binding


class HelpScreen(HFModal[None]):
    """Lists ``(keys, description, tooltip)`` rows; any of esc/q/?/f1 closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 120; height: 85%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    HelpScreen Grid { grid-size: 3; grid-rows: auto; grid-gutter: 0 2; height: auto; }
    HelpScreen Grid > Static { height: auto; }
    HelpScreen .help-key { color: $accent; text-style: bold; }
    HelpScreen .help-tip { color: $text-muted; }
    """
    BINDINGS = bindings_for("HelpScreen")

    def __init__(self, title: str, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._title = title
        self._rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = f"Keys — {self._title}"
            scroll.border_subtitle = "esc closes · ctrl+p: every command"
            if not self._rows:
                yield Static(Content("No keys here."))
                return
            # Three columns; a long explanation wraps inside its own column, not under the keys.
            width = max(len(k) for k, _, _ in self._rows)
            desc_width = max(len(d) for _, d, _ in self._rows)
            grid = Grid()
            grid.styles.grid_columns = f"{width} {desc_width} 1fr"
            with grid:
                for keys, desc, tip in self._rows:
                    yield Static(Content(keys), classes="help-key")
                    yield Static(Content(desc))
                    yield Static(Content(tip if tip and tip != desc else ""), classes="help-tip")

    def text(self) -> str:
        """Every row as plain text (tests)."""
        return "\n".join(f"{k}  {d}  {t}" for k, d, t in self._rows)

    def action_close(self) -> None:
        self.dismiss(None)


def rows_for(screen) -> list[tuple[str, str, str]]:
    """Active bindings of ``screen``: the screen's own first, then the app's, then the focused widget's.

    Bindings without an id (Textual's generic focus/copy keys) are left out.
    """
    app = screen.app
    by_action: dict[tuple[int, str], list] = {}
    groups: dict[int, list[tuple[int, str]]] = {0: [], 1: [], 2: []}
    for key, active in screen.active_bindings.items():
        b: Binding = active.binding
        if b.system or not b.id or not (b.description or b.tooltip):
            continue
        ident = (id(active.node), b.action)
        if ident not in by_action:
            by_action[ident] = [[], b]
            group = 0 if active.node is screen else 1 if active.node is app else 2
            groups[group].append(ident)
        by_action[ident][0].append(app.get_key_display(b) if b.key == key else key)
    rows = []
    for group in (0, 1, 2):
        for ident in groups[group]:
            keys, b = by_action[ident]
            rows.append((" ".join(dict.fromkeys(keys)), b.description or b.action, b.tooltip or ""))
    return rows
