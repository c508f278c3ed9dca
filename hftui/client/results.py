"""Typed results of the inference tasks (wire doc 3.4), tolerant of old and new shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hftui.client.stats import CallStats


@dataclass(frozen=True)
class Label:
    """A (label, score) pair: text/zero-shot/image classification, fill-mask."""

    label: str
    score: float


@dataclass(frozen=True)
class FillMaskCandidate:
    token_str: str
    score: float
    sequence: str
    token: int | None = None


@dataclass(frozen=True)
class Entity:
    """token-classification: ``group`` is entity_group (aggregated) or entity."""

    group: str
    score: float
    word: str
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Answer:
    """question-answering: ``answer`` is context[start:end]."""

    answer: str
    score: float
    start: int | None
    end: int | None


@dataclass(frozen=True)
class TableAnswer:
    answer: str
    coordinates: list[tuple[int, int]]
    cells: list[str]
    aggregator: str | None


@dataclass(frozen=True)
class DetectedObject:
    label: str
    score: float
    xmin: int
    ymin: int
    xmax: int
    ymax: int


@dataclass(frozen=True)
class Transcription:
    text: str
    chunks: list[tuple[str, float | None, float | None]] = field(default_factory=list)
    stats: CallStats | None = None
    """From the response headers (``audio_length``, compute time); None if the server sent none."""


@dataclass(frozen=True)
class ImageResult:
    """Raw image bytes as returned, with their media type (decide by magic bytes)."""

    data: bytes
    media_type: str


@dataclass(frozen=True)
class Generation:
    """Non-streamed text-generation."""

    text: str
    finish_reason: str | None = None
    generated_tokens: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str


@dataclass(frozen=True)
class ChatCompletion:
    content: str
    finish_reason: str | None = None
    model: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning: str | None = None
    tool_calls: list[Any] = field(default_factory=list)
    stats: CallStats | None = None
    """From the response headers (TGI: tokens and times); None if the server sent none."""


@dataclass(frozen=True)
class StreamChunk:
    """One piece of a stream.

    ``text`` is the new text to append (empty for special tokens and
    bookkeeping events). ``final`` is set on the event that ends the stream
    normally: ``finish_reason`` and token counts then may be filled.
    """

    text: str = ""
    reasoning: str = ""
    final: bool = False
    finish_reason: str | None = None
    generated_tokens: int | None = None
    prompt_tokens: int | None = None
