"""The Playground: pick a target and a task, fill the form generated from the
task spec, run, and see the result (streamed for text generation and chat).

The app and the other screens call ``set_target(target=None, *, task=None,
model=None, endpoint=None)`` and ``load_run(record)`` (a history record ->
target, task, form). A run is a ``hftui.controllers.run_session.RunSession``
run (errors, partial output, the conversation, image saving, the history
record); this screen validates the form, starts it in one exclusive worker
(Esc cancels it and keeps what arrived) and shows what the session reports.
Errors appear beside the form (the form keeps its input); a loading model
shows a countdown.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Select, TextArea

from hftui.client.errors import describe_error
from hftui.controllers.run_session import RunSession
from hftui.screens.base import HFScreen
from hftui.screens.playground_arrival import ArrivalMixin
from hftui.screens.playground_display import Display
from hftui.keys import bindings_for
from hftui.tasks import TaskSpec, all_specs, canonical_task, get_spec, task_for_model
from hftui.tasks.record import target_from_record
from hftui.widgets.results import ResultArea, view_of_run
from hftui.widgets.model_table import serving_summary
from hftui.widgets.removal import remove_for_good
from hftui.widgets.result_pane import ResultPane
from hftui.widgets.run_problem import RunProblem
from hftui.widgets.run_status import RunStatus
from hftui.widgets.safe_text import one_line
from hftui.widgets.stream_output import StreamOutput
from hftui.widgets.target_bar import TargetBar
from hftui.widgets.task_form import TaskForm

if TYPE_CHECKING:
    from pathlib import Path

    from hftui.client import Endpoint, ModelInfo, Target
    from hftui.history import History

log = logging.getLogger(__name__)

DEFAULT_TASK = "chat-completion"
DEFAULT_MODELS = {
    "chat-completion": "meta-llama/Llama-3.1-8B-Instruct",
}


class PlaygroundScreen(ArrivalMixin, HFScreen):
    """Run any task against a model, the router, an endpoint or a URL."""

    DEFAULT_CSS = """
    PlaygroundScreen { layout: vertical; }
    #pg-body { height: 1fr; }
    #pg-form-pane { width: 2fr; min-width: 30; max-width: 60; border-right: vkey $panel; padding: 0 1 0 0;
                    scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    #pg-result-pane { width: 3fr; }
    """

    BINDINGS = bindings_for("PlaygroundScreen")

    def __init__(self) -> None:
        super().__init__()
        self.spec: TaskSpec = get_spec(DEFAULT_TASK)
        self._output = StreamOutput(id="pg-stream")
        self.session = RunSession(self._output, Display(self), save=self._save_run)
        self._history: History | None = None
        self._pending: tuple | None = None
        self._worker = None
        self._form_serial = 0
        self._form: TaskForm | None = None
        """The current form (built in compose, replaced on a task change)."""
        self._focus_pending = False
        """Focus is on its way to the form's first field: the app holds keys meanwhile (``keys_ready``)."""
        self._sent_message: Any = None
        """The message field as the run now going sent it."""
        self._looking_up: str | None = None
        """The model whose info may still change the task (and so the form): the form is disabled."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_chat":
            return self.spec.conversational
        if action in ("history", "export_run") and isinstance(self.focused, (Input, TextArea)):
            return False  # in a text field h and x type (ctrl+x still exports)
        return True

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The model field is narrow at 80 columns: the bar repeats the whole target on a line of its own.
        yield TargetBar(model=DEFAULT_MODELS.get(DEFAULT_TASK, ""), tasks=[(s.title, s.task) for s in all_specs()],
                        task=self.spec.task, servers=tuple(self.app.settings.servers), id="pg-target-bar")
        with Horizontal(id="pg-body"):
            with VerticalScroll(id="pg-form-pane"):
                yield RunProblem(id="pg-form-error")
                # Kept, never queried: Textual's query cache would keep a replaced form alive.
                self._form = TaskForm(self.spec, id="pg-form")
                yield self._form
            yield ResultPane(self._output, self.session, id="pg-result-pane")
        yield Footer()

    def on_mount(self) -> None:
        from hftui.imaging import set_max_pixels

        set_max_pixels(self.app.settings.max_image_pixels)
        self._sync_result_pane()
        if self._pending is not None:
            args, kwargs = self._pending
            self._pending = None
            self.set_target(*args, **kwargs)

    def main_widget(self):
        """What Esc in a text field returns focus to (the app's focus_main)."""
        return self.query_one("#pg-stream" if self.spec.streams else "#pg-result")

    # --- widgets and state ----------------------------------------------------------------

    @property
    def form(self) -> TaskForm:
        """The current form (a replaced one may linger until its removal completes)."""
        return self._form if self._form is not None else self.query_one(TaskForm)

    @property
    def output(self) -> StreamOutput:
        return self._output

    @property
    def result_area(self) -> ResultArea:
        return self.query_one("#pg-result", ResultArea)

    @property
    def target_bar(self) -> TargetBar:
        return self.query_one(TargetBar)

    @property
    def run_status(self) -> RunStatus:
        return self.query_one("#pg-status", RunStatus)

    @property
    def status_history(self) -> list[str]:
        """Every status line shown (tests read the transient ones, like the countdown)."""
        return self.run_status.history

    @property
    def model_info(self) -> ModelInfo | None:
        """The model looked up for the target (its mask token, its live providers), if any."""
        return self.target_bar.model_info

    @model_info.setter
    def model_info(self, info: ModelInfo | None) -> None:
        self.target_bar.model_info = info

    @property
    def conversation(self) -> list:
        """Chat turns so far (ChatMessage), sent with the next message."""
        return self.session.conversation

    @property
    def last_record(self) -> dict | None:
        return self.session.last_record

    @property
    def last_run_id(self) -> Any:
        return self.session.last_run_id

    def _show_error(self, message: str | None) -> None:
        self.query_one(RunProblem).show(message)
        if message:
            self.query_one("#pg-form-pane").scroll_home(animate=False)

    @property
    def error_text(self) -> str:
        return self.query_one(RunProblem).text

    @on(RunProblem.WaitRequested)
    def _wait_and_run(self) -> None:
        self.form.set_value("wait_for_model", True)
        self.action_run()

    def _sync_result_pane(self) -> None:
        self.query_one(ResultPane).streaming = self.spec.streams

    # --- target and task -------------------------------------------------------------------

    def set_target(self, target: Target | None = None, *, task: str | None = None, model: ModelInfo | None = None,
                   endpoint: Endpoint | None = None) -> None:
        """Point the Playground at a model / endpoint / URL, optionally with a task."""
        if not self.is_mounted:
            self._pending = ((target,), {"task": task, "model": model, "endpoint": endpoint})
            return
        from hftui.client import Target

        if endpoint is not None:
            target = Target.for_endpoint(endpoint)
            task = task or endpoint.task
        if model is not None:
            self.model_info = model
            task = task or task_for_model(model)
            if target is None:
                name = canonical_task(task)
                routed = name is not None and get_spec(name).router
                target = Target.hf_model(model.id) if (model.hf_inference or not routed) else Target.router(model.id)
        elif target is not None and target.model and (self.model_info is None or self.model_info.id != target.model):
            self.model_info = None
        if target is not None and not self._apply_target(target):
            return
        if task:
            name = canonical_task(task)
            if name:
                self._select_task(name)
        if model is not None:
            self.target_bar.show_providers(model)
            self._refresh_form_for_model()
        elif target is not None and target.model and target.kind != "url":
            self._lookup_model(target.model, pick_task=not task)
        self._request_focus()  # typing right after :play goes to the form

    def _apply_target(self, target: Target) -> bool:
        """Show ``target``; False (and why, in the status line) for a URL that is not a plain http(s)
        URL: one from a server (an endpoint's status.url and route) or a history file is never shown
        or used then, and the target stays as it was."""
        if self.target_bar.apply(target):
            return True
        what = target.label or "this target"
        self.run_status.show(f"Not opened: the URL of {one_line(what, 80)} is not a valid http(s) URL "
                             "(it has spaces, control characters or escapes).", "error")
        return False

    def _select_task(self, task: str) -> None:
        self.target_bar.select_task(task)  # Changed -> _task_changed rebuilds the form
        if self.spec.task != task:
            self._rebuild_form(get_spec(task))

    def _rebuild_form(self, spec: TaskSpec, values: dict | None = None) -> None:
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()
        self.spec = spec
        self._form_serial += 1
        old = self.form
        focused = self.focused
        refocus = focused is None or old in focused.ancestors_with_self
        pane = self.query_one("#pg-form-pane")
        new = TaskForm(spec, values if values is not None else spec.defaults(self.model_info),
                       id=f"pg-form-{self._form_serial}")
        if focused is not None and refocus:
            # Else removing the focused field hands the focus to the form's scrolling pane, and
            # focusing and then leaving the pane restyles all it holds, twice (~70 ms). The keys
            # typed meanwhile wait for the new form's first field (_request_focus, below).
            self.set_focus(None)
        remove_for_good(old)
        self._form = new
        self._mount_form(pane, new)
        self._show_error(None)
        self.result_area.clear()
        if not spec.conversational:
            self.session.conversation = []
        self.output.clear()
        self._sync_result_pane()
        self.target_bar.fit_to(spec)
        self.refresh_bindings()  # ^n New chat is for conversational tasks only
        if refocus:
            self._request_focus()
        self.run_status.show(f"{spec.title}. ctrl+r runs.")

    def _refresh_form_for_model(self) -> None:
        """Examples with a mask token use the model's own (``TaskSpec.mask_fields``)."""
        info = self.model_info
        if info is None or not info.mask_token:
            return
        for name in self.spec.mask_fields:
            current = self.form.values().get(name, "")
            for other in ("[MASK]", "<mask>"):
                if other != info.mask_token and other in current:
                    self.form.set_value(name, current.replace(other, info.mask_token))

    @on(Select.Changed, "#task")
    def _task_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.select.value  # not event.value: a programmatic change may have superseded it
        if isinstance(value, str) and value != self.spec.task:
            self._rebuild_form(get_spec(value))

    @on(Input.Submitted, "#target-model")
    def _model_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if value and self.target_bar.kind in ("model", "router"):
            self._lookup_model(value, pick_task=True)

    def _lookup_model(self, model_id: str, pick_task: bool = True) -> None:
        if pick_task:  # at once: the keys typed from now on wait for the form of the model's task
            self._begin_lookup(model_id)
        self._lookup_worker(model_id, pick_task)

    @work(exclusive=True, group="playground-model-info", exit_on_error=False)
    async def _lookup_worker(self, model_id: str, pick_task: bool = True) -> None:
        client = self.app.client
        if client is None:
            self._end_lookup(model_id)
            return
        try:
            await self._look_up(client, model_id, pick_task)
        finally:
            self._end_lookup(model_id)

    async def _look_up(self, client, model_id: str, pick_task: bool) -> None:
        try:
            info = await client.hub.model_info(model_id)
        except Exception as exc:  # never a traceback on screen
            log.debug("model info failed", exc_info=True)
            self.run_status.show(f"Model info for {one_line(model_id, 80)}: {describe_error(exc)}", "error")
            return
        self.target_bar.show_providers(info)
        if pick_task:
            task = task_for_model(info)
            if task and task != self.spec.task:
                self._select_task(task)
        self._refresh_form_for_model()
        self.run_status.show(serving_summary(info))

    def build_target(self) -> Target:
        """The Target of the current selection; ValueError with a message when incomplete."""
        return self.target_bar.build_target(self.app.settings, self.spec.task)

    # --- running ---------------------------------------------------------------------------

    def action_run(self) -> None:
        if self._looking_up is not None:
            self.notify("Looking up the model first (its task decides the form).", severity="warning")
            return
        if self._worker is not None and self._worker.is_running:
            self.notify("A run is in progress (Esc cancels it).", severity="warning")
            return
        self._worker = self._run()

    async def run_now(self) -> None:
        """Run the form as it is, once it is fully built: History's re-run calls this right after
        ``load_run`` replaced the form (a run on a half-composed form fails on its missing fields)."""
        from textual.widget import AwaitMount

        form = self.form
        if not form.is_mounted:
            await AwaitMount(form, [form])
        self.action_run()

    @on(Button.Pressed, "#run")
    def _run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_run()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        # enter in a one-line field of the form runs the task
        if event.input.id and event.input.id.startswith("f-"):
            event.stop()
            self.action_run()

    def action_cancel(self) -> None:
        if self._worker is not None and self._worker.is_running:
            self._worker.cancel()
            return
        if isinstance(self.focused, (Input, TextArea)):
            self.app.action_focus_main()

    def action_new_chat(self) -> None:
        if self._worker is not None and self._worker.is_running:
            return
        self.session.new_chat()
        self.run_status.show("New conversation.")

    def action_copy_output(self) -> None:
        text = self.output.plain_text() if self.spec.streams else self._result_text()
        if not text.strip():
            self.notify("Nothing to copy yet.")
            return
        if self.app.copy_to_clipboard_osc52(text):
            self.notify("Output copied.")

    def _result_text(self) -> str:
        view = self.result_area.view
        return getattr(view, "summary", "") if view is not None else ""

    def action_export_run(self) -> None:
        self.action_export()

    def action_history(self) -> None:
        self.run_worker(self.app.switch_to("history"), exit_on_error=False, group="playground-history")

    def action_export(self) -> None:
        from hftui.screens.export import ExportScreen

        if not self.last_record:
            self.notify("Run something first.")
            return
        self.app.push_screen(ExportScreen(self.last_record))

    def _checked_run(self) -> tuple[TaskSpec, Target, dict] | None:
        """The form's typed values and the target, or None (the problems shown) when the run cannot go."""
        spec = self.spec
        form = self.form
        info = self.model_info
        if info is not None and info.id != self.target_bar.text:
            info = None  # the model id was edited since: its mask token etc. no longer apply
        values, errors = spec.parse(form.values(), info)
        form.show_errors(errors)
        if errors:
            self._show_error("Fix the highlighted fields: " + "; ".join(
                f"{spec.field(k).label}: {v}" for k, v in errors.items() if k in {f.name for f in spec.fields}))
            self.run_status.show("Not run: the form has errors.", "error")
            return None
        try:
            target = self.build_target()
        except ValueError as exc:
            self._show_error(str(exc))
            self.run_status.show("Not run: no target.", "error")
            return None
        return spec, target, values

    @work(exclusive=True, group="playground-run", exit_on_error=False, description="Playground run")
    async def _run(self) -> None:
        checked = self._checked_run()
        if checked is None:
            return
        client = self.app.client
        if client is None:
            self._show_error("Not connected (log in first).")
            return
        if checked[0].message_field:
            self._sent_message = self.form.values().get(checked[0].message_field)
        await self.session.run(client, *checked)
        self.query_one(ResultPane).show_details()

    def _show_result(self, spec: TaskSpec, result: Any, values: dict, saved: Path | None) -> None:
        from hftui.imaging import detect_protocol

        headless = self.app.is_headless
        protocol = detect_protocol("halfblock" if headless else self.app.settings.image_protocol, is_tty=not headless)
        self.result_area.show(view_of_run(spec.result_kind, result, values, saved, protocol=protocol))

    async def _save_run(self, record: dict) -> int:
        """In a thread with a short busy timeout: a locked history never freezes the screen."""
        from hftui.history import History, save_run

        if self._history is None:
            self._history = History.default()
        return await save_run(record, self._history)

    # --- history ------------------------------------------------------------------------------

    def load_run(self, run: dict) -> None:
        """Re-open a past run: its target, task and inputs/parameters fill the form (ctrl+r re-runs)."""
        if not self.is_mounted:
            self.call_after_refresh(self.load_run, run)
            return
        task = canonical_task(run.get("task"))
        if task is None:
            self.notify(f"Unknown task in that run: {one_line(run.get('task'), 60)}", severity="warning",
                        markup=False)
            return
        spec = get_spec(task)
        self.model_info = None
        target = target_from_record(run.get("target") or {})
        if not self._apply_target(target):
            return
        values = spec.values_from_record(run)
        history = values.pop("history", None) or []
        self.target_bar.select_task(task, quiet=True)
        self._rebuild_form(spec, values)
        self.session.restore(spec, values, history)
        when = one_line(run.get("created_at") or "", 40)
        self.run_status.show(f"Loaded the run of {when}. ctrl+r runs it again.")
        if target.model and target.kind != "url":
            self._lookup_model(target.model, pick_task=False)


__all__ = ["PlaygroundScreen"]
