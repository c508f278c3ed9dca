"""TaskSpec: one declarative description per inference task (the spec side of the registry).

A spec lists the task's input fields and parameter fields (wire doc 3.4),
how form values become the task's input record, the kind of result view
(``result_kind``), a short name for narrow tables and its capabilities
(``conversational``, ``router``; ``streams`` comes from the wire side,
``hftui.client.wire_tasks``). The Playground builds its form from
``inputs`` + ``params`` + ``OPTION_FIELDS`` and never needs to know the task.

Values flow: form (strings/bools) -> ``parse()`` (typed values + errors) ->
``call()`` / ``stream()`` (``hf.inference.run`` / ``stream``, the one way
in that batch uses too) -> typed result from ``hftui.client.results``.

No Textual, no httpx.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from hftui.tasks.fields import OPTION_FIELDS, Field, FieldError

if TYPE_CHECKING:
    from hftui.client.core import HFClient

OnLoading = Callable[[float], None]

MAX_AUDIO_BYTES = 25 * 1024 * 1024


@dataclass
class Prepared:
    """A validated call: the input record, wire parameters, call options."""

    inputs: dict
    """Json-able input record (files as paths) for history/export."""
    call_inputs: dict
    """The input record sent: files replaced by their (checked) bytes."""
    parameters: dict
    """The wire ``parameters``."""
    options: Any  # hftui.client.core.CallOptions


@dataclass(frozen=True)
class TaskSpec:
    task: str
    title: str
    inputs: tuple[Field, ...]
    params: tuple[Field, ...] = ()
    result_kind: str = "text"
    """labels | fill_mask | entities | answer | text | stream_text | chat | vector |
    similarity | table_answer | image | detections | transcription."""
    short: str = ""
    """At most 8 characters: the task's name in a narrow table column."""
    conversational: bool = False
    """Runs keep a conversation: each answer is a turn sent again with the next message."""
    router: bool = False
    """The inference router's providers serve it (other tasks go to a model's hf-inference route)."""
    deployable: bool = True
    """An Inference Endpoint can be created with this task (chat models deploy as text-generation)."""
    description: str = ""
    check: Callable[[dict, Any], dict[str, str]] | None = None
    """Cross-field validation: (typed values, ModelInfo|None) -> {field: error}."""
    example: dict = field(default_factory=dict)
    """Example inputs shown in a fresh form (``{mask}`` becomes the mask token)."""

    message_field: ClassVar[str] = ""
    """A conversational spec's field holding the next user message (emptied once it is sent)."""
    system_field: ClassVar[str] = ""
    """A conversational spec's field holding the system prompt."""

    # --- fields ---------------------------------------------------------------

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.inputs + self.params + OPTION_FIELDS

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def streams(self) -> bool:
        """The answer streams (text generation, chat): the wire side says."""
        from hftui.client.wire_tasks import wire_task

        return wire_task(self.task).streams

    @property
    def mask_fields(self) -> tuple[str, ...]:
        """Fields whose example holds the model's mask token (``{mask}``): it changes with the model."""
        return tuple(name for name, value in self.example.items() if isinstance(value, str) and "{mask}" in value)

    def defaults(self, model: Any = None) -> dict[str, Any]:
        """Form values of a fresh form (typed; use ``Field.to_form`` for widgets)."""
        out: dict[str, Any] = {}
        mask = getattr(model, "mask_token", None) or "[MASK]"
        for f in self.fields:
            value = self.example.get(f.name, f.default)
            if isinstance(value, str):
                value = value.replace("{mask}", mask)
            out[f.name] = value
        return out

    # --- validation -----------------------------------------------------------

    def parse(self, raw: dict[str, Any], model: Any = None) -> tuple[dict[str, Any], dict[str, str]]:
        """Form values -> (typed values, {field: error}). Unknown keys are kept as is."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for f in self.fields:
            try:
                values[f.name] = f.coerce(raw.get(f.name, f.default))
            except FieldError as exc:
                errors[f.name] = str(exc)
                values[f.name] = None
        for key, value in raw.items():
            values.setdefault(key, value)
        if self.check:
            for name, message in self.check(values, model).items():
                errors.setdefault(name, message)
        for f in self.inputs:
            if f.kind == "file-image" and f.name not in errors and values.get(f.name):
                problem = _image_problem(values[f.name])
                if problem:
                    errors[f.name] = problem
            if f.kind == "file-audio" and f.name not in errors and values.get(f.name):
                size = Path(values[f.name]).stat().st_size
                if size > MAX_AUDIO_BYTES:
                    errors[f.name] = f"audio file too large ({size // 1_000_000} MB; limit {MAX_AUDIO_BYTES // 1_000_000} MB)"
        return values, errors

    def validate(self, values: dict[str, Any], model: Any = None) -> dict[str, str]:
        """{field: error} for form (or typed) values; empty when the run can go."""
        return self.parse(values, model)[1]

    # --- building the call ------------------------------------------------------

    def wire_parameters(self, values: dict[str, Any]) -> dict:
        """Typed values -> nested ``parameters`` (None values dropped)."""
        params: dict = {}
        for f in self.params:
            value = values.get(f.name)
            if value is None or f.extra.get("local"):
                continue
            node = params
            *parents, leaf = f.wire_path
            for key in parents:
                node = node.setdefault(key, {})
            if isinstance(node.get(leaf), dict) and isinstance(value, dict):
                node[leaf].update(value)  # a JSON "extra" field merging into a group
            else:
                node[leaf] = value
        return params

    def values_from_record(self, record: dict) -> dict[str, Any]:
        """Form values (typed) from a saved run: the inverse of ``prepare``."""
        values = self.defaults()
        inputs = record.get("inputs") or {}
        params = record.get("parameters") or {}
        options = record.get("options") or {}
        for f in self.inputs:
            if f.name in inputs:
                values[f.name] = inputs[f.name]
        for f in self.params:
            if f.extra.get("local"):
                if f.name in options:
                    values[f.name] = options[f.name]
                continue
            node: Any = params
            for key in f.wire_path:
                node = node.get(key) if isinstance(node, dict) else None
            values[f.name] = node
        for f in OPTION_FIELDS:
            if f.name in options:
                values[f.name] = options[f.name]
        values.update(self.extra_from_record(record))
        return values

    def extra_from_record(self, record: dict) -> dict[str, Any]:
        """Specs whose form differs from their input record override this."""
        return {}

    def options_record(self, values: dict[str, Any]) -> dict:
        """Json-able options of a run: the call options and the local switches (stream)."""
        out = {f.name: values.get(f.name) for f in OPTION_FIELDS}
        out.update({f.name: values.get(f.name) for f in self.params if f.extra.get("local")})
        return out

    def input_record(self, values: dict[str, Any]) -> dict:
        return {f.name: values.get(f.name) for f in self.inputs}

    def call_record(self, values: dict[str, Any]) -> dict:
        """The input record sent: file inputs read (and images checked again: the file may have changed)."""
        record = self.input_record(values)
        for f in self.inputs:
            if f.kind in ("file-image", "file-audio") and record.get(f.name):
                record[f.name] = read_input_file(record[f.name], image=f.kind == "file-image")
        return record

    def prepare(self, values: dict[str, Any], recorder: Any = None) -> Prepared:
        """Typed values (from ``parse``) -> what the client is called with (``recorder``: CallOptions')."""
        from hftui.client.core import NO_TIMEOUT, CallOptions
        from hftui.tasks.fields import NO_LIMIT

        timeout = values.get("timeout")
        options = CallOptions(wait_for_model=bool(values.get("wait_for_model")),
                              use_cache=values.get("use_cache") is not False,
                              timeout=NO_TIMEOUT if timeout == NO_LIMIT else timeout, recorder=recorder)
        return Prepared(self.input_record(values), self.call_record(values), self.wire_parameters(values), options)

    # --- calling ------------------------------------------------------------------

    async def call(self, client: HFClient, target: Any, values: dict[str, Any], options: Any = None,
                   on_loading: OnLoading | None = None, *, recorder: Any = None) -> Any:
        """One-shot call (``hf.inference.run``); returns the typed result."""
        prepared = self.prepare(values, recorder)
        return await client.inference.run(self.task, target, prepared.call_inputs, prepared.parameters or None,
                                          options or prepared.options, on_loading)

    def stream(self, client: HFClient, target: Any, values: dict[str, Any], options: Any = None,
               on_loading: OnLoading | None = None, *, recorder: Any = None) -> AsyncIterator:
        """The client's stream of ``StreamChunk`` (``hf.inference.stream``; text generation, chat)."""
        prepared = self.prepare(values, recorder)
        return client.inference.stream(self.task, target, prepared.call_inputs, prepared.parameters or None,
                                       options or prepared.options, on_loading)

    def wants_stream(self, values: dict[str, Any]) -> bool:
        return self.streams and values.get("stream", True) is not False


def _image_problem(path: str) -> str | None:
    from hftui.imaging import ImageRejected, check_image_file

    try:
        check_image_file(path)
    except ImageRejected as exc:
        return str(exc)
    return None


def read_input_file(path: str, *, image: bool) -> bytes:
    """The bytes to upload; images are checked again (the file may have changed)."""
    if image:
        from hftui.imaging import check_image_file

        return check_image_file(path)
    data = Path(path).read_bytes()
    if len(data) > MAX_AUDIO_BYTES:
        raise FieldError("audio file too large")
    return data
