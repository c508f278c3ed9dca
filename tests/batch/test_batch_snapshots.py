"""SVG snapshots of the batch form in the real app, at 80x24 and 120x40.

Deterministic: frozen UI clock (tests/conftest.py), an emulator whose clock
stands still, seed 0; taken after the price arrived, with the validation
error of an empty input path (no temp paths on screen).
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from tests.support.app import hftui_app
from tests.support.pilot import wait_until
from tests.support.screens import connected

SIZES = [(80, 24), (120, 40)]


def make_app(emulator):
    return hftui_app(emulator.base_url, emulator.token, demo=True, first_screen="endpoints")


async def open_batch_form(pilot):
    from hftui.screens.batch import BatchScreen

    app = pilot.app
    await connected(pilot)
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
