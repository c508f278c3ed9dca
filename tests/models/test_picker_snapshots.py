"""Issue 11.6: an open dropdown at 80x24 has a border, its own background and room for its
longest option (no option runs into the table text under it). Opened by its key, t."""

from __future__ import annotations

from tests.models.models_helpers import wait_models_ready

from tests.support.pilot import wait_until


async def _task_list_open(pilot):
    from textual.widgets import Select

    screen = await wait_models_ready(pilot)
    await pilot.press("t", "down", "down", "down")  # a few options down: the highlight shows too
    select = screen.query_one("#models-task", Select)
    await wait_until(pilot, lambda: select.expanded, what="the open task list")
    await pilot.pause(0.2)


def test_open_task_list_80x24(snap_compare, make_app):
    assert snap_compare(make_app("models"), terminal_size=(80, 24), run_before=_task_list_open)
