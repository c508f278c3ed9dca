"""Issue 11: no destructive single key, errors in the table's body, idle endpoints and the Playground.

Driven like a user against the emulator: stray keys, marked rows, a 401 on the list, ``i`` on a
paused endpoint, state changes while the Playground is shown.
"""

from __future__ import annotations

from textual.widgets import Button, Static

from hftui.widgets.confirm import ConfirmScreen

from tests.support.pilot import screen_text, wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app, poll_once

SIZE = (120, 40)


def state(emulator, name: str) -> str:
    return emulator.endpoint("demo-user", name)["status"]["state"]


def status(screen) -> str:
    return str(screen.query_one("#status-line", Static).render())


def body(modal) -> str:
    return str(modal.query_one(".confirm-body", Static).render())


async def test_stray_p_and_z_do_nothing_without_y(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await wait_until(pilot, lambda: screen.catalog is not None, what="catalog")
        assert screen.table.move_cursor_to("demo-user/gpt2-demo")
        await pilot.press("p")
        modal = await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen)
        assert modal._title == "Pause demo-user/gpt2-demo?"
        assert "demo-user/gpt2-demo: stops billing $0.13/h." in body(modal)
        assert app.focused is modal.query_one("#cancel", Button)  # Enter now would cancel
        await pilot.press("z", "p", "x", "enter")  # typing on: letters do nothing, Enter is Cancel
        await wait_until(pilot, lambda: app.screen is screen, what="the question closed")
        await pilot.press("z")
        modal = await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen)
        assert modal._title == "Scale to zero demo-user/gpt2-demo?" and "wakes on the next request" in body(modal)
        await pilot.press("n")
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.pause(0.3)
        assert state(still_emulator, "gpt2-demo") == "running"
        assert screen.table.pending_of("demo-user/gpt2-demo") is None
        # The highlighted button is what Enter presses: moved to Pause, Enter pauses.
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("right", "enter")
        await wait_until(pilot, lambda: state(still_emulator, "gpt2-demo") == "paused", what="paused")


async def test_marked_rows_are_all_named_with_the_total_and_one_summary_says_each(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await wait_until(pilot, lambda: screen.catalog is not None, what="catalog")
        keys = ["demo-user/gpt2-demo", "demo-user/llama-chat", "demo-user/embeddings-v2"]
        for key in keys:
            assert screen.table.move_cursor_to(key)
            await pilot.press("space")
        await pilot.press("p")
        modal = await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen)
        text = body(modal)
        assert modal._title == "Pause 3 endpoints?"
        for key in keys:
            assert f"• {key}: stops billing $" in text, text
        assert "Together: stops billing $" in text
        await pilot.press("y")
        await wait_until(pilot, lambda: all(state(still_emulator, k.split("/")[1]) == "paused" for k in keys),
                         what="all three paused")
        await wait_until(pilot, lambda: status(screen).startswith("Paused 3 of 3: "), what="the summary")
        for key in keys:  # every endpoint, not only the last one
            assert key in status(screen), status(screen)


async def test_confirm_pause_resume_false_relaxes_p_and_r_only(still_emulator):
    app = make_app(still_emulator, confirm={"pause_resume": False})
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        assert screen.table.move_cursor_to("demo-user/gpt2-demo")
        await pilot.press("p")
        await wait_until(pilot, lambda: state(still_emulator, "gpt2-demo") == "paused", what="paused at once")
        assert not isinstance(app.screen, ConfirmScreen)
        assert screen.table.move_cursor_to("demo-user/llama-chat")
        await pilot.press("z")  # scale to zero still asks
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        assert state(still_emulator, "llama-chat") == "running"


async def test_a_401_on_the_list_shows_in_the_table_and_polls_go_on_with_backoff(still_emulator):
    still_emulator.inject("401", path=r"/v2/endpoint/demo-user$", method="GET", times=100)
    app = make_app(still_emulator, first_screen="endpoints")
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot, loaded=False)
        await pilot.pause()
        shown = screen_text(app)
        assert "Loading…" not in shown
        assert screen.table.loading_text.startswith("⚠ Not listed, retrying in 10s: 401: ")
        assert "⚠ Not listed, retrying in 10s: 401: Invalid credentials" in shown, shown
        assert app.header_info.state == "error"
        await poll_once(pilot, screen)
        assert "retrying in 20s" in screen.table.loading_text  # backing off, still trying
        assert "retrying in 20s" in screen_text(app)
        still_emulator.clear_faults()
        await poll_once(pilot, screen)
        assert screen.table.loaded and screen.table.row_count == 7
        assert "401" not in screen_text(app)
        assert app.header_info.state == "ok"


async def test_i_on_a_paused_endpoint_offers_resume_with_the_price_and_opens_once_running(emulator):
    app = make_app(emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await wait_until(pilot, lambda: screen.catalog is not None, what="catalog")
        assert screen.table.move_cursor_to("demo-user/bert-fill")  # paused
        await pilot.press("i")
        modal = await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and app.screen)
        assert "its requests would fail until it runs" in body(modal) and "$0.13" in body(modal)
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen)
        assert app.current_mode == "endpoints" and state(emulator, "bert-fill") == "paused"
        assert "Not opened: demo-user/bert-fill is paused" in status(screen)
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: app.current_mode == "playground", timeout=20,
                         what="the Playground once running")
        assert state(emulator, "bert-fill") == "running"


async def test_state_changes_while_in_the_playground_wait_for_the_return(still_emulator):
    app = make_app(still_emulator)
    async with app.run_test(size=SIZE) as pilot:
        screen = await endpoints_screen(pilot)
        await app.switch_to("playground")
        await wait_until(pilot, lambda: app.current_mode == "playground")
        app.clear_notifications()
        still_emulator.set_state("demo-user", "gpt2-demo", "failed")
        await poll_once(pilot, screen)
        assert screen.table.get("demo-user/gpt2-demo").raw_state == "failed"
        assert list(app._notifications) == []  # nothing over the Playground's output
        await app.switch_to("endpoints")
        await wait_until(pilot, lambda: app.screen is screen)
        notes = await wait_until(pilot, lambda: [str(n.title) + ": " + str(n.message) for n in app._notifications])
        assert len(notes) == 1 and "While you were away: 1 endpoint changed state" in notes[0], notes
        assert "demo-user/gpt2-demo: running → failed" in notes[0]
