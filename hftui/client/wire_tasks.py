"""The task registry, wire side: how each inference task goes over the wire.

One ``WireTask`` per task says which protocol it speaks (and so its route),
how an input record becomes the body's ``inputs``, how the answer is parsed,
whether the input is a file sent as the body, and whether it streams.
``InferenceAPI.build`` / ``run`` / ``stream`` read it; nothing else in the
client names a task. The spec side (form fields, view, short name) is
``hftui.tasks``; ``hftui.tasks.register(spec, wire)`` adds a task to both.

    TASKS                         # the task names, in menu order (a live view of the registry)
    wire_task(name) -> WireTask   # aliases accepted; BadRequest for a task hftui cannot run
    canonical(name) -> str | None
    register(task) / unregister(name)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any

from hftui.client import _parse
from hftui.client.errors import BadRequest


class Protocol(Enum):
    PIPELINE = "pipeline"
    """``{"inputs", "parameters"}`` (or the file as the body) to the model's route; a JSON answer."""
    IMAGE = "image"
    """A pipeline call whose answer is an image (or JSON carrying one in base64)."""
    TGI = "tgi"
    """TGI text generation: ``stream`` in the body, SSE, and a second try without the TGI-only
    parameters a plain pipeline model refuses."""
    CHAT = "chat"
    """OpenAI chat completions: a route and body of their own (``model``, ``messages``), SSE."""


_STREAMING = frozenset({Protocol.TGI, Protocol.CHAT})
_MISSING = object()


def plain_inputs(record: dict) -> Any:
    """``inputs`` of a record that holds one text (``inputs``, ``text`` or ``prompt``)."""
    for key in ("inputs", "text", "prompt"):
        if key in record:
            return record[key]
    return _MISSING


@dataclass(frozen=True)
class WireTask:
    """How one task is called."""

    name: str
    parse: Callable[[Any], Any] = _parse.labels
    """The decoded JSON answer -> the typed result (``hftui.client.results``); not used by IMAGE."""
    protocol: Protocol = Protocol.PIPELINE
    inputs: Callable[[dict], Any] = plain_inputs
    """An input record (what ``InferenceAPI.run`` takes) -> the body's ``inputs``."""
    binary: bool = False
    """The input is a file: sent as the raw body (or base64 in ``inputs`` when there are parameters)."""
    pipeline_path: bool = False
    """The model's route ends with ``/pipeline/{task}`` (models serving several pipelines)."""
    root_options: tuple[str, ...] = ()
    """Parameters sent at the body's root, beside ``inputs`` (TEI's options)."""
    record_parameters: Callable[[dict], dict] | None = None
    """Parameters an input record may carry (zero-shot labels), sent unless given as parameters."""
    aliases: tuple[str, ...] = ()
    """Other names of the task (the Hub's, older ones) that resolve to it."""

    @property
    def streams(self) -> bool:
        return self.protocol in _STREAMING

    def body_inputs(self, record: dict) -> Any:
        value = self.inputs(record)
        if value is _MISSING:
            raise BadRequest(f"{self.name}: the input record has no 'inputs'")
        return value


def _question_answering(record: dict) -> Any:
    if "inputs" in record:
        return record["inputs"]
    return {"question": record.get("question"), "context": record.get("context")}


def _table_question_answering(record: dict) -> Any:
    value = record["inputs"] if "inputs" in record else {
        "query": record.get("query", record.get("question")), "table": record.get("table")}
    table = value.get("table") if isinstance(value, dict) else None
    if isinstance(table, dict):  # cells are strings on the wire
        value = {**value, "table": {str(k): [str(v) for v in col] for k, col in table.items()}}
    return value


def _sentence_similarity(record: dict) -> Any:
    if "inputs" in record:
        return record["inputs"]
    return {"source_sentence": record.get("source_sentence", record.get("source")),
            "sentences": record.get("sentences")}


def _chat_messages(record: dict) -> Any:
    return record.get("messages", _MISSING)


def _zero_shot_labels(record: dict) -> dict:
    labels = record.get("candidate_labels", record.get("labels"))
    return {} if labels is None else {"candidate_labels": list(labels)}


_BUILTIN = (
    WireTask("fill-mask", _parse.fill_mask),
    WireTask("summarization", partial(_parse.text_field, key="summary_text", task="summarization")),
    WireTask("translation", partial(_parse.text_field, key="translation_text", task="translation")),
    WireTask("question-answering", _parse.answers, inputs=_question_answering),
    WireTask("zero-shot-classification", _parse.zero_shot, record_parameters=_zero_shot_labels),
    WireTask("text-classification", _parse.labels),
    WireTask("token-classification", _parse.entities),
    WireTask("text-generation", _parse.generation, Protocol.TGI),
    WireTask("chat-completion", _parse.chat, Protocol.CHAT, inputs=_chat_messages,
             aliases=("conversational", "chat", "image-text-to-text")),
    WireTask("feature-extraction", _parse.vectors, pipeline_path=True, aliases=("sentence-embeddings",),
             root_options=("normalize", "prompt_name", "truncate", "truncation_direction", "dimensions",
                           "encoding_format")),
    WireTask("sentence-similarity", _parse.similarities, inputs=_sentence_similarity, pipeline_path=True),
    WireTask("text-to-image", protocol=Protocol.IMAGE),
    WireTask("image-classification", partial(_parse.labels, task="image-classification"), binary=True),
    WireTask("object-detection", _parse.detections, binary=True),
    WireTask("image-to-text", partial(_parse.text_field, key="generated_text", task="image-to-text"), binary=True),
    WireTask("automatic-speech-recognition", _parse.transcription, binary=True,
             aliases=("asr", "speech-recognition")),
    WireTask("table-question-answering", _parse.table_answer, inputs=_table_question_answering),
)

_REGISTRY: dict[str, WireTask] = {}
_ALIASES: dict[str, str] = {}

TASKS = _REGISTRY.keys()
"""The names of the tasks hftui runs, in menu order. A live view: a task registered later is in it."""


def register(task: WireTask) -> None:
    """Add a task (its name and aliases must be new)."""
    names = (task.name, *task.aliases)
    taken = [n for n in names if n in _REGISTRY or n in _ALIASES]
    if taken:
        raise ValueError(f"task name already registered: {', '.join(taken)}")
    _REGISTRY[task.name] = task
    for alias in task.aliases:
        _ALIASES[alias] = task.name


def unregister(name: str) -> None:
    task = _REGISTRY.pop(name)
    for alias in task.aliases:
        _ALIASES.pop(alias, None)


def canonical(name: Any) -> str | None:
    """The registered name of a task or alias (any case), else None."""
    if not isinstance(name, str):
        return None
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    return key if key in _REGISTRY else None


def wire_task(name: Any) -> WireTask:
    found = canonical(name)
    if found is None:
        raise BadRequest(f"unsupported task {name!r}")
    return _REGISTRY[found]


for _task in _BUILTIN:
    register(_task)
