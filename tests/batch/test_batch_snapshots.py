"""SVG snapshots of the batch form in the real app, at 80x24 and 120x40.

Deterministic: frozen UI clock (tests/conftest.py), an emulator whose clock
stands still, seed 0; taken after the price arrived, with the validation
error of an empty input path (no temp paths on screen).
"""

from __future__ import annotations

import time

import pytest
from textual.widgets import Input, Static

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def still_emulator():
    from hftui.emulator import start_background

    handle = start_background(seed=0, speed=1e-6, token_rate=2000.0)
    try:
        yield handle
    finally:
        handle.close()


def make_app(emulator):
    from hftui.app import HFTUIApp
    from hftui.auth import ResolvedToken, Secret
    from hftui.config import Settings

    settings = Settings().with_base_url(emulator.base_url)
    return HFTUIApp(settings, ResolvedToken(Secret(emulator.token), "test"), demo=True, first_screen="endpoints")


async def wait_until(pilot, predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)
    return value


async def open_batch_form(pilot):
    from hftui.screens.batch import BatchScreen

    app = pilot.app
    await wait_until(pilot, lambda: app.client is not None and app.whoami is not None)
    endpoint = await app.client.endpoints.get("demo-user", "bert-fill")
    app.open_batch(endpoint)
    screen = await wait_until(pilot, lambda: isinstance(app.screen, BatchScreen) and app.screen.query("#batch-price")
                              and app.screen)
    await wait_until(pilot, lambda: "$" in str(screen.query_one("#batch-price", Static).render()))
    await wait_until(pilot, lambda: screen.query("#batch-input"))
    for box in screen.query(Input):
        box.cursor_blink = False
    return screen


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_batch_form(snap_compare, still_emulator, size):
    async def run_before(pilot):
        await open_batch_form(pilot)
        await pilot.press("ctrl+r")  # no input file yet: the form says so
        await pilot.pause()

    assert snap_compare(make_app(still_emulator), terminal_size=size, run_before=run_before)
