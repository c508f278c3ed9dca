"""Where keys go when the Playground is entered or its form is replaced (issue 11, points 1 and 13).

On arrival (``2``, ``:play``, Enter on a model, ``i`` on an endpoint, a History re-open) the
focus goes to the form's first field at once, and the app holds the keys typed until it is
there (``hftui.key_hold``): a word typed right after the switch lands in the form, never on a
shortcut. While ``:play <model>`` looks the model up, its task may replace the form: the old
form is hidden and the Run button disabled at once (the status line says what is looked up),
and the keys wait for the new form.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import work
from textual.widgets import Button, TextArea

from hftui.key_hold import is_text_field
from hftui.widgets.safe_text import one_line

if TYPE_CHECKING:
    from textual.widget import AwaitMount, Widget

    from hftui.widgets.task_form import TaskForm

FORM_MOUNT_LONGEST = 2.0
"""Seconds the screen's painting may wait for a new form to mount (it takes ~0.1–0.3 s)."""


class ArrivalMixin:
    """Focus on arrival and the model lookup state of ``PlaygroundScreen`` (its attributes
    ``_focus_pending`` and ``_looking_up``; ``form`` and ``run_status``)."""

    _focus_pending: bool
    _looking_up: str | None
    _form_mounting: TaskForm | None = None
    """A new form on its way into the screen: its first field is focused when it is all there."""
    _form_mount: AwaitMount | None = None

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
            if self._form_mounting is not None:
                return  # the end of its mount asks again
            if tries:
                self.call_after_refresh(self._focus_form, tries - 1)  # a new form is still composing
                return
        else:
            self.set_focus(widget)  # at once (Widget.focus waits a turn: keys queued before it would miss)
            if isinstance(widget, TextArea):
                widget.select_all()  # the example is replaced by what is typed (Input does it on focus)
        self._focus_pending = False

    def _mount_form(self, pane: Widget, form: TaskForm) -> None:
        """Mount a new form, the screen painted once it is all there (then its first field is
        focused, if that is due). Painted as it came, a big form was laid out and drawn three or
        four times half built."""
        self._form_mounting = form
        self._form_mount = pane.mount(form)
        self._paint_when_mounted()

    @work(group="pg-form-mount", exit_on_error=False)
    async def _paint_when_mounted(self) -> None:
        # Not given the form as an argument: a worker outlives its work (timers started in its
        # context keep it), and with it every form it was given.
        form, mounting = self._form_mounting, self._form_mount
        self._form_mount = None
        if form is None or mounting is None:
            return
        with self.app.batch_update():
            try:
                await asyncio.wait_for(mounting(), FORM_MOUNT_LONGEST)
            except asyncio.TimeoutError:
                pass  # painted as it comes from now on
            finally:  # focused within the batch: one paint shows the form and its focus
                if self._form_mounting is form:
                    self._form_mounting = None
                    if self._focus_pending:
                        self._focus_form()

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

