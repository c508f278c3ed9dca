"""The audit's Playground findings: follow the answer over many turns, keys outside text fields,
focus after :play, the target id and elapsed time at 80x24, ^n only for chat."""

from __future__ import annotations

from playground_helpers import MODELS, playground, run_and_wait, screen_text, wait_until


async def _chat(pilot):
    from hftui.client import Target

    screen = await playground(pilot)
    screen.set_target(Target.hf_model(MODELS["chat-completion"]), task="chat-completion")
    await wait_until(pilot, lambda: screen.spec.task == "chat-completion")
    await pilot.pause()
    return screen


def _last_answer_rows(screen) -> list[str]:
    rows = [r.strip() for r in screen.output.plain_text().splitlines() if r.strip()]
    return rows[-2:]


async def test_three_chat_turns_at_80x24_keep_the_last_answer_in_view(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _chat(pilot)
        for prompt in ("What is deep learning?", "tell me more", "four"):
            screen.form.set_value("prompt", prompt)
            await run_and_wait(pilot, screen)
            await pilot.pause(0.1)
            text = screen_text(app)
            for row in _last_answer_rows(screen):
                assert row in text, f"{row!r} not on screen:\n{text}"
        out = screen.output
        assert out.max_scroll_y > 0 and out.scroll_y == out.max_scroll_y and out.follow


async def test_scrolling_up_stops_following_until_the_end_again(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _chat(pilot)
        for prompt in ("one", "two", "three"):
            screen.form.set_value("prompt", prompt)
            await run_and_wait(pilot, screen)
        out = screen.output
        out.focus()
        await pilot.press("home")
        await pilot.pause()
        assert out.scroll_y == 0 and not out.follow
        out.begin("plain")
        out.append("new text\n" * 30)
        out.flush_now()
        await pilot.pause()
        assert out.scroll_y == 0  # the reader stays where they are
        await pilot.press("end")
        await pilot.pause()
        assert out.follow
        out.append("more\n" * 30)
        out.flush_now()
        await pilot.pause()
        assert out.scroll_y == out.max_scroll_y
        out.finish()
        await pilot.press("home")
        await pilot.pause()
        screen.form.set_value("prompt", "again")
        await run_and_wait(pilot, screen)  # a new turn follows again
        await pilot.pause(0.1)
        assert out.follow and out.scroll_y == out.max_scroll_y


async def test_after_play_typing_goes_to_the_first_required_field(make_app):
    from textual.widgets import TextArea

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await playground(pilot)
        await app.run_command_line("play Qwen/Qwen2.5-7B-Instruct")
        await wait_until(pilot, lambda: screen.spec.task == "chat-completion")
        await pilot.pause(0.2)
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"hello")
        assert screen.form.values()["prompt"] == "hello"  # the example is replaced, not extended


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
        screen = await _chat(pilot)
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
        screen = await _chat(pilot)
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
