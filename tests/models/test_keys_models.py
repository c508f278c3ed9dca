"""Issue 11.4 and 11.6 on the Models and History screens, typed as people type: fast, right after
a screen switch. j/k move in every list; t and o open the task and sort pickers (no Tab hunting),
and once a choice is made the keys move in the table again."""

from __future__ import annotations

from textual.widgets import Select

from hftui.history import History
from tests.models.models_helpers import wait_models_ready
from tests.support.pilot import wait_until


async def _playground_ready(pilot):
    from hftui.screens.playground import PlaygroundScreen

    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, PlaygroundScreen) and app.focused is not None,
                     what="the Playground")


async def test_j_and_k_move_in_models_right_after_switching_back(make_app):
    app = make_app("models")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        table = screen.query_one("ModelTable")
        await pilot.press("2")
        await _playground_ready(pilot)
        # the Playground opens with focus in its form (1 would type there): Esc leaves it
        await pilot.press("escape", "1", "j", "j", "j", "k")  # no pause after the switch
        await wait_until(pilot, lambda: app.screen is screen and table.cursor_row == 2, what="j j j k")
        assert app.focused is table


async def test_t_opens_the_task_picker_and_the_choice_goes_back_to_the_table(make_app, hub_spy):
    app = make_app("models")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        hub_spy.install(app)
        table = screen.query_one("ModelTable")
        task = screen.query_one("#models-task", Select)
        await pilot.press("t")
        assert task.expanded and app.focused is not table  # the list is open, no Tab pressed
        await pilot.press("down", "enter")  # "any task" -> the first task
        assert task.value == "text-generation" and not task.expanded
        await wait_until(pilot, lambda: app.focused is table, what="the focus back on the table")
        await wait_until(pilot, lambda: hub_spy.of("search_models")
                         and hub_spy.of("search_models")[-1][2]["task"] == "text-generation"
                         and not screen.searching and table.row_count > 1, what="the task's models")
        assert all(m.pipeline_tag == "text-generation" for m in table.models.values())
        await pilot.press("j")
        assert table.cursor_row == 1
        # esc closes the list without a change, and the keys still move in the table
        await pilot.press("t", "escape", "j")
        assert task.value == "text-generation" and not task.expanded and table.cursor_row == 2


async def test_o_opens_the_sort_picker(make_app, hub_spy):
    app = make_app("models")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await wait_models_ready(pilot, card=False)
        hub_spy.install(app)
        sort = screen.query_one("#models-sort", Select)
        await pilot.press("o")
        assert sort.expanded
        await pilot.press("down", "enter")  # trending -> downloads
        await wait_until(pilot, lambda: hub_spy.of("search_models")
                         and hub_spy.of("search_models")[-1][2]["sort"] == "downloads", what="sorted by downloads")
        assert screen.query_one("#models-sort", Select).value == "downloads"


async def test_the_pickers_are_in_the_footer_and_the_help(make_app):
    from hftui.screens.help import HelpScreen

    app = make_app("models")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_models_ready(pilot, card=False)
        footer = {(b.binding.key, b.binding.description) for b in app.screen.active_bindings.values()
                  if b.binding.show}
        assert ("t", "Task") in footer and ("o", "Sort") in footer
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        text = app.screen.text()
        assert "t  Task" in text and "o  Sort" in text and "j  Down" in text
        assert "Pick the task filter" in text


async def test_j_and_k_move_in_the_history_right_after_opening_it(make_app):
    from tests.models.models_helpers import models_screen  # noqa: F401

    history = History.default()
    for n in range(3):
        history.add({"target": {"kind": "model", "model": f"org/m{n}", "label": f"org/m{n}"},
                     "task": "fill-mask", "inputs": {"inputs": "a [MASK]"}, "parameters": {},
                     "result": [], "error": None, "timings": {"elapsed": 0.1},
                     "created_at": f"2026-10-26T12:5{n}:00Z"})
    app = make_app("history")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.current_mode == "history"
                         and app.screen.query_one("#history-table").row_count == 3, what="the history")
        table = app.screen.query_one("#history-table")
        await pilot.press("j", "j", "k")
        assert table.cursor_row == 1
