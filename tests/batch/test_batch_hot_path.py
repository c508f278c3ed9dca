"""The per-request path made cheaper for the batch: still the same behaviour."""

from __future__ import annotations

import gzip
import json

import pytest

from hftui.batch.files import ResultWriter
from hftui.client._http import Http, MockResponse, MockTransport
from hftui.client.errors import HFError, Timeout


async def _chunks(*parts: bytes):
    for part in parts:
        yield part


def _http(handler, **kw) -> Http:
    return Http(timeout=kw.pop("timeout", 7.0), stream_timeout=kw.pop("stream_timeout", 99.0),
                max_body_bytes=kw.pop("max_body_bytes", 1000), transport=MockTransport(handler), **kw)


async def test_each_request_carries_its_own_timeout():
    seen = []

    def handler(request):
        seen.append(request.extensions["timeout"])
        return MockResponse(200, content=b"{}")

    http = _http(handler)
    try:
        await http.request("GET", "http://x/a")
        await http.request("GET", "http://x/a", timeout=2.5)
        await http.request("GET", "http://x/a")  # the cached default, not the 2.5 of the call before
        async with http.stream("GET", "http://x/s") as response:
            await http.aread(response)
        async with http.stream("GET", "http://x/s", timeout=3.0) as response:
            await http.aread(response)
    finally:
        await http.aclose()
    assert [t["read"] for t in seen] == [7.0, 2.5, 7.0, 99.0, 3.0]
    assert [t["connect"] for t in seen] == [7.0, 2.5, 7.0, 7.0, 3.0]


@pytest.mark.parametrize("how", ["content-length", "chunked", "gzip"])
async def test_body_bound_holds_whatever_the_headers_say(how):
    big = b"x" * 5000

    def handler(request):
        if how == "gzip":  # small on the wire, too big once decompressed
            return MockResponse(200, content=gzip.compress(big), headers={"content-encoding": "gzip"})
        if how == "chunked":
            return MockResponse(200, content=_chunks(big[:2500], big[2500:]))
        return MockResponse(200, content=big)

    http = _http(handler)
    try:
        with pytest.raises(HFError, match="larger than 1000 bytes"):
            await http.request("GET", "http://x/big")
    finally:
        await http.aclose()


async def test_small_bodies_read_whole_in_one_or_many_chunks():
    def handler(request):
        if request.url.path == "/one":
            return MockResponse(200, content=b'{"a": 1}')
        return MockResponse(200, content=_chunks(b'{"a"', b": 2}"))

    http = _http(handler)
    try:
        assert json.loads((await http.request("GET", "http://x/one")).content) == {"a": 1}
        assert json.loads((await http.request("GET", "http://x/many")).content) == {"a": 2}
    finally:
        await http.aclose()


async def test_timeouts_still_map_to_the_typed_error():
    import httpx2

    def handler(request):
        raise httpx2.ReadTimeout("slow", request=request)

    http = _http(handler)
    try:
        with pytest.raises(Timeout, match="waiting for an answer"):
            await http.request("GET", "http://x/slow", timeout=0.5)
    finally:
        await http.aclose()


def test_writer_records_are_on_disk_before_close_and_close_is_idempotent(tmp_path):
    out = tmp_path / "out.jsonl"
    writer = ResultWriter(out)
    writer.write({"line": 1, "input": {"inputs": "héllo ☃"}, "result": b"\x00", "latency_ms": 1.0})
    # another reader sees the record while the run is still going (no user-space buffer)
    assert json.loads(out.read_text(encoding="utf-8")) == {
        "line": 1, "input": {"inputs": "héllo ☃"}, "result": "b'\\x00'", "latency_ms": 1.0}
    assert "héllo ☃" in out.read_text(encoding="utf-8")  # UTF-8, not \\u escapes
    writer.close()
    writer.close()


def test_token_host_check_is_cached_per_url_and_stays_right():
    from hftui.auth import Secret
    from hftui.client import HFClient
    from hftui.config import Settings

    hf = HFClient(Settings().with_base_url("http://hf.test"), Secret("hf_secret_value"))
    for _ in range(2):  # the second round answers from the cache
        assert "authorization" in hf.headers("http://hf.test/hf-inference/models/x")
        assert "authorization" not in hf.headers("http://evil.test/hf-inference/models/x")
        assert "authorization" not in hf.headers("http://hf.test.evil.test/x")
    for i in range(600):  # many distinct URLs: the cache stays bounded and right
        assert hf.trusted(f"http://hf.test/{i}") and not hf.trusted(f"http://other{i}.test/")
    assert len(hf._trusted_urls) <= 256


@pytest.mark.parametrize("data", [
    b'{"inputs": "x"}\n', b'  [1, 2.5, "\xc3\xa9", null, true]\r\n', b"\xef\xbb\xbf{\"bom\": 1}", b'"s"', b"3",
    b"NaN", b'{"a": Infinity}', b"", b"   ", b"{not json", b'{"a": 1} {"b": 2}', b'{"a": 1}\x0c',
    b"\xff\xfe{\x00}\x00", b'{"bad utf8": "\xff"}', b'{"tab\tin string": 1}', "{\"u\": \"\u2028\"}".encode(),
])
def test_fast_loads_accepts_and_rejects_exactly_like_json_loads(data):
    from hftui.batch.files import MalformedInput, parse_input
    from hftui.client._wire import loads

    try:
        expected = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        with pytest.raises(type(exc)) as got:
            loads(data)
        assert str(got.value) == str(exc)
        with pytest.raises(MalformedInput):
            parse_input(data)
    else:
        value = loads(data)
        assert value == expected or (value != value and expected != expected)  # NaN
        assert type(value) is type(expected)


def test_record_encoder_writes_what_json_dumps_would():
    """Strict JSON: what json.dumps writes, except NaN/±Infinity (not JSON) which become null."""
    from hftui.batch.files import encode_record

    samples = [
        {"line": 1, "input": {"inputs": "héllo ☃ \u2028 \x00 \"q\""}, "result": [{"label": "A", "score": 0.5}],
         "latency_ms": 1.0},
        {"line": 2, "input": None, "raw": "{bad", "error": {"type": "X", "message": "m"}, "latency_ms": 0},
        {"line": 3, "result": {"big": 10**30, "t": (1, 2), "b": b"\x01", "nested": [[[]], {}], "k": True}},
    ]
    for record in samples:
        expected = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str, allow_nan=False)
        assert encode_record(record) == (expected + "\n").encode()
    odd = {"line": 3, "result": {"n": float("nan"), "inf": float("inf"), "l": [float("-inf"), 1.5]}}
    assert encode_record(odd) == b'{"line":3,"result":{"n":null,"inf":null,"l":[null,1.5]}}\n'
    # a lone surrogate cannot be UTF-8: it is written as its JSON escape, which reads back the same
    lone = {"line": 4, "input": {"inputs": "a\ud800b"}}
    assert json.loads(encode_record(lone).decode("utf-8")) == lone
