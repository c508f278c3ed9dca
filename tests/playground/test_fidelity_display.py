"""Pilot tests: what the Playground shows of issue 12 (wake countdown, call stats, tokens, raw view, timeouts)."""

from __future__ import annotations

from tests.playground.playground_helpers import playground, run_and_wait
from tests.support.pilot import screen_text, wait_until

NS = "demo-user"


async def test_a_scaled_to_zero_endpoint_counts_down_its_wake(make_app, emulator):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        ep = await app.client.endpoints.get(NS, "sentiment-api")
        screen.set_target(endpoint=ep, task="text-classification")
        await wait_until(pilot, lambda: screen.spec.task == "text-classification")
        screen.form.set_value("inputs", "I love it")
        await run_and_wait(pilot, screen, timeout=30)
        assert screen.error_text == ""
        assert any(s.startswith("endpoint waking up (scaled to zero) · ready in ~") for s in screen.status_history)
        assert not any(s.startswith("Model loading") for s in screen.status_history)
        await wait_until(pilot, lambda: "POSITIVE" in screen_text(app))


async def test_chat_without_streaming_shows_tokens_and_time(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.form.set_values({"prompt": "hello", "stream": False})
        await run_and_wait(pilot, screen)
        assert screen.error_text == ""
        line = screen.status_history[-1]
        assert line.startswith("Done in ") and " · tokens " in line and " in / " in line and "server " in line
