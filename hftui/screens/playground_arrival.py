"""Where keys go when the Playground is entered or its form is replaced (issue 11, points 1 and 13).

On arrival (``2``, ``:play``, Enter on a model, ``i`` on an endpoint, a History re-open) the
focus goes to the form's first field at once, and the app holds the keys typed until it is
there (``hftui.key_hold``): a word typed right after the switch lands in the form, never on a
shortcut. While ``:play <model>`` looks the model up, its task may replace the form: the old
form is hidden and the Run button disabled at once (the status line says what is looked up),
and the keys wait for the new form.
"""

from __future__ import annotations

from textual.widgets import Button, TextArea

from hftui.key_hold import is_text_field
from hftui.widgets.safe_text import one_line


class ArrivalMixin:
    """Focus on arrival and the model lookup state of ``PlaygroundScreen`` (its attributes
    ``_focus_pending`` and ``_looking_up``; ``form`` and ``run_status``)."""

    _focus_pending: bool
    _looking_up: str | None

    def keys_ready(self) -> bool:
        """False while keys typed now would land before their field: the app holds them (``hftui.key_hold``)."""
        return not self._focus_pending and self._looking_up is None

    def on_arrival(self) -> None:
        """Shown by a switch (``2``, ``:play``, History...): typing goes to the form's first field."""
        if not is_text_field(self.focused):
            self._request_focus()

    def _request_focus(self) -> None:
        """Focus the form's first field now if it is built, else as soon as it is; keys wait for it."""
        self._focus_pending = True
        self.app.key_hold.hold(self.keys_ready, typing_only=True)
        self._focus_form()

    def _focus_form(self, tries: int = 10) -> None:
        if not self.is_mounted:
            self._focus_pending = False
            return
        if self._looking_up is not None:
            return  # the lookup's end asks again (its task may replace the form)
        widget = self.form.first_field()
        if widget is None:
            if tries:
                self.call_after_refresh(self._focus_form, tries - 1)  # a new form is still composing
                return
        else:
            self.set_focus(widget)  # at once (Widget.focus waits a turn: keys queued before it would miss)
            if isinstance(widget, TextArea):
                widget.select_all()  # the example is replaced by what is typed (Input does it on focus)
        self._focus_pending = False

    def _begin_lookup(self, model_id: str) -> None:
        """The model's task may replace the form: the old one is unusable at once, keys wait for the new."""
        self._looking_up = model_id
        # Hidden, not disabled: disabling restyles every field of the form (~0.5 s for a big one).
        self.form.display = False
        self.query_one("#run", Button).disabled = True
        self.run_status.show(f"Looking up {one_line(model_id, 80)}…", "running")
        self.app.key_hold.hold(self.keys_ready, typing_only=True, longest=5.0)

    def _end_lookup(self, model_id: str) -> None:
        if self._looking_up != model_id or not self.is_mounted:
            return
        self._looking_up = None
        self.form.display = True
        self.query_one("#run", Button).disabled = False
        self._request_focus()

