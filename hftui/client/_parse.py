"""Tolerant parsers: JSON answers of the inference tasks -> typed results (wire doc 3.4).

Each parser accepts the old and new shapes the wire doc lists and raises
:class:`InvalidResponse` (never KeyError/TypeError) when the answer has none
of them.
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

from hftui.client.errors import InvalidResponse
from hftui.client.models import _int
from hftui.client.results import (
    Answer,
    BestOfSequence,
    ChatCompletion,
    DetectedObject,
    Entity,
    FillMaskCandidate,
    Generation,
    GenerationDetails,
    ImageResult,
    Label,
    PrefillToken,
    TableAnswer,
    Token,
    Transcription,
)


def _bad(task: str, why: str = "unexpected answer shape") -> InvalidResponse:
    return InvalidResponse(f"{task}: {why}")


def _num(v: Any, default: float = 0.0) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return default
    return float(v)


_int_or_none = _int  # the same tolerant reading as the Hub/Endpoints models


def _s(v: Any) -> str:
    return v if isinstance(v, str) else ("" if v is None else str(v))


def _first_dict(data: Any, task: str) -> dict:
    """An object, or the first object of a list (list-of-one answers)."""
    if isinstance(data, list):
        data = data[0] if data else None
        if isinstance(data, list):  # [[{...}]]
            data = data[0] if data else None
    if not isinstance(data, dict):
        raise _bad(task)
    return data


def _dicts(data: Any, task: str) -> list[dict]:
    if not isinstance(data, list):
        raise _bad(task, "expected a list")
    return [d for d in data if isinstance(d, dict)]


def labels(data: Any, task: str = "classification") -> list[Label]:
    """``[{label, score}]``, nested ``[[...]]`` (one list per input: the first), sorted desc."""
    if isinstance(data, list) and data and isinstance(data[0], list):
        data = data[0]
    if isinstance(data, dict) and isinstance(data.get("labels"), list):
        return zero_shot(data)
    out = [Label(_s(d.get("label")), _num(d.get("score"))) for d in _dicts(data, task)]
    out.sort(key=lambda lab: lab.score, reverse=True)
    return out


def zero_shot(data: Any) -> list[Label]:
    """New ``[{label, score}]`` or old ``{sequence, labels: [...], scores: [...]}``; sorted desc."""
    if isinstance(data, list) and data and isinstance(data[0], dict) and "labels" in data[0]:
        data = data[0]
    if isinstance(data, dict):
        names, scores = data.get("labels"), data.get("scores")
        if not isinstance(names, list) or not isinstance(scores, list):
            raise _bad("zero-shot-classification")
        out = [Label(_s(n), _num(s)) for n, s in zip(names, scores, strict=False)]
    else:
        if isinstance(data, list) and data and isinstance(data[0], list):
            data = data[0]
        out = [Label(_s(d.get("label")), _num(d.get("score"))) for d in _dicts(data, "zero-shot-classification")]
    out.sort(key=lambda lab: lab.score, reverse=True)
    return out


def fill_mask(data: Any) -> list[FillMaskCandidate]:
    if isinstance(data, list) and data and isinstance(data[0], list):
        data = data[0]  # several masks: the first mask's candidates
    return [FillMaskCandidate(token_str=_s(d.get("token_str")), score=_num(d.get("score")),
                              sequence=_s(d.get("sequence")), token=_int_or_none(d.get("token")))
            for d in _dicts(data, "fill-mask")]


def text_field(data: Any, key: str, task: str) -> str:
    """``[{key: ...}]`` or ``{key: ...}`` (summarization, translation, image-to-text)."""
    d = _first_dict(data, task)
    value = d.get(key)
    if value is None:
        value = d.get("generated_text")
    if not isinstance(value, str):
        raise _bad(task, f"no '{key}' in the answer")
    return value


def answers(data: Any) -> list[Answer]:
    items = [data] if isinstance(data, dict) else _dicts(data, "question-answering")
    out = []
    for d in items:
        if not isinstance(d.get("answer"), str):
            raise _bad("question-answering", "no 'answer' in the answer")
        out.append(Answer(d["answer"], _num(d.get("score")), _int_or_none(d.get("start")), _int_or_none(d.get("end"))))
    return out


def entities(data: Any) -> list[Entity]:
    if isinstance(data, list) and data and isinstance(data[0], list):
        data = data[0]
    return [Entity(group=_s(d.get("entity_group") if d.get("entity_group") is not None else d.get("entity")),
                   score=_num(d.get("score")), word=_s(d.get("word")),
                   start=_int_or_none(d.get("start")), end=_int_or_none(d.get("end")))
            for d in _dicts(data, "token-classification")]


def _reason(d: dict) -> str | None:
    reason = d.get("finish_reason")
    return reason if isinstance(reason, str) else None


def token(d: Any) -> Token | None:
    """A TGI token object ``{id, text, logprob, special}`` (None if not an object)."""
    if not isinstance(d, dict):
        return None
    logprob = d.get("logprob")
    return Token(_int_or_none(d.get("id")), _s(d.get("text")),
                 None if isinstance(logprob, bool) or not isinstance(logprob, (int, float)) else float(logprob),
                 d.get("special") is True)


def tokens(data: Any) -> tuple[Token, ...]:
    if not isinstance(data, list):
        return ()
    return tuple(t for t in map(token, data) if t is not None)


def _prefill(data: Any) -> tuple[PrefillToken, ...]:
    if not isinstance(data, list):
        return ()
    return tuple(PrefillToken(t.id, t.text, t.logprob) for t in map(token, data) if t is not None)


def _top_tokens(data: Any) -> tuple[tuple[Token, ...], ...] | None:
    """One tuple of alternatives per generated token; None when the server sent none."""
    if not isinstance(data, list):
        return None
    return tuple(tokens(step) for step in data)


def _best_of(data: Any) -> tuple[BestOfSequence, ...] | None:
    if not isinstance(data, list):
        return None
    return tuple(BestOfSequence(text=_s(d.get("generated_text")), finish_reason=_reason(d),
                                generated_tokens=_int_or_none(d.get("generated_tokens")),
                                seed=_int_or_none(d.get("seed")), prefill=_prefill(d.get("prefill")),
                                tokens=tokens(d.get("tokens")), top_tokens=_top_tokens(d.get("top_tokens")))
                 for d in data if isinstance(d, dict))


def generation_details(d: Any) -> GenerationDetails | None:
    """TGI ``details``, non-streamed (prefill, tokens, top_tokens, best_of_sequences) or streamed
    (input_length); None when absent or null."""
    if not isinstance(d, dict):
        return None
    return GenerationDetails(
        finish_reason=_reason(d), generated_tokens=_int_or_none(d.get("generated_tokens")),
        seed=_int_or_none(d.get("seed")), prefill=_prefill(d.get("prefill")), tokens=tokens(d.get("tokens")),
        top_tokens=_top_tokens(d.get("top_tokens")), best_of_sequences=_best_of(d.get("best_of_sequences")),
        input_length=_int_or_none(d.get("input_length")))


def generation(data: Any) -> Generation:
    """TGI compat route (list of one), ``/generate`` (object), plain transformers (list)."""
    d = _first_dict(data, "text-generation")
    text = d.get("generated_text")
    if not isinstance(text, str):
        raise _bad("text-generation", "no 'generated_text' in the answer")
    details = generation_details(d.get("details"))
    if details is None:
        return Generation(text=text)
    return Generation(text=text, finish_reason=details.finish_reason, generated_tokens=details.generated_tokens,
                      seed=details.seed, details=details)


def chat(data: Any) -> ChatCompletion:
    if not isinstance(data, dict):
        raise _bad("chat-completion", "expected an object")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise _bad("chat-completion", "no choices in the answer")
    choice = choices[0]
    message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
    content = message.get("content")
    if isinstance(content, list):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    reasoning = message.get("reasoning") or message.get("reasoning_content")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    tool_calls = message.get("tool_calls")
    return ChatCompletion(
        content=content if isinstance(content, str) else "",
        finish_reason=choice.get("finish_reason") if isinstance(choice.get("finish_reason"), str) else None,
        model=data.get("model") if isinstance(data.get("model"), str) else None,
        prompt_tokens=_int_or_none(usage.get("prompt_tokens")),
        completion_tokens=_int_or_none(usage.get("completion_tokens")),
        reasoning=reasoning if isinstance(reasoning, str) else None,
        tool_calls=tool_calls if isinstance(tool_calls, list) else [],
    )


def _is_nested_floats(data: Any, depth: int = 0) -> bool:
    if depth > 6:
        return False
    if isinstance(data, list):
        if not data:
            return True
        first = data[0]
        if isinstance(first, (int, float)) and not isinstance(first, bool):
            return True
        return _is_nested_floats(first, depth + 1)
    return False


def vectors(data: Any) -> list:
    if isinstance(data, dict) and isinstance(data.get("data"), list):  # OpenAI-style embeddings
        data = [d.get("embedding") for d in data["data"] if isinstance(d, dict)]
        if len(data) == 1:
            data = data[0]
    if not _is_nested_floats(data):
        raise _bad("feature-extraction", "expected a nested list of numbers")
    return data


def similarities(data: Any) -> list[float]:
    if isinstance(data, list) and data and isinstance(data[0], list):
        data = data[0]
    if not isinstance(data, list) or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in data):
        raise _bad("sentence-similarity", "expected a list of scores")
    return [float(x) for x in data]


def detections(data: Any) -> list[DetectedObject]:
    out = []
    for d in _dicts(data, "object-detection"):
        box = d.get("box") if isinstance(d.get("box"), dict) else {}
        out.append(DetectedObject(_s(d.get("label")), _num(d.get("score")),
                                  int(_num(box.get("xmin"))), int(_num(box.get("ymin"))),
                                  int(_num(box.get("xmax"))), int(_num(box.get("ymax")))))
    return out


def transcription(data: Any) -> Transcription:
    d = _first_dict(data, "automatic-speech-recognition")
    if not isinstance(d.get("text"), str):
        raise _bad("automatic-speech-recognition", "no 'text' in the answer")
    chunks = []
    for c in d.get("chunks") if isinstance(d.get("chunks"), list) else ():
        if not isinstance(c, dict):
            continue
        ts = c.get("timestamp") if isinstance(c.get("timestamp"), (list, tuple)) else (None, None)
        start = _num(ts[0], None) if len(ts) > 0 else None  # type: ignore[arg-type]
        end = _num(ts[1], None) if len(ts) > 1 else None  # type: ignore[arg-type]
        chunks.append((_s(c.get("text")), start, end))
    return Transcription(d["text"], chunks)


def table_answer(data: Any) -> TableAnswer:
    d = _first_dict(data, "table-question-answering")
    if not isinstance(d.get("answer"), str):
        raise _bad("table-question-answering", "no 'answer' in the answer")
    coords = []
    for c in d.get("coordinates") if isinstance(d.get("coordinates"), list) else ():
        if isinstance(c, (list, tuple)) and len(c) == 2 and all(isinstance(x, int) for x in c):
            coords.append((c[0], c[1]))
    cells = [_s(c) for c in d.get("cells")] if isinstance(d.get("cells"), list) else []
    agg = d.get("aggregator")
    return TableAnswer(d["answer"], coords, cells, agg if isinstance(agg, str) else None)


# --- binary payloads ------------------------------------------------------------------

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"fLaC", "audio/flac"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"\xff\xf3", "audio/mpeg"),
    (b"\x1aE\xdf\xa3", "video/webm"),
)


def sniff(data: bytes) -> str | None:
    """Media type from magic bytes (None if unknown)."""
    head = bytes(data[:16])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    for magic, media in _MAGIC:
        if head.startswith(magic):
            return media
    return None


def image(content: bytes, content_type: str | None) -> ImageResult:
    media = sniff(content)
    if media is None or not media.startswith("image/"):
        declared = (content_type or "").split(";", 1)[0].strip().lower()
        if not declared.startswith("image/") or not content:
            raise _bad("text-to-image", "the answer is not an image")
        media = declared
    return ImageResult(bytes(content), media)


# --- JSON export ------------------------------------------------------------------------


_PLAIN_TYPES = frozenset((str, int, float, bool, type(None)))
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
"""Exported field names of each result dataclass (``dataclasses.fields`` is slow per call)."""


def result_to_json(result: Any) -> Any:
    """Any typed result (or list/tuple of them) -> JSON-able data.

    ImageResult becomes ``{"media_type", "base64"}``; dataclasses become dicts.
    Called once per input by ``hftui batch``: plain values and known result
    classes take the short paths first.
    """
    kind = type(result)
    if kind in _PLAIN_TYPES:
        return result
    if kind is list or kind is tuple:
        return [v if type(v) in _PLAIN_TYPES else result_to_json(v) for v in result]
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        out = {}
        for name in names:
            v = getattr(result, name)
            out[name] = v if type(v) in _PLAIN_TYPES else result_to_json(v)
        return out
    if isinstance(result, ImageResult):
        return {"media_type": result.media_type, "base64": base64.b64encode(result.data).decode("ascii")}
    if isinstance(result, (bytes, bytearray, memoryview)):
        return {"base64": base64.b64encode(bytes(result)).decode("ascii")}
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        names = tuple(f.name for f in dataclasses.fields(result) if f.repr and f.name != "raw")
        if len(_FIELD_NAMES) < 256:
            _FIELD_NAMES[kind] = names
        return {name: result_to_json(getattr(result, name)) for name in names}
    if isinstance(result, dict):
        return {str(k): result_to_json(v) for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        return [result_to_json(v) for v in result]
    if isinstance(result, (str, int, float, bool)) or result is None:
        return result
    if hasattr(result, "value"):  # enums
        return result.value
    return str(result)
