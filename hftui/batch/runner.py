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
is recorded for that input and the run goes on. Each request has a total
deadline (``timeout``, else the configured one): a server dripping its answer
a byte at a time cannot hold an input longer than that.

An input counts as done (``stats.ok`` / ``stats.failed``) only once its
record is written: after a write error (a full disk) the run stops and the
counts are what the output holds. Server text in notices, errors and records
is cleaned (``hftui.sanitize``) and the token masked wherever it was echoed.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hftui.batch.files import (
    DEFAULT_MAX_LINE_BYTES,
    MAX_INPUT_ECHO,
    LineTooLong,
    MalformedInput,
    ResultWriter,
    UnsafeOutput,
    check_output_path,
    count_inputs,
    count_left,
    fmt_bytes,
    iter_input,
    parse_input,
    raw_echo,
    scan_output,
)
from hftui.batch.stats import Cost, Stats, Summary, fmt_duration
from hftui.client.core import CallOptions, Target
from hftui.client.errors import AuthError, HFError, ModelLoading, NotFound, RateLimited, ServerError, Timeout
from hftui.client.inference import result_to_json
from hftui.client.models import EndpointState
from hftui.controllers.cost import CostEstimate
from hftui.sanitize import one_line, redact

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
    """Per request, seconds, in all (default: the client's)."""
    max_attempts: int = 5
    """Attempts per input for 429/503 (1 = no retry)."""
    max_retry_wait: float = 120.0
    """Longest single wait honoured from Retry-After / estimated_time (s)."""
    retry_failed: bool = False
    """Drop earlier error records from the output and run those inputs again."""
    send_token: bool | None = None
    """Token to a URL target: None = only to HF hosts and the configured services
    (``hftui.client.core.token_allowed``), True = to this URL too, False = never."""
    wait_timeout: float | None = 1800.0
    """How long to wait for an endpoint to reach ``running``."""
    poll_interval: float = 5.0
    """Seconds between two endpoint state polls while waiting."""
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    """A longer input line is not read: it is recorded as that line's error."""


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


class Deadlines:
    """The total deadline of each request in flight, enforced by one sweeping task.

    ``asyncio.timeout`` around each request costs ~8 µs (a timer in the loop's
    heap, the cancel bookkeeping): a tenth of the runner's whole per-input
    cost. Here a request costs a dict write and delete; ``sweep()`` wakes
    every quarter of the timeout (at most each second) and cancels a worker
    whose request is past its deadline, which ``run()`` turns into ``Timeout``.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._due: dict[asyncio.Task, float] = {}
        self._expired: set[asyncio.Task] = set()

    async def run(self, coro, runner: BatchRunner):
        """Await ``coro`` (a request) within the deadline; ``Timeout`` when it is over."""
        if self.seconds is None:
            return await coro
        task = asyncio.current_task()
        assert task is not None
        self._due[task] = time.monotonic() + self.seconds
        try:
            return await coro
        except asyncio.CancelledError:
            if task in self._expired:
                self._expired.discard(task)
                # ours and nobody else's (stop() cancels too): this request failed, the worker goes on
                if task.uncancel() == 0 and not runner.stopping:
                    raise Timeout(f"no complete answer within {fmt_duration(self.seconds)}") from None
            raise
        finally:
            del self._due[task]
            if task in self._expired:  # the request swallowed our cancel: take it back
                self._expired.discard(task)
                task.uncancel()

    async def sweep(self) -> None:
        """Cancel the requests past their deadline, until cancelled."""
        if self.seconds is None:
            return
        tick = min(1.0, self.seconds / 4)
        while True:
            await asyncio.sleep(tick)
            now = time.monotonic()
            for task, due in list(self._due.items()):
                if due <= now and task not in self._expired:
                    self._expired.add(task)
                    task.cancel()


class OutputError(BatchError):
    """The output file could not take a record (full disk, quota...): the run stops."""


def _error_json(exc: BaseException, secrets: tuple[str, ...]) -> dict[str, Any]:
    if isinstance(exc, HFError):
        err: dict[str, Any] = {"type": exc.title, "message": one_line(redact(exc.message or "", secrets), 2000)}
        if exc.status:
            err["status"] = exc.status
        if exc.request_id:
            err["request_id"] = one_line(redact(exc.request_id, secrets), 200)
        return err
    return {"type": type(exc).__name__, "message": one_line(redact(str(exc), secrets), 2000)}


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
        self.untouched = False
        """Every input already had a result: the endpoint was neither resumed nor waited for."""
        self._secrets = hf.secrets()
        # a total deadline per request: the client's timeouts are per read, a drip resets them
        self._deadlines = Deadlines(config.timeout or hf.settings.timeout)

    def text(self, value: object, limit: int = 300) -> str:
        """Server text for a notice or a message: one clean line, the token masked."""
        return one_line(redact(value if isinstance(value, str) else str(value or ""), self._secrets), limit)

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
                if resolved.endpoint is not None and await self._guarded(self._all_done()):
                    self.untouched = True  # no resume, no wait: there is nothing to send
                elif resolved.endpoint is not None:
                    await self._guarded(self._prepare_endpoint())
                if not self._stopping and not self.untouched:
                    await self._run_inputs()
            if self._fatal is not None:
                raise self._fatal
        except OutputError as exc:
            summary.fatal = self.text(f"{exc} — {self.stats.done} results of this run were saved; fix that and"
                                      " run the same command again to continue", 1000)
        except (BatchError, HFError) as exc:
            summary.fatal = self.text(exc.user_message() if isinstance(exc, HFError) else str(exc), 1000)
        except OSError as exc:
            summary.fatal = self.text(f"file error: {exc}", 1000)
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
            check_output_path(cfg.output_path)  # before anything opens it: a FIFO would block, /dev/full never ends
            if cfg.output_path.exists() and cfg.output_path.samefile(cfg.input_path):
                raise BatchError("the output file must not be the input file")
        except UnsafeOutput as exc:
            raise BatchError(f"output {exc}") from None
        except OSError as exc:
            raise BatchError(f"cannot use {cfg.output_path}: {exc}") from None

    async def _finish(self, summary: Summary) -> None:
        resolved = self.resolved
        if resolved is None or resolved.endpoint is None:
            return
        ep = resolved.endpoint
        paused = False
        summary.resumed = self.resumed
        idle = ep.state in (EndpointState.PAUSED, EndpointState.SCALED_TO_ZERO)
        if self.config.pause_after and not (self.untouched and idle):  # an idle one is left as it is
            self.listener.notice(f"Pausing endpoint {self.text(ep.key, 200)}…")
            try:
                paused_ep = await self.hf.endpoints.pause(ep.namespace, ep.name)
                paused = True
                summary.paused = True
                self.listener.endpoint_state(paused_ep)
            except HFError as exc:
                summary.pause_error = self.text(exc.user_message(), 500)
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
            send = self.config.send_token
            if send is None:  # the token goes only where it belongs, unless asked (--token-for-url)
                send = self.hf.token_allowed(spec)
            return ResolvedTarget(Target.at_url(spec, send_token=send), spec, task=self._check_task(task))
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
                    raise BatchError(f"endpoint {self.text(endpoint.key, 200)} does not say its task:"
                                     " choose one (--task)")
                return ResolvedTarget(None, f"endpoint {self.text(endpoint.key, 200)}", endpoint=endpoint,
                                      task=self._check_task(task))
        if not task:
            try:
                info = await self.hf.hub.model_info(spec)
            except NotFound:
                raise BatchError(f"no endpoint or model named {spec!r}") from None
            from hftui.tasks import task_for_pipeline

            task = task_for_pipeline(info.pipeline_tag) or info.pipeline_tag
            if not task:
                raise BatchError(f"model {self.text(spec, 200)} has no pipeline tag: choose the task (--task)")
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
            raise BatchError(f"unsupported task {one_line(repr(task), 100)}; one of: {', '.join(TASKS)}")
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

    async def _all_done(self) -> bool:
        """Read the output before touching the endpoint: True (and say so) when no input is left.

        Resuming a paused endpoint to send nothing costs a cold start and billing for nothing.
        """
        cfg = self.config
        scan = await asyncio.to_thread(scan_output, cfg.output_path, drop_failed=cfg.retry_failed, readonly=True)
        total, left = await asyncio.to_thread(count_left, cfg.input_path, scan.done, cfg.max_line_bytes)
        if left:
            return False
        self.stats.total = total
        self.stats.skipped = total
        self.stats.skipped_failed = scan.failed
        ep = self.resolved.endpoint if self.resolved else None
        text = (f"Nothing to do: all {total} inputs already have a result in"
                f" {one_line(str(cfg.output_path), 300)}")
        if ep is not None and ep.state in (EndpointState.PAUSED, EndpointState.SCALED_TO_ZERO):
            text += f"; endpoint {self.text(ep.key, 200)} stays {self.text(ep.raw_state, 60)} (not resumed)"
        self.listener.notice(text + ("." if not scan.failed else
                                     f" ({scan.failed} failed: --retry-failed runs them again)."))
        return True

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
        key, state = self.text(ep.key, 200), self.text(ep.raw_state, 60)
        if ep.state in (EndpointState.PAUSED, EndpointState.SCALED_TO_ZERO):
            after = "paused again" if self.config.pause_after else "left running"
            self.listener.notice(f"Endpoint {key} is {state}; resuming it — {price} while it runs"
                                 f" (it will be {after} when the batch ends).")
            self._billing_since = time.monotonic()
            self.resumed = True  # before the call: a resume cut short may still have started it
            ep = await self.hf.endpoints.resume(ns, name)
            self.listener.endpoint_state(ep)
        elif ep.state.is_fault:
            raise BatchError(f"endpoint {key} is {state}"
                             + (f": {self.text(ep.message)}" if ep.message else "") + " — fix it first")
        else:
            self._billing_since = time.monotonic()
            after = "paused when the batch ends" if self.config.pause_after else "left running"
            self.listener.notice(f"Endpoint {key} is {state} — {price} (it will be {after}).")
        if ep.state is not EndpointState.RUNNING or not ep.url:
            self.listener.notice(f"Waiting for {key} to be running…")
            ep = await self.hf.endpoints.wait_until_running(
                ns, name, timeout=self.config.wait_timeout, poll_interval=self.config.poll_interval,
                on_state=self.listener.endpoint_state)
            self.listener.endpoint_state(ep)
        self._replicas = max(1, ep.ready_replica or ep.target_replica or ep.min_replica or 1)
        resolved.endpoint = ep
        resolved.target = Target.for_endpoint(ep)

    def _price_text(self, ep: Endpoint) -> str:
        text = CostEstimate(self.price_per_hour).per_replica()
        if self.price_per_hour is None:
            return text
        size = f"{ep.instance_type or '?'} {ep.instance_size or ''}".rstrip()
        return f"{text} ({self.text(size, 80)})"

    # -- inputs --------------------------------------------------------------------

    async def _run_inputs(self) -> None:
        # lock the output first: no second run writes into it
        writer = ResultWriter(self.config.output_path, self._secrets)
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
            self._writer = ResultWriter(cfg.output_path, self._secrets)
        writer = self._writer
        if scan.torn_bytes:
            self.listener.notice("The output's last record was cut short (interrupted run); that input runs again.")
        self.stats.total = await asyncio.to_thread(count_inputs, cfg.input_path, cfg.max_line_bytes)
        self.stats.skipped = scan.done.count
        self.stats.skipped_failed = scan.failed
        if scan.done.count:
            self.listener.notice(f"{scan.done.count} inputs already in {one_line(str(cfg.output_path), 500)};"
                                 " skipping them.")
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
        sweeper = asyncio.ensure_future(self._deadlines.sweep())
        try:
            results = await asyncio.gather(*everything, return_exceptions=True)
        finally:
            sweeper.cancel()
            self._tasks.difference_update(everything)
        for res in results:
            if isinstance(res, BaseException) and not isinstance(res, asyncio.CancelledError):
                raise res

    async def _feed(self, queue: asyncio.Queue, writer: ResultWriter, done, n_workers: int) -> None:
        cap = self.config.max_line_bytes
        for n, raw in iter_input(self.config.input_path, cap):
            if n in done:
                continue
            if type(raw) is LineTooLong:
                self._save_bad_line(writer, n, raw.excerpt, "LineTooLong",
                                    f"longer than {fmt_bytes(cap)} ({fmt_bytes(raw.size)}); not read"
                                    " (raise --max-line-bytes to run it)")
                continue
            try:
                item = parse_input(raw)
            except MalformedInput as exc:
                self._save_bad_line(writer, n, raw, "MalformedInput", str(exc))
                continue
            # a big input is not copied into its record: an excerpt and its size say which it was
            big = None if len(raw) <= MAX_INPUT_ECHO else (raw_echo(raw), len(raw.rstrip(b"\r\n")))
            await queue.put((n, item, big))
        for _ in range(n_workers):
            await queue.put(None)

    def _save_bad_line(self, writer: ResultWriter, n: int, raw: bytes, kind: str, message: str) -> None:
        self._save(writer, {"line": n, "input": None, "raw": raw_echo(raw),
                            "error": {"type": kind, "message": f"line {n}: {message}"}, "latency_ms": 0})
        self.stats.failed += 1
        self.listener.input_failed(n, message)

    def _save(self, writer: ResultWriter, record: dict[str, Any]) -> bool:
        """Write ``record``; False if it could not be encoded and a plain error record was written instead.

        An input nested too deeply to encode again must not end the run: its
        line gets an error record. A write error (full disk) does end it.
        """
        ok = True
        try:
            data = writer.encode(record)
        except (RecursionError, ValueError, TypeError) as exc:
            ok = False
            data = writer.encode({"line": record["line"], "input": None, "error": {
                "type": "UnwritableRecord", "message": one_line(f"this input's record cannot be written as JSON"
                                                                f" ({type(exc).__name__}: {exc})", 300)},
                "latency_ms": record.get("latency_ms", 0)})
        try:
            writer.write_bytes(data)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise OutputError(f"cannot write {self.config.output_path}: {reason}") from None
        return ok

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
            n, record, big = item
            inputs = record
            params = base_params
            if isinstance(record.get("parameters"), dict):
                inputs = {k: v for k, v in record.items() if k != "parameters"}
                params = {**base_params, **record["parameters"]}
            start = time.perf_counter()
            stats.in_flight += 1
            failure = None
            try:
                result, attempts = await self._call(task, target, inputs, params or None, options)
            except (AuthError, NotFound) as exc:
                # would fail for every input: leave this one unrecorded (it runs again) and stop
                self._abort(exc)
                return
            except (HFError, ValueError, TypeError, KeyError, RecursionError) as exc:
                # typed client errors, and inputs the client could not turn into a payload
                err = _error_json(exc, self._secrets)
                out = {"line": n, "input": record, "error": err}
                failure = f"{err['type']}: {err['message']}"
            else:
                out = {"line": n, "input": record, "result": result}
                if attempts > 1:
                    out["attempts"] = attempts
            finally:
                stats.in_flight -= 1
            if big is not None:
                out["input"] = None
                out["input_excerpt"], out["input_bytes"] = big
            ms = (time.perf_counter() - start) * 1000
            out["latency_ms"] = round(ms, 1)
            if not self._save(writer, out) and failure is None:
                failure = "UnwritableRecord: this input's record cannot be written as JSON"
            # counted once it is in the file: after a write error the counts are what was saved
            stats.latency.add(ms)
            if failure is None:
                stats.ok += 1
            else:
                stats.failed += 1
                self.listener.input_failed(n, failure)

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
                result = await self._deadlines.run(self.hf.inference.run(task, target, inputs, params, options),
                                                   self)
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
