"""Hostile input, round 2 (issue 9), the client's side: malformed ``Location``/``Link`` headers and
tokens (3), an echoed token (8), total deadlines for calls, streams and logs (11), redirect loops
and answers cut mid-body (17).

The client (no Textual) against :class:`HostileServer`: whatever the server does, only the
client's own typed errors come out, the token is in none of their fields, and every call ends
within its deadline (timeouts here are 1 s, so each case takes about that long).
"""

from __future__ import annotations

import asyncio
import time

import pytest
from tests.hardening.hostile_server import (chat_chunk, echo_auth, endless_lines, http_answer, json_reply, raw_http, raw_reply,
                            raw_trickle, sse_idle, sse_reply, tgi_token)

CHAT = "meta-llama/Llama-3.1-8B-Instruct"
MODEL_LIST = r"^/api/models$"
EP_LIST = r"^/v2/endpoint/demo-user$"


def settings_for(hostile, **kw):
    from hftui.config import Settings

    return Settings(**{"timeout": 1.0, "stream_timeout": 1.0, **kw}).with_base_url(hostile.base_url)


@pytest.fixture
async def hf(hostile, upstream):
    from hftui.auth import Secret
    from hftui.client import HFClient

    async with HFClient(settings_for(hostile), Secret(upstream.token), token_source="test") as client:
        yield client


def fields_of(exc: BaseException) -> list[str]:
    """Every text an error carries: what is shown (str, user_message) and every attribute."""
    out = [str(exc), repr(exc), *map(str, exc.args)]
    if hasattr(exc, "user_message"):
        out.append(exc.user_message())
    out += [str(v) for v in vars(exc).values() if v is not None]
    return out


def assert_no_token(exc: BaseException, token: str) -> None:
    for text in fields_of(exc):
        low = text.lower()
        assert token.lower() not in low, f"token in {type(exc).__name__}: {text[:300]!r}"
        # not even the part left before a cut ("...hf_hftuiDemo…")
        assert token[:10].lower() not in low, f"part of the token in {type(exc).__name__}: {text[:300]!r}"


# --- 3: malformed Location / Link headers, bad tokens --------------------------------------------

BAD_URLS = ["http://[::1", "http://[::1]:99999/x", "http://:/x", "http://a:b:c/", "http://exa mple.com/"]


@pytest.mark.parametrize("location", BAD_URLS)
async def test_malformed_location_gives_a_typed_error(hf, hostile, location):
    from hftui.client import HFError

    hostile.on("GET", r"^/api/models/org/moved", raw_reply(b"moved", status=307, content_type="text/plain",
                                                            headers={"Location": location}))
    with pytest.raises(HFError) as err:
        await hf.hub.model_info("org/moved")
    assert "redirect" in err.value.message, err.value.message


async def test_a_location_with_control_characters_gives_a_typed_error(hf, hostile):
    """Sent raw (a well-behaved server library would refuse to send it)."""
    from hftui.client import HFError

    for location in ("http://x.example/\x1b]52;c;SGk=\x07", "/api/models/\x1b[2J", "/a\x85b"):
        hostile.clear()
        answer = http_answer(b"", status="307 Temporary Redirect", headers={"Location": location})
        hostile.on("GET", r"^/api/models/org/moved", raw_http(answer))
        with pytest.raises(HFError) as err:
            await hf.hub.model_info("org/moved")
        assert "\x1b" not in err.value.user_message()


async def test_a_header_value_that_is_not_ascii_gives_a_typed_error(hf):
    from hftui.client import BadRequest, CallOptions, Target

    with pytest.raises(BadRequest):
        await hf.inference.fill_mask(Target.hf_model("google-bert/bert-base-uncased"), "a [MASK]",
                                     options=CallOptions(bill_to="örg"))


@pytest.mark.parametrize("link", BAD_URLS + ["javascript:alert(1)", "file:///etc/passwd"])
async def test_malformed_link_header_keeps_the_page_and_ends_the_paging(hf, hostile, link):
    page = [{"id": f"org/m{i}", "pipeline_tag": "text-classification"} for i in range(3)]
    hostile.on("GET", MODEL_LIST, json_reply(page, headers={"Link": f'<{link}>; rel="next"'}))
    result = await hf.hub.search_models(search="x")
    assert [m.id for m in result.models] == ["org/m0", "org/m1", "org/m2"]
    assert result.next_url is None


async def test_a_malformed_next_url_handed_back_is_a_typed_error(hf):
    from hftui.client import HFError

    for url in BAD_URLS:
        with pytest.raises(HFError):
            await hf.hub.next_models(url)


async def test_chat_on_a_malformed_endpoint_url_is_a_typed_error(hf):
    from hftui.client import HFError, Target

    with pytest.raises(HFError):
        await hf.inference.chat_completion(Target.at_url("http://[::1"), [{"role": "user", "content": "hi"}])
    with pytest.raises(HFError):
        async for _ in hf.inference.chat_completion_stream(Target.at_url("http://[::1"),
                                                           [{"role": "user", "content": "hi"}]):
            pass


@pytest.mark.parametrize("raw", ["hf_tökén0000000000000", "hf_abc def", "hf_abc\x1b[2Jdef", "hf_abc\ndef",
                                 "hf_abc\x00def", "hf_abc\u200bdef"])
def test_token_problem_names_what_is_wrong_without_the_token(raw):
    from hftui.auth import Secret, token_problem

    problem = token_problem(raw)
    assert problem and "token" in problem
    assert raw not in problem and "ö" not in problem and "\x1b" not in problem
    assert Secret(raw).problem == problem
    assert token_problem("hf_hftuiDemoToken0000000000000000000") is None
    assert Secret("hf_ok0000").problem is None


@pytest.mark.parametrize("raw", ["hf_tökén0000000000000", "hf_abc def", "hf_abc\ndef", "hf_abc\x00def"])
async def test_a_bad_token_is_refused_by_the_client_with_a_typed_error(hostile, raw):
    from hftui.auth import Secret
    from hftui.client import AuthError, HFClient, Target

    async with HFClient(settings_for(hostile), Secret(raw), token_source="HF_TOKEN") as client:
        with pytest.raises(AuthError) as err:
            await client.hub.whoami()
        with pytest.raises(AuthError):
            await client.endpoints.list("demo-user")
        with pytest.raises(AuthError):
            await client.endpoints.logs("demo-user", "gpt2-demo")
        with pytest.raises(AuthError):
            async for _ in client.inference.chat_completion_stream(Target.hf_model(CHAT),
                                                                   [{"role": "user", "content": "hi"}]):
                pass
    text = err.value.user_message()
    assert "token" in text and "HF_TOKEN" in text
    assert raw not in text
    assert not hostile.seen, "nothing is sent with a token that cannot be sent"


# --- 8: a server echoing the token -------------------------------------------------------------

ECHOES = [("as is", lambda s: s), ("upper", str.upper), ("lower", str.lower),
          ("padded", lambda s: "x" * 150 + s), ("hidden", lambda s: s[:6] + "\u200b\x00" + s[6:])]


@pytest.mark.parametrize("how", [e[0] for e in ECHOES])
async def test_an_echoed_token_is_in_no_field_of_any_error(hf, hostile, upstream, how):
    from hftui.client import HFError, Target

    transform = dict(ECHOES)[how]
    for status in (401, 404, 429, 500, 400):
        hostile.clear()
        hostile.on("*", r".*", echo_auth(status, transform=transform))
        calls = [
            lambda: hf.hub.whoami(refresh=True),
            lambda: hf.hub.search_models(search="x"),
            lambda: hf.hub.model_info("org/m"),
            lambda: hf.endpoints.list("demo-user", retry=False),
            lambda: hf.endpoints.pause("demo-user", "gpt2-demo"),
            lambda: hf.endpoints.logs("demo-user", "gpt2-demo"),
            lambda: hf.inference.fill_mask(Target.hf_model("google-bert/bert-base-uncased"), "a [MASK]"),
        ]
        hf.max_retries = 0
        for call in calls:
            with pytest.raises(HFError) as err:
                await call()
            assert_no_token(err.value, upstream.token)
        with pytest.raises(HFError) as err:
            async for _ in hf.inference.chat_completion_stream(Target.hf_model(CHAT), [{"role": "user",
                                                                                         "content": "hi"}]):
                pass
        assert_no_token(err.value, upstream.token)


@pytest.mark.parametrize("how", [e[0] for e in ECHOES])
async def test_an_echoed_token_in_a_stream_error_is_redacted(hf, hostile, upstream, how):
    from hftui.client import StreamInterrupted, Target

    hostile.on("POST", r"/chat/completions$", echo_auth(transform=dict(ECHOES)[how], sse=True))
    got = []
    with pytest.raises(StreamInterrupted) as err:
        async for chunk in hf.inference.chat_completion_stream(Target.hf_model(CHAT),
                                                               [{"role": "user", "content": "hi"}]):
            got.append(chunk.text)
    assert got == ["hello "] and err.value.partial == "hello "
    assert "bad token" in err.value.message
    assert_no_token(err.value, upstream.token)


def test_errors_redact_every_field_even_when_set_later():
    from hftui.client.errors import AuthError, StreamInterrupted, add_secret

    secret = "hf_SomeSecretValue123"
    add_secret(secret)
    err = StreamInterrupted(f"echo {secret.upper()}", partial=f"text {secret}", error_type=secret.lower(),
                            request_id=f"rid-{secret}", status=500)
    assert_no_token(err, secret)
    err.message = f"changed {secret}"
    assert_no_token(err, secret)
    assert_no_token(AuthError(secret, scope=secret, token_source=secret), secret)


# --- 11: total deadlines -------------------------------------------------------------------------

def ok_json(data: bytes = b'{"items": []}') -> bytes:
    return http_answer(data)


async def timed(coro, limit: float):
    """Await ``coro``; return (exception or result, seconds); fail if it outlives ``limit``."""
    started = time.monotonic()
    try:
        result = await asyncio.wait_for(coro, limit + 10)
    except Exception as exc:  # noqa: BLE001 - the caller checks the type
        result = exc
    elapsed = time.monotonic() - started
    assert elapsed < limit, f"took {elapsed:.1f}s (limit {limit}s): {result!r}"
    return result, elapsed


async def test_a_body_trickling_one_byte_at_a_time_ends_at_the_deadline(hf, hostile):
    """Each read gets a byte within the read timeout; the call as a whole still ends at 1 s."""
    from hftui.client import Timeout

    hf.max_retries = 3  # a deadline that ran out is not retried: the call ends once
    hostile.on("GET", EP_LIST, raw_trickle(ok_json(b'{"items": [' + b" " * 200 + b"]}"), 0.1))
    result, _ = await timed(hf.endpoints.list("demo-user"), 2.5)
    assert isinstance(result, Timeout), repr(result)
    assert "no complete answer" in result.message and "within 1s" in result.message, result.message
    assert hostile.count("GET", EP_LIST) == 1


async def test_deadlines_are_per_call_and_leave_the_task_usable(hf, hostile):
    """A trickling call times out while calls beside it succeed; afterwards the task is not left
    half-cancelled, and a cancellation from outside stays a cancellation."""
    from hftui.client import Timeout

    hostile.on("GET", EP_LIST, raw_trickle(ok_json(b'{"items": [' + b" " * 200 + b"]}"), 0.1))
    results = await asyncio.gather(hf.endpoints.list("demo-user", retry=False),
                                   *(hf.endpoints.catalog() for _ in range(5)), return_exceptions=True)
    assert isinstance(results[0], Timeout), repr(results[0])
    assert all(not isinstance(r, BaseException) for r in results[1:]), results[1:]
    assert asyncio.current_task().cancelling() == 0
    await asyncio.sleep(0.01)  # would raise CancelledError if a cancel were left pending

    async def slow():
        return await hf.endpoints.list("demo-user", retry=False)

    task = asyncio.create_task(slow())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_call_timeout_is_a_total_deadline_too(hostile, upstream):
    """``CallOptions.timeout`` (batch's ``--timeout``) bounds the whole call, not each read."""
    from hftui.auth import Secret
    from hftui.client import CallOptions, HFClient, Target, Timeout

    hostile.on("POST", r"/hf-inference/models/", raw_trickle(ok_json(b"[" + b" " * 100 + b"]"), 0.1))
    async with HFClient(settings_for(hostile, timeout=30.0), Secret(upstream.token)) as client:
        result, _ = await timed(client.inference.run("fill-mask", Target.hf_model("google-bert/bert-base-uncased"),
                                                     {"inputs": "a [MASK]"}, options=CallOptions(timeout=1.0)), 2.5)
    assert isinstance(result, Timeout) and "within 1s" in result.message, repr(result)


async def test_headers_trickling_end_at_the_deadline_for_posts_and_streams(hf, hostile):
    from hftui.client import HFError, Target, Timeout

    slow = raw_trickle(ok_json(b"[]"), 0.1)
    hostile.on("POST", r"/hf-inference/models/", slow)
    result, _ = await timed(hf.inference.fill_mask(Target.hf_model("google-bert/bert-base-uncased"), "a [MASK]"),
                            2.5)
    assert isinstance(result, Timeout), repr(result)

    hostile.on("POST", r"/chat/completions$", raw_trickle(http_answer(b"data: {}\n\n" * 50,
                                                                      content_type="text/event-stream"), 0.1))

    async def stream():
        async for _ in hf.inference.chat_completion_stream(Target.hf_model(CHAT), [{"role": "user",
                                                                                   "content": "hi"}]):
            pass

    result, _ = await timed(stream(), 2.5)
    assert isinstance(result, HFError), repr(result)


FILLERS = [b":\n\n", b": keep-alive\n\n", b"data:\n\n", b"data: \n\n", b"event: ping\n\n", b"\n",
           b"data: {}\n\n", b'data: {"choices": []}\n\n',
           b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": null}]}\n\n']


@pytest.mark.parametrize("filler", FILLERS, ids=[f.decode().strip() or "blank" for f in FILLERS])
async def test_a_chat_stream_of_empty_events_stalls_out_and_keeps_the_text(hf, hostile, filler):
    from hftui.client import StreamInterrupted, Target

    hostile.on("POST", r"/chat/completions$", sse_idle([chat_chunk("kept ")], filler=filler, every=0.02))
    got: list[str] = []

    async def stream():
        async for chunk in hf.inference.chat_completion_stream(Target.hf_model(CHAT),
                                                               [{"role": "user", "content": "hi"}]):
            got.append(chunk.text)

    result, _ = await timed(stream(), 3.0)
    assert isinstance(result, StreamInterrupted), repr(result)
    assert result.partial == "kept " and got == ["kept "]
    assert "no new text" in result.message and "1s" in result.message, result.message


@pytest.mark.parametrize("filler", [b":\n\n", b"data:\n\n", b"data: {}\n\n",
                                    b'data: {"token": {"id": 0, "text": "", "special": false}}\n\n'])
async def test_a_tgi_stream_of_empty_events_stalls_out(hf, hostile, filler):
    from hftui.client import StreamInterrupted, Target

    hostile.on("POST", r"/hf-inference/models/", sse_idle([tgi_token("kept ")], filler=filler, every=0.02))
    got: list[str] = []

    async def stream():
        async for chunk in hf.inference.text_generation_stream(Target.hf_model("openai-community/gpt2"), "hi"):
            got.append(chunk.text)

    result, _ = await timed(stream(), 3.0)
    assert isinstance(result, StreamInterrupted), repr(result)
    assert result.partial == "kept "


async def test_a_flood_of_empty_events_is_cut_before_the_stall_timeout(hostile, upstream):
    """Megabytes of keep-alives without a word: cut by size long before the (here 60 s) stall timeout."""
    from hftui.auth import Secret
    from hftui.client import HFClient, StreamInterrupted, Target

    hostile.on("POST", r"/chat/completions$", sse_idle([chat_chunk("kept ")], filler=b":\n\n" * 20000, every=0))
    async with HFClient(settings_for(hostile, stream_timeout=60.0), Secret(upstream.token)) as client:
        async def stream():
            async for _ in client.inference.chat_completion_stream(Target.hf_model(CHAT),
                                                                   [{"role": "user", "content": "hi"}]):
                pass

        result, _ = await timed(stream(), 20.0)
    assert isinstance(result, StreamInterrupted), repr(result)
    assert result.partial == "kept " and "without text" in result.message, result.message


async def test_a_slow_reader_is_not_a_stalled_stream(hf, hostile):
    """The stall clock counts the server's silence, not the time the reader spends between reads."""
    from hftui.client import Target

    words = [chat_chunk(f"w{i} ") for i in range(4)] + [chat_chunk("", finish="stop"), "[DONE]"]
    hostile.on("POST", r"/chat/completions$", sse_reply(words, delay=0.05))
    got: list[str] = []
    async for chunk in hf.inference.chat_completion_stream(Target.hf_model(CHAT), [{"role": "user", "content": "hi"}]):
        got.append(chunk.text)
        await asyncio.sleep(1.3)  # longer than the 1 s stall timeout, each time
    assert "".join(got) == "w0 w1 w2 w3 "


async def test_cancelling_a_waiting_stream_is_a_cancellation_not_a_timeout(hostile, upstream):
    from hftui.auth import Secret
    from hftui.client import HFClient, Target

    hostile.on("POST", r"/chat/completions$", sse_idle([chat_chunk("kept ")], filler=b":\n\n", every=0.05))
    got: list[str] = []
    async with HFClient(settings_for(hostile, stream_timeout=5.0), Secret(upstream.token)) as client:
        async def stream():
            async for chunk in client.inference.chat_completion_stream(Target.hf_model(CHAT),
                                                                       [{"role": "user", "content": "hi"}]):
                got.append(chunk.text)

        task = asyncio.create_task(stream())
        while not got:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # waiting for more text: the user presses Esc
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert got == ["kept "]


async def test_a_stream_that_never_ends_stops_at_the_total_cap(hf, hostile, monkeypatch):
    """Text keeps coming (every event resets the stall timer): the total time cap ends it."""
    from hftui.client import StreamInterrupted, Target, inference

    monkeypatch.setattr(inference, "MAX_STREAM_SECONDS", 1.5)
    hostile.on("POST", r"/chat/completions$", sse_reply([chat_chunk("start ")], then="endless", delay=0.05))
    got: list[str] = []

    async def stream():
        async for chunk in hf.inference.chat_completion_stream(Target.hf_model(CHAT),
                                                               [{"role": "user", "content": "hi"}]):
            got.append(chunk.text)

    result, _ = await timed(stream(), 4.0)
    assert isinstance(result, StreamInterrupted), repr(result)
    assert len(got) > 5 and result.partial.startswith("start  tok1")
    assert "longer than" in result.message, result.message


async def test_an_endless_logs_body_ends_at_the_deadline_with_the_tail(hf, hostile):
    hostile.on("GET", r"/logs$", endless_lines())
    result, _ = await timed(hf.endpoints.logs("demo-user", "gpt2-demo"), 2.5)
    assert isinstance(result, str), repr(result)
    lines = result.splitlines()
    assert any(line.endswith(" log line") for line in lines), lines[:3]
    assert "still sending" in lines[-1], lines[-1]


async def test_an_error_body_that_never_ends_on_a_stream_ends_at_the_deadline(hf, hostile):
    from hftui.client import HFError, Target

    hostile.on("POST", r"/chat/completions$", raw_trickle(http_answer(b'{"error": "' + b"x" * 200 + b'"}',
                                                                      status="500 Oops"), 0.1))

    async def stream():
        async for _ in hf.inference.chat_completion_stream(Target.hf_model(CHAT), [{"role": "user",
                                                                                   "content": "hi"}]):
            pass

    result, _ = await timed(stream(), 2.5)
    assert isinstance(result, HFError), repr(result)


# --- 17: redirect loops, answers cut mid-body --------------------------------------------------------

async def test_a_redirect_loop_is_reported_as_such(hf, hostile):
    from hftui.client import HFError

    hostile.on("GET", r"^/api/models/org/loop$", raw_reply(b"", status=307, content_type="text/plain",
                                                           headers={"Location": "/api/models/org/loop"}))
    with pytest.raises(HFError) as err:
        await hf.hub.model_info("org/loop")
    text = err.value.user_message()
    assert "redirect" in text and "another host" not in text, text
    assert hostile.count("GET", r"^/api/models/org/loop$") <= 6


async def test_a_long_redirect_chain_is_reported_as_too_many(hf, hostile):
    from hftui.client import HFError

    for i in range(10):
        hostile.on("GET", rf"^/api/models/org/hop{i}$", raw_reply(b"", status=302, content_type="text/plain",
                                                                  headers={"Location": f"/api/models/org/hop{i+1}"}))
    with pytest.raises(HFError) as err:
        await hf.hub.model_info("org/hop0")
    text = err.value.user_message()
    assert "too many redirects" in text and "another host" not in text, text


async def test_a_same_host_redirect_not_followed_does_not_blame_another_host(hf, hostile):
    from hftui.client import HFError

    hostile.on("GET", EP_LIST, raw_reply(b"", status=302, content_type="text/plain",
                                         headers={"Location": "/v2/endpoint/elsewhere"}))
    with pytest.raises(HFError) as err:
        await hf.endpoints.list("demo-user", retry=False)
    assert "another host" not in err.value.user_message(), err.value.user_message()


async def test_an_action_answer_cut_mid_body_says_the_connection_was_cut(hf, hostile):
    from hftui.client import ConnectionFailed

    body = b'{"name": "gpt2-demo", "status": {"state": "pau'
    hostile.on("POST", r"/gpt2-demo/pause$", raw_http(http_answer(body, content_length=len(body) + 500)))
    result, _ = await timed(hf.endpoints.pause("demo-user", "gpt2-demo"), 2.5)
    assert isinstance(result, ConnectionFailed), repr(result)
    assert "closed the connection before the answer was complete" in result.message, result.message
    assert result.maybe_applied  # the request went out: it may have been applied
