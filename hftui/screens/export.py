"""Export modal: a history run as curl / httpx / huggingface_hub, copied (OSC 52) or saved.

    app.push_screen(ExportScreen(record))

The snippet on screen always shows ``$HF_TOKEN`` / ``os.environ["HF_TOKEN"]``:
when "include my token" is ticked, only the copied text or the saved file
carries the token, never the screen.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, RadioButton, RadioSet, Static, TextArea

from hftui.export import FORMATS, ExportError, export_run, save_snippet
from hftui.keys import bindings_for
from hftui.screens.base import HFModal
from hftui.widgets.safe_text import one_line, safe_markup

LABELS = {"curl": "curl", "httpx": "Python httpx", "huggingface_hub": "huggingface_hub"}


class ExportScreen(HFModal[None]):
    """Pick a format; copy or save it."""

    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical {
        width: 96; max-width: 100%; height: 90%; max-height: 40;
        border: round $primary; background: $surface; padding: 0 1;
    }
    ExportScreen #export-formats { layout: horizontal; height: auto; width: 1fr; border: none; padding: 0; }
    ExportScreen #export-formats > RadioButton { width: auto; margin-right: 2; }
    ExportScreen #export-code { height: 1fr; }
    ExportScreen #export-options { height: 1; margin-top: 1; }
    ExportScreen #export-token { width: 1fr; }
    ExportScreen #export-options Button { margin-left: 2; min-width: 7; }
    ExportScreen #export-status { height: auto; color: $text-muted; }
    ExportScreen #export-status.-error { color: $error; }
    """

    BINDINGS = bindings_for("ExportScreen")

    def __init__(self, record: dict, *, fmt: str = "curl") -> None:
        super().__init__()
        self.record = record
        self.fmt = fmt if fmt in FORMATS else "curl"
        """The chosen format."""
        self.snippets: dict[str, str] = {}
        """The snippets as shown (token as ``$HF_TOKEN``)."""
        self.saved_path = None
        """Where the last save went."""

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            run_id = self.record.get("id")
            box.border_title = (f"Export run #{safe_markup(run_id, 20)}" if run_id is not None
                                else "Export run (not in history)")
            box.border_subtitle = "←/→ format · c copy · ^s save · m my token · esc close"
            with RadioSet(id="export-formats"):
                for fmt in FORMATS:
                    yield RadioButton(LABELS[fmt], value=fmt == self.fmt, name=fmt)
            # Wrapped on screen only: the copied/saved text keeps its lines.
            yield TextArea("", id="export-code", read_only=True, show_line_numbers=False, soft_wrap=True)
            yield Static("", id="export-status", markup=False)
            with Horizontal(id="export-options"):
                yield Checkbox("include my token (copy/file only)", id="export-token", compact=True,
                               tooltip="Off: the snippet reads $HF_TOKEN. On: the token is written in clear")
                yield Button("Copy", id="export-copy", variant="primary", compact=True,
                             tooltip="OSC 52 copy (works over SSH)")
                yield Button("Save", id="export-save", compact=True, tooltip="Write the snippet under the data dir")
                yield Button("Close", id="export-close", compact=True)

    def on_mount(self) -> None:
        try:
            self.snippets = export_run(self.record, settings=self.app.settings)
        except ExportError as exc:
            self._status(str(exc), error=True)
            self.snippets = {fmt: f"# {one_line(exc, 300)}\n" for fmt in FORMATS}
        self._show()
        self.query_one("#export-copy", Button).focus()

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#export-status", Static)
        status.update(one_line(text, 400))
        status.set_class(error, "-error")

    def _show(self) -> None:
        self.query_one("#export-code", TextArea).load_text(self.snippets.get(self.fmt, ""))

    @on(RadioSet.Changed, "#export-formats")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        self.fmt = event.pressed.name or "curl"
        self._show()

    def action_cycle(self, step: int) -> None:
        index = (FORMATS.index(self.fmt) + step) % len(FORMATS)
        buttons = list(self.query(RadioButton))
        buttons[index].value = True

    def _final_text(self) -> str | None:
        """The snippet to hand out: with the token only when asked (and known)."""
        if not self.query_one("#export-token", Checkbox).value:
            return self.snippets.get(self.fmt)
        token = self.app.token
        if token is None:
            self._status("No token is known to this session; the snippet keeps $HF_TOKEN.", error=True)
            return self.snippets.get(self.fmt)
        try:
            return export_run(self.record, settings=self.app.settings, include_token=True, token=token)[self.fmt]
        except ExportError as exc:
            self._status(str(exc), error=True)
            return None

    def action_copy(self) -> None:
        text = self._final_text()
        asked = self.query_one("#export-token", Checkbox).value  # the token was ticked: it may be copied
        if text and self.app.copy_to_clipboard_osc52(text, token_ok=asked):
            self._status(f"{LABELS[self.fmt]} snippet copied to the clipboard.")

    def action_save(self) -> None:
        text = self._final_text()
        if not text:
            return
        try:
            self.saved_path = save_snippet(text, self.fmt, self.record)
        except OSError as exc:
            self._status(f"Could not save: {one_line(exc, 300)}", error=True)
            return
        self._status(f"Saved to {self.saved_path}")

    def action_toggle_token(self) -> None:
        box = self.query_one("#export-token", Checkbox)
        box.value = not box.value

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"export-copy": self.action_copy, "export-save": self.action_save,
         "export-close": self.action_close}.get(event.button.id or "", lambda: None)()

