"""Issue 11.6 in the Playground: the task, model and provider pickers by key (ctrl+t, ctrl+l,
ctrl+o, from inside a text field too), no Tab hunting; esc or a choice hands the focus back."""

from __future__ import annotations

from textual.widgets import Input, Select

from tests.playground.playground_helpers import playground

from tests.support.pilot import wait_until


async def test_ctrl_t_opens_the_task_list_from_the_message_field(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        await wait_until(pilot, lambda: app.focused is not None)
        field = app.focused
        task = screen.query_one("#task", Select)
        await pilot.press("ctrl+t")
        assert task.expanded
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.focused is field)  # back in the field typing was in
        assert not task.expanded and screen.spec.task == "chat-completion"


async def test_ctrl_l_puts_the_cursor_in_the_model_field_ready_to_replace(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        model = screen.query_one("#target-model", Input)
        before = model.value
        await pilot.press("ctrl+l")
        assert app.focused is model and model.selected_text == before
        await pilot.press(*"openai-community/gpt2")
        assert model.value == "openai-community/gpt2"


async def test_ctrl_o_opens_the_provider_list_for_a_router_target(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        kind = screen.query_one("#target-kind", Select)
        kind.value = "router"
        await wait_until(pilot, lambda: screen.query_one("#provider", Select).display)
        await pilot.press("ctrl+o")
        assert screen.query_one("#provider", Select).expanded
        await pilot.press("escape")
        kind.value = "model"  # no provider on the hf-inference route: the key only rings the bell
        await wait_until(pilot, lambda: not screen.query_one("#provider", Select).display)
        await pilot.press("ctrl+o")
        assert not screen.query_one("#provider", Select).expanded
