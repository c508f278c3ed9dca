"""Esc is always "back one level" (issue 11, point 3): it closes a modal (the login's Esc offers the
demo or quit), clears an active filter before anything else on a table (Models, Endpoints), goes
back from History to the screen it was opened from, and from the raw JSON to the description."""

from __future__ import annotations

from textual.widgets import Input

from tests.support.pilot import wait_until
from tests.support.screens import current_screen, endpoints_screen, go
from tests.ui_endpoints.helpers import make_app

SIZE = (120, 40)


async def test_esc_on_the_login_offers_the_demo_and_the_demo_starts(still_emulator, monkeypatch):
    import hftui.config
    from hftui.screens.login import LeaveLoginScreen, LoginScreen

    monkeypatch.setattr(hftui.config, "_data_dir_override", None)  # the demo's data dir is set per process
    app = make_app(still_emulator, token=False)
    async with app.run_test(size=SIZE) as pilot:
        login = await current_screen(pilot, LoginScreen)
        await pilot.press("escape")
        await current_screen(pilot, LeaveLoginScreen)
        await pilot.press("escape")  # back to the token field, nothing else
        await wait_until(pilot, lambda: app.screen is login)
        assert isinstance(app.focused, Input) and app.focused.id == "token-input"
        await pilot.press("escape")
        await current_screen(pilot, LeaveLoginScreen)
        await pilot.press("enter")  # "Try the demo" has the focus
        await wait_until(pilot, lambda: app.demo and app.whoami is not None and type(app.screen).__name__
                         in ("EndpointsScreen", "ModelsScreen"), what="the demo's first screen")
        assert app._emulator is not None and app.settings.hub_url.startswith(app._emulator.base_url)


async def test_esc_on_the_login_then_quit(still_emulator):
    from hftui.screens.login import LeaveLoginScreen, LoginScreen

    app = make_app(still_emulator, token=False)
    async with app.run_test(size=SIZE) as pilot:
        await current_screen(pilot, LoginScreen)
        await pilot.press("escape")
        leave = await current_screen(pilot, LeaveLoginScreen)
        await pilot.click("#quit")
        await wait_until(pilot, lambda: app.return_code == 0, what="the app to quit")
        assert leave is not None


async def test_esc_closes_the_help_modal(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await pilot.press("question_mark")
        await current_screen(pilot, "HelpScreen")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)


async def test_esc_clears_the_endpoints_filter_then_nothing_more(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        everything = screen.table.visible_count
        await pilot.press("slash", *"llama")
        await wait_until(pilot, lambda: 0 < screen.table.visible_count < everything, what="the filter")
        await pilot.press("escape")  # leaves the field; the filter stays
        await wait_until(pilot, lambda: app.focused is screen.table)
        assert screen.table.visible_count < everything
        await pilot.press("escape")  # clears it
        await wait_until(pilot, lambda: screen.table.visible_count == everything and not screen.filter_text)
        assert screen.query_one("#filter").has_class("-hidden")  # the filter line goes with its filter
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.table.visible_count == everything


async def test_esc_clears_the_models_search_then_the_task_filter(still_emulator):
    from textual.widgets import Select

    from tests.models.models_helpers import wait_models_ready

    app = make_app(still_emulator, first_screen="models")
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        table = screen.query_one("ModelTable")
        everything = table.row_count
        task = screen.query_one("#models-task", Select)
        task.value = "summarization"
        await pilot.press("slash", *"bart", "enter")
        await wait_until(pilot, lambda: not screen.searching and screen.query_state[0] == "bart"
                         and app.focused is table, what="the search")
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.query_state[0] == "" and screen.query_state[1] == "summarization")
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.query_state[1] is None and not screen.searching
                         and table.row_count == everything, what="every model again")
        assert app.screen is screen


async def test_esc_goes_back_from_history_to_where_you_were(still_emulator):
    app = make_app(still_emulator, first_screen="models")
    async with app.run_test(size=SIZE) as pilot:
        await go(pilot, "endpoints")
        await go(pilot, "history")
        await pilot.press("escape")
        await current_screen(pilot, "EndpointsScreen")
        await go(pilot, "models")
        await go(pilot, "history")
        await pilot.press("escape")
        await current_screen(pilot, "ModelsScreen")


async def test_esc_goes_back_from_the_raw_json_to_the_description(still_emulator):
    from hftui.screens.endpoint_describe import DescribeScreen

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await pilot.press("d")
        desc = await current_screen(pilot, DescribeScreen)
        await pilot.press("y")
        assert desc.raw
        await pilot.press("escape")
        assert app.screen is desc and not desc.raw
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
