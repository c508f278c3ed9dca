"""Shutting down while a screen is still being built raises nothing.

A CI run failed on a test that ended right after switching to the Playground: the pilot shut
the app down while the Playground's Selects were mounting, each failed in its own Mount, and
``run_test`` re-raised the first of those errors (it does so for any error in the app, so this
test fails if one happens). How many event-loop turns after the switch the shutdown lands
decides which widget is half-built; a range of them is tried.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app


@pytest.mark.parametrize("turns", range(8))
async def test_shutting_down_mid_build_raises_nothing(emulator, turns):
    app = make_app(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await endpoints_screen(pilot)
        app.run_worker(app.switch_to("playground"))
        while app.current_mode != "playground":
            await asyncio.sleep(0)
        for _ in range(turns):
            await asyncio.sleep(0)
    assert app.return_code in (0, None)
