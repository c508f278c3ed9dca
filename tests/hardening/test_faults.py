"""Faults: the network dropping mid-refresh, mid-action and mid-stream; a server answering 500
for a while. The table recovers by itself, a stream keeps its partial text, no action is
applied twice (requests counted at the server)."""

from __future__ import annotations

import asyncio

from tests.hardening.hardening_helpers import assert_clean_screen, endpoints_ready, no_retries, still_works
from tests.hardening.hostile_server import chat_chunk, drop, fail_then_pass, sse_reply
from tests.support.pilot import screen_text, wait_until
from tests.support.screens import go


LIST = r"^/v2/endpoint/demo-user$"


def status_of(screen) -> str:
    return str(screen.query_one("#status-line").render())


async def test_500_for_a_while_then_the_table_recovers_by_itself(make_app, hostile):
    app = make_app(refresh_interval=0.2)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 7, what="rows")
        no_retries(app)  # whatever the client's retry policy, three failed polls in a row
        hostile.on("GET", LIST, fail_then_pass(500, 3))
        await wait_until(pilot, lambda: status_of(screen).startswith("⚠"), 15, "the error in the status line")
        assert "500" in status_of(screen)
        assert screen.table.row_count == 7  # the last good rows stay while failing
        assert_clean_screen(app)
        # nobody touches anything: the back-off poll finds the server healthy again
        await wait_until(pilot, lambda: status_of(screen).startswith("Updated"), 20, "the table to recover")
        assert screen.last_error is None
        assert screen.table.row_count == 7


async def test_network_drops_mid_refresh(make_app, hostile):
    app = make_app(refresh_interval=0.2)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 7, what="rows")
        no_retries(app)
        hostile.on("GET", LIST, drop(), times=3)
        await wait_until(pilot, lambda: status_of(screen).startswith("⚠"), 15, "the error in the status line")
        assert "closed the connection" in status_of(screen) or "network" in status_of(screen), status_of(screen)
        await wait_until(pilot, lambda: status_of(screen).startswith("Updated"), 20, "the table to recover")
        assert screen.table.row_count == 7


def proxy_then_drop():
    """Let the upstream apply the request, then cut the connection before the answer arrives."""
    async def applied_then_cut(request):
        from aiohttp import web

        from tests.hardening.hostile_server import upstream_json

        await upstream_json(request)  # the upstream applies it...
        if request.transport is not None:
            request.transport.abort()  # ...and the client never hears back
        await asyncio.sleep(0.05)
        return web.Response(status=204)

    return applied_then_cut


async def test_action_cut_after_the_server_applied_it_is_not_sent_again(make_app, hostile, upstream):
    app = make_app(refresh_interval=0.5)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 7, what="rows")
        hostile.on("POST", r"/gpt2-demo/pause$", proxy_then_drop())
        screen.table.focus()
        key = "demo-user/gpt2-demo"
        assert screen.table.move_cursor_to(key)
        await pilot.pause()
        await pilot.press("p", "y")  # (pause asks first)
        # the user is told no answer came (and that it may have been applied)...
        said = lambda: " ".join([screen_text(app), *(n.message for n in app._notifications)])  # noqa: E731
        await wait_until(pilot, lambda: any(w in said() for w in ("no answer", "closed the connection", "⚠")), 15,
                         "the failure")
        await pilot.pause(1.0)
        # ...the request went out exactly once, and the next poll shows the truth
        assert hostile.count("POST", r"/gpt2-demo/pause$") == 1
        await wait_until(pilot, lambda: screen.table.get(key).raw_state == "paused", 15, "the paused state")
        assert upstream.endpoint("demo-user", "gpt2-demo")["status"]["state"] == "paused"
        assert hostile.count("POST", r"/gpt2-demo/pause$") == 1
        assert_clean_screen(app)
        await still_works(pilot)


async def test_stream_drop_keeps_the_partial_text_and_is_not_retried(make_app, hostile):
    from hftui.client import Target

    words = [chat_chunk(f"word{i} ") for i in range(30)]
    hostile.on("POST", r"/v1/chat/completions$", sse_reply(words, then="drop", delay=0.005), times=1)
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await go(pilot, "playground")
        screen.set_target(Target.hf_model("meta-llama/Llama-3.1-8B-Instruct"), task="chat-completion")
        await wait_until(pilot, lambda: screen.spec.task == "chat-completion", what="the form")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen._worker is not None, what="the run")
        await wait_until(pilot, lambda: not screen._worker.is_running, 15, "the run to end")
        await pilot.pause(0.2)
        shown = screen.output.plain_text()
        assert "word0 word1" in shown and "word29" in shown, shown
        assert screen.error_text, "the cut must be reported"
        assert hostile.count("POST", r"/v1/chat/completions$") == 1
        text = assert_clean_screen(app)
        assert "Traceback" not in text
        await still_works(pilot)


async def test_hostile_retry_after_values_neither_hang_nor_crash(make_app, hostile):
    """429 with Retry-After of nan, -5, inf, 1e308 or a bogus date: a message soon, never a sleep
    of a thousand years (the client retries idempotent GETs and honours sane Retry-After)."""
    app = make_app(refresh_interval=3600)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        for value in ("nan", "-5", "inf", "1e308", "Wed, 21 Oct 2999 07:28:00 GMT", "soon"):
            hostile.clear()
            hostile.on("GET", LIST, fail_then_pass(429, 100, {"error": "Rate limit reached"}, {"Retry-After": value}))
            before = screen.poll_count
            screen.poll_now()
            await wait_until(pilot, lambda: screen.poll_count > before, 30, f"the poll (Retry-After: {value})")
            assert "429" in status_of(screen), (value, status_of(screen))
            assert_clean_screen(app)
        hostile.clear()
        before = screen.poll_count
        screen.poll_now()
        await wait_until(pilot, lambda: screen.poll_count > before and status_of(screen).startswith("Updated"), 30,
                         "the recovery")

