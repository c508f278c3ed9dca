"""TaskSpec: one declarative description per inference task.

A spec lists the task's input fields and parameter fields (wire doc 3.4),
knows which client method to call and how to arrange the arguments, and
names the kind of result view (``result_kind``). The Playground builds its
form from ``inputs`` + ``params`` + ``OPTION_FIELDS`` and never needs to know
the task.

Values flow: form (strings/bools) -> ``parse()`` (typed values + errors) ->
``call()`` / ``stream()`` (client call) -> typed result from
``hftui.client.results``.

No Textual, no httpx.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hftui.tasks.fields import OPTION_FIELDS, Field, FieldError

OnLoading = Callable[[float], None]

MAX_AUDIO_BYTES = 25 * 1024 * 1024


@dataclass
class Prepared:
    """A validated call: positional arguments, wire parameters, call options."""

    args: tuple
    parameters: dict
    """The wire ``parameters`` (what the record keeps)."""
    call_parameters: dict
    """``parameters`` minus those the client method takes as arguments."""
    options: Any  # hftui.client.core.CallOptions
    inputs: dict
    """Json-able input record (files as paths) for history/export."""


@dataclass(frozen=True)
class TaskSpec:
    task: str
    title: str
    method: str
    """Name of the ``hf.inference`` method (one-shot)."""
    inputs: tuple[Field, ...]
    params: tuple[Field, ...] = ()
    result_kind: str = "text"
    """labels | fill_mask | entities | answer | text | stream_text | chat | vector |
    similarity | table_answer | image | detections | transcription."""
    stream_method: str | None = None
    description: str = ""
    aliases: tuple[str, ...] = ()
    check: Callable[[dict, Any], dict[str, str]] | None = None
    """Cross-field validation: (typed values, ModelInfo|None) -> {field: error}."""
    example: dict = field(default_factory=dict)
    """Example inputs shown in a fresh form (``{mask}`` becomes the mask token)."""
    positional_params: tuple[str, ...] = ()
    """Parameters the client method takes as arguments (zero-shot labels), not in ``parameters``."""

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
        return self.stream_method is not None

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

    def arguments(self, values: dict[str, Any]) -> tuple:
        """Positional arguments of the client method, after ``target``."""
        args = []
        for f in self.inputs:
            value = values.get(f.name)
            if f.kind in ("file-image", "file-audio") and value:
                value = read_input_file(value, image=f.kind == "file-image")
            args.append(value)
        return tuple(args)

    def prepare(self, values: dict[str, Any]) -> Prepared:
        """Typed values (from ``parse``) -> what the client is called with."""
        from hftui.client.core import CallOptions

        options = CallOptions(wait_for_model=bool(values.get("wait_for_model")),
                              use_cache=values.get("use_cache") is not False)
        wire = self.wire_parameters(values)
        args = self.arguments(values) + tuple(values.get(n) for n in self.positional_params)
        call = {k: v for k, v in wire.items() if k not in self.positional_params}
        return Prepared(args, wire, call, options, self.input_record(values))

    # --- calling ------------------------------------------------------------------

    async def call(self, client: Any, target: Any, values: dict[str, Any], options: Any = None,
                   on_loading: OnLoading | None = None) -> Any:
        """One-shot call of the client method; returns its typed result."""
        prepared = self.prepare(values)
        api = getattr(client, "inference", client)
        method = getattr(api, self.method)
        return await method(target, *prepared.args, parameters=prepared.call_parameters or None,
                            options=options or prepared.options, on_loading=on_loading)

    def stream(self, client: Any, target: Any, values: dict[str, Any], options: Any = None,
               on_loading: OnLoading | None = None) -> AsyncIterator:
        """The client's stream of ``StreamChunk`` (text-generation, chat)."""
        if not self.stream_method:
            raise TypeError(f"{self.task} does not stream")
        prepared = self.prepare(values)
        api = getattr(client, "inference", client)
        method = getattr(api, self.stream_method)
        return method(target, *prepared.args, parameters=prepared.call_parameters or None,
                      options=options or prepared.options, on_loading=on_loading)

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
