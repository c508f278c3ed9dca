"""The batch runner: resume an endpoint, push a JSONL file through it, pause it.

No Textual here: the CLI (``hftui batch``) and the TUI (``BatchScreen``)
both drive ``BatchRunner`` and read its live ``stats``; the few discrete
events (endpoint states, notices) arrive through a ``BatchListener``.

    runner = BatchRunner(hf, BatchConfig(target="acme/my-ep", task=None,
                                         input_path=..., output_path=...), listener)
    summary = await runner.run()      # never raises for per-input failures
    runner.stop()                     # from a signal handler / Esc: cancel in-flight
                                      # requests, keep what was written, still pause

Work is done by a fixed pool of ``concurrency`` worker tasks fed by a
bounded queue, so memory does not grow with the input. 429 and 503 are
retried with backoff (``Retry-After`` / ``estimated_time`` honoured, and a
429 holds back every worker until its Retry-After passes); any other error
is recorded for that input and the run goes on.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hftui.batch.files import (
    MalformedInput,
    ResultWriter,
    count_inputs,
    iter_input,
    parse_input,
    raw_echo,
    scan_output,
)
from hftui.batch.stats import Cost, Stats, Summary, one_line
from hftui.client.core import CallOptions, Target
from hftui.client.errors import AuthError, HFError, ModelLoading, NotFound, RateLimited, ServerError
from hftui.client.inference import result_to_json
from hftui.client.models import EndpointState

if TYPE_CHECKING:
    from hftui.client.core import HFClient
    from hftui.client.models import Endpoint

MAX_BACKOFF = 30.0
"""Longest wait between two attempts when the server gave no hint (s)."""


class BatchError(Exception):
    """The batch cannot run at all (bad target, missing file, endpoint failed...)."""


@dataclass
class BatchConfig:
    """One batch run; the same options as ``hftui batch``."""

    target: str
    """``namespace/name`` or ``name`` of an endpoint, a model id, or a URL."""
    input_path: Path
    output_path: Path
    task: str | None = None
    """Required unless the endpoint (or the model's pipeline tag) says it."""
    concurrency: int = 8
    parameters: dict[str, Any] = field(default_factory=dict)
    pause_after: bool = False
    timeout: float | None = None
    """Per request, seconds (default: the client's)."""
    max_attempts: int = 5
    """Attempts per input for 429/503 (1 = no retry)."""
    max_retry_wait: float = 120.0
    """Longest single wait honoured from Retry-After / estimated_time (s)."""
    retry_failed: bool = False
    """Drop earlier error records from the output and run those inputs again."""
    send_token: bool = True
    """Send the token to a URL target (never sent to public endpoints anyway)."""
    wait_timeout: float | None = 1800.0
    """How long to wait for an endpoint to reach ``running``."""
    poll_interval: float = 5.0
    """Seconds between two endpoint state polls while waiting."""


class BatchListener:
    """What a display hears from the runner besides the live ``stats``."""

    def notice(self, text: str) -> None:
        """A human sentence: resuming, waiting, pausing..."""

    def endpoint_state(self, endpoint: Endpoint) -> None:
        """Each endpoint state seen while preparing (and after pausing)."""

    def started(self, stats: Stats) -> None:
        """Inputs are about to be sent; ``stats.total`` / ``skipped`` are known."""

    def input_failed(self, line: int, message: str) -> None:
        """An input was recorded as an error (malformed line, failed request), as it happens.

        ``message`` is one plain line (``not valid JSON: …``, ``BadRequest: …``);
        a display should bound how many it shows (``stats.FailedLines``)."""


@dataclass
class ResolvedTarget:
    target: Target | None
    label: str
    endpoint: Endpoint | None = None
    task: str | None = None


def _error_json(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, HFError):
        err: dict[str, Any] = {"type": exc.title, "message": one_line(exc.message, 2000)}
        if exc.status:
            err["status"] = exc.status
        if exc.request_id:
            err["request_id"] = one_line(exc.request_id, 200)
        return err
    return {"type": type(exc).__name__, "message": one_line(exc, 2000)}


# the client's converter caches each result class's fields: cheap enough per input
result_json = result_to_json


class BatchRunner:
    """Runs one ``BatchConfig`` with an open ``HFClient``."""

    def __init__(self, hf: HFClient, config: BatchConfig, listener: BatchListener | None = None) -> None:
        if config.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.hf = hf
        self.config = config
        self.listener = listener or BatchListener()
        self.stats = Stats()
        self.resolved: ResolvedTarget | None = None
        self.price_per_hour: float | None = None
        self.interrupted = False
        self._stopping = False
        self._fatal: HFError | None = None
        self._writer: ResultWriter | None = None
        self._tasks: set[asyncio.Task] = set()
        self._hold_until = 0.0
        self._billing_since: float | None = None
        self._replicas = 1
        self.resumed = False
        """This run resumed the endpoint (it was paused or scaled to zero)."""

    # -- control -------------------------------------------------------------------

    def stop(self) -> None:
        """Cancel the work in flight; ``run()`` then keeps what was written and pauses."""
        if self._stopping:
            return
        self._stopping = True
        self.interrupted = True
        for task in list(self._tasks):
            task.cancel()

    def _abort(self, exc: HFError) -> None:
        """An error every remaining input would hit too (bad token, unknown target): stop, not interrupted."""
        if self._fatal is None:
            self._fatal = exc
        was_interrupted = self.interrupted
        self.stop()
        self.interrupted = was_interrupted

    @property
    def stopping(self) -> bool:
        return self._stopping

    async def _guarded(self, coro):
        """Run a step that ``stop()`` may cancel; None if it was cancelled by stop()."""
        if self._stopping:
            coro.close()
            return None
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        try:
            return await task
        except asyncio.CancelledError:
            if self._stopping and not _current_task_cancelling():
                return None
            raise
        finally:
            self._tasks.discard(task)

    # -- the run -------------------------------------------------------------------

    async def run(self) -> Summary:
        cfg = self.config
        summary = Summary(target=cfg.target, output=str(cfg.output_path), stats=self.stats)
        began = time.monotonic()
        try:
            self._check_files()
            resolved = await self._guarded(self.resolve())
            if resolved is not None:
                self.resolved = resolved
                summary.target = resolved.label
                if resolved.endpoint is not None:
                    await self._guarded(self._prepare_endpoint())
                if not self._stopping:
                    await self._run_inputs()
            if self._fatal is not None:
                raise self._fatal
        except (BatchError, HFError) as exc:
            summary.fatal = one_line(exc.user_message() if isinstance(exc, HFError) else str(exc), 1000)
        except OSError as exc:
            summary.fatal = one_line(f"file error: {exc}", 1000)
        finally:
            if self.stats.started is not None and self.stats.finished is None:
                self.stats.finished = time.monotonic()
            await asyncio.shield(self._finish(summary))
            summary.total_seconds = time.monotonic() - began
        summary.interrupted = self.interrupted
        return summary

    def _check_files(self) -> None:
        cfg = self.config
        if not cfg.input_path.is_file():
            raise BatchError(f"input file not found: {cfg.input_path}")
        try:
            if cfg.output_path.exists() and cfg.output_path.samefile(cfg.input_path):
                raise BatchError("the output file must not be the input file")
        except OSError as exc:
            raise BatchError(f"cannot read {cfg.output_path}: {exc}") from None

    async def _finish(self, summary: Summary) -> None:
        resolved = self.resolved
        if resolved is None or resolved.endpoint is None:
            return
        ep = resolved.endpoint
        paused = False
        summary.resumed = self.resumed
        if self.config.pause_after:
            self.listener.notice(f"Pausing endpoint {ep.key}…")
            try:
                paused_ep = await self.hf.endpoints.pause(ep.namespace, ep.name)
                paused = True
                summary.paused = True
                self.listener.endpoint_state(paused_ep)
            except HFError as exc:
                summary.pause_error = one_line(exc.user_message(), 500)
        if self._billing_since is not None:
            summary.cost = Cost(billed_seconds=time.monotonic() - self._billing_since,
                                price_per_hour=self.price_per_hour, replicas=self._replicas,
                                still_running=not paused)

    # -- target --------------------------------------------------------------------

    async def resolve(self) -> ResolvedTarget:
        """What TARGET names: a URL, an endpoint (looked up), else a model id."""
        spec = self.config.target.strip()
        task = self.config.task
        if spec.startswith("server:"):
            return self._server(spec[len("server:"):], task)
        if spec.startswith(("http://", "https://")):
            if not task:
                raise BatchError("a URL target needs the task (--task)")
            return ResolvedTarget(Target.at_url(spec, send_token=self.config.send_token), spec,
                                  task=self._check_task(task))
        kind = None
        for prefix, k in (("endpoint:", "endpoint"), ("ep:", "endpoint"), ("model:", "model")):
            if spec.startswith(prefix):
                spec, kind = spec[len(prefix):], k
        if not spec:
            raise BatchError("empty target")
        if kind != "model":
            endpoint = await self._find_endpoint(spec, required=kind == "endpoint")
            if endpoint is not None:
                task = task or endpoint.task
                if not task:
                    raise BatchError(f"endpoint {endpoint.key} does not say its task: choose one (--task)")
                return ResolvedTarget(None, f"endpoint {endpoint.key}", endpoint=endpoint, task=self._check_task(task))
        if not task:
            try:
                info = await self.hf.hub.model_info(spec)
            except NotFound:
                raise BatchError(f"no endpoint or model named {spec!r}") from None
            from hftui.tasks import task_for_pipeline

            task = task_for_pipeline(info.pipeline_tag) or info.pipeline_tag
            if not task:
                raise BatchError(f"model {spec} has no pipeline tag: choose the task (--task)")
        return ResolvedTarget(Target.hf_model(spec), f"model {spec}", task=self._check_task(task))

    def _server(self, spec: str, task: str | None) -> ResolvedTarget:
        """``server:NAME[/MODEL]``: a named self-hosted server, with its own key (never the HF token)."""
        from hftui.servers import DEFAULT_TASK, ServerError, find_server, parse_spec, server_target

        name, model = parse_spec(spec)
        task = self._check_task(task or DEFAULT_TASK)
        try:
            target = server_target(find_server(self.hf.settings, name), task=task, model=model)
        except ServerError as exc:
            raise BatchError(str(exc)) from None
        return ResolvedTarget(target, target.label or f"server {name}", task=task)

    @staticmethod
    def _check_task(task: str) -> str:
        from hftui.client.inference import TASKS

        if task not in TASKS and task != "conversational":
            raise BatchError(f"unsupported task {task!r}; one of: {', '.join(TASKS)}")
        return task

    async def _find_endpoint(self, spec: str, *, required: bool) -> Endpoint | None:
        from hftui.client.endpoints import validate_name

        namespace, _, name = spec.rpartition("/")
        if "/" in namespace or validate_name(name) is not None:
            if required:
                raise BatchError(f"not an endpoint name: {spec!r}")
            return None
        try:
            if not namespace:
                namespace = self.hf.settings.namespace or (await self.hf.hub.whoami()).name
            return await self.hf.endpoints.get(namespace, name)
        except (NotFound, AuthError):
            # Not an endpoint we can see: a model id like ``gpt2`` or ``org/model``.
            if required:
                raise
            return None

    # -- endpoint ------------------------------------------------------------------

    async def _prepare_endpoint(self) -> None:
        """Resume if paused / scaled to zero (price first), wait until running."""
        resolved = self.resolved
        assert resolved is not None and resolved.endpoint is not None
        ep = resolved.endpoint
        ns, name = ep.namespace, ep.name
        try:
            catalog = await self.hf.endpoints.catalog(ns)
            self.price_per_hour = catalog.hourly_cost(ep)
        except HFError:
            self.price_per_hour = None
        self.listener.endpoint_state(ep)
        price = self._price_text(ep)
        if ep.state in (EndpointState.PAUSED, EndpointState.SCALED_TO_ZERO):
            after = "paused again" if self.config.pause_after else "left running"
            self.listener.notice(f"Endpoint {ep.key} is {ep.raw_state}; resuming it — {price} while it runs"
                                 f" (it will be {after} when the batch ends).")
            self._billing_since = time.monotonic()
            self.resumed = True  # before the call: a resume cut short may still have started it
            ep = await self.hf.endpoints.resume(ns, name)
            self.listener.endpoint_state(ep)
        elif ep.state.is_fault:
            raise BatchError(f"endpoint {ep.key} is {ep.raw_state}"
                             + (f": {one_line(ep.message)}" if ep.message else "") + " — fix it first")
        else:
            self._billing_since = time.monotonic()
            after = "paused when the batch ends" if self.config.pause_after else "left running"
            self.listener.notice(f"Endpoint {ep.key} is {ep.raw_state} — {price} (it will be {after}).")
        if ep.state is not EndpointState.RUNNING or not ep.url:
            self.listener.notice(f"Waiting for {ep.key} to be running…")
            ep = await self.hf.endpoints.wait_until_running(
                ns, name, timeout=self.config.wait_timeout, poll_interval=self.config.poll_interval,
                on_state=self.listener.endpoint_state)
            self.listener.endpoint_state(ep)
        self._replicas = max(1, ep.ready_replica or ep.target_replica or ep.min_replica or 1)
        resolved.endpoint = ep
        resolved.target = Target.for_endpoint(ep)

    def _price_text(self, ep: Endpoint) -> str:
        if self.price_per_hour is None:
            return "hourly price unknown"
        return f"${self.price_per_hour:.2f}/h per replica ({ep.instance_type or '?'} {ep.instance_size or ''})".rstrip()

    # -- inputs --------------------------------------------------------------------

    async def _run_inputs(self) -> None:
        writer = ResultWriter(self.config.output_path)  # lock the output first: no second run writes into it
        self._writer = writer
        try:
            await self._run_locked()
        finally:
            self.stats.finished = time.monotonic()
            self._writer.close()

    async def _run_locked(self) -> None:
        cfg = self.config
        resolved = self.resolved
        assert resolved is not None and resolved.target is not None
        # whole-file passes run in a thread: a big file must not freeze the TUI
        scan = await asyncio.to_thread(scan_output, cfg.output_path, drop_failed=cfg.retry_failed)
        if cfg.retry_failed:  # the file was replaced: write (and lock) the new one
            self._writer.close()
            self._writer = ResultWriter(cfg.output_path)
        writer = self._writer
        if scan.torn_bytes:
            self.listener.notice("The output's last record was cut short (interrupted run); that input runs again.")
        self.stats.total = await asyncio.to_thread(count_inputs, cfg.input_path)
        self.stats.skipped = scan.done.count
        self.stats.skipped_failed = scan.failed
        if scan.done.count:
            self.listener.notice(f"{scan.done.count} inputs already in {cfg.output_path}; skipping them.")
        self.listener.started(self.stats)
        queue: asyncio.Queue = asyncio.Queue(maxsize=cfg.concurrency * 2)
        self.stats.started = time.monotonic()
        options = CallOptions(timeout=cfg.timeout)
        workers = [asyncio.ensure_future(self._worker(queue, writer, resolved, options))
                   for _ in range(cfg.concurrency)]
        feeder = asyncio.ensure_future(self._feed(queue, writer, scan.done, len(workers)))
        everything = [feeder, *workers]
        self._tasks.update(everything)

        def on_done(task: asyncio.Task) -> None:
            # an unexpected failure (say the disk is full) ends the run instead of hanging it
            if not task.cancelled() and task.exception() is not None:
                for t in everything:
                    t.cancel()

        for t in everything:
            t.add_done_callback(on_done)
        if self._stopping:  # stop() came in between
            for t in everything:
                t.cancel()
        try:
            results = await asyncio.gather(*everything, return_exceptions=True)
        finally:
            self._tasks.difference_update(everything)
        for res in results:
            if isinstance(res, BaseException) and not isinstance(res, asyncio.CancelledError):
                raise res

    async def _feed(self, queue: asyncio.Queue, writer: ResultWriter, done, n_workers: int) -> None:
        for n, raw in iter_input(self.config.input_path):
            if n in done:
                continue
            try:
                item = parse_input(raw)
            except MalformedInput as exc:
                writer.write({"line": n, "input": None, "raw": raw_echo(raw),
                              "error": {"type": "MalformedInput", "message": f"line {n}: {exc}"},
                              "latency_ms": 0})
                self.stats.failed += 1
                self.listener.input_failed(n, str(exc))
                continue
            await queue.put((n, item))
        for _ in range(n_workers):
            await queue.put(None)

    async def _worker(self, queue: asyncio.Queue, writer: ResultWriter, resolved: ResolvedTarget,
                      options: CallOptions) -> None:
        task = resolved.task
        target = resolved.target
        base_params = self.config.parameters
        stats = self.stats
        while True:
            item = await queue.get()
            if item is None:
                return
            n, record = item
            inputs = record
            params = base_params
            if isinstance(record.get("parameters"), dict):
                inputs = {k: v for k, v in record.items() if k != "parameters"}
                params = {**base_params, **record["parameters"]}
            start = time.perf_counter()
            stats.in_flight += 1
            try:
                result, attempts = await self._call(task, target, inputs, params or None, options)
            except (AuthError, NotFound) as exc:
                # would fail for every input: leave this one unrecorded (it runs again) and stop
                self._abort(exc)
                return
            except (HFError, ValueError, TypeError, KeyError) as exc:
                # typed client errors, and inputs the client could not turn into a payload
                err = _error_json(exc)
                out = {"line": n, "input": record, "error": err}
                stats.failed += 1
                self.listener.input_failed(n, f"{err['type']}: {err['message']}")
            else:
                out = {"line": n, "input": record, "result": result}
                stats.ok += 1
                if attempts > 1:
                    out["attempts"] = attempts
            finally:
                stats.in_flight -= 1
            ms = (time.perf_counter() - start) * 1000
            out["latency_ms"] = round(ms, 1)
            stats.latency.add(ms)
            writer.write(out)

    async def _call(self, task: str, target: Target, inputs: dict, params: dict | None,
                    options: CallOptions) -> tuple[Any, int]:
        attempt = 0
        while True:
            attempt += 1
            if self._hold_until:  # only after a 429: no clock read per input otherwise
                hold = self._hold_until - time.monotonic()
                if hold > 0:
                    await asyncio.sleep(hold)
            try:
                result = await self.hf.inference.run(task, target, inputs, params, options)
                return result_json(result), attempt
            except RateLimited as exc:
                if attempt >= self.config.max_attempts:
                    raise
                delay = self._delay(attempt, exc.retry_after, self.config.max_retry_wait)
                # one 429 slows every worker down, not just this one
                self._hold_until = max(self._hold_until, time.monotonic() + delay)
            except ModelLoading as exc:
                if attempt >= self.config.max_attempts:
                    raise
                delay = self._delay(attempt, exc.estimated_time, self.config.max_retry_wait)
            except ServerError as exc:
                if exc.status != 503 or attempt >= self.config.max_attempts:
                    raise
                delay = self._delay(attempt, None, self.config.max_retry_wait)
            self.stats.retries += 1
            await asyncio.sleep(delay)

    @staticmethod
    def _delay(attempt: int, hint: float | None, cap: float) -> float:
        if hint is not None and hint >= 0:
            hint = min(hint, cap)
            return hint + random.uniform(0, 0.1 * hint)
        base = min(MAX_BACKOFF, cap, 0.5 * 2 ** (attempt - 1))
        return base / 2 + random.uniform(0, base / 2)


def _current_task_cancelling() -> bool:
    task = asyncio.current_task()
    return bool(task and task.cancelling())
