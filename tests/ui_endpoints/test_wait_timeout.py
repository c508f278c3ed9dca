"""``w`` waits with a time limit (issue 12 #5): default 10 min, "none" allowed, and when the time
is up it says so and stops waiting — the endpoint keeps going (huggingface_hub's ``wait(timeout=…)``)."""

from __future__ import annotations

from textual.widgets import Select, Static

from hftui.screens.endpoint_wait import WaitScreen
from tests.support.pilot import wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app

SIZE = (120, 40)


def shown(wait, selector: str) -> str:
    return str(wait.query_one(selector, Static).render())


async def test_w_waits_ten_minutes_by_default_and_none_is_a_choice(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        screen.table.move_cursor_to("demo-user/sdxl-images")  # initializing; the clock stands still
        await pilot.press("W")
        wait = await wait_until(pilot, lambda: isinstance(app.screen, WaitScreen) and app.screen)
        limit = wait.query_one("#wait-timeout", Select)
        assert wait.timeout == 600 and limit.value == 600
        await wait_until(pilot, lambda: "of 10 min" in shown(wait, "#wait-elapsed"), what="the limit shown")
        # The choice is a keyboard Select: open it, go to the last option ("none"), take it.
        limit.focus()
        await pilot.press("enter", "end", "enter")
        await wait_until(pilot, lambda: wait.timeout is None, what="no time limit")
        await wait_until(pilot, lambda: "no time limit" in shown(wait, "#wait-elapsed"), what="no limit shown")
        assert wait.outcome is None
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="back on the table")


async def test_time_up_says_so_stops_waiting_and_leaves_the_endpoint_alone(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        app.push_screen(WaitScreen(screen.table.get("demo-user/sdxl-images"), timeout=0.5, poll_interval=0.1))
        wait = await wait_until(pilot, lambda: isinstance(app.screen, WaitScreen) and app.screen)
        await wait_until(pilot, lambda: wait.outcome is not None, what="the time limit")
        assert wait.outcome == "timeout"
        text = shown(wait, "#wait-elapsed")
        assert "Timed out after 0.5s" in text and "still initializing" in text, text
        assert "keeps going" in text, text
        await wait_until(pilot, lambda: wait._worker.is_finished, what="waiting stopped")
        assert wait.has_class("-timeout")
        assert still_emulator.endpoint("demo-user", "sdxl-images")["status"]["state"] == "initializing"
        # A longer limit — here none — waits again, from where it was.
        wait.query_one("#wait-timeout", Select).value = 0
        await wait_until(pilot, lambda: wait.outcome is None and not wait.has_class("-timeout"), what="waiting again")
        still_emulator.advance(60)
        await wait_until(pilot, lambda: wait.outcome == "running", timeout=15, what="running")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
