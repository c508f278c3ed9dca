"""``ctrl+d``: delete an endpoint only after its name is typed back.

Cancel has the focus when the modal opens (Enter keeps the endpoint), but
typing goes to the name field; Enter there deletes only when the name
matches exactly; a wrong name says so and deletes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from hftui.keys import bindings_for
from hftui.screens.base import HFModal
from hftui.widgets.safe_text import one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import Endpoint


class DeleteEndpointScreen(HFModal[bool]):
    DEFAULT_CSS = """
    DeleteEndpointScreen { align: center middle; }
    DeleteEndpointScreen > Vertical {
        width: 70; max-width: 100%; height: auto; border: thick $error; background: $surface; padding: 0 1;
    }
    DeleteEndpointScreen .delete-body { margin: 1 0 0 0; height: auto; }
    DeleteEndpointScreen #delete-error { color: $error; height: auto; }
    DeleteEndpointScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    DeleteEndpointScreen Button { margin-left: 1; }
    """
    BINDINGS = bindings_for("DeleteEndpointScreen")

    def __init__(self, endpoint: Endpoint, *, effect: str | None = None) -> None:
        """``effect``: what deleting does to the bill ("stops billing $0.80/h")."""
        super().__init__()
        self.endpoint = endpoint
        self.effect = effect

    def compose(self) -> ComposeResult:
        ep = self.endpoint
        with Vertical() as box:
            box.border_title = safe_content(f"Delete {one_line(ep.key, 80)}")
            yield Static(
                f"This deletes the endpoint {one_line(ep.key, 80)} ({one_line(ep.repository or '-', 80)}) "
                f"and its URL{f'; it {self.effect}' if self.effect else ''}. It cannot be undone.\n"
                "Type the endpoint's name to confirm:",
                classes="delete-body", markup=False)
            yield Input(placeholder=f"type {one_line(ep.name, 64)}", id="delete-name", select_on_focus=False)
            yield Static("", id="delete-error", markup=False)
            with Horizontal():
                yield Button("Cancel", id="cancel", variant="primary")
                yield Button("Delete", id="delete", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_key(self, event) -> None:
        """A printable key while a button has the focus starts typing the name (not dropped)."""
        box = self.query_one("#delete-name", Input)
        char = event.character
        if self.focused is box or not char or not char.isprintable() or event.key in ("space", "enter"):
            return
        event.stop()
        event.prevent_default()
        box.focus()
        box.insert_text_at_cursor(char)

    def _matches(self) -> bool:
        return self.query_one("#delete-name", Input).value.strip() == self.endpoint.name

    def _try_delete(self) -> None:
        if self._matches():
            self.dismiss(True)
        else:
            self.query_one("#delete-error", Static).update(
                f"The name does not match “{one_line(self.endpoint.name, 64)}”: nothing was deleted.")
            self.query_one("#delete-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._try_delete()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "delete":
            self._try_delete()
        else:
            self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)
