"""Replacing the Playground's form (a task change, ``:play``): what it costs is what it must.

A task change used to hand the focus to the form's pane (which restyled all it holds, twice),
to paint the new form three or four times half built, and to rebuild the footer for each
passing focus state. The oracles: who got the focus, what each paint showed, and how many
times the footer was rebuilt.
"""

from __future__ import annotations

import pytest
from textual.screen import Screen
from textual.widgets import Footer

from tests.playground.playground_helpers import playground
from tests.support.pilot import wait_until


async def focused_playground(pilot):
    screen = await playground(pilot)
    await wait_until(pilot, lambda: screen.form.first_field() is not None, what="the form built")
    screen.form.focus_first()
    await pilot.pause()
    return screen


async def replaced(pilot, screen, task: str, how: str = "task") -> None:
    if how == "task":
        screen._select_task(task)
    else:  # :play's path: the form is hidden while the model is looked up, then replaced
        screen._lookup_model({"summarization": "facebook/bart-large-cnn",
                              "text-generation": "openai-community/gpt2"}[task])
    await wait_until(pilot, lambda: screen.spec.task == task and screen.keys_ready(), what=f"the {task} form")
    await pilot.pause(0.2)


@pytest.mark.parametrize("how", ["task", "lookup"])
async def test_a_new_form_takes_the_focus_without_passing_it_through_the_pane(make_app, how):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await focused_playground(pilot)
        pane = screen.query_one("#pg-form-pane")
        focused: list = []
        original = screen.set_focus

        def set_focus(widget, *args, **kwargs):
            focused.append(widget)
            return original(widget, *args, **kwargs)

        screen.set_focus = set_focus
        restyled: list = []
        update_styles = app.update_styles

        def counting(node, animate=True):
            restyled.extend(node.walk_children(with_self=True))
            return update_styles(node, animate)

        app.update_styles = counting
        await replaced(pilot, screen, "summarization", how)
        assert screen.focused is screen.form.first_field()
        assert pane not in focused
        assert pane not in restyled


async def test_the_new_form_is_painted_whole_and_focused_never_half_built(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await focused_playground(pilot)
        old = screen.form
        seen: list[tuple[bool, bool, bool]] = []
        original = Screen._compositor_refresh

        def paint(self, *args, **kwargs):
            form = screen.form
            if self is screen and form is not old:
                nodes = list(form.walk_children(with_self=True))
                seen.append((form.is_attached, all(node.is_mounted for node in nodes),
                             screen.focused is form.first_field()))
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Screen, "_compositor_refresh", paint)
        await replaced(pilot, screen, "text-generation")
        assert seen, "the new form was never painted"
        assert seen[0] == (True, True, True)  # the first paint shows it all, its first field focused
        assert all(whole for _, whole, _ in seen)


@pytest.mark.parametrize(("before", "after", "rebuilds"), [
    ("summarization", "text-generation", 0),  # the same keys: nothing to rebuild
    ("chat-completion", "text-generation", 1),  # ^n New chat goes: one rebuild
])
async def test_the_footer_is_rebuilt_only_when_its_keys_change(make_app, before, after, rebuilds):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await focused_playground(pilot)
        if screen.spec.task != before:
            await replaced(pilot, screen, before)
        footer = screen.query_one(Footer)
        calls: list = []
        original = footer.recompose

        async def recompose():
            calls.append(1)
            await original()

        footer.recompose = recompose
        await replaced(pilot, screen, after)
        await pilot.pause(0.2)
        assert len(calls) == rebuilds
        shown = {key.key for key in footer.children if hasattr(key, "key")}
        assert ("ctrl+n" in shown) == screen.spec.conversational
