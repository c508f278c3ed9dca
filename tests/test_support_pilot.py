"""The suite's one ``wait_until``: returns the predicate's value, and a timeout names what it waited for."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import Static

from tests.support.pilot import wait_until


class Shows(App):
    def compose(self):
        yield Static("visible words", id="words")


async def test_returns_the_first_truthy_value_and_tolerates_a_predicate_that_raises():
    calls = []

    def ready():
        calls.append(1)
        if len(calls) < 3:
            raise LookupError("not mounted yet")
        return "value"

    async with Shows().run_test() as pilot:
        assert await wait_until(pilot, ready, timeout=5) == "value"
    assert len(calls) == 3


async def test_a_timeout_names_what_the_last_error_and_the_screen():
    async with Shows().run_test(size=(40, 5)) as pilot:
        with pytest.raises(AssertionError) as failed:
            await wait_until(pilot, lambda: pilot.app.query_one("#missing"), timeout=0.2, what="the missing widget")
    message = str(failed.value)
    assert message.startswith("timed out after 0.2s waiting for the missing widget")
    assert "NoMatches" in message  # the last error of the predicate
    assert "visible words" in message  # the screen at that moment


async def test_without_what_the_predicate_source_is_named():
    async with Shows().run_test() as pilot:
        with pytest.raises(AssertionError) as failed:
            await wait_until(pilot, lambda: 1 + 1 == 3, timeout=0.1)
    assert "lambda: 1 + 1 == 3" in str(failed.value)
