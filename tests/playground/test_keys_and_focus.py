"""Keys and focus in the Playground at 80x24: typing goes to the first required field after :play or
Enter on the Models screen; h / x / ^n act outside text fields only (export carries the run id, ^n
only for chat); the target is shown whole."""

from __future__ import annotations

from tests.playground.playground_helpers import MODELS, open_task, playground, run_and_wait
from tests.support.pilot import screen_text, wait_until


async def test_after_play_typing_goes_to_the_first_required_field(make_app):
    from textual.widgets import TextArea

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await playground(pilot)
        await app.run_command_line("play Qwen/Qwen2.5-7B-Instruct")
        # Typed at once, while the model is looked up (a fixed pause here failed on a loaded CI
        # machine, the lookup still going): held, then typed into the new form's first field.
        await pilot.press(*"hello")
        await wait_until(pilot, lambda: screen.form.values()["prompt"] == "hello", what="hello in the prompt")
        assert screen.spec.task == "chat-completion" and isinstance(app.focused, TextArea)
        assert app.focused.id == "f-prompt"  # the example was replaced, not extended


async def test_enter_from_models_focuses_the_image_field(make_app):
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await playground(pilot)
        info = await app.client.hub.model_info(MODELS["object-detection"])
        await app.open_playground(model=info)
        await wait_until(pilot, lambda: screen.spec.task == "object-detection")
        await pilot.pause(0.2)
        assert isinstance(app.focused, Input) and app.focused.id and app.focused.id.startswith("f-")
        await pilot.press(*"/tmp/cat.png")
        assert screen.form.values()["inputs"] == "/tmp/cat.png"


async def test_h_and_x_outside_a_text_field_export_carries_the_run_id(make_app):
    from hftui.screens.export import ExportScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_task(pilot, "chat-completion")
        await run_and_wait(pilot, screen)
        assert screen.last_run_id is not None
        screen.form.focus_first()
        await pilot.press("x")  # in the text field x types
        assert not isinstance(app.screen, ExportScreen)
        assert "x" in screen.form.values()["prompt"]
        footer = screen_text(app).splitlines()[-1]
        assert "h History" not in footer and "x Export" not in footer
        await pilot.press("escape")
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "x Export" in footer and "h History" in footer, footer
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.pause()
        assert f"Export run #{screen.last_run_id}" in screen_text(app)
        assert app.screen.record["id"] == screen.last_run_id
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.press("ctrl+x")  # still exports
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.press("h")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HistoryScreen")


async def test_new_chat_key_only_for_chat_and_target_shown_whole(make_app):
    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_task(pilot, "chat-completion")
        await pilot.press("escape")
        await pilot.pause()
        assert "New chat" in screen_text(app).splitlines()[-1]
        screen.set_target(Target.hf_model(MODELS["question-answering"]), task="question-answering")
        await wait_until(pilot, lambda: screen.spec.task == "question-answering")
        await pilot.press("escape")
        await pilot.pause()
        text = screen_text(app)
        assert "New chat" not in text.splitlines()[-1]
        assert "→ deepset/roberta-base-squad2" in text  # the model field itself is narrow at 80 columns
