"""A stalled server: polls are not retried and say "refreshing… Ns"; unanswered actions may have happened."""

from __future__ import annotations

import asyncio
import time

from textual.widgets import Static

from hftui.auth import Secret
from hftui.client import HFClient
from hftui.client._http import MockResponse, MockTransport
from hftui.client.errors import ServerError
from hftui.config import Settings

from tests.support.pilot import wait_until
from tests.support.screens import endpoints_screen
from tests.ui_endpoints.helpers import make_app


def status(screen) -> str:
    return str(screen.query_one("#status-line", Static).render())


async def test_endpoint_list_retry_false_sends_one_request(monkeypatch):
    calls = []

    async def no_sleep(_delay):
        return None

    monkeypatch.setattr(asyncio, "sleep", no_sleep)

    def handler(request):
        calls.append(request.method)
        return MockResponse(500, json={"error": "x"})

    settings = Settings().with_base_url("http://hf.test")
    async with HFClient(settings, Secret("hf_x"), transport=MockTransport(handler), max_retries=3) as hf:
        try:
            await hf.endpoints.list("alice", retry=False)
        except ServerError:
            pass
        assert len(calls) == 1
        calls.clear()
        try:
            await hf.endpoints.list("alice")  # the default (describe, CLI) still retries GETs
        except ServerError:
            pass
        assert len(calls) == 4


async def test_a_stalled_poll_counts_seconds_then_errors_after_one_timeout(still_emulator):
    app = make_app(still_emulator, timeout=4.0)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_screen(pilot)
        rows = screen.table.row_count
        # One slow answer: with client retries the poll would quietly succeed on the second try.
        still_emulator.inject("slow:8", path=r"/v2/endpoint/demo-user$", method="GET", times=1)
        before = screen.poll_count
        started = time.monotonic()
        screen.poll_now()
        await wait_until(pilot, lambda: "Refreshing… " in status(screen), timeout=4, what="refreshing… Ns")
        assert "no answer yet (gives up after 4s)" in status(screen)
        assert app.header_info.state.startswith("refreshing… ")
        await wait_until(pilot, lambda: screen.poll_count > before, timeout=10, what="the poll to end")
        took = time.monotonic() - started
        assert took < 6.5, took  # one timeout, not 4 attempts with backoff
        assert "timed out" in status(screen) and "retrying in" in status(screen), status(screen)
        assert app.header_info.state == "error"
        assert screen.table.row_count == rows  # the last good rows stay


async def test_an_unanswered_pause_may_have_been_applied_and_the_poll_tells(still_emulator):
    app = make_app(still_emulator, timeout=1.5)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_screen(pilot)
        still_emulator.inject("slow:2.5", path=r"/gpt2-demo/pause$", method="POST", times=1)
        assert screen.table.move_cursor_to("demo-user/gpt2-demo")
        await pilot.press("p", "y")
        await wait_until(pilot, lambda: "no answer within 1.5s" in status(screen), timeout=5, what="no answer")
        text = status(screen)
        assert "it may still have been applied; the next refresh will tell" in text, text
        assert "failed" not in text
        notes = [str(n.message) for n in app._notifications]
        assert not any("failed" in n for n in notes), notes
        # The server did pause it after all (2.5 s later); a later poll says so.
        await wait_until(pilot, lambda: screen.table.get("demo-user/gpt2-demo").raw_state == "paused",
                         timeout=12, what="the paused row")
        await wait_until(pilot, lambda: "the refresh shows it" in status(screen), timeout=3, what="confirmed")
        assert status(screen).startswith("Paused demo-user/gpt2-demo")


async def test_a_refused_delete_is_a_failure_and_the_row_stops_saying_deleting(still_emulator):
    from hftui.screens.endpoint_delete import DeleteEndpointScreen

    app = make_app(still_emulator)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_screen(pilot)
        still_emulator.inject("500", path=r"/v2/endpoint/demo-user/gpt2-demo$", method="DELETE", times=1)
        assert screen.table.move_cursor_to("demo-user/gpt2-demo")
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, DeleteEndpointScreen))
        await pilot.press(*"gpt2-demo", "enter")
        await wait_until(pilot, lambda: "failed" in status(screen), timeout=5, what="failure")
        assert "may still have been applied" not in status(screen)
        before = screen.poll_count
        screen.poll_now()
        await wait_until(pilot, lambda: screen.poll_count > before, what="a poll")
        assert screen.table.pending_of("demo-user/gpt2-demo") is None
        assert screen.table.cell_text("demo-user/gpt2-demo", "state") == "● running"
