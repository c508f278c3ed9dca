"""Hostile input, round 2 (issue 9) as the user sees it: the screens that used to stick ("Searching…",
"Connecting…", "Refreshing… 84s (gives up after 30s)") or mislead ("no answer within 30s" for a
cut answer) when the client let a raw exception out or had no total deadline."""

from __future__ import annotations

import time

import pytest
from tests.hardening.hardening_helpers import assert_clean_screen, endpoints_ready, no_retries, still_works
from tests.support.pilot import screen_text, wait_until
from tests.support.screens import go
from tests.hardening.hostile_server import http_answer, json_reply, raw_http, raw_trickle


async def test_models_search_with_a_malformed_link_shows_the_models(make_app, hostile):
    page = [{"id": f"org/linked{i}", "pipeline_tag": "text-classification"} for i in range(5)]
    hostile.on("GET", r"^/api/models$", json_reply(page, headers={"Link": '<http://[::1>; rel="next"'}))
    app = make_app(first_screen="models")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await go(pilot, "models")
        await wait_until(pilot, lambda: "org/linked4" in screen_text(app), 10, "the models of the page")
        await wait_until(pilot, lambda: not screen.searching, 5, "the search to end")
        status = str(screen.query_one("#models-status").render())
        assert "Searching" not in status and "5 models" in status, status
        assert "more load" not in status  # the malformed link ends the paging
        assert_clean_screen(app)


@pytest.mark.parametrize("raw", ["hf_tökén0000000000000000", "hf_abc def000000000000"])
async def test_a_token_that_cannot_be_sent_opens_the_login_screen_with_the_reason(hostile, raw):
    from hftui.app import HFTUIApp
    from hftui.auth import ResolvedToken, Secret
    from hftui.config import Settings
    from hftui.screens.login import LoginScreen

    settings = Settings(timeout=1.0).with_base_url(hostile.base_url)
    app = HFTUIApp(settings, ResolvedToken(Secret(raw), "HF_TOKEN"), first_screen="endpoints")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LoginScreen), 10, "the login screen")
        await pilot.pause()
        text = assert_clean_screen(app)
        assert "Connecting" not in text
        message = str(app.screen.query_one("#login-message").render())
        assert "token" in message and "HF_TOKEN" in message, message
        assert raw not in text
        # typing a bad token there is refused on the spot, with the reason
        box = app.screen.query_one("#token-input")
        box.value = "hf_ok" + "é" * 5
        await pilot.press("enter")
        await wait_until(pilot, lambda: "not ASCII" in str(app.screen.query_one("#login-message").render()), 5,
                         "the reason")
    assert not hostile.seen, "a token that cannot be sent is never sent"


async def test_a_trickling_endpoint_list_ends_the_poll_at_the_timeout(make_app, hostile):
    """1 byte every 0.1 s keeps every read alive; the poll still gives up after the 1 s timeout and
    says why, instead of "Refreshing… 84s (gives up after 30s)"."""
    app = make_app(timeout=1.0, refresh_interval=3600)
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 7, what="the rows")
        no_retries(app)
        hostile.on("GET", r"^/v2/endpoint/demo-user$",
                   raw_trickle(http_answer(b'{"items": [' + b" " * 300 + b"]}"), 0.1))
        before = screen.poll_count
        started = time.monotonic()
        screen.poll_now()
        await wait_until(pilot, lambda: screen.poll_count > before, 20, "the poll to give up")
        elapsed = time.monotonic() - started
        line = str(screen.query_one("#status-line").render())
        assert line.startswith("⚠") and "no complete answer" in line and "1s" in line, line
        assert elapsed < 5, elapsed
        assert screen.table.row_count == 7  # the last good rows stay
        hostile.clear()
        await still_works(pilot)


async def test_a_pause_answer_cut_mid_body_says_the_connection_was_cut(make_app, hostile):
    body = b'{"name": "gpt2-demo", "status": {"state": "pau'
    app = make_app(refresh_interval=3600)
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 7, what="the rows")
        hostile.on("POST", r"/gpt2-demo/pause$", raw_http(http_answer(body, content_length=len(body) + 500)))
        screen.table.focus()
        assert screen.table.move_cursor_to("demo-user/gpt2-demo")
        await pilot.pause()
        await pilot.press("p", "y")  # (pause asks first)
        said = lambda: " ".join(n.message for n in app._notifications)  # noqa: E731
        await wait_until(pilot, lambda: "connection was cut" in said(), 10, "the notice")
        assert "no answer within" not in said(), said()
        assert "may still have been applied" in said(), said()
        assert hostile.count("POST", r"/gpt2-demo/pause$") == 1
        assert_clean_screen(app)
