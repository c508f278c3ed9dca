"""Issue 11.7: History's re-run (R / ctrl+r) runs the run again, with the Playground already open.

``load_run`` replaces the Playground's form; the run used to start on the half-built form, fail on
its missing fields (silently, in a worker) and add no history row. ``PlaygroundScreen.run_now``
waits for the new form.
"""

from __future__ import annotations

from hftui.history import History
from tests.support.pilot import wait_until


async def _ready(pilot, screen_type):
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, screen_type) and app.focused is not None,
                     what=screen_type.__name__)


async def test_rerun_with_the_playground_already_open_runs_and_adds_a_row(make_app):
    from hftui.screens.endpoints import EndpointsScreen
    from hftui.screens.history import HistoryScreen
    from hftui.screens.playground import PlaygroundScreen

    app = make_app("endpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, EndpointsScreen) and app.screen.table.loaded,
                         what="the endpoints")
        await pilot.press("2")
        await _ready(pilot, PlaygroundScreen)
        await pilot.press("ctrl+r")  # the default chat run
        await wait_until(pilot, lambda: len(History.default()) == 1, what="the first run saved")
        first = History.default().list(limit=1)[0]
        await pilot.press("escape", "h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.current is not None,
                         what="the history")
        await pilot.press("R")
        await wait_until(pilot, lambda: len(History.default()) == 2, timeout=15, what="the re-run saved")
        newest = History.default().list(limit=1)[0]
        assert newest["id"] != first["id"] and newest["status"] == "ok"
        assert newest["task"] == first["task"] and newest["target"]["model"] == first["target"]["model"]
        assert newest["inputs"] == first["inputs"]
        # and once more with ctrl+r, from the History again
        await pilot.press("escape", "h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen)
                         and app.screen.query_one("#history-table").row_count == 2, what="the history")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(History.default()) == 3, timeout=15, what="the second re-run")
