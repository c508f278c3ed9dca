"""``:play <model>`` switches the Playground at once (issue 11, point 13): while the model is looked
up the old form is hidden, Run disabled and the status says so; what is typed meanwhile lands in the
form of the model's task; fast repeated ``:play a`` / ``:play b`` never crash (``NoMatches '#label'``)
and end on the last model's task."""

from __future__ import annotations

import asyncio

from textual.widgets import Button

from tests.playground.playground_helpers import MODELS, playground
from tests.support.pilot import wait_until


def slow_model_info(app, seconds: float):
    """``model_info`` answers after ``seconds`` (a slow Hub): the window in which the old form used to stay usable."""
    hub = app.client.hub
    original = hub.model_info

    async def slow(model_id, *args, **kwargs):
        await asyncio.sleep(seconds)
        return await original(model_id, *args, **kwargs)

    hub.model_info = slow


async def test_play_disables_the_old_form_at_once_and_typing_goes_to_the_new_one(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        assert screen.spec.task == "chat-completion"
        slow_model_info(app, 2.0)  # long enough to look at the screen in between, even on a loaded machine
        await pilot.press("escape", ":", *"play facebook/bart-large-cnn", "enter")
        # the moment the command ran: the chat form cannot be used, and the screen says why
        assert not screen.form.display and screen.query_one("#run", Button).disabled
        assert "Looking up facebook/bart-large-cnn" in screen.status_history[-1]
        await pilot.press("ctrl+r")  # held: nothing runs on the chat form
        assert screen._worker is None or not screen._worker.is_running
        await pilot.press(*"hello")
        await wait_until(pilot, lambda: screen.spec.task == "summarization", what="the summarization form")
        await wait_until(pilot, lambda: screen.form.values().get("inputs") == "hello", 5.0, "hello in the new form")
        assert screen.form.display and not screen.query_one("#run", Button).disabled
        assert screen.target_bar.kind == "model"  # not "router (chat)" any more
        assert screen.session.conversation == []


async def test_fast_repeated_play_never_crashes_and_ends_on_the_last_model(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await playground(pilot)
        slow_model_info(app, 0.05)
        models = [MODELS["summarization"], MODELS["text-classification"], MODELS["chat-completion"],
                  MODELS["fill-mask"], MODELS["translation"], MODELS["summarization"]]
        for delay in (0.0, 0.05, 0.1, 0.3, 0.5):
            for model in models:
                await app.run_command_line(f"play {model}")
                await pilot.pause(delay)
        await pilot.press(*"hello")
        await wait_until(pilot, lambda: screen.spec.task == "summarization" and screen.keys_ready(),
                         what="the last model's form")
        await wait_until(pilot, lambda: screen.form.values().get("inputs") == "hello", 5.0, "hello in the form")
        assert screen.target_bar.text == MODELS["summarization"]
        assert screen.form.display
        assert len(screen.query("TaskForm")) == 1
        assert app.return_code is None  # the app is still running: no crash
