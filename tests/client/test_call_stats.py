"""Tokens and times from the response headers on chat and speech results (issue 12, item 12)."""

from __future__ import annotations

import struct

import pytest

from hftui.client import CallStats, HFClient, Target
from hftui.client.inference import result_to_json
from hftui.client.results import ChatMessage

CHAT = Target.hf_model("meta-llama/Llama-3.1-8B-Instruct")


@pytest.fixture
async def hf(settings, token):
    async with HFClient(settings, token, max_retries=0) as client:
        yield client


def wav(seconds: float) -> bytes:
    data = b"\0\0" * int(16000 * seconds)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16) + b"data" + struct.pack("<I", len(data)) + data)


async def test_chat_result_carries_tgi_tokens_and_times(hf):
    out = await hf.inference.chat_completion(CHAT, [ChatMessage("user", "Tell me about the moon.")],
                                             {"max_tokens": 7})
    stats = out.stats
    assert stats is not None and stats.generated_tokens == 7 == out.completion_tokens
    assert stats.prompt_tokens == out.prompt_tokens and stats.prompt_tokens > 0
    assert stats.total_time is not None and stats.total_time >= stats.inference_time > 0
    assert stats.total_time < 10  # milliseconds on the wire, seconds here
    assert stats.compute_type == "1-a10-g"
    assert out.tool_calls == [] and out.reasoning is None  # absent keys stay absent
    assert result_to_json(out)["stats"]["generated_tokens"] == 7


async def test_chat_through_a_provider_has_no_tgi_stats(hf):
    out = await hf.inference.chat_completion(Target.router("meta-llama/Llama-3.3-70B-Instruct", "together"),
                                             [ChatMessage("user", "hi")], {"max_tokens": 3})
    assert out.content and (out.stats is None or out.stats.generated_tokens is None)


async def test_speech_result_carries_the_audio_length(hf):
    out = await hf.inference.automatic_speech_recognition(Target.hf_model("openai/whisper-large-v3"), wav(1.5))
    assert out.text and out.stats is not None and out.stats.audio_length == pytest.approx(1.5)
    batch = await hf.inference.run("automatic-speech-recognition", Target.hf_model("openai/whisper-large-v3"),
                                   {"inputs": wav(0.5)})
    assert batch.stats.audio_length == pytest.approx(0.5)


def test_stats_from_headers_are_tolerant():
    assert CallStats.from_headers({}) is None
    assert CallStats.from_headers({"x-request-id": "r"}) is None
    odd = CallStats.from_headers({"x-prompt-tokens": "12.5", "x-generated-tokens": "-3", "x-total-time": "nan",
                                  "x-compute-time": "0.25", "x-compute-type": "cpu\x1b[2J",
                                  "x-compute-audio-length": "inf", "x-time-per-token": "40"})
    assert odd == CallStats(compute_time=0.25, compute_type="cpu", time_per_token=0.04)  # the whole escape sequence goes, not just ESC
