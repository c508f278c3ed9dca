"""RunSession: one Playground run at a time, without Textual.

    session = RunSession(transcript, listener, save=history_add)
    record = await session.run(client, spec, target, values)   # values: typed (spec.parse)
    session.conversation        # chat turns so far, sent again with the next message
    session.last_record / session.last_run_id
    session.new_chat(); session.restore(spec, values, history)

A run streams into the ``transcript`` (text generation, chat: a
``Transcript``, the Playground's ``StreamOutput``) or hands a one-shot
result to ``listener.result``. Whatever happens it ends in one history
record (``hftui.tasks.record``) with a status: ``ok``, ``error`` or
``cancelled``. Cancelling the task running ``run`` (Esc) and a stream cut
by the server keep what arrived — in the transcript, the record and, for
chat, the conversation. A failure becomes one message beside the form and
one status line (``describe_failure``); never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from hftui.client.errors import HFError, ModelLoading, RateLimited, StreamInterrupted, describe_error
from hftui.client.exchange import ExchangeRecorder
from hftui.client.results import ChatMessage
from hftui.client.stats import CallStats
from hftui.controllers.meter import StreamMeter
from hftui.sanitize import one_line
from hftui.tasks.generation import StreamedGeneration
from hftui.tasks.record import make_run_record, run_warnings

if TYPE_CHECKING:
    from hftui.client.core import HFClient, Target
    from hftui.tasks import TaskSpec

log = logging.getLogger(__name__)

ERROR_CHARS = 2000
"""Longest error text kept in a message or a record."""


class Transcript(Protocol):
    """Where streamed and conversational output goes (``hftui.widgets.stream_output.StreamOutput``)."""

    def begin(self, kind: str = "markdown", *, header: str | None = None) -> None: ...

    def append(self, text: str) -> None: ...

    def finish(self) -> None: ...

    def add_block(self, text: str, kind: str = "plain", *, header: str | None = None) -> None: ...

    def clear(self) -> None: ...

    def plain_text(self) -> str: ...


class RunListener:
    """What a display hears from a session (each method may be left as is)."""

    def status(self, text: str, state: str = "") -> None:
        """The status line; ``state`` is running | ok | error | "" (neutral)."""

    def problem(self, message: str | None) -> None:
        """The message beside the form (the form keeps its input); None clears it."""

    def offer_wait(self) -> None:
        """The model answered 503 'loading' and the run did not wait: offer to run again, waiting."""

    def warning(self, text: str) -> None:
        """Something the run did, or could not do, on its own (dropped parameters, image not saved)."""

    def loading(self, seconds: float | None, *, waking: bool = False) -> None:
        """The model loads (``waking``: the endpoint wakes from zero) and should answer in about ``seconds``;
        None: it answers."""

    def streaming(self, meter: StreamMeter | None) -> None:
        """A stream starts (its live timings: ``meter``) or, with None, ends."""

    def result(self, spec: TaskSpec, result: Any, values: dict, saved: Path | None) -> None:
        """A one-shot result to show (tasks whose output is not the transcript); ``saved``: an image's file."""

    def message_sent(self, spec: TaskSpec) -> None:
        """A chat turn is done: the message field (``spec.message_field``) can be emptied."""


def stats_summary(stats: CallStats | None) -> str:
    """What the response headers said about the call, for the status line ("" when nothing)."""
    if stats is None:
        return ""
    parts = []
    if stats.prompt_tokens is not None or stats.generated_tokens is not None:
        parts.append(f"tokens {stats.prompt_tokens if stats.prompt_tokens is not None else '?'} in / "
                     f"{stats.generated_tokens if stats.generated_tokens is not None else '?'} out")
    if stats.total_time is not None:
        parts.append(f"server {stats.total_time:.2f} s")
    elif stats.compute_time is not None:
        parts.append(f"compute {stats.compute_time:.2f} s")
    if stats.audio_length is not None:
        parts.append(f"audio {stats.audio_length:.1f} s")
    return " · ".join(parts)


def describe_failure(exc: BaseException, progress: str = "") -> tuple[str, str]:
    """(the message beside the form, the status line) of a failed run; ``progress``: the meter's summary."""
    text = describe_error(exc, ERROR_CHARS)
    if isinstance(exc, StreamInterrupted):
        return f"The stream broke off: {text}. What arrived is kept.", f"Stream interrupted · {progress}"
    if isinstance(exc, ModelLoading):
        eta = f" (about {exc.estimated_time:.0f} s)" if exc.estimated_time is not None else ""
        return (f"The model is loading{eta}. Wait for it (turn on 'Wait for model'), or run again later.\n"
                f"{text}", "Model loading.")
    if isinstance(exc, RateLimited):
        when = (f"You may retry in {exc.retry_after:.0f} s." if exc.retry_after is not None
                else "Wait a little before retrying (the server did not say how long).")
        return f"Rate limited. {when}\n{text}", "Rate limited."
    if isinstance(exc, HFError):
        return f"{exc.title}: {text}", f"Failed: {exc.title}"
    return text, "Failed."  # a file problem, an odd result: "ValueError: ..."


class RunSession:
    """The Playground's runs: one at a time (the caller cancels the task running ``run`` to stop it)."""

    def __init__(self, transcript: Transcript, listener: RunListener | None = None, *,
                 save: Callable[[dict], Awaitable[Any]] | None = None, images: Path | None = None) -> None:
        self.transcript = transcript
        self.listener = listener or RunListener()
        self._save_record = save
        self._images = images
        self.conversation: list[ChatMessage] = []
        """Chat turns so far (user and assistant), sent with the next message."""
        self.last_record: dict | None = None
        """The last run's record (with ``id`` once saved)."""
        self.last_run_id: Any = None
        self.last_result: Any = None
        self.exchanges = ExchangeRecorder()
        """The last run's HTTP exchange (``exchanges.last``: request and response, credentials masked)."""
        """The last run's typed result (a partial one after a cancel or a cut stream), None after a failure."""
        self.meter: StreamMeter | None = None
        """The current (or last) run's timings, for a live status line."""
        self._answer: list[str] = []
        self._loading = False
        self._target: Target | None = None

    # --- conversation ---------------------------------------------------------------------

    def new_chat(self) -> None:
        self.conversation = []
        self.transcript.clear()

    def restore(self, spec: TaskSpec, values: dict, history: list) -> None:
        """A re-opened run: its conversation so far, shown and kept for the next message."""
        self.conversation = []
        if not spec.conversational:
            return
        if values.get(spec.system_field):
            self.transcript.add_block(values[spec.system_field], "notice", header="System")
        for m in history:
            if not isinstance(m, dict):
                continue
            msg = ChatMessage(str(m.get("role", "user")), str(m.get("content", "")))
            self.conversation.append(msg)
            user = msg.role == "user"
            self.transcript.add_block(msg.content, "user" if user else "markdown", header="You" if user else "Assistant")

    def _add_turn(self, spec: TaskSpec, values: dict, reply: str | None) -> None:
        self.conversation.append(ChatMessage("user", values.get(spec.message_field) or ""))
        if reply is not None:
            self.conversation.append(ChatMessage("assistant", reply))

    # --- a run -------------------------------------------------------------------------------

    async def run(self, client: HFClient, spec: TaskSpec, target: Target, values: dict) -> dict | None:
        """Run once and save the run; returns its record (None if not even a record could be built).

        Cancelling the task keeps what arrived, saves the run as ``cancelled`` and re-raises.
        """
        values = dict(values)
        if spec.conversational:
            values["history"] = list(self.conversation)
        listener = self.listener
        meter = self.meter = StreamMeter()
        meter.start()
        self._answer = []
        self._loading = False
        self._target = target
        self.exchanges = ExchangeRecorder()
        streamed = spec.wants_stream(values)
        result: Any = None
        error: str | None = None
        extra: dict = {}
        listener.problem(None)
        listener.status(f"Running {spec.title} on {one_line(target.label or target.model or target.url, 80)}…",
                        "running")

        def stop() -> None:
            meter.stop()
            if streamed:
                listener.streaming(None)

        if streamed:
            listener.streaming(meter)
        try:
            if streamed:
                result = await self._stream(client, spec, target, values, meter)
            else:
                result = await spec.call(client, target, values, on_loading=self._on_loading, recorder=self.exchanges)
                meter.token(0)
                stop()
                self._loaded()
                extra = self._show(spec, result, values)
            stop()
            for warning in run_warnings(result):
                listener.warning(warning)
            done = f"Done · {meter.summary()}" if streamed else f"Done in {meter.elapsed:.2f} s"
            said = stats_summary(getattr(result, "stats", None))
            listener.status(f"{done} · {said}" if said else done, "ok")
        except asyncio.CancelledError:
            stop()
            try:  # the app may be closing: keep what can be kept, never fail the cancel
                self._loaded()
                result = self._keep_partial(spec, values, None)
                listener.status(f"Cancelled (kept) · {meter.summary()}", "error")
                await self._save(spec, target, values, result, "cancelled", meter, status="cancelled")
            except Exception:
                log.debug("cleanup after cancel failed", exc_info=True)
            raise
        except Exception as exc:  # typed client errors, and file problems or odd results: a message
            if not isinstance(exc, HFError):
                log.debug("playground run failed", exc_info=True)
            stop()
            error = describe_error(exc, ERROR_CHARS)
            if isinstance(exc, StreamInterrupted):
                result = self._keep_partial(spec, values, exc)
            message, status = describe_failure(exc, meter.summary())
            listener.problem(message)
            if isinstance(exc, ModelLoading) and not values.get("wait_for_model"):
                listener.offer_wait()
            listener.status(status, "error")
        finally:
            stop()
            self._loaded()
            try:
                self.transcript.finish()
            except Exception:  # the display may be going away
                log.debug("cannot finish the transcript", exc_info=True)
        return await self._save(spec, target, values, result, error, meter, extra)

    def _on_loading(self, seconds: float) -> None:
        self._loading = True
        # The client counts down for a deployed endpoint waking from zero (URL targets) or, asked to
        # wait, for an hf-inference model loading (model targets): the target tells which.
        waking = self._target is not None and self._target.kind == "url"
        self.listener.loading(max(0.0, float(seconds or 0)), waking=waking)

    def _loaded(self) -> None:
        if self._loading:
            self._loading = False
            self.listener.loading(None)

    async def _stream(self, client: HFClient, spec: TaskSpec, target: Target, values: dict,
                      meter: StreamMeter) -> Any:
        out = self.transcript
        chat = spec.conversational
        if chat:
            system = values.get(spec.system_field)
            if system and not self.conversation and not out.plain_text().strip():
                out.add_block(system, "notice", header="System")
            out.add_block(values.get(spec.message_field) or "", "user", header="You")
        else:
            out.clear()
        finish = None
        collected = None if chat else StreamedGeneration()
        section = None  # "reasoning" while a reasoning model thinks aloud, then "answer"
        stream = spec.stream(client, target, values, on_loading=self._on_loading, recorder=self.exchanges)
        try:
            async for chunk in stream:
                if collected is not None:
                    collected.add(chunk)
                self._loaded()
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
                    self._answer.append(chunk.text)
                    meter.token()
                if chunk.final:
                    finish = chunk.finish_reason
                    if chunk.generated_tokens:  # the server's own count, when it gives one
                        meter.tokens = max(meter.tokens, chunk.generated_tokens)
        finally:
            closer = getattr(stream, "aclose", None)  # an async generator: close the connection now
            if closer is not None:
                try:
                    await closer()
                except Exception:
                    pass
        out.finish()
        text = "".join(self._answer)
        if chat:
            self._add_turn(spec, values, text)
            self.listener.message_sent(spec)
        if collected is not None:
            return collected.result(text)
        return {"text": text, "finish_reason": finish}

    def _keep_partial(self, spec: TaskSpec, values: dict, exc: StreamInterrupted | None) -> dict | None:
        """After a cancel or a broken stream: freeze the partial answer and keep it in the conversation."""
        if not spec.wants_stream(values):
            return None
        out = self.transcript
        out.finish()
        text = "".join(self._answer)
        if not text and exc is not None:
            text = exc.partial or ""
        if exc is None:
            out.add_block("[cancelled — partial output kept]", "notice")
        else:
            out.add_block(f"Error: {describe_error(exc, ERROR_CHARS)}", "error")
        if spec.conversational and values.get(spec.message_field):
            self._add_turn(spec, values, text or None)
        return {"text": text, "partial": True}

    def _show(self, spec: TaskSpec, result: Any, values: dict) -> dict:
        """A one-shot result: into the transcript (streaming tasks with streaming off), else to the listener.

        Returns what the record keeps beside the result (an image's file)."""
        extra: dict = {}
        saved = None
        if spec.result_kind == "image":
            from hftui.imaging import save_image

            try:
                saved = save_image(result.data, self._images_dir(), stem=spec.task)
                extra["saved_path"] = str(saved)
            except OSError as exc:
                self.listener.warning(f"Could not save the image: {describe_error(exc)}")
        if not spec.streams:
            self.listener.result(spec, result, values, saved)
            return extra
        text = getattr(result, "text", None) or getattr(result, "content", None) or ""
        out = self.transcript
        if spec.conversational:
            out.add_block(values.get(spec.message_field) or "", "user", header="You")
            out.add_block(text, "markdown", header="Assistant")
            self._add_turn(spec, values, text)
            self.listener.message_sent(spec)
        else:
            out.clear()
            out.add_block(text, "plain")
        return extra

    def _images_dir(self) -> Path:
        if self._images is not None:
            return self._images
        from hftui.config import data_dir

        return data_dir() / "images"

    async def _save(self, spec: TaskSpec, target: Target, values: dict, result: Any, error: str | None,
                    meter: StreamMeter, extra: dict | None = None, *, status: str | None = None) -> dict | None:
        self.last_result = result
        values = dict(values)
        if not values.get("history"):
            values.pop("history", None)
        try:
            record = make_run_record(spec=spec, target=target, values=values, result=result, error=error,
                                     timings=meter.timings(), extra_result=extra, status=status)
        except Exception:
            log.debug("cannot build the run record", exc_info=True)
            return None
        self.last_record = record
        run_id = None
        if self._save_record is not None:
            try:
                run_id = await self._save_record(record)
            except Exception as exc:  # a full disk must not break the Playground
                log.debug("cannot save the run", exc_info=True)
                from hftui.history import HistoryError

                # a HistoryError already says what happened and what was lost
                self.listener.warning(one_line(exc, 300) if isinstance(exc, HistoryError)
                                      else f"Run not saved to history: {describe_error(exc)}")
        self.last_run_id = run_id
        if run_id is not None:
            self.last_record = {**record, "id": run_id}  # export names the run and its files by id
        return self.last_record
