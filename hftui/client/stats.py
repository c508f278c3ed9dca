"""What a server says about a call in its response headers (wire doc 3.3): tokens, timings, compute.

hf-inference sends ``x-compute-*``; TGI (hf-inference text models, deployed
endpoints) adds token counts and timings in milliseconds to non-streamed
answers; speech recognition adds ``x-compute-audio-length``. Every value is
optional: other servers send none of them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from hftui.client._wire import clean_text


@dataclass(frozen=True)
class CallStats:
    """Times are in seconds (TGI's ``x-*-time`` milliseconds converted)."""

    prompt_tokens: int | None = None
    generated_tokens: int | None = None
    total_time: float | None = None
    """``x-total-time``: validation + queue + inference, as measured by TGI."""
    inference_time: float | None = None
    queue_time: float | None = None
    time_per_token: float | None = None
    compute_time: float | None = None
    """``x-compute-time``: the provider's own measure of the call."""
    compute_type: str | None = None
    """``cpu``, ``cache``, ``1-a10-g``..."""
    compute_characters: int | None = None
    audio_length: float | None = None
    """``x-compute-audio-length``: seconds of audio transcribed."""

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> CallStats | None:
        """The stats of a response; None when it carries none of these headers."""
        stats = cls(
            prompt_tokens=_count(headers.get("x-prompt-tokens")),
            generated_tokens=_count(headers.get("x-generated-tokens")),
            total_time=_ms(headers.get("x-total-time")),
            inference_time=_ms(headers.get("x-inference-time")),
            queue_time=_ms(headers.get("x-queue-time")),
            time_per_token=_ms(headers.get("x-time-per-token")),
            compute_time=_seconds(headers.get("x-compute-time")),
            compute_type=clean_text(headers.get("x-compute-type") or "", 40) or None,
            compute_characters=_count(headers.get("x-compute-characters")),
            audio_length=_seconds(headers.get("x-compute-audio-length")),
        )
        return None if stats == _EMPTY else stats


_EMPTY = CallStats()


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _ms(value: str | None) -> float | None:
    number = _seconds(value)
    return None if number is None else number / 1000.0


def _count(value: str | None) -> int | None:
    number = _seconds(value)
    return int(number) if number is not None and number == int(number) else None
