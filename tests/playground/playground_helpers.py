"""Helpers of the Playground tests (imported by test modules)."""

from __future__ import annotations

import time


async def wait_until(pilot, predicate, timeout: float = 20.0, step: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(step)


async def playground(pilot):
    from hftui.screens.playground import PlaygroundScreen

    await wait_until(pilot, lambda: isinstance(pilot.app.screen, PlaygroundScreen) and pilot.app.screen.is_mounted)
    await pilot.pause()
    return pilot.app.screen


async def run_and_wait(pilot, screen, timeout: float = 15.0) -> None:
    await pilot.press("ctrl+r")
    await wait_until(pilot, lambda: screen._worker is not None)
    await wait_until(pilot, lambda: not screen._worker.is_running, timeout=timeout)
    await pilot.pause()


def screen_text(app) -> str:
    """Everything the screen shows, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


MODELS = {
    "fill-mask": "google-bert/bert-base-uncased",
    "summarization": "facebook/bart-large-cnn",
    "translation": "Helsinki-NLP/opus-mt-en-fr",
    "question-answering": "deepset/roberta-base-squad2",
    "zero-shot-classification": "facebook/bart-large-mnli",
    "text-classification": "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
    "token-classification": "dslim/bert-base-NER",
    "text-generation": "openai-community/gpt2",
    "chat-completion": "meta-llama/Llama-3.1-8B-Instruct",
    "feature-extraction": "BAAI/bge-small-en-v1.5",
    "sentence-similarity": "sentence-transformers/all-MiniLM-L6-v2",
    "text-to-image": "black-forest-labs/FLUX.1-schnell",
    "image-classification": "google/vit-base-patch16-224",
    "object-detection": "facebook/detr-resnet-50",
    "image-to-text": "Salesforce/blip-image-captioning-large",
    "automatic-speech-recognition": "openai/whisper-large-v3",
    "table-question-answering": "google/tapas-base-finetuned-wtq",
}
"""A warm emulator model per task."""


def make_png(path, size=(64, 48), color=(30, 120, 200)):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle((8, 8, size[0] // 2, size[1] // 2), fill=(240, 200, 40))
    image.save(path)
    return path


def make_wav(path, frames: int = 800):
    import wave

    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * frames)
    return path


def form_values(spec, files: dict | None = None) -> dict:
    """The raw form values of a fresh form (example inputs), with file inputs filled."""
    typed = spec.defaults()
    typed.update(files or {})
    return {f.name: f.to_form(typed.get(f.name)) for f in spec.fields}
