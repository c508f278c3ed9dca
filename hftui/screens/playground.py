"""The Playground: pick a target and a task, fill the form generated from the
task spec, run, and see the result (streamed for text generation and chat).

CONTRACT (the app and the other screens call these):

    PlaygroundScreen()                               # no-arg constructor
    screen.set_target(target=None, *, task=None, model=None, endpoint=None)
    screen.load_run(run: dict)                       # a history record -> target, task, form
    PlaygroundScreen.RunFinished(record, run_id)     # posted after each run is saved

Every run is saved with ``app.history_add(record)`` when the app has that
hook, else ``hftui.history.save_run(record)`` (in a thread: a locked history
never freezes the screen; see ``hftui.tasks.record`` for the record's shape).

Network calls run in one exclusive worker; Esc cancels it and keeps what
arrived. Errors appear beside the form (the form keeps its input); a loading
model shows a countdown; 429 says when to retry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Select, Static, TextArea

from hftui.keys import bindings_for
from hftui.tasks import TaskSpec, all_specs, canonical_task, get_spec, task_for_model
from hftui.tasks.generation import StreamedGeneration
from hftui.tasks.record import make_run_record, target_from_record
from hftui.widgets.results import ResultArea, build_result_view
from hftui.widgets.safe_text import clean, one_line, safe_content
from hftui.widgets.stream_output import StreamMeter, StreamOutput
from hftui.widgets.task_form import TaskForm

if TYPE_CHECKING:
    from hftui.client import Endpoint, ModelInfo, Target

log = logging.getLogger(__name__)

KINDS = [("hf-inference", "model"), ("router (chat)", "router"), ("URL / endpoint", "url")]
AUTO_PROVIDER = "auto"
DEFAULT_TASK = "chat-completion"
DEFAULT_MODELS = {
    "chat-completion": "meta-llama/Llama-3.1-8B-Instruct",
}


class PlaygroundScreen(Screen):
    """Run any task against a model, the router, an endpoint or a URL."""

    DEFAULT_CSS = """
    PlaygroundScreen { layout: vertical; }
    #pg-target { height: 1; width: 1fr; }
    #pg-target-line { height: 1; padding: 0 1; color: $text-muted; }
    #pg-target > #target-kind { width: 18; }
    #pg-target > #provider { width: 16; }
    #pg-target > #task { width: 28; }
    #pg-target > #target-model { width: 1fr; margin: 0 1; }
    #pg-target > Button { min-width: 7; width: 7; margin-left: 1; }
    #pg-body { height: 1fr; }
    #pg-form-pane { width: 2fr; min-width: 30; max-width: 60; border-right: vkey $panel; padding: 0 1 0 0;
                    scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    #pg-form-error { color: $error; height: auto; display: none; padding: 0 1; border: round $error; }
    #pg-form-error.-shown { display: block; }
    #pg-result-pane { width: 3fr; }
    #pg-status { height: 1; padding: 0 1; color: $text-muted; background: $boost; }
    #pg-status.-running { color: $warning; }
    #pg-status.-error { color: $error; }
    #pg-status.-ok { color: $success; }
    #pg-stream { display: none; }
    #pg-result-pane.-streaming #pg-stream { display: block; }
    #pg-result-pane.-streaming #pg-result { display: none; }
    """

    BINDINGS = bindings_for("PlaygroundScreen")


    class RunFinished(Message):
        """A run ended (result, error or cancel) and was saved."""

        def __init__(self, record: dict, run_id: Any) -> None:
            super().__init__()
            self.record = record
            self.run_id = run_id

    def __init__(self) -> None:
        super().__init__()
        self.spec: TaskSpec = get_spec(DEFAULT_TASK)
        self.model_info: ModelInfo | None = None
        self.conversation: list = []
        """Chat turns so far (ChatMessage), sent with the next message."""
        self.last_record: dict | None = None
        self.last_run_id: Any = None
        self.status_history: list[str] = []
        """Every status line shown (tests read the transient ones, like the countdown)."""
        self._endpoint_target: Target | None = None
        self._pending: tuple | None = None
        self._worker = None
        self._meter: StreamMeter | None = None
        self._stats_timer = None
        self._loading_until: float | None = None
        self._loading_timer = None
        self._form_serial = 0
        self._suppress_model_lookup = False
        self._form: TaskForm | None = None
        self._answer_parts: list[str] = []

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_chat":
            return self.spec.task == "chat-completion"
        if action in ("history", "export_run") and isinstance(self.focused, (Input, TextArea)):
            return False  # in a text field h and x type (ctrl+x still exports)
        return True

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="pg-target"):
            yield Select(KINDS, value="model", allow_blank=False, id="target-kind", compact=True)
            yield Input(DEFAULT_MODELS.get(DEFAULT_TASK, ""), placeholder="model id or URL", id="target-model",
                        compact=True)
            yield Select([(AUTO_PROVIDER, AUTO_PROVIDER)], value=AUTO_PROVIDER, allow_blank=False, id="provider",
                         compact=True)
            yield Select([(s.title, s.task) for s in all_specs()], value=self.spec.task, allow_blank=False,
                         id="task", compact=True)
            yield Button("Run", id="run", variant="primary", compact=True)
        # The model field is narrow at 80 columns: the whole target, on a line of its own.
        yield Static("", id="pg-target-line", markup=False)
        with Horizontal(id="pg-body"):
            with VerticalScroll(id="pg-form-pane"):
                yield Static("", id="pg-form-error")
                yield TaskForm(self.spec, id="pg-form")
            with Vertical(id="pg-result-pane"):
                yield Static(Text("Ready. ctrl+r runs."), id="pg-status")
                yield ResultArea(id="pg-result")
                yield StreamOutput(id="pg-stream")
        yield Footer()

    def on_mount(self) -> None:
        from hftui.imaging import set_max_pixels

        set_max_pixels(getattr(getattr(self.app, "settings", None), "max_image_pixels", None))
        self._sync_target_widgets()
        self._sync_result_pane()
        if self._pending is not None:
            args, kwargs = self._pending
            self._pending = None
            self.set_target(*args, **kwargs)

    def main_widget(self):
        """What Esc in a text field returns focus to (the app's focus_main)."""
        return self.query_one("#pg-stream" if self.spec.streams else "#pg-result")

    # --- widgets ------------------------------------------------------------------------

    @property
    def form(self) -> TaskForm:
        """The current form (a replaced one may linger until its removal completes)."""
        if self._form is None:
            self._form = self.query_one(TaskForm)
        return self._form

    @property
    def output(self) -> StreamOutput:
        return self.query_one("#pg-stream", StreamOutput)

    @property
    def result_area(self) -> ResultArea:
        return self.query_one("#pg-result", ResultArea)

    def _status(self, text: str, state: str = "") -> None:
        self.status_history.append(text)
        del self.status_history[:-200]
        status = self.query_one("#pg-status", Static)
        status.update(Text(one_line(text, 300)))
        for cls in ("-running", "-error", "-ok"):
            status.set_class(cls == f"-{state}", cls)

    def _show_error(self, message: str | None) -> None:
        box = self.query_one("#pg-form-error", Static)
        box.update(Text(clean(message or "", limit=2000)))
        box.set_class(bool(message), "-shown")
        if message:
            self.query_one("#pg-form-pane").scroll_home(animate=False)

    @property
    def error_text(self) -> str:
        box = self.query_one("#pg-form-error", Static)
        return str(box.render()) if box.has_class("-shown") else ""

    def _sync_result_pane(self) -> None:
        self.query_one("#pg-result-pane").set_class(self.spec.streams, "-streaming")

    def _sync_target_widgets(self) -> None:
        kind = self.query_one("#target-kind", Select).value
        self.query_one("#provider", Select).display = kind == "router"
        self._sync_target_line()

    def _sync_target_line(self) -> None:
        kind = self.query_one("#target-kind", Select).value
        text = self.query_one("#target-model", Input).value.strip()
        where = {"model": "hf-inference", "router": "router", "url": "URL"}.get(str(kind), "")
        if kind == "router":
            provider = self.query_one("#provider", Select).value
            where = f"router · {provider if isinstance(provider, str) else AUTO_PROVIDER}"
        line = f"→ {one_line(text, 200)}  ({where})" if text else "→ no target yet: type a model id or a URL"
        self.query_one("#pg-target-line", Static).update(Text(line))

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
            task = task or self._task_for_model(model)
            if target is None:
                chat = canonical_task(task) == "chat-completion"
                hf = model.hf_inference
                target = Target.hf_model(model.id) if (hf or not chat) else Target.router(model.id)
        elif target is not None and target.model and (self.model_info is None or self.model_info.id != target.model):
            self.model_info = None
        if target is not None:
            self._apply_target(target)
        if task:
            name = canonical_task(task)
            if name:
                self._select_task(name)
        if model is not None:
            self._update_providers(model)
            self._refresh_form_for_model()
        elif target is not None and target.model and target.kind != "url":
            self._lookup_model(target.model, pick_task=not task)
        self.call_after_refresh(self._focus_form)  # typing right after :play goes to the form

    def _focus_form(self, tries: int = 10) -> None:
        if not (self.is_mounted and self.is_current):
            return
        if not self.form.focus_first() and tries:
            self.call_after_refresh(self._focus_form, tries - 1)  # a new form is still composing

    def _task_for_model(self, model: ModelInfo) -> str | None:
        return task_for_model(model)

    def _apply_target(self, target: Target) -> None:
        self._suppress_model_lookup = True
        kind = self.query_one("#target-kind", Select)
        kind.value = target.kind if target.kind in ("model", "router", "url") else "model"
        field = self.query_one("#target-model", Input)
        if target.kind == "url":
            self._endpoint_target = target
            field.value = target.url or ""
        else:
            self._endpoint_target = None
            field.value = target.model or ""
        field.cursor_position = 0  # show the start (the owner) of a long id
        if target.kind == "router":
            self._set_provider_options([target.provider] if target.provider else [], target.provider)
        self._sync_target_widgets()
        self.call_after_refresh(self._end_suppress)

    def _end_suppress(self) -> None:
        self._suppress_model_lookup = False

    def _set_provider_options(self, providers: list[str], selected: str | None = None) -> None:
        select = self.query_one("#provider", Select)
        names = [AUTO_PROVIDER] + [p for p in dict.fromkeys(providers) if p and p != AUTO_PROVIDER]
        select.set_options([(safe_content(one_line(n, 60)), n) for n in names])
        select.value = selected if selected in names else AUTO_PROVIDER

    def _update_providers(self, model: ModelInfo) -> None:
        live = [p.provider for p in model.live_providers if p.task in (None, "conversational", "text-generation")]
        current = self.query_one("#provider", Select).value
        self._set_provider_options(live, current if isinstance(current, str) else None)

    def _select_task(self, task: str) -> None:
        select = self.query_one("#task", Select)
        if select.value != task:
            select.value = task  # Changed -> _task_changed rebuilds the form
        if self.spec.task != task:
            self._rebuild_form(get_spec(task))

    def _fit_kind_to_task(self) -> None:
        """The router serves chat only: other tasks go to the model's hf-inference route."""
        kind = self.query_one("#target-kind", Select)
        if kind.value == "router" and self.spec.task != "chat-completion":
            kind.value = "model"
            self._sync_target_widgets()

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
        old.remove()
        self._form = new
        pane.mount(new)
        self._show_error(None)
        self.result_area.clear()
        if spec.task != "chat-completion":
            self.conversation = []
        self.output.clear()
        self._sync_result_pane()
        self._fit_kind_to_task()
        self.refresh_bindings()  # ^n New chat is for chat only
        if refocus:
            self.call_after_refresh(self._focus_form)
        self._status(f"{spec.title}. ctrl+r runs.")

    def _refresh_form_for_model(self) -> None:
        """Fill-mask examples use the model's own mask token."""
        info = self.model_info
        if info is None or self.spec.task != "fill-mask" or not info.mask_token:
            return
        current = self.form.values().get("inputs", "")
        for other in ("[MASK]", "<mask>"):
            if other != info.mask_token and other in current:
                self.form.set_value("inputs", current.replace(other, info.mask_token))

    @on(Select.Changed, "#task")
    def _task_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.select.value  # not event.value: a programmatic change may have superseded it
        if isinstance(value, str) and value != self.spec.task:
            self._rebuild_form(get_spec(value))

    @on(Select.Changed, "#target-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._sync_target_widgets()
        if event.value == "router" and self.model_info is not None:
            self._update_providers(self.model_info)

    @on(Input.Submitted, "#target-model")
    def _model_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if value and self.query_one("#target-kind", Select).value != "url":
            self._lookup_model(value, pick_task=True)

    @on(Select.Changed, "#provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._sync_target_line()

    @on(Input.Changed, "#target-model")
    def _model_changed(self, event: Input.Changed) -> None:
        self._sync_target_line()
        if self._suppress_model_lookup:
            return
        if self._endpoint_target is not None and event.value.strip() != (self._endpoint_target.url or ""):
            self._endpoint_target = None

    @work(exclusive=True, group="playground-model-info", exit_on_error=False)
    async def _lookup_model(self, model_id: str, pick_task: bool = True) -> None:
        from hftui.client import HFError

        client = getattr(self.app, "client", None)
        if client is None:
            return
        try:
            info = await client.hub.model_info(model_id)
        except HFError as exc:
            self._status(f"Model info for {one_line(model_id, 80)}: {exc.user_message()}", "error")
            return
        except Exception as exc:  # never a traceback on screen
            log.debug("model info failed", exc_info=True)
            self._status(f"Model info for {one_line(model_id, 80)} failed: {type(exc).__name__}", "error")
            return
        self.model_info = info
        self._update_providers(info)
        if pick_task:
            task = self._task_for_model(info)
            if task and task != self.spec.task:
                self._select_task(task)
        self._refresh_form_for_model()
        status = "warm" if info.warm else "not warm"
        live = len(info.live_providers)
        self._status(f"{one_line(info.id, 80)} · {one_line(info.pipeline_tag or '?', 40)} · {status} · "
                     f"{live} live provider{'s' if live != 1 else ''}")

    def build_target(self) -> Target:
        """The Target of the current selection; ValueError with a message when incomplete."""
        from hftui.client import Target

        kind = self.query_one("#target-kind", Select).value
        text = self.query_one("#target-model", Input).value.strip()
        if not text:
            raise ValueError("Enter a model id (or a URL) first.")
        if kind == "url":
            if self._endpoint_target is not None and text == self._endpoint_target.url:
                return self._endpoint_target
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError("The URL must start with http:// or https://")
            return Target.at_url(text, send_token=self._token_allowed(text))
        if "://" in text:
            raise ValueError("That is a URL: choose 'URL / endpoint' as the target kind.")
        if kind == "router":
            provider = self.query_one("#provider", Select).value
            return Target.router(text, None if provider in (AUTO_PROVIDER, Select.NULL) else str(provider))
        return Target.hf_model(text)

    def _token_allowed(self, url: str) -> bool:
        """Send the token only to HF hosts, endpoint URLs, and the configured services (the batch's rule too)."""
        from hftui.client.core import token_allowed

        return token_allowed(url, getattr(self.app, "settings", None))

    # --- running ---------------------------------------------------------------------------

    def action_run(self) -> None:
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
        focus_main = getattr(self.app, "action_focus_main", None)
        if callable(focus_main) and isinstance(self.focused, (Input, TextArea)):
            focus_main()

    def action_new_chat(self) -> None:
        if self._worker is not None and self._worker.is_running:
            return
        self.conversation = []
        self.output.clear()
        self._status("New conversation.")

    def action_copy_output(self) -> None:
        text = self.output.plain_text() if self.spec.streams else self._result_text()
        if not text.strip():
            self.notify("Nothing to copy yet.")
            return
        copy = getattr(self.app, "copy_to_clipboard_osc52", None)
        if callable(copy):
            if copy(text):
                self.notify("Output copied.")
        else:
            self.app.copy_to_clipboard(text)

    def _result_text(self) -> str:
        view = self.result_area.view
        return getattr(view, "summary", "") if view is not None else ""

    def action_export_run(self) -> None:
        self.action_export()

    def action_history(self) -> None:
        switch = getattr(self.app, "switch_to", None)
        if callable(switch):
            self.run_worker(switch("history"), exit_on_error=False, group="playground-history")

    def action_export(self) -> None:
        if not self.last_record:
            self.notify("Run something first.")
            return
        try:
            from hftui.screens.export import ExportScreen
        except ImportError:
            self.notify("Export is not available.", severity="warning")
            return
        self.app.push_screen(ExportScreen(self.last_record))

    def _on_loading(self, seconds: float) -> None:
        """The client waits for a loading model: show a countdown."""
        self._loading_until = self._now() + max(0.0, float(seconds or 0))
        self._tick_loading()
        if self._loading_timer is None:
            self._loading_timer = self.set_interval(1.0, self._tick_loading)

    def _tick_loading(self) -> None:
        if self._loading_until is None:
            return
        left = max(0, round(self._loading_until - self._now()))
        self._status(f"Model loading… ready in ~{left} s (waiting for it; Esc cancels)", "running")

    def _stop_loading(self) -> None:
        self._loading_until = None
        if self._loading_timer is not None:
            self._loading_timer.stop()
            self._loading_timer = None

    @staticmethod
    def _now() -> float:
        import os

        return 0.0 if os.environ.get("HFTUI_FROZEN_TIME") else time.monotonic()

    def _tick_stats(self) -> None:
        if self._meter is not None and self._loading_until is None:
            self._status(f"Streaming · {self._meter.summary()}", "running")

    @work(exclusive=True, group="playground-run", exit_on_error=False, description="Playground run")
    async def _run(self) -> None:
        from hftui.client import HFError, ModelLoading, RateLimited, StreamInterrupted

        spec = self.spec
        form = self.form
        raw = form.values()
        info = self.model_info
        typed_model = self.query_one("#target-model", Input).value.strip()
        if info is not None and info.id != typed_model:
            info = None  # the model id was edited since: its mask token etc. no longer apply
        values, errors = spec.parse(raw, info)
        form.show_errors(errors)
        if errors:
            self._show_error("Fix the highlighted fields: " + "; ".join(
                f"{spec.field(k).label}: {v}" for k, v in errors.items() if k in {f.name for f in spec.fields}))
            self._status("Not run: the form has errors.", "error")
            return
        try:
            target = self.build_target()
        except ValueError as exc:
            self._show_error(str(exc))
            self._status("Not run: no target.", "error")
            return
        client = getattr(self.app, "client", None)
        if client is None:
            self._show_error("Not connected (log in first).")
            return
        if spec.task == "chat-completion":
            values["history"] = list(self.conversation)
        self._show_error(None)
        meter = self._meter = StreamMeter()
        meter.start()
        result: Any = None
        error: str | None = None
        extra: dict = {}
        streamed = spec.wants_stream(values)
        self._status(f"Running {spec.title} on {one_line(target.label or target.model or target.url, 80)}…",
                     "running")
        self._stats_timer = self.set_interval(0.25, self._tick_stats) if streamed else None
        try:
            if streamed:
                result = await self._run_stream(spec, client, target, values, meter)
            else:
                result = await spec.call(client, target, values, on_loading=self._on_loading)
                meter.token(0)
                meter.stop()
                self._stop_loading()
                extra = await self._show_result(spec, result, values)
            meter.stop()
            self._say_dropped(result)
            self._status(f"Done · {meter.summary()}" if streamed else f"Done in {meter.elapsed:.2f} s", "ok")
        except asyncio.CancelledError:
            meter.stop()
            try:  # the app may be closing: keep what can be kept, never fail the cancel
                result = self._keep_partial(spec, values, None)
                await self._save(spec, target, values, result, "cancelled", meter)
                # after the save: the stats timer (stopped below) may tick while it runs in its thread
                self._status(f"Cancelled (kept) · {meter.summary()}", "error")
            except Exception:
                log.debug("cleanup after cancel failed", exc_info=True)
            raise
        except StreamInterrupted as exc:
            meter.stop()
            error = exc.user_message()
            result = self._keep_partial(spec, values, exc)
            self._show_error(f"The stream broke off: {error}. What arrived is kept.")
            self._status(f"Stream interrupted · {meter.summary()}", "error")
        except ModelLoading as exc:
            meter.stop()
            error = exc.user_message()
            eta = f" (about {exc.estimated_time:.0f} s)" if exc.estimated_time is not None else ""
            self._show_error(f"The model is loading{eta}. Turn on 'Wait for model' to wait for it, "
                             f"or run again later.\n{error}")
            self._status("Model loading.", "error")
        except RateLimited as exc:
            meter.stop()
            error = exc.user_message()
            when = (f"You may retry in {exc.retry_after:.0f} s." if exc.retry_after is not None
                    else "Wait a little before retrying (the server did not say how long).")
            self._show_error(f"Rate limited. {when}\n{error}")
            self._status("Rate limited.", "error")
        except HFError as exc:
            meter.stop()
            error = exc.user_message()
            self._show_error(f"{exc.title}: {error}")
            self._status(f"Failed: {exc.title}", "error")
        except Exception as exc:  # file problems, odd results: a message, never a traceback
            log.debug("playground run failed", exc_info=True)
            meter.stop()
            error = f"{type(exc).__name__}: {exc}"
            self._show_error(error)
            self._status("Failed.", "error")
        finally:
            self._stop_loading()
            if self._stats_timer is not None:
                self._stats_timer.stop()
                self._stats_timer = None
            try:
                if self.output.live:
                    self.output.finish()
            except Exception:  # the screen may be going away
                log.debug("cannot finish the output", exc_info=True)
        await self._save(spec, target, values, result, error, meter, extra)

    async def _run_stream(self, spec: TaskSpec, client, target, values: dict, meter: StreamMeter):
        from hftui.client.results import ChatMessage

        out = self.output
        chat = spec.task == "chat-completion"
        if chat:
            if values.get("system") and not self.conversation and not out.plain_text().strip():
                out.add_block(values["system"], "notice", header="System")
            out.add_block(values.get("prompt") or "", "user", header="You")
        else:
            out.clear()
        finish = None
        self._answer_parts = []
        collected = None if chat else StreamedGeneration()
        section = None  # "reasoning" while a reasoning model thinks aloud, then "answer"
        stream = spec.stream(client, target, values, on_loading=self._on_loading)
        try:
            async for chunk in stream:
                if collected is not None:
                    collected.add(chunk)
                if self._loading_until is not None:
                    self._stop_loading()
                if chunk.reasoning:
                    if section != "reasoning":
                        out.begin("notice", header="Thinking")
                        section = "reasoning"
                    out.append(chunk.reasoning)
                    meter.token()
                if chunk.text:
                    if section != "answer":
                        out.begin("markdown" if chat else "plain", header="Assistant" if chat else None)
                        section = "answer"
                    out.append(chunk.text)
                    self._answer_parts.append(chunk.text)
                    meter.token()
                if chunk.final:
                    finish = chunk.finish_reason
                    if chunk.generated_tokens:  # the server's own count, when it gives one
                        meter.tokens = max(meter.tokens, chunk.generated_tokens)
        finally:
            closer = getattr(stream, "aclose", None)
            if closer is not None:
                try:
                    await closer()
                except Exception:
                    pass
        out.finish()
        text = out_text = self._live_answer(out)
        if chat:
            self.conversation.append(ChatMessage("user", values.get("prompt") or ""))
            self.conversation.append(ChatMessage("assistant", text))
            self.form.set_value("prompt", "")
        if collected is not None:
            return collected.result(out_text)
        return {"text": out_text, "finish_reason": finish}

    def _say_dropped(self, result: Any) -> None:
        """A model not served by TGI refused some parameters: say which the client left out."""
        from hftui.tasks.record import run_warnings

        for warning in run_warnings(result):
            self.notify(one_line(warning, 300), severity="warning", markup=False)

    def _live_answer(self, out: StreamOutput) -> str:
        """The answer text received so far (not the reasoning)."""
        return "".join(self._answer_parts)

    def _keep_partial(self, spec: TaskSpec, values: dict, exc: Any) -> dict | None:
        """After a cancel or a broken stream: freeze the partial text and keep it in the conversation."""
        from hftui.client.results import ChatMessage

        if not spec.wants_stream(values):
            return None
        out = self.output
        out.finish()
        text = self._live_answer(out)
        if not text and exc is not None:
            text = getattr(exc, "partial", "") or ""
        note = "cancelled" if exc is None else "stream interrupted"
        out.add_block(f"[{note} — partial output kept]" if exc is None else f"Error: {exc.user_message()}",
                      "notice" if exc is None else "error")
        if spec.task == "chat-completion" and values.get("prompt"):
            self.conversation.append(ChatMessage("user", values["prompt"]))
            if text:
                self.conversation.append(ChatMessage("assistant", text))
        return {"text": text, "partial": True}

    async def _show_result(self, spec: TaskSpec, result: Any, values: dict) -> dict:
        from hftui.config import data_dir
        from hftui.imaging import check_image_file, save_image

        extra: dict = {}
        protocol = self._image_protocol()
        saved = None
        image_bytes = None
        if spec.result_kind == "image":
            try:
                saved = save_image(result.data, data_dir() / "images", stem=spec.task)
                extra["saved_path"] = str(saved)
            except OSError as exc:
                self.notify(f"Could not save the image: {exc}", severity="warning", markup=False)
        if spec.result_kind == "detections" and values.get("inputs"):
            try:
                image_bytes = check_image_file(values["inputs"])
            except Exception:
                image_bytes = None
        if spec.result_kind in ("stream_text", "chat"):
            # Stream switched off: show the whole answer in the transcript.
            text = getattr(result, "text", None) or getattr(result, "content", None) or ""
            out = self.output
            if spec.task == "chat-completion":
                from hftui.client.results import ChatMessage

                out.add_block(values.get("prompt") or "", "user", header="You")
                out.add_block(text, "markdown", header="Assistant")
                self.conversation.append(ChatMessage("user", values.get("prompt") or ""))
                self.conversation.append(ChatMessage("assistant", text))
                self.form.set_value("prompt", "")
            else:
                out.clear()
                out.add_block(text, "plain")
            return extra
        view = build_result_view(spec.result_kind, result, values=values, protocol=protocol,
                                 image_bytes=image_bytes, saved=saved)
        self.result_area.show(view)
        return extra

    def _image_protocol(self) -> str:
        from hftui.imaging import detect_protocol

        setting = getattr(getattr(self.app, "settings", None), "image_protocol", "auto")
        headless = getattr(self.app, "is_headless", False)
        return detect_protocol(setting if not headless else "halfblock", is_tty=not headless)

    async def _save(self, spec: TaskSpec, target, values: dict, result: Any, error: str | None,
                    meter: StreamMeter, extra: dict | None = None) -> None:
        values = dict(values)
        history_turns = values.pop("history", None)
        if history_turns:
            values["history"] = history_turns
        try:
            record = make_run_record(spec=spec, target=target, values=values, result=result, error=error,
                                     timings=meter.timings(), extra_result=extra)
        except Exception:
            log.debug("cannot build the run record", exc_info=True)
            return
        self.last_record = record
        run_id = None
        from hftui.history import HistoryError, save_run

        try:
            hook = getattr(self.app, "history_add", None)
            run_id = hook(record) if callable(hook) else await save_run(record)
        except Exception as exc:  # a full disk or a locked file must not break the Playground
            log.debug("cannot save the run", exc_info=True)
            reason = str(exc) if isinstance(exc, HistoryError) else f"Run not saved to history: {type(exc).__name__}"
            self.notify(one_line(reason, 300), severity="warning", markup=False)
        self.last_run_id = run_id
        if run_id is not None:
            self.last_record = {**record, "id": run_id}  # export names the run and its files by id
        self.post_message(self.RunFinished(record, run_id))

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
        self._apply_target(target)
        values = spec.values_from_record(run)
        history = values.pop("history", None) or []
        select = self.query_one("#task", Select)
        if select.value != task:
            with select.prevent(Select.Changed):
                select.value = task
        self._rebuild_form(spec, values)
        self.conversation = []
        if task == "chat-completion":
            from hftui.client.results import ChatMessage

            out = self.output
            if values.get("system"):
                out.add_block(values["system"], "notice", header="System")
            for m in history:
                if not isinstance(m, dict):
                    continue
                msg = ChatMessage(str(m.get("role", "user")), str(m.get("content", "")))
                self.conversation.append(msg)
                out.add_block(msg.content, "user" if msg.role == "user" else "markdown",
                              header="You" if msg.role == "user" else "Assistant")
        when = one_line(run.get("created_at") or "", 40)
        self._status(f"Loaded the run of {when}. ctrl+r runs it again.")
        if target.model and target.kind != "url":
            self._lookup_model(target.model, pick_task=False)


__all__ = ["PlaygroundScreen"]
