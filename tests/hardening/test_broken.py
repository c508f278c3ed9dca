"""Broken answers: wrong JSON types, missing fields, invalid UTF-8, HTML pages, empty bodies,
endless bodies and streams, a first byte that never comes. Each one gives a clear message, never
a traceback, never a hang beyond the configured timeout; the app keeps working."""

from __future__ import annotations

import json
import time

from tests.hardening.hardening_helpers import assert_clean_screen, endpoints_ready, no_retries, still_works
from tests.hardening.hostile_server import chat_chunk, hang, html_reply, json_reply, raw_http, raw_reply, sse_reply
from tests.support.app import hftui_app
from tests.support.pilot import screen_text, wait_until
from tests.support.screens import go


ITEM_FIELDS_WRONG = {"name": "typed-wrong", "model": [], "compute": "x", "provider": 7,
                     "status": {"state": 5, "message": {"a": 1}, "readyReplica": "two", "targetReplica": None,
                                "createdAt": "not a date", "url": ["x"]}}

# (what, handler factory, words the status line must show)
BROKEN_LISTS = [
    ("items not a list", lambda: json_reply({"items": "nope"}), "expected"),
    ("a JSON string", lambda: json_reply("just a string"), "expected"),
    ("html 502 page", lambda: html_reply(502), "502"),
    ("empty 200 body", lambda: raw_reply(b""), "expected"),
    ("empty 500 body", lambda: raw_reply(b"", status=500), "500"),
    ("invalid utf-8", lambda: raw_reply(b'{"items": [{"name": "\xff\xfe\xc3("}]}'), "JSON"),
    ("truncated json", lambda: raw_reply(b'{"items": [{"name": "a"'), "JSON"),
    ("not http at all", lambda: raw_http(b"\x16\x03\x01garbage\r\n\r\n"), ""),
]


async def test_broken_endpoint_lists_give_a_message_and_keep_the_rows(make_app, hostile):
    app = make_app()
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: screen.table.row_count == 7, what="the friendly rows")
        no_retries(app)
        status = screen.query_one("#status-line")
        for what, factory, word in BROKEN_LISTS:
            hostile.clear()
            hostile.on("GET", r"^/v2/endpoint/[^/]+$", factory())
            before = screen.poll_count
            screen.poll_now()
            await wait_until(pilot, lambda: screen.poll_count > before, 20, f"the poll ({what})")
            await pilot.pause()
            line = str(status.render())
            assert line.startswith("⚠"), (what, line)
            assert word in line, (what, line)
            assert "Traceback" not in screen_text(app)
            assert screen.table.row_count == 7, what  # the last good rows stay
            assert_clean_screen(app)
        # wrong types inside an item, missing fields: rows still show, with placeholders
        hostile.clear()
        hostile.on("GET", r"^/v2/endpoint/[^/]+$", json_reply({"items": [ITEM_FIELDS_WRONG, {"name": "bare"}, {}]}))
        before = screen.poll_count
        screen.poll_now()
        await wait_until(pilot, lambda: screen.poll_count > before, 20, "the poll")
        await pilot.pause()
        text = assert_clean_screen(app)
        assert "typed-wrong" in text and "bare" in text, text
        assert not str(status.render()).startswith("⚠")
        hostile.clear()
        await still_works(pilot)


async def test_first_byte_never_comes_times_out(hostile, upstream, monkeypatch):
    """A server that accepts and never answers: the configured timeout (``HFTUI_TIMEOUT``), then a
    message; no hang."""
    from hftui.config import load_settings

    monkeypatch.setenv("HFTUI_TIMEOUT", "1")
    settings = load_settings()
    assert settings.timeout == 1.0
    app = hftui_app(hostile.base_url, upstream.token, settings=settings, first_screen="endpoints")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        no_retries(app)
        hostile.on("GET", r"^/v2/endpoint/[^/]+$", hang())
        started = time.monotonic()
        before = screen.poll_count
        screen.poll_now()
        await wait_until(pilot, lambda: screen.poll_count > before, 20, "the poll to give up")
        elapsed = time.monotonic() - started
        line = str(screen.query_one("#status-line").render())
        assert "timed out" in line, line
        # ended by the configured 1 s timeout, not by the server (which holds the request for an hour)
        assert elapsed < 30, elapsed
        hostile.clear()
        await still_works(pilot)


async def test_hub_broken_answers_on_the_models_screen(make_app, hostile):
    app = make_app(first_screen="models", timeout=1.0)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await go(pilot, "models")
        await wait_until(pilot, lambda: screen.query_one("ModelTable").row_count > 0, what="models")
        no_retries(app)
        cases = [
            ("dict instead of list", json_reply({"error": None, "models": []})),
            ("items of the wrong type", json_reply([1, "two", None, {"id": 5}, {"no_id": True}])),
            ("html", html_reply(503)),
            ("invalid utf-8", raw_reply(b"[{\"id\": \"a\xff\"}]")),
            ("never answers", hang()),
        ]
        for what, handler in cases:
            seen = hostile.count("GET", r"^/api/models$")
            hostile.clear()
            hostile.on("GET", r"^/api/models$", handler)
            search = screen.query_one("#models-search")
            search.value = f"q{len(what)}{what[:3]}"
            await wait_until(pilot, lambda: hostile.count("GET", r"^/api/models$") > seen, 5, f"the search ({what})")
            await wait_until(pilot, lambda: not screen.searching, 15, f"the search to end ({what})")
            await pilot.pause(0.2)
            assert "Traceback" not in screen_text(app), what
            assert_clean_screen(app)
        hostile.clear()
        await go(pilot, "endpoints")
        await endpoints_ready(pilot)


async def test_broken_streams_in_the_playground(make_app, hostile):
    """Chat streams that never end (Esc cancels, keeps the text), never start (timeout), are cut,
    or carry garbage, one after the other: a message, the partial text, and the next run works."""
    from hftui.client import Target

    handlers = {
        "endless": sse_reply([chat_chunk("start ")], then="endless", delay=0.01),
        "never": hang(),
        "cut": sse_reply([chat_chunk("partial words "), chat_chunk("here")], then="drop"),
        "html": html_reply(502),
        "wrong-types": sse_reply([chat_chunk("ok "), json.dumps({"choices": "x"}), json.dumps([1, 2]),
                                  "{not json", chat_chunk("", finish="stop"), "[DONE]"]),
        "bad-utf8": sse_reply([chat_chunk("good "), b"data: {\"choices\": [{\"delta\": {\"content\": \"\xff\xfe\"}}]}\n\n",
                               chat_chunk("", finish="stop"), "[DONE]"]),
    }
    app = make_app(first_screen="playground", timeout=1.0, stream_timeout=1.5)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await go(pilot, "playground")
        screen.set_target(Target.hf_model("meta-llama/Llama-3.1-8B-Instruct"), task="chat-completion")
        await wait_until(pilot, lambda: screen.spec.task == "chat-completion", what="the chat form")
        for case, handler in handlers.items():
            await pilot.press("ctrl+n")  # a new chat for each case
            screen.form.set_value("prompt", f"Case {case}?")
            hostile.clear()
            hostile.on("POST", r"/v1/chat/completions$", handler)
            before = screen._worker
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: screen._worker is not before, what=f"the run ({case})")
            if case == "endless":
                await wait_until(pilot, lambda: "tok20" in screen_text(app), 10, "tokens")
                await pilot.press("escape")
            await wait_until(pilot, lambda: not screen._worker.is_running, 15, f"the run to end ({case})")
            await pilot.pause()
            text = assert_clean_screen(app)
            assert "Traceback" not in text
            shown = screen.output.plain_text()
            if case == "endless":
                assert "tok1 tok2" in shown and "partial output kept" in shown, shown
            elif case == "cut":
                assert "partial words" in shown, shown
                assert screen.error_text, "the cut must be reported"
            elif case in ("never", "html"):
                assert screen.error_text, text
            if case == "never":
                assert "time" in screen.error_text.lower(), screen.error_text
            # the next run, against the friendly router, works
            hostile.clear()
            screen.form.set_value("prompt", "And now?")  # a finished turn clears the message box
            before = screen._worker
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: screen._worker is not before and not screen._worker.is_running, 15,
                             f"the run after {case}")
            await pilot.pause()
            assert screen.error_text == "", (case, screen.error_text)
            assert_clean_screen(app)


async def test_broken_task_answers_in_the_playground(make_app, hostile):
    """One-shot task answers that are broken in every way: a message each time, the next run works."""
    from hftui.client import Target

    from tests.hardening.hostile_server import endless_body

    cases = [
        ("wrong types", json_reply({"label": ["not", "a", "list"], "score": "high"})),
        ("a bare number", json_reply(42)),
        ("invalid utf-8", raw_reply(b'[[{"label": "\xff\xfe", "score": 0.5}]]')),
        ("html 503", html_reply(503)),
        ("empty 200", raw_reply(b"")),
        ("truncated", raw_reply(b'[[{"label": "POS')),
        ("deeply nested", raw_reply(DEEP)),
        ("endless body", endless_body()),
        ("never answers", hang()),
    ]
    app = make_app(first_screen="playground", timeout=1.0, max_body_bytes=1024 * 1024)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await go(pilot, "playground")
        screen.set_target(Target.hf_model("distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
                          task="text-classification")
        await wait_until(pilot, lambda: screen.spec.task == "text-classification", what="the form")
        for what, handler in cases:
            hostile.clear()
            hostile.on("POST", r"^/hf-inference/models/", handler)
            before = screen._worker
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: screen._worker is not before and not screen._worker.is_running, 15,
                             f"the run ({what})")
            await pilot.pause()
            text = assert_clean_screen(app)
            assert "Traceback" not in text, what
            assert "RecursionError" not in screen.error_text, screen.error_text
            if what != "invalid utf-8":  # may decode with replacement characters: shown, not an error
                assert screen.error_text, f"{what}: no message\n{text}"
        hostile.clear()
        before = screen._worker
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen._worker is not before and not screen._worker.is_running, 15,
                         "the last run")
        await pilot.pause()
        assert screen.error_text == ""
        assert "POSITIVE" in screen_text(app)


DEEP = b"[" * 200_000 + b"]" * 200_000
"""Nested past Python's recursion limit: ``json.loads`` raises RecursionError, not ValueError."""


async def test_deeply_nested_json_gives_a_clear_message(make_app, hostile):
    hostile.on("GET", r"^/v2/endpoint/[^/]+$", raw_reply(DEEP))
    app = make_app()
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await pilot.pause()
        line = str(screen.query_one("#status-line").render())
        assert line.startswith("⚠"), line
        assert "RecursionError" not in line and "recursion" not in line.lower(), line
        assert "JSON" in line or "expected" in line or "invalid" in line.lower(), line
        assert_clean_screen(app)
        hostile.clear()
        await still_works(pilot)


WEIRD_NUMBERS = b"""{"items": [{"name": "numbers", "type": "protected",
  "model": {"repository": "org/m", "task": "text-generation"},
  "compute": {"accelerator": "cpu", "instanceType": "intel-icl", "instanceSize": "x1",
              "scaling": {"minReplica": 1e400, "maxReplica": -5, "scaleToZeroTimeout": NaN}},
  "provider": {"vendor": "aws", "region": "us-east-1"},
  "status": {"state": "running", "readyReplica": Infinity, "targetReplica": -Infinity,
             "createdAt": 1e400, "updatedAt": "2026-13-45T99:99:99Z"}}]}"""


async def test_weird_numbers_do_not_break_the_table_or_the_header(make_app, hostile):
    """NaN, Infinity, 1e400, negative replicas, impossible dates: shown as something, never a crash."""
    hostile.on("GET", r"^/v2/endpoint/[^/]+$", raw_reply(WEIRD_NUMBERS))

    async def catalog(request):
        from tests.hardening.hostile_server import upstream_json

        _, body = await upstream_json(request, "/v2/provider/demo-user")
        for vendor in body["vendors"]:
            for region in vendor["regions"]:
                for compute in region["computes"]:
                    compute["pricePerHour"] = float("nan") if compute["instanceSize"] == "x1" else 1e308
        return body

    hostile.on("GET", r"^/v2/provider", json_reply(catalog))
    app = make_app()
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await endpoints_ready(pilot)
        await wait_until(pilot, lambda: "numbers" in screen_text(app), 10, "the row")
        await wait_until(pilot, lambda: screen.catalog is not None, 10, "the catalog")
        await pilot.pause(0.2)
        text = assert_clean_screen(app)
        assert "Traceback" not in text
        screen.table.focus()
        await pilot.press("d")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DescribeScreen", 10, "describe")
        await pilot.pause(0.2)
        assert_clean_screen(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, 10, "back")
        await pilot.press("a")  # the create form prices every instance from the catalog
        await wait_until(pilot, lambda: type(app.screen).__name__ == "EndpointFormScreen", 10, "the form")
        await pilot.pause(0.3)
        assert_clean_screen(app)
        assert app.is_running


async def test_weird_numbers_in_the_model_list(make_app, hostile):
    body = (b'[{"id": "org/a", "downloads": 1e400, "likes": NaN, "trendingScore": -Infinity,'
            b' "createdAt": "yesterday", "lastModified": 12},'
            b' {"id": "org/b", "downloads": -5, "likes": "many", "pipeline_tag": 7, "tags": "notalist",'
            b' "inferenceProviderMapping": {"p": "notadict"}},'
            b' {"id": "org/c", "downloads": 123456789012345678901234567890, "likes": 1.5,'
            b' "inferenceProviderMapping": [7, null, {"provider": null, "status": 5}]}]')
    hostile.on("GET", r"^/api/models$", raw_reply(body))
    hostile.on("GET", r"^/api/models/org/", raw_reply(body[1:body.index(b"}, {") + 1]))
    app = make_app(first_screen="models")
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await go(pilot, "models")
        table = screen.query_one("ModelTable")
        await wait_until(pilot, lambda: table.row_count == 3 and not screen.searching, 10, "the rows")
        table.focus()
        for _ in range(3):
            await pilot.press("down")
            await pilot.pause(0.2)
            text = assert_clean_screen(app)
            assert "Traceback" not in text
        assert "org/c" in text
        assert app.is_running
