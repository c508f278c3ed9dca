"""The chat output follows the answer over many turns at 80x24, and stops following while the reader scrolls up."""

from __future__ import annotations

from tests.playground.playground_helpers import open_task, run_and_wait
from tests.support.pilot import screen_text


def _last_answer_rows(screen) -> list[str]:
    rows = [r.strip() for r in screen.output.plain_text().splitlines() if r.strip()]
    return rows[-2:]


async def test_three_chat_turns_at_80x24_keep_the_last_answer_in_view(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_task(pilot, "chat-completion")
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
        screen = await open_task(pilot, "chat-completion")
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
