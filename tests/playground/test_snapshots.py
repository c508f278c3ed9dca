"""SVG snapshots of the Playground (80x24 and 120x40), against the emulator.

Deterministic: frozen clock (timings read –), fixed emulator seed, a fixed
input image under tests/playground/data opened by a relative path, and a
fixed data dir so the saved image's path does not change between runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.playground.playground_helpers import MODELS, playground
from tests.support.pilot import wait_until

DATA = Path(__file__).parent / "data"
SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def snapshot_env(monkeypatch):
    monkeypatch.chdir(Path(__file__).parent)
    monkeypatch.setenv("XDG_DATA_HOME", "/tmp/hftui-snapshots/data")


def scenario(task: str, fill: dict | None = None, runs: int = 1, model: str | None = None):
    async def run_before(pilot) -> None:
        from hftui.client import Target

        screen = await playground(pilot)
        # The way a user gets there (key 2 / :play): the app puts its header on the screen.
        await pilot.app.switch_to("playground")
        await wait_until(pilot, lambda: bool(screen.query("AppHeader")))
        screen.set_target(Target.hf_model(model or MODELS[task]), task=task)
        await wait_until(pilot, lambda: screen.spec.task == task)
        await wait_until(pilot, lambda: screen.model_info is not None)
        for name, value in (fill or {}).items():
            screen.form.set_value(name, value)
        for n in range(runs):
            if n:
                screen.form.set_value("prompt", "Tell me about quantization")
            await pilot.pause()
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: screen._worker is not None and screen._worker.is_finished)
        await pilot.pause(0.2)
        await pilot.wait_for_scheduled_animations()
        # No focused widget: no text cursor or focus highlight whose timing could differ between runs.
        pilot.app.set_focus(None)
        await wait_until(pilot, lambda: pilot.app.focused is None)
        await pilot.pause()

    return run_before


CASES = {
    "chat": scenario("chat-completion", runs=2),
    "fill_mask": scenario("fill-mask"),
    "question_answering": scenario("question-answering"),
    "token_classification": scenario("token-classification"),
    "text_to_image": scenario("text-to-image"),
    "object_detection": scenario("object-detection", {"inputs": "data/scene.png"}),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", list(CASES))
def test_playground_snapshot(case, size, snap_compare, make_app, snapshot_env):
    assert snap_compare(make_app(), terminal_size=size, run_before=CASES[case])
