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


@dataclass(frozen=True, slots=True)
class Token:
    """One generated token (TGI). ``special`` tokens (``</s>``…) are not part of the text."""

    id: int | None
    text: str
    logprob: float | None = None
    special: bool = False


@dataclass(frozen=True, slots=True)
class PrefillToken:
    """One prompt token (``decoder_input_details``); the first one has no logprob."""

    id: int | None
    text: str
    logprob: float | None = None


@dataclass(frozen=True, slots=True)
class BestOfSequence:
    """One of the other ``best_of`` candidates (the best one is the answer itself)."""

    text: str
    finish_reason: str | None = None
    generated_tokens: int | None = None
    seed: int | None = None
    prefill: tuple[PrefillToken, ...] = ()
    tokens: tuple[Token, ...] = ()
    top_tokens: tuple[tuple[Token, ...], ...] | None = None


@dataclass(frozen=True, slots=True)
class GenerationDetails:
    """TGI's ``details`` (asked for with ``details: true``).

    ``prefill`` needs ``decoder_input_details``, ``top_tokens`` (one tuple of
    alternatives per generated token) ``top_n_tokens``, ``best_of_sequences``
    ``best_of`` > 1; None where the server sent null or nothing.
    ``input_length`` comes with streamed answers only. ``seed`` is the seed
    the server sampled with (None for greedy decoding).
    """

    finish_reason: str | None = None
    generated_tokens: int | None = None
    seed: int | None = None
    prefill: tuple[PrefillToken, ...] = ()
    tokens: tuple[Token, ...] = ()
    top_tokens: tuple[tuple[Token, ...], ...] | None = None
    best_of_sequences: tuple[BestOfSequence, ...] | None = None
    input_length: int | None = None


@dataclass(frozen=True, slots=True)
class Generation:
    """Non-streamed text-generation.

    ``finish_reason``, ``generated_tokens`` and ``seed`` repeat ``details``'
    for the common case. ``dropped_parameters``: TGI-only parameters the
    model refused (not served by TGI) and that the client removed before
    asking again.
    """

    text: str
    finish_reason: str | None = None
    generated_tokens: int | None = None
    seed: int | None = None
    details: GenerationDetails | None = None
    dropped_parameters: tuple[str, ...] = ()


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


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """One piece of a stream.

    ``text`` is the new text to append (empty for special tokens and
    bookkeeping events). ``final`` is set on the event that ends the stream
    normally: ``finish_reason`` and token counts then may be filled.

    TGI streams also give each event's ``token`` (id, logprob, special) and,
    with ``top_n_tokens``, that step's ``top_tokens``; the final chunk has the
    stream's ``details`` (finish_reason, generated_tokens, seed, input_length)
    when they were asked for, and ``dropped_parameters`` (see ``Generation``).
    """

    text: str = ""
    reasoning: str = ""
    final: bool = False
    finish_reason: str | None = None
    generated_tokens: int | None = None
    prompt_tokens: int | None = None
    token: Token | None = None
    top_tokens: tuple[Token, ...] | None = None
    details: GenerationDetails | None = None
    dropped_parameters: tuple[str, ...] = ()
