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
