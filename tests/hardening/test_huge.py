"""Huge values: a 10 MB string, 100,000-row lists, a 50,000-line log. Bounded in memory and on
screen; the UI stays responsive (keys answer, screens switch)."""

from __future__ import annotations

from tests.hardening.hardening_helpers import assert_clean_screen, endpoints_ready, still_works
from tests.hardening.hostile_server import json_reply, raw_reply, upstream_json
from tests.support.pilot import screen_text, wait_until
from tests.support.screens import go


TEN_MB = 10 * 1024 * 1024


def tiny_endpoint(i: int) -> dict:
    return {"name": f"ep-{i:06d}", "type": "protected",
            "model": {"repository": "openai-community/gpt2", "task": "text-generation"},
            "status": {"state": "running" if i % 3 else "paused", "readyReplica": 1, "targetReplica": 1}}


async def answers(pilot, key: str, changed) -> None:
    """The key is handled: ``changed()`` becomes true (no timing: speed is for bench/)."""
    await pilot.press(key)
    await wait_until(pilot, changed, 20, f"the app to answer {key}")


async def test_ten_megabyte_strings_are_bounded(make_app, hostile):
    huge = "A" * TEN_MB

    async def listing(request):
        _, body = await upstream_json(request, "/v2/endpoint/demo-user")
        body["items"][0]["name"] = "big-" + huge[:100]
        body["items"][0]["status"]["message"] = "msg-" + huge
        return body

    async def one(request):
        return (await listing(request))["items"][0]

    hostile.on("GET", r"^/v2/endpoint/[^/]+$", json_reply(listing))
    hostile.on("GET", r"^/v2/endpoint/[^/]+/[^/]+$", json_reply(one))
    app = make_app(refresh_interval=3600)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: "big-AAAA" in screen_text(app), 20, "the huge row")
        text = assert_clean_screen(app)
        row = next(line for line in text.splitlines() if "big-AAA" in line)
        assert len(row) <= 120
        screen.table.focus()
        await answers(pilot, "down", lambda: screen.table.cursor_row == 1)
        await pilot.press("home", "d")  # describe the endpoint with the 10 MB status message
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DescribeScreen", what="describe")
        await pilot.pause(0.3)
        body = app.screen.query_one("#describe-body")
        shown = "\n".join(strip.text for strip in body.render_lines(body.size.region))  # what it shows
        assert "msg-AAA" in shown
        assert len(shown) < 50_000, f"the 10 MB message must be cut, {len(shown)} chars shown"
        assert_clean_screen(app)
        scroll = app.screen.query_one("#describe-scroll")
        await answers(pilot, "pagedown", lambda: scroll.scroll_y > 0)
        await pilot.press("escape")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "EndpointsScreen", what="the table")
        hostile.clear()
        await still_works(pilot)


async def test_hundred_thousand_endpoints(make_app, hostile):
    items = [tiny_endpoint(i) for i in range(100_000)]
    hostile.on("GET", r"^/v2/endpoint/[^/]+$", json_reply({"items": items}))
    app = make_app(refresh_interval=3600)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot, timeout=60)
        # the client keeps the first 10,000 (far above any real quota): every poll stays cheap
        await wait_until(pilot, lambda: screen.table.row_count == 10_000, 60, "10,000 rows")
        screen.table.focus()
        await answers(pilot, "down", lambda: screen.table.cursor_row == 1)
        await answers(pilot, "end", lambda: screen.table.cursor_row == 9_999)
        text = assert_clean_screen(app)
        assert "ep-009999" in text
        assert len(text.splitlines()) == 30
        await pilot.press("slash")
        await pilot.press(*"ep-00500")
        await pilot.pause(0.5)
        await wait_until(pilot, lambda: "ep-005000" in screen_text(app), 10, "the filter")
        await pilot.press("escape")
        hostile.clear()
        await go(pilot, "models")
        await go(pilot, "endpoints")


async def test_hundred_thousand_models(make_app, hostile):
    models = [{"id": f"org/model-{i:06d}", "pipeline_tag": "text-classification", "downloads": i, "likes": 0}
              for i in range(100_000)]
    hostile.on("GET", r"^/api/models$", json_reply(models))
    app = make_app(first_screen="models")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await go(pilot, "models")
        table = screen.query_one("ModelTable")
        await wait_until(pilot, lambda: table.row_count > 0 and not screen.searching, 60, "the model list")
        table.focus()
        await answers(pilot, "down", lambda: table.cursor_row == 1)
        await answers(pilot, "end", lambda: table.cursor_row == table.row_count - 1)
        text = assert_clean_screen(app)
        assert "org/model-" in text
        assert table.row_count <= 1000  # a page is cut at the Hub's own cap
        hostile.clear()
        await go(pilot, "endpoints")
        await endpoints_ready(pilot)


async def test_fifty_thousand_log_lines(make_app, hostile):
    lines = "".join(f"2026-10-26T12:00:00Z line {i:05d} " + "x" * 60 + "\n" for i in range(50_000))
    hostile.on("GET", r"/logs$", raw_reply(lines.encode(), content_type="text/plain"))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count > 0, what="rows")
        screen.table.focus()
        await pilot.press("l")
        await wait_until(pilot, lambda: "line 49999" in screen_text(app), 20, "the last log line")
        text = assert_clean_screen(app)
        log = app.screen.query_one("#log")
        assert getattr(log, "line_count", 0) <= 50_000
        await answers(pilot, "home", lambda: log.scroll_y == 0)
        await pilot.press("escape")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "EndpointsScreen", what="the table")
        await still_works(pilot)


async def test_ten_megabyte_generated_text_is_bounded(make_app, hostile):
    """A 10 MB answer (one JSON string) and a 10 MB stream chunk: cut for the screen, UI responsive."""
    from hftui.client import Target

    from tests.hardening.hostile_server import chat_chunk, sse_reply

    huge = "word " * (TEN_MB // 5)
    hostile.on("POST", r"^/hf-inference/models/facebook", json_reply([{"summary_text": "SUM " + huge}]))
    hostile.on("POST", r"/v1/chat/completions$", sse_reply([chat_chunk("CHAT " + huge), chat_chunk("", "stop"),
                                                              "[DONE]"]))
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await go(pilot, "playground")
        for task, model, marker in (("summarization", "facebook/bart-large-cnn", "SUM"),
                                    ("chat-completion", "meta-llama/Llama-3.1-8B-Instruct", "CHAT")):
            screen.set_target(Target.hf_model(model), task=task)
            await wait_until(pilot, lambda: screen.spec.task == task, what=f"the {task} form")
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: screen._worker is not None and not screen._worker.is_running, 60,
                             f"the {task} run")
            await pilot.pause()
            text = assert_clean_screen(app)
            # shown (cut), or refused with a message (an SSE event of 10 MB is not a sane event)
            assert marker in text or screen.error_text, text
            assert "Traceback" not in text
        shown = screen.output.plain_text() if hasattr(screen, "output") else ""
        assert len(shown) < 2_000_000, f"{len(shown)} characters kept for the screen"
        await go(pilot, "endpoints")


async def test_a_flood_of_stream_events_can_be_cancelled(make_app, hostile):
    """Tens of thousands of SSE events as fast as the socket goes: the app keeps up, Esc stops it
    and keeps what arrived, and the next action works."""
    from hftui.client import Target

    from tests.hardening.hostile_server import chat_chunk, sse_reply

    events = [chat_chunk(f"t{i} ") for i in range(40_000)]
    hostile.on("POST", r"/v1/chat/completions$", sse_reply(events, then="endless"), times=1)
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await go(pilot, "playground")
        screen.set_target(Target.hf_model("meta-llama/Llama-3.1-8B-Instruct"), task="chat-completion")
        await wait_until(pilot, lambda: screen.spec.task == "chat-completion", what="the form")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "t1000 " in screen.output.plain_text(), 30, "a thousand tokens")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not screen._worker.is_running, 15, "the cancel")
        kept = screen.output.plain_text()
        assert "t0 t1 t2" in kept and "partial output kept" in kept
        assert_clean_screen(app)
        screen.form.set_value("prompt", "again")
        before = screen._worker
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen._worker is not before and not screen._worker.is_running, 20,
                         "the next run")
        assert screen.error_text == ""
