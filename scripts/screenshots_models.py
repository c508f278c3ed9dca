"""Regenerate the Models / Playground / History screenshots in ``screenshots/`` from the demo emulator.

    /work/venv/bin/python scripts/screenshots_models.py [--out screenshots] [--size 120x40]

Scripted like a user session against a seeded emulator with a frozen clock,
in a headless app, so the pictures are the same on every run. Runs go to a
temporary data dir (your own history is not touched). Half-block images, so
the SVGs show the picture.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

FROZEN_TIME = "2026-10-26T13:00:00Z"
ROOT = Path(__file__).resolve().parents[1]


async def _wait(pilot, predicate, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except Exception:  # noqa: BLE001 - widgets appear as the app starts
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        await pilot.pause(0.05)


async def _models(pilot, search: str, model_id: str | None):
    app = pilot.app
    await _wait(pilot, lambda: type(app.screen).__name__ == "ModelsScreen"
                and app.screen.query_one("ModelTable").row_count > 0, what="the Models screen")
    screen = app.screen
    screen.set_search(search)
    table = screen.query_one("ModelTable")
    detail = screen.query_one("ModelDetail")
    await _wait(pilot, lambda: not screen.searching and (model_id is None or table.current.id == model_id)
                and detail.card_loaded and detail.model_id == table.current.id, what=f"{search} in the Models screen")
    await pilot.pause(0.3)
    return screen


async def _playground(pilot, model_id: str, task: str, values: dict | None = None):
    from hftui.client import Target

    app = pilot.app
    await app.open_playground(Target.hf_model(model_id), task=task)
    await _wait(pilot, lambda: type(app.screen).__name__ == "PlaygroundScreen" and app.screen.spec.task == task,
                what=f"the Playground on {task}")
    screen = app.screen
    await pilot.pause(0.3)
    for name, value in (values or {}).items():
        screen.form.set_value(name, value)
    await pilot.pause()
    await pilot.press("ctrl+r")
    await _wait(pilot, lambda: screen._worker is not None, what="the run to start")
    await _wait(pilot, lambda: not screen._worker.is_running, timeout=60, what=f"the {task} run")
    await pilot.pause(0.5)
    return screen


def _image(path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (70, 130, 180))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 60, 150, 200), fill=(230, 200, 60))
    draw.ellipse((180, 40, 290, 150), fill=(200, 60, 60))
    image.save(path)
    return path


async def shoot(out: Path, size: tuple[int, int]) -> list[Path]:
    from hftui.app import HFTUIApp
    from hftui.auth import ResolvedToken, Secret
    from hftui.config import Settings
    from hftui.emulator import start_background

    written: list[Path] = []
    emulator = start_background(seed=0, speed=50.0, token_rate=4000.0)
    try:
        settings = Settings(image_protocol="halfblock").with_base_url(emulator.base_url)
        app = HFTUIApp(settings, ResolvedToken(Secret(emulator.token), "demo"), demo=True, first_screen="models")

        def save(name: str) -> None:
            path = out / name
            app.save_screenshot(filename=path.name, path=str(path.parent))
            written.append(path)

        async with app.run_test(size=size) as pilot:
            screen = await _models(pilot, "instruct", None)
            table = screen.query_one("ModelTable")
            table.move_cursor(row=table.get_row_index("meta-llama/Llama-3.1-8B-Instruct"))
            detail = screen.query_one("ModelDetail")
            await _wait(pilot, lambda: detail.model_id == table.current.id and detail.card_loaded,
                        what="the Llama detail")
            await pilot.pause(0.3)
            save("models.svg")

            await _models(pilot, "bert", "google-bert/bert-base-uncased")
            await pilot.press("enter")  # from the Models screen into the Playground, task selected
            await _wait(pilot, lambda: type(app.screen).__name__ == "PlaygroundScreen"
                        and app.screen.spec.task == "fill-mask", what="fill-mask from Models")
            await pilot.pause(0.5)
            screen = app.screen
            await pilot.press("ctrl+r")
            await _wait(pilot, lambda: screen._worker is not None and not screen._worker.is_running,
                        timeout=60, what="fill-mask run")
            await pilot.pause(0.5)
            save("playground-fill-mask.svg")

            await _playground(pilot, "meta-llama/Llama-3.1-8B-Instruct", "chat-completion",
                              {"prompt": "What is deep learning? Answer in a few lines."})
            save("playground-chat.svg")
            await pilot.press("ctrl+n")

            await _playground(pilot, "deepset/roberta-base-squad2", "question-answering")
            save("playground-question-answering.svg")
            await _playground(pilot, "dslim/bert-base-NER", "token-classification")
            save("playground-token-classification.svg")
            await _playground(pilot, "black-forest-labs/FLUX.1-schnell", "text-to-image",
                              {"inputs": "A lighthouse on a cliff at sunset"})
            save("playground-text-to-image.svg")
            picture = _image(Path(os.environ["XDG_DATA_HOME"]).parent / "street.png")
            await _playground(pilot, "facebook/detr-resnet-50", "object-detection", {"inputs": str(picture)})
            save("playground-object-detection.svg")

            await app.switch_to("history")
            await _wait(pilot, lambda: app.screen.query_one("#history-table").row_count > 0, what="history")
            await pilot.pause(0.3)
            save("history.svg")
    finally:
        emulator.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--size", default="120x40", help="terminal size, COLSxROWS")
    args = parser.parse_args(argv)
    cols, rows = (int(v) for v in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    # A fixed scratch dir (not a random temp name): paths shown on screen stay the same in every run.
    home = Path(tempfile.gettempdir()) / "hftui-screenshots"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    try:
        # Deterministic and private: frozen clock, throwaway config/data dirs, no token from the machine.
        os.environ.update(HFTUI_FROZEN_TIME=FROZEN_TIME, TEXTUAL_ANIMATIONS="none",
                          XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data",
                          XDG_CACHE_HOME=f"{home}/cache", HF_HOME=f"{home}/hf", HFTUI_IMAGE_PROTOCOL="halfblock")
        for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT", "NO_COLOR"):
            os.environ.pop(var, None)
        written = asyncio.run(shoot(args.out, (cols, rows)))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
