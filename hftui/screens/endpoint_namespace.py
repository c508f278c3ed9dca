"""``n`` on the Endpoints screen: pick the user, an org, or all namespaces."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from hftui.keys import bindings_for
from hftui.screens.base import HFModal
from hftui.widgets.lists import ListOptions
from hftui.widgets.safe_text import one_line, safe_content

ALL = "*"


class NamespaceScreen(HFModal[str | None]):
    DEFAULT_CSS = """
    NamespaceScreen { align: center middle; }
    NamespaceScreen > OptionList { width: 50; max-width: 100%; height: auto; max-height: 80%;
                                   border: round $primary; background: $surface; }
    """
    BINDINGS = bindings_for("NamespaceScreen")

    def __init__(self, namespaces: list[str], current: str) -> None:
        super().__init__()
        self._namespaces = list(dict.fromkeys(namespaces))
        self._current = current

    def compose(self) -> ComposeResult:
        options = []
        for i, name in enumerate(self._namespaces):
            label = one_line(name, 60) + ("  (you)" if i == 0 else "")
            options.append(Option(safe_content(label), id=name))
        options.append(Option("* all namespaces", id=ALL))
        box = ListOptions(*options, id="namespaces")
        box.border_title = "Namespace"
        yield box

    def on_mount(self) -> None:
        box = self.query_one(OptionList)
        try:
            box.highlighted = box.get_option_index(self._current)
        except Exception:
            box.highlighted = 0
        box.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
