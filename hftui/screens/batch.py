"""BatchScreen: run a JSONL file through an endpoint from the TUI.

Opened with ``b`` on an endpoint row or ``:batch``. A form with the options
of ``hftui batch`` (input path with completion, output, task, concurrency,
parameters, timeout, pause-after); the hourly price is shown before anything
is resumed. The run uses the same ``BatchRunner`` as the CLI, in a worker:
states passed, a progress bar, done/failed/rate/ETA, then the summary and
the output path. Esc cancels a run (pause-after still honoured), Esc again
(or when idle) goes back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, ProgressBar, RichLog, Select, Static

from hftui.batch.runner import BatchConfig, BatchListener, BatchRunner
from hftui.batch.stats import FailedLines, Stats, progress_line
from hftui.client.inference import TASKS
from hftui.controllers.cost import CostEstimate
from hftui.keys import bindings_for
from hftui.sanitize import one_line
from hftui.widgets.path_suggester import PathSuggester

if TYPE_CHECKING:
    from hftui.batch.stats import Summary
    from hftui.client.core import HFClient
    from hftui.client.models import Endpoint


JSON_LINES = (".jsonl", ".json", ".ndjson")
"""File names the input and output fields complete to."""

HINTS = (
    'Each input line is a JSON object in the task\'s input form, e.g. {"inputs": "I love it"} or '
    '{"inputs": {"question": "…", "context": "…"}}; a "parameters" object on a line overrides the form\'s.',
    "Results are appended to the output file as each input finishes; running again skips inputs already done.",
    "Ctrl+R runs · Esc cancels a run (pause-after still applies) · Esc again goes back.",
)


def _hf_of(app) -> HFClient:
    for attr in ("hf", "client"):
        hf = getattr(app, attr, None)
        if hf is not None:
            return hf
    raise RuntimeError("the app has no HFClient (expected app.hf)")


class _ScreenListener(BatchListener):
    def __init__(self, screen: BatchScreen) -> None:
        self.screen = screen
        self._last_state: str | None = None
        self.failures = FailedLines()

    def notice(self, text: str) -> None:
        self.screen.log_line(text)

    def endpoint_state(self, endpoint: Endpoint) -> None:
        if endpoint.raw_state == self._last_state:
            return
        self._last_state = endpoint.raw_state
        self.screen.show_state(endpoint)

    def started(self, stats: Stats) -> None:
        self.screen.run_started(stats)

    def input_failed(self, line: int, message: str) -> None:
        text = self.failures.add(line, message)
        if text is not None:
            self.screen.log_line(text, style="red")


class BatchScreen(Screen):
    """The batch form and its live run, for one endpoint (or a target typed in)."""

    DEFAULT_CSS = """
    BatchScreen { layout: vertical; }
    BatchScreen #batch-title { padding: 0 1; text-style: bold; height: auto; }
    BatchScreen #batch-price { padding: 0 1; color: $text-muted; height: auto; }
    BatchScreen #batch-form { height: auto; max-height: 60%; padding: 0 1; }
    BatchScreen .field { height: 1; margin-bottom: 1; }
    BatchScreen.-short .field { margin-bottom: 0; }
    BatchScreen .field Label { width: 14; }
    BatchScreen .field Input, BatchScreen .field Select { width: 1fr; }
    BatchScreen #batch-options { height: 1; }
    BatchScreen #batch-options Checkbox { width: auto; }
    BatchScreen #batch-options Button { margin-left: 4; min-width: 10; }
    BatchScreen #batch-pause-note { height: auto; color: $text-muted; }
    BatchScreen #batch-pause-note.-stays-up { color: $warning; }
    BatchScreen #batch-error { color: $error; padding: 0 1; height: auto; }
    BatchScreen #batch-progress { height: auto; padding: 0 1; display: none; }
    BatchScreen #batch-progress ProgressBar { width: auto; }
    BatchScreen #batch-counts { padding: 0 1; height: auto; }
    BatchScreen #batch-log { height: 1fr; min-height: 4; border: round $panel; padding: 0 1; overflow-x: hidden; }
    """

    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    """Below 32 rows the form loses its blank lines so the run log keeps some room."""

    BINDINGS = bindings_for("BatchScreen")

    def __init__(self, endpoint: Endpoint | None = None, *, hf: HFClient | None = None, poll_interval: float = 5.0,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        self.endpoint = endpoint
        self._hf = hf
        self.poll_interval = poll_interval
        self.AUTO_FOCUS = "#batch-target" if endpoint is None else "#batch-input"
        """Seconds between endpoint state polls while it starts."""
        self.runner: BatchRunner | None = None
        self.summary: Summary | None = None
        self._auto_output = ""
        self._ticker = None
        self._listener: _ScreenListener | None = None
        self._price: float | None = None
        self._was_stopped = endpoint is not None and endpoint.state.is_idle
        """The endpoint is not running: a batch resumes it, so pausing it again is the default."""

    # -- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        ep = self.endpoint
        yield Static(self._title(ep), id="batch-title")
        yield Static(Text("Hourly price: …" if ep else "Target: an endpoint (namespace/name or name), a model id, or a URL"),
                     id="batch-price")
        task_options = [(t, t) for t in TASKS]
        if ep and ep.task and ep.task not in TASKS:
            task_options.insert(0, (one_line(ep.task, 40), ep.task))
        with VerticalScroll(id="batch-form"):
            if ep is None:
                with Horizontal(classes="field"):
                    yield Label("Target")
                    yield Input(placeholder="my-endpoint, org/model or https://…", id="batch-target", compact=True)
            with Horizontal(classes="field"):
                yield Label("Input file")
                yield Input(placeholder="inputs.jsonl (→ to complete)", id="batch-input", suggester=PathSuggester(JSON_LINES), compact=True)
            with Horizontal(classes="field"):
                yield Label("Output file")
                yield Input(placeholder="results.jsonl", id="batch-output", suggester=PathSuggester(JSON_LINES), compact=True)
            with Horizontal(classes="field"):
                yield Label("Task")
                prefill = ep.task if ep and ep.task else None
                yield Select(task_options, value=prefill if prefill else Select.NULL, id="batch-task",
                             allow_blank=not prefill, prompt="task", compact=True)
            with Horizontal(classes="field"):
                yield Label("Concurrency")
                yield Input("8", id="batch-concurrency", type="integer", compact=True)
            with Horizontal(classes="field"):
                yield Label("Parameters")
                yield Input(placeholder='{"top_k": 3}  (JSON, optional)', id="batch-parameters", compact=True)
            with Horizontal(classes="field"):
                yield Label("Timeout (s)")
                yield Input(placeholder="default", id="batch-timeout", type="number", compact=True)
            with Horizontal(id="batch-options"):
                # (its box reads empty when off: hftui.widgets.toggles, installed by the app)
                yield Checkbox("Pause the endpoint when done", value=self._was_stopped,
                               id="batch-pause-after", compact=True)
                yield Button("Run", id="batch-run", variant="primary", compact=True)
            yield Static(self._pause_note(self._was_stopped), id="batch-pause-note")
        yield Static("", id="batch-error")
        with Vertical(id="batch-progress"):
            yield ProgressBar(total=None, id="batch-bar", show_eta=False)
            yield Static("", id="batch-counts")
        yield RichLog(id="batch-log", wrap=True, markup=False, highlight=False, min_width=20)
        yield Footer()

    def on_mount(self) -> None:
        # (no queries of nested form fields here: they may not be mounted yet)
        if self.endpoint is not None:
            self.load_price()
        self.call_after_refresh(self._write_hints)  # once the log knows its width

    def _write_hints(self) -> None:
        if self.runner is None:
            for hint in HINTS:
                self.log_line(hint, style="dim")

    @staticmethod
    def _title(ep: Endpoint | None) -> Text:
        if ep is None:
            return Text("Batch run")
        title = Text("Batch · endpoint ")
        title.append(one_line(ep.key, 80), style="bold")
        title.append(f" · {one_line(ep.raw_state, 30)}")
        return title

    @property
    def hf(self) -> HFClient:
        return self._hf if self._hf is not None else _hf_of(self.app)

    @work(exclusive=True, group="batch-price", exit_on_error=False, description="endpoint price")
    async def load_price(self) -> None:
        from hftui.client.errors import HFError

        ep = self.endpoint
        assert ep is not None
        try:
            catalog = await self.hf.endpoints.catalog(ep.namespace)
            price = catalog.hourly_cost(ep)
        except (HFError, RuntimeError):  # RuntimeError: no client yet
            price = None
        hw = " ".join(one_line(x, 30) for x in (ep.vendor, ep.region, ep.instance_type, ep.instance_size) if x)
        text = Text(f"{hw} · " if hw else "")
        text.append("price unknown" if price is None else CostEstimate(price).per_replica())
        if ep.state.is_idle:
            text.append(f" — it is {one_line(ep.raw_state, 20)}: running the batch resumes it (billed while running)",
                        style="bold")
        self.query_one("#batch-price", Static).update(text)
        self._price = price
        self._update_pause_note()

    # -- form ------------------------------------------------------------------------

    def _pause_note(self, pause: bool) -> Text:
        """What happens to the endpoint when the batch ends, in words (the checkbox alone is easy to misread)."""
        ep = self.endpoint
        if ep is None:
            return Text("When done: an endpoint target is paused if checked, left running if not "
                        "(a model or URL target is not affected).")
        price = "its hourly price" if self._price is None else CostEstimate(self._price).per_replica()
        if pause:
            if self._was_stopped:
                return Text("When done: the endpoint is paused again — billed only while the batch runs.")
            return Text("When done: the endpoint is paused (it is running now).")
        if self._was_stopped:
            return Text(f"When done: the endpoint is left running — {price} until you pause it "
                        f"(it is {one_line(ep.raw_state, 20)} now).")
        return Text(f"When done: the endpoint is left running, as it is now — {price}.")

    @on(Checkbox.Changed, "#batch-pause-after")
    def _update_pause_note(self) -> None:
        pause = self.query_one("#batch-pause-after", Checkbox).value
        note = self.query_one("#batch-pause-note", Static)
        note.update(self._pause_note(pause))
        note.set_class(self.endpoint is not None and not pause, "-stays-up")

    @on(Input.Changed, "#batch-input")
    def _derive_output(self, event: Input.Changed) -> None:
        out = self.query_one("#batch-output", Input)
        if out.value and out.value != self._auto_output:
            return  # the user typed their own
        value = event.value.strip()
        self._auto_output = ""
        if value:
            p = Path(value)
            self._auto_output = str(p.with_name(p.stem + ".results.jsonl")) if p.name else ""
        out.value = self._auto_output

    def _error(self, text: str) -> None:
        self.query_one("#batch-error", Static).update(Text(text))

    def read_form(self) -> BatchConfig | None:
        """The form as a BatchConfig, or None after showing what is wrong (values are kept)."""
        value = lambda wid: self.query_one(wid, Input).value.strip()  # noqa: E731
        if self.endpoint is not None:
            target = f"endpoint:{self.endpoint.key}"
        else:
            target = value("#batch-target")
            if not target:
                return self._invalid("Enter a target: an endpoint, a model id or a URL.", "#batch-target")
        input_path = Path(os.path.expanduser(value("#batch-input"))) if value("#batch-input") else None
        if input_path is None:
            return self._invalid("Choose an input file (JSONL, one input per line).", "#batch-input")
        if not input_path.is_file():
            return self._invalid(f"No such file: {input_path}", "#batch-input")
        output = value("#batch-output")
        if not output or output == self._auto_output:  # derived, maybe from a value typed a moment ago
            output = str(input_path.with_name(input_path.stem + ".results.jsonl"))
        task = self.query_one("#batch-task", Select).value
        task = None if task is Select.NULL or not task else str(task)  # None: the endpoint's / model's own
        try:
            concurrency = int(value("#batch-concurrency") or "8")
            if not 1 <= concurrency <= 1024:
                raise ValueError
        except ValueError:
            return self._invalid("Concurrency: a whole number from 1 to 1024.", "#batch-concurrency")
        params = {}
        if value("#batch-parameters"):
            try:
                params = json.loads(value("#batch-parameters"))
            except ValueError as exc:
                return self._invalid(f"Parameters: not valid JSON ({exc}).", "#batch-parameters")
            if not isinstance(params, dict):
                return self._invalid("Parameters: a JSON object, e.g. {\"top_k\": 3}.", "#batch-parameters")
        timeout = None
        if value("#batch-timeout"):
            try:
                timeout = float(value("#batch-timeout"))
                if timeout <= 0:
                    raise ValueError
            except ValueError:
                return self._invalid("Timeout: a number of seconds above 0, or empty.", "#batch-timeout")
        self._error("")
        return BatchConfig(
            target=target, task=task, input_path=input_path,
            output_path=Path(os.path.expanduser(output)), concurrency=concurrency, parameters=params,
            pause_after=self.query_one("#batch-pause-after", Checkbox).value, timeout=timeout,
            poll_interval=self.poll_interval)

    def _invalid(self, text: str, focus: str) -> None:
        self._error(text)
        self.query_one(focus).focus()
        return None

    @on(Button.Pressed, "#batch-run")
    def _run_pressed(self) -> None:
        self.action_run()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_run()

    # -- run -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.runner is not None and self.summary is None

    def action_run(self) -> None:
        if self.running:
            return
        config = self.read_form()
        if config is None:
            return
        try:
            hf = self.hf
        except RuntimeError:
            self._error("Not connected yet: log in first (or wait a moment), then run again.")
            return
        self.summary = None
        self.query_one("#batch-log", RichLog).clear()
        self.query_one("#batch-form").disabled = True
        progress = self.query_one("#batch-progress")
        progress.display = True
        self.query_one("#batch-bar", ProgressBar).update(total=None, progress=0)
        self.query_one("#batch-counts", Static).update("")
        self._listener = _ScreenListener(self)
        self.runner = BatchRunner(hf, config, self._listener)
        self.log_line(f"Starting: {config.input_path} → {config.output_path}")
        self.run_batch(self.runner)

    @work(exclusive=True, group="batch", exit_on_error=False, description="batch run")
    async def run_batch(self, runner: BatchRunner) -> None:
        self._ticker = self.set_interval(0.25, self._refresh_progress)
        try:
            summary = await runner.run()
        except Exception as exc:  # a bug: say so in the log, keep the form usable
            self.log_line(f"Unexpected error: {type(exc).__name__}: {exc}", style="bold red")
            self.runner = None
            self.query_one("#batch-form").disabled = False
            return
        finally:
            self._ticker.stop()
        self.summary = summary
        self._refresh_progress()
        tail = self._listener.failures.tail(str(runner.config.output_path)) if self._listener else None
        if tail:
            self.log_line(tail, style="red")
        fate = summary.left_running()
        for i, line in enumerate(summary.lines()):
            self.log_line(line, style="bold" if i == 0 else ("bold yellow" if line == fate else ""))
        self.query_one("#batch-form").disabled = False
        self.query_one("#batch-run", Button).label = "Run again"
        self.notify(one_line(summary.lines()[0], 200), title="Batch", markup=False,  # may quote a server
                    severity="error" if summary.exit_code in (1, 2) else "information")

    def action_cancel(self) -> None:
        if self.running:
            assert self.runner is not None
            if not self.runner.stopping:
                what = " and pausing the endpoint" if self.runner.config.pause_after else ""
                self.log_line(f"Cancelling: stopping requests in flight{what}…", style="bold")
                self.runner.stop()
            return
        self.app.pop_screen()

    # -- display (called by the listener and the ticker) ----------------------------------

    def log_line(self, text: str, style: str = "") -> None:
        self._write(Text(one_line(text, 500), style=style))

    def _write(self, line: Text) -> None:
        log = self.query_one("#batch-log", RichLog)
        width = log.scrollable_content_region.width
        # wrap to the log's own width (the console's may differ), once it is known
        log.write(line, width=width if width > 10 else None)

    def show_state(self, endpoint: Endpoint) -> None:
        line = Text("  state: ")
        line.append(one_line(endpoint.raw_state, 30), style="bold")
        if endpoint.message:
            line.append(f" — {one_line(endpoint.message, 200)}")
        self._write(line)
        self.query_one("#batch-title", Static).update(self._title(endpoint))

    def run_started(self, stats: Stats) -> None:
        self.query_one("#batch-bar", ProgressBar).update(total=max(0, stats.total - stats.skipped), progress=0)

    def _refresh_progress(self) -> None:
        runner = self.runner
        if runner is None or runner.stats.started is None:
            return
        stats = runner.stats
        self.query_one("#batch-bar", ProgressBar).update(progress=stats.done)
        text = progress_line(stats)
        if stats.skipped:
            text += f" · {stats.skipped} already done"
        self.query_one("#batch-counts", Static).update(Text(text))
