"""Helpers of the Playground tests: the screen, a run, example inputs, a warm model per task."""

from __future__ import annotations

from tests.support.pilot import wait_until
from tests.support.screens import current_screen


async def playground(pilot):
    """The Playground screen, once it is on top and mounted."""
    from hftui.screens.playground import PlaygroundScreen

    return await current_screen(pilot, PlaygroundScreen)


async def open_task(pilot, task: str, tmp_path=None):
    """The Playground on the warm model of ``task``, its file fields filled with files made in ``tmp_path``."""
    from hftui.client import Target

    screen = await playground(pilot)
    screen.set_target(Target.hf_model(MODELS[task]), task=task)
    await pilot.pause()
    await wait_until(pilot, lambda: screen.spec.task == task, what=f"the {task} form")
    for field in screen.spec.inputs:
        if field.kind == "file-image":
            screen.form.set_value(field.name, str(make_png(tmp_path / "cat.png")))
        elif field.kind == "file-audio":
            screen.form.set_value(field.name, str(make_wav(tmp_path / "a.wav")))
    await pilot.pause()
    return screen


async def run_and_wait(pilot, screen, timeout: float = 15.0) -> None:
    """Press ^r and wait for that run to end."""
    before = screen._worker
    await pilot.press("ctrl+r")
    await wait_until(pilot, lambda: screen._worker is not None and screen._worker is not before, what="the run to start")
    await wait_until(pilot, lambda: not screen._worker.is_running, timeout, "the run to end")
    await pilot.pause()


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
