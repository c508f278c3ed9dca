"""Issue 11.16: hftui opens on Models for a user with no endpoint (most HF users), with no flash
of an empty Endpoints table; the empty table itself says what ``a`` and ``1`` do."""

from __future__ import annotations

import time

from tests.support.pilot import wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app

SIZE = (80, 24)


async def _delete_every_endpoint(emulator, namespace: str = "demo-user") -> None:
    from hftui.auth import Secret
    from hftui.client import HFClient
    from hftui.config import Settings

    async with HFClient(Settings().with_base_url(emulator.base_url), Secret(emulator.token)) as hf:
        for ep in await hf.endpoints.list(namespace):
            await hf.endpoints.delete(namespace, ep.name)
        deadline = time.monotonic() + 20
        while await hf.endpoints.list(namespace):
            assert time.monotonic() < deadline, "the emulator kept the deleted endpoints"
            emulator.advance(60)


def _modes_shown(app) -> list[str]:
    """Every mode the app switches to, in order (wraps ``switch_mode``)."""
    shown: list[str] = []
    original = app.switch_mode

    async def spy(mode: str):
        shown.append(mode)
        return await original(mode)

    app.switch_mode = spy
    return shown


def _table_text(table, row: int = 1) -> str:
    return table.render_line(row).text


async def test_a_user_without_endpoints_lands_on_models_without_a_flash(emulator):
    from hftui.screens.models import ModelsScreen

    await _delete_every_endpoint(emulator)
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        shown = _modes_shown(app)
        # ready: the table has the focus (a key during the screen's composition is point 11.1's)
        await wait_until(pilot, lambda: isinstance(app.screen, ModelsScreen)
                         and app.focused is app.screen.main_widget(), what="the Models screen")
        assert shown == ["models"]  # Endpoints was never shown, not even for a frame
        # the empty Endpoints table says what helps: a creates one, 1 goes to Models
        await pilot.press("3")
        screen = await endpoints_screen(pilot)
        line = _table_text(screen.table)
        assert "No endpoints yet" in line and "a: create one" in line and "1: Models" in line, line
        assert line.rstrip().endswith("without one")  # the whole hint fits 80 columns


async def test_a_user_with_endpoints_lands_on_endpoints(emulator):
    from hftui.screens.endpoints import EndpointsScreen

    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        shown = _modes_shown(app)
        screen = await endpoints_screen(pilot)
        assert isinstance(screen, EndpointsScreen) and shown == ["endpoints"]
        assert screen.table.row_count > 0


async def test_a_configured_namespace_or_an_asked_screen_is_kept(emulator):
    from hftui.screens.endpoints import EndpointsScreen
    from hftui.screens.history import HistoryScreen

    await _delete_every_endpoint(emulator)
    app = make_app(emulator, namespace="demo-user")  # someone who set a namespace works with endpoints
    async with app.run_test(size=SIZE) as pilot:
        await endpoints_screen(pilot)
        assert isinstance(app.screen, EndpointsScreen)
    app = make_app(emulator, first_screen="history")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen), what="the History screen")


async def test_an_endpoints_error_opens_endpoints_to_show_it(emulator):
    emulator.inject("500", path=r"/v2/endpoint/demo-user$", times=100)
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        from hftui.screens.endpoints import EndpointsScreen

        await wait_until(pilot, lambda: isinstance(app.screen, EndpointsScreen), what="the Endpoints screen")


async def test_a_filter_that_hides_every_row_says_so(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        screen.table.set_filter(lambda ep: False)
        await pilot.pause()
        line = _table_text(screen.table)
        assert "No endpoint matches the filter" in line and "create" not in line, line
