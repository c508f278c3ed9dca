"""A yes/no modal that says what an action will do (and cost) before it runs.

    app.push_screen(ConfirmScreen("Resume acme/x?", "…$0.80/h…", confirm="Resume"), callback)

The callback gets True only for ``y`` or the confirm button; Esc, ``n`` and
the Cancel button give False. Cancel has the focus when it opens, so a
stray Enter (typed ahead, or meant for the table) does nothing: Enter
presses the highlighted button, ``←``/``→``/Tab move between them. The
border says so. ``focus_cancel=False`` starts on the confirm button instead
(for questions where doing it is harmless).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from hftui.keys import bindings_for
from hftui.widgets.safe_text import clean, safe_content


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; max-width: 100%; height: auto; border: round $warning; background: $surface; padding: 0 1;
    }
    ConfirmScreen .confirm-body { margin: 1 0; height: auto; }
    ConfirmScreen Horizontal { height: auto; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 1; }
    """
    BINDINGS = bindings_for("ConfirmScreen")

    def __init__(self, title: str, body: str, *, confirm: str = "OK", variant: str = "primary",
                 focus_cancel: bool = True) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._confirm = confirm
        self._variant = variant
        self._focus_cancel = focus_cancel

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = safe_content(self._title, 120)
            box.border_subtitle = safe_content(f"y: {self._confirm} · n/esc: Cancel · ⏎: highlighted", 60)
            yield Static(clean(self._body, 2000), classes="confirm-body", markup=False)
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self._confirm, id="confirm", variant=self._variant)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.query_one("#cancel" if self._focus_cancel else "#confirm", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_switch_focus(self) -> None:
        self.focus_next(Button)
