"""Issue 11.4 and 11.12 on the Endpoints side, typed fast right after each screen change:
h never scrolls (it is History's key), j/k move, W waits (w wraps the logs), and the logs wrap
long lines at 80 columns (w toggles) and follow with F; p in the logs pauses nothing."""

from __future__ import annotations

from tests.support.pilot import wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app

SIZE = (80, 24)


async def _logs(pilot, screen, key: str = "demo-user/llama-chat"):
    from hftui.screens.endpoint_logs import LogsScreen

    app = pilot.app
    screen.table.move_cursor_to(key)
    await pilot.press("l")
    return await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen.fetches
                            and app.screen, what="the logs")


async def test_h_does_not_scroll_the_endpoint_table(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        table = screen.table
        await pilot.press("right", "right")
        await wait_until(pilot, lambda: table.scroll_x > 0, what="scrolled right")
        scrolled = table.scroll_x
        await pilot.press("h")
        await pilot.pause()
        assert table.scroll_x == scrolled  # h is not "scroll left" (it means History elsewhere)
        await pilot.press("left", "left")
        await wait_until(pilot, lambda: table.scroll_x == 0, what="scrolled back with the arrow")
        await pilot.press("j", "j", "k")
        assert table.cursor_row == 1


async def test_capital_w_waits_and_w_alone_does_nothing_on_endpoints(still_emulator):
    from hftui.screens.endpoint_wait import WaitScreen
    from hftui.widgets.confirm import ConfirmScreen

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        screen.table.move_cursor_to("demo-user/gpt2-demo")
        await pilot.press("w")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("W")
        await wait_until(pilot, lambda: isinstance(app.screen, (WaitScreen, ConfirmScreen)), what="the wait")


async def test_logs_wrap_at_80_columns_and_w_toggles(still_emulator):
    from hftui.widgets.log_view import LogView

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        logs = await _logs(pilot, screen)
        view = logs.query_one(LogView)
        width = view.scrollable_content_region.width
        longest = max(len(line) for line in view.text.splitlines())
        assert longest > width  # the log has lines wider than the view
        # wrapped: every row fits, nothing hides to the right, every line is there in full
        assert view.wrap and all(len(row) <= width for row in view.lines)
        assert view.line_count > view.entries and view.max_scroll_x == 0
        assert "".join(r.strip() for r in view.lines).replace(" ", "") == view.text.replace("\n", "").replace(" ", "")
        status = str(logs.query_one("#status-line").render())
        assert f"{view.entries} lines" in status and "wrapped" in status
        await pilot.press("w")
        assert not view.wrap and view.line_count == view.entries and max(len(r) for r in view.lines) == longest
        await pilot.press("w")
        assert view.wrap and all(len(row) <= width for row in view.lines)


async def test_logs_rewrap_when_the_terminal_grows(still_emulator):
    from hftui.widgets.log_view import LogView

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        logs = await _logs(pilot, screen)
        view = logs.query_one(LogView)
        rows_at_80 = view.line_count
        await pilot.resize_terminal(200, 40)
        await wait_until(pilot, lambda: view.line_count < rows_at_80, what="fewer rows at 200 columns")
        assert all(len(row) <= view.scrollable_content_region.width for row in view.lines)


async def test_F_follows_and_p_pauses_nothing_in_the_logs(still_emulator):
    from hftui.widgets.log_view import LogView

    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        state = still_emulator.endpoint("demo-user", "llama-chat")["status"]["state"]
        logs = await _logs(pilot, screen)
        view = logs.query_one(LogView)
        await pilot.press("p")  # p pauses endpoints on the Endpoints screen: here it does nothing
        await pilot.pause(0.3)
        assert app.screen is logs and view.auto_scroll
        assert still_emulator.endpoint("demo-user", "llama-chat")["status"]["state"] == state
        await pilot.press("F")
        assert not view.auto_scroll and "not following" in str(logs.query_one("#status-line").render())
        await pilot.press("F")
        assert view.auto_scroll
