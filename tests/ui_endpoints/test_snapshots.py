"""SVG snapshots of the Endpoints screens at 80x24 and 120x40.

Deterministic: frozen UI clock (conftest), an emulator whose clock stands
still (``still_emulator``), seed 0, screenshots taken after the first poll
and the catalog arrived; nothing shown depends on the emulator's port.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.support.pilot import wait_until, workers_done
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app

SIZES = [(80, 24), (120, 40)]


async def _ready(pilot):
    screen = await endpoints_screen(pilot)
    await wait_until(pilot, lambda: screen.catalog is not None and pilot.app.header_info.burn_per_hour is not None,
                     what="catalog")
    await pilot.pause()
    return screen


def _no_blink(app):
    for box in app.screen.query(Input):
        box.cursor_blink = False


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
class TestEndpointsSnapshots:
    def test_table(self, snap_compare, still_emulator, size):
        async def run_before(pilot):
            screen = await _ready(pilot)
            screen.table.move_cursor_to("demo-user/gpt2-demo")

        assert snap_compare(make_app(still_emulator), terminal_size=size, run_before=run_before)

    def test_table_filtered_faults(self, snap_compare, still_emulator, size):
        async def run_before(pilot):
            await _ready(pilot)
            await pilot.press("slash", *"!running", "enter", "f")

        assert snap_compare(make_app(still_emulator, namespace=None), terminal_size=size, run_before=run_before)

    def test_create_form(self, snap_compare, still_emulator, size):
        async def run_before(pilot):
            from hftui.screens.endpoint_form import EndpointFormScreen

            await _ready(pilot)
            await pilot.press("a")
            form = await wait_until(pilot, lambda: isinstance(pilot.app.screen, EndpointFormScreen)
                                    and pilot.app.screen)
            await wait_until(pilot, lambda: form.selected_compute() is not None)
            _no_blink(pilot.app)
            await pilot.press(*"Bad_Name")
            await pilot.pause()

        assert snap_compare(make_app(still_emulator), terminal_size=size, run_before=run_before)

    def test_delete_modal(self, snap_compare, still_emulator, size):
        async def run_before(pilot):
            from hftui.screens.endpoint_delete import DeleteEndpointScreen

            screen = await _ready(pilot)
            screen.table.move_cursor_to("demo-user/bert-fill")
            await pilot.press("ctrl+d")
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, DeleteEndpointScreen))
            _no_blink(pilot.app)

        assert snap_compare(make_app(still_emulator), terminal_size=size, run_before=run_before)

    def test_describe(self, snap_compare, still_emulator, size):
        async def run_before(pilot):
            from hftui.screens.endpoint_describe import DescribeScreen

            screen = await _ready(pilot)
            screen.table.move_cursor_to("demo-user/broken-model")
            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, DescribeScreen))
            await workers_done(pilot.app)
            await pilot.pause()

        assert snap_compare(make_app(still_emulator), terminal_size=size, run_before=run_before)

    def test_logs(self, snap_compare, still_emulator, size):
        async def run_before(pilot):
            from hftui.screens.endpoint_logs import LogsScreen

            screen = await _ready(pilot)
            screen.table.move_cursor_to("demo-user/llama-chat")
            await pilot.press("l")
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, LogsScreen) and pilot.app.screen.fetches)
            await pilot.pause()

        assert snap_compare(make_app(still_emulator), terminal_size=size, run_before=run_before)
