"""``hftui batch`` against hostile servers, hostile input files and hostile output paths.

- a server echoing the token (request id, error body, result) never gets it into the output;
- the output is created 0600 and a planted symlink is not followed;
- a foreign host gets no token unless ``--token-for-url``;
- a body dripping one byte at a time cannot outlive ``--timeout``;
- an output that is not a regular file (/dev/full, a FIFO, /dev/stdout) is refused at once;
- a bad line (nested too deep, a lone surrogate, NaN) is that line's error, the run goes on;
- a huge line is capped (``--max-line-bytes``), read in bounded memory, echoed only as an excerpt;
- after a write error the summary counts what was saved.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import sys
import time

import pytest

from tests.hardening.cli_helpers import inputs, run_inprocess, run_process, strict_records, use_services, write_lines
from tests.hardening.hostile_server import drip, echo_token, json_reply, raw_reply
from tests.support.emulator import WARM_CLASSIFIER

TC = ("--task", "text-classification")


# --- the token ------------------------------------------------------------------------------------


def test_a_token_echoed_by_the_server_is_not_written_anywhere(monkeypatch, capfdbinary, hostile, upstream, tmp_path):
    """Request id, error message and a result label all carry the token (in other letter cases too)."""
    use_services(monkeypatch, hostile.base_url, upstream.token)
    n = {"i": 0}

    def reply(token):
        n["i"] += 1
        if n["i"] % 2:
            return 200, [{"label": f"label {token.upper()}", "score": 0.9}], {"x-request-id": token}
        return 400, {"error": f"bad token {token.swapcase()} / {token}"}, {"x-request-id": f"id-{token.lower()}"}

    hostile.on("POST", r"^/hf-inference/models/", echo_token(reply))
    out = tmp_path / "out.jsonl"
    inp = write_lines(tmp_path / "in.jsonl", inputs(6))
    rc, stdout, stderr = run_inprocess(capfdbinary, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp), "-o", str(out))
    assert rc == 1
    records = strict_records(out)
    assert len(records) == 6 and sum("error" in r for r in records) == 3
    secret = upstream.token.lower()
    assert len(secret) > 8
    for where, data in (("output file", out.read_bytes()), ("stdout", stdout), ("stderr", stderr)):
        assert secret not in data.decode("utf-8", "replace").lower(), f"the token is in the {where}"
    assert any("***" in json.dumps(r) for r in records)  # redacted, not dropped


def test_output_is_created_0600_whatever_the_umask(emulator, tmp_path):
    out = tmp_path / "new" / "out.jsonl"
    inp = write_lines(tmp_path / "in.jsonl", inputs(2))
    old = os.umask(0o022)
    try:
        proc = run_process(emulator.base_url, emulator.token, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp),
                           "-o", str(out))
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_a_planted_symlink_as_output_is_not_followed(emulator, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out.jsonl"
    out.symlink_to(victim)
    inp = write_lines(tmp_path / "in.jsonl", inputs(2))
    proc = run_process(emulator.base_url, emulator.token, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp),
                       "-o", str(out))
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert victim.read_text() == "precious\n" and out.is_symlink()
    assert "symbolic link" in err and "Traceback" not in err


# --- which host gets the token -----------------------------------------------------------------------


def test_a_foreign_url_gets_no_token_unless_asked(monkeypatch, capfdbinary, upstream, evil, tmp_path):
    """The services are on 127.0.0.1:<upstream>; ``localhost:<evil>`` is another server."""
    use_services(monkeypatch, upstream.base_url, upstream.token)
    evil.on("POST", r"^/classify$", json_reply([{"label": "POSITIVE", "score": 0.9}]))
    port = evil.base_url.rsplit(":", 1)[1]
    url = f"http://localhost:{port}/classify"
    inp = write_lines(tmp_path / "in.jsonl", inputs(2))

    rc, _, err = run_inprocess(capfdbinary, "batch", url, *TC, "-i", str(inp), "-o", str(tmp_path / "a.jsonl"))
    assert rc == 0, err
    assert evil.count("POST", "^/classify$") == 2
    assert not any(s.authorized for s in evil.seen), "the token went to a foreign host"

    rc, _, err = run_inprocess(capfdbinary, "batch", url, *TC, "-i", str(inp), "-o", str(tmp_path / "b.jsonl"),
                               "--token-for-url")
    assert rc == 0, err
    assert evil.count("POST", "^/classify$") == 4
    assert all(s.authorized for s in evil.seen[2:]), "--token-for-url did not send the token"


def test_a_url_on_a_configured_service_gets_the_token(monkeypatch, capfdbinary, upstream, evil, tmp_path):
    use_services(monkeypatch, evil.base_url, upstream.token)
    evil.on("POST", r"^/classify$", json_reply([{"label": "POSITIVE", "score": 0.9}]))
    inp = write_lines(tmp_path / "in.jsonl", inputs(1))
    rc, _, err = run_inprocess(capfdbinary, "batch", evil.base_url + "/classify", *TC, "-i", str(inp),
                               "-o", str(tmp_path / "a.jsonl"))
    assert rc == 0, err
    assert [s.authorized for s in evil.requests("POST", "^/classify$")] == [True]
    rc, _, err = run_inprocess(capfdbinary, "batch", evil.base_url + "/classify", *TC, "-i", str(inp),
                               "-o", str(tmp_path / "b.jsonl"), "--no-token")
    assert rc == 0, err
    assert [s.authorized for s in evil.requests("POST", "^/classify$")] == [True, False]


def test_the_one_rule_for_where_the_token_goes():
    from hftui.client.core import token_allowed
    from hftui.config import Settings

    settings = Settings().with_base_url("http://127.0.0.1:8080")
    allowed = ["https://huggingface.co/api/x", "https://router.huggingface.co/v1",
               "https://abc.us-east-1.aws.endpoints.huggingface.cloud", "https://HUGGINGFACE.CO:443/x",
               "http://127.0.0.1:8080/_ep/demo-user/x", "http://127.0.0.1:8080/v2"]
    refused = ["http://127.0.0.1:9999/x",            # same host, another port: another server
               "https://127.0.0.1:8080/x",           # another scheme
               "http://localhost:8080/x", "http://huggingface.co/x",  # HF, but in the clear
               "https://huggingface.co.evil.example/x", "https://evilhuggingface.co/x",
               "https://x.huggingface.cloud.evil.example", "http://[::1", "not a url", ""]
    assert [u for u in allowed if not token_allowed(u, settings)] == []
    assert [u for u in refused if token_allowed(u, settings)] == []
    assert token_allowed("https://huggingface.co/x", None) and not token_allowed("http://127.0.0.1:8080/x", None)


# --- a total deadline per request --------------------------------------------------------------------


def test_a_dripping_body_cannot_outlive_the_timeout(monkeypatch, capfdbinary, hostile, upstream, tmp_path):
    use_services(monkeypatch, hostile.base_url, upstream.token)
    body = b" " * 20 + json.dumps([{"label": "LATE", "score": 1.0}]).encode()
    hostile.on("POST", r"^/hf-inference/models/", drip(body, 0.4))  # ~20 s in all, a byte every 0.4 s
    out = tmp_path / "out.jsonl"
    inp = write_lines(tmp_path / "in.jsonl", inputs(1))
    began = time.monotonic()
    rc, _, err = run_inprocess(capfdbinary, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp), "-o", str(out),
                               "--timeout", "1", "--retries", "0")
    took = time.monotonic() - began
    assert took < 4, f"the input ran {took:.1f}s with --timeout 1"
    assert rc == 1, err
    [record] = strict_records(out)
    assert record["error"]["type"] == "Timeout" and record["line"] == 1


def test_after_a_timed_out_request_the_workers_go_on(monkeypatch, capfdbinary, hostile, upstream, tmp_path):
    use_services(monkeypatch, hostile.base_url, upstream.token)
    body = b" " * 50 + json.dumps([{"label": "LATE", "score": 1.0}]).encode()
    hostile.on("POST", r"^/hf-inference/models/", drip(body, 0.2), times=2)  # both workers' first input
    out = tmp_path / "out.jsonl"
    inp = write_lines(tmp_path / "in.jsonl", inputs(8))
    rc, _, err = run_inprocess(capfdbinary, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp), "-o", str(out),
                               "--timeout", "1", "--retries", "0", "-c", "2")
    assert rc == 1, err
    records = strict_records(out)
    assert sorted(r["line"] for r in records) == list(range(1, 9))
    assert sorted(r["error"]["type"] for r in records if "error" in r) == ["Timeout", "Timeout"]
    assert "6 ok · 2 failed" in err.decode()


# --- the output path ---------------------------------------------------------------------------------


def _limit_memory():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # a bug here must not eat the machine


@pytest.mark.parametrize("special", ["/dev/full", "/dev/null", "fifo", "directory"])
def test_an_output_that_is_not_a_regular_file_is_refused(emulator, tmp_path, special):
    if special == "fifo":
        special = str(tmp_path / "fifo")
        os.mkfifo(special)
    elif special == "directory":
        special = str(tmp_path)
    elif not os.path.exists(special):
        pytest.skip(f"no {special} here")
    inp = write_lines(tmp_path / "in.jsonl", inputs(2))
    try:
        proc = run_process(emulator.base_url, emulator.token, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp),
                           "-o", special, timeout=15, preexec_fn=_limit_memory)
    except Exception as exc:  # noqa: BLE001 - subprocess.TimeoutExpired: it blocked
        pytest.fail(f"hftui batch -o {special} did not end: {type(exc).__name__}")
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "not a regular file" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2, err


def test_dev_stdout_into_a_pipe_is_refused(emulator, tmp_path):
    inp = write_lines(tmp_path / "in.jsonl", inputs(2))
    try:
        proc = run_process(emulator.base_url, emulator.token, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp),
                           "-o", "/dev/stdout", timeout=15, preexec_fn=_limit_memory)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"hftui batch -o /dev/stdout did not end: {type(exc).__name__}")
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == b""


# --- bad input lines ---------------------------------------------------------------------------------


def test_bad_lines_are_their_own_errors_and_the_run_goes_on(monkeypatch, capfdbinary, emulator, tmp_path):
    use_services(monkeypatch, emulator.base_url, emulator.token)
    good = inputs(4)
    lines = [good[0],
             '{"inputs": ' + "[" * 1000 + "]" * 1000 + "}",         # RecursionError in the parser
             good[1],
             '{"inputs": "lone \\ud800 surrogate"}',                # UnicodeEncodeError when written
             '{"inputs": ' + "[" * 100_000 + "]" * 100_000 + "}",
             '{"inputs": NaN}', '{"inputs": "x", "parameters": {"top_k": Infinity}}',
             good[2], good[3]]
    inp = write_lines(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    rc, _, err = run_inprocess(capfdbinary, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp), "-o", str(out))
    err = err.decode()
    assert rc == 1, err
    assert "unexpected error" not in err
    records = {r["line"]: r for r in strict_records(out)}  # valid JSON throughout: no NaN, valid UTF-8
    assert sorted(records) == list(range(1, 10))
    assert all("result" in records[n] for n in (1, 3, 8, 9))
    assert all("error" in records[n] for n in (2, 5, 6, 7)), records
    assert "error" in records[4] or "result" in records[4]
    assert len(out.read_bytes()) < 20_000  # the deep lines were not echoed whole
    # a rerun has nothing left to do and does not die on the same line
    rc, _, err = run_inprocess(capfdbinary, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp), "-o", str(out))
    assert rc == 1 and "9 already in output" in err.decode(), err


def test_nan_and_infinity_in_a_result_become_null(monkeypatch, capfdbinary, hostile, upstream, tmp_path):
    use_services(monkeypatch, hostile.base_url, upstream.token)
    hostile.on("POST", r"^/hf-inference/models/",
               raw_reply(b'[{"label": "A", "score": NaN}, {"label": "B", "score": -Infinity}, {"label": "C", "score": 1e999}]'))
    out = tmp_path / "out.jsonl"
    rc, _, err = run_inprocess(capfdbinary, "batch", WARM_CLASSIFIER, *TC, "-i",
                               str(write_lines(tmp_path / "in.jsonl", inputs(2))), "-o", str(out))
    [first, second] = strict_records(out)
    for record in (first, second):
        if "result" in record:
            assert [x["score"] for x in record["result"]] == [None, None, None]
        else:  # refusing the answer is fine too; writing NaN is not
            assert record["error"]["message"]


# --- huge lines ----------------------------------------------------------------------------------------


def test_a_line_over_the_cap_is_an_error_with_an_excerpt(monkeypatch, capfdbinary, emulator, tmp_path):
    use_services(monkeypatch, emulator.base_url, emulator.token)
    good = inputs(3)
    huge = json.dumps({"inputs": "A" * (3 << 20)})  # 3 MiB
    inp = write_lines(tmp_path / "in.jsonl", [good[0], huge, good[1], "B" * (2 << 20), good[2]])
    out = tmp_path / "out.jsonl"
    rc, stdout, stderr = run_inprocess(capfdbinary, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp), "-o", str(out),
                                       "--max-line-bytes", "1048576")
    err = stderr.decode()
    assert rc == 1, err
    records = {r["line"]: r for r in strict_records(out)}
    assert sorted(records) == [1, 2, 3, 4, 5]
    assert all("result" in records[n] for n in (1, 3, 5))
    for n in (2, 4):
        assert records[n]["error"]["type"] == "LineTooLong", records[n]["error"]
        assert "1 MiB" in records[n]["error"]["message"]
    assert out.stat().st_size < 20_000, "an input was echoed whole"
    assert len(stdout + stderr) < 5_000
    assert "line 2:" in err and "line 4:" in err


def test_an_input_under_the_cap_is_echoed_as_an_excerpt_when_big(monkeypatch, capfdbinary, emulator, tmp_path):
    use_services(monkeypatch, emulator.base_url, emulator.token)
    big = json.dumps({"inputs": "great " * 50_000})  # 300 KB: runs, but is not copied into the output
    inp = write_lines(tmp_path / "in.jsonl", [big, inputs(1)[0]])
    out = tmp_path / "out.jsonl"
    rc, _, err = run_inprocess(capfdbinary, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp), "-o", str(out))
    assert rc == 0, err
    first, second = sorted(strict_records(out), key=lambda r: r["line"])
    assert "result" in first and first["input"] is None
    assert first["input_excerpt"].startswith('{"inputs": "great great') and len(first["input_excerpt"]) <= 1001
    assert first["input_bytes"] == len(big)
    assert second["input"] == json.loads(inputs(1)[0])  # small inputs: echoed as they are
    assert out.stat().st_size < 20_000


def test_reading_a_huge_line_holds_no_more_than_the_cap(tmp_path):
    import tracemalloc

    from hftui.batch.files import LineTooLong, count_inputs, iter_input

    path = tmp_path / "in.jsonl"
    with open(path, "wb") as fh:
        fh.write(b'{"inputs": "a"}\n')
        fh.write(b"x" * (24 << 20) + b"\n")  # 24 MiB
        fh.write(b'{"inputs": "b"}\n')
    cap = 1 << 20
    tracemalloc.start()
    try:
        got = [(n, raw if isinstance(raw, bytes) else type(raw).__name__) for n, raw in iter_input(path, cap)]
        assert count_inputs(path, cap) == 3
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == [(1, b'{"inputs": "a"}\n'), (2, "LineTooLong"), (3, b'{"inputs": "b"}\n')]
    assert peak < 4 * cap, f"peak {peak / 2**20:.1f} MiB reading with a 1 MiB cap"
    too_long = list(iter_input(path, cap))[1][1]
    assert isinstance(too_long, LineTooLong) and too_long.size == 24 << 20
    assert len(too_long.excerpt) <= 1000


# --- a full disk ---------------------------------------------------------------------------------------


def _small_file_limit():
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (6000, 6000))


def test_after_a_write_error_the_summary_counts_what_was_saved(emulator, tmp_path):
    if sys.platform != "linux":
        pytest.skip("RLIMIT_FSIZE")
    inp = write_lines(tmp_path / "in.jsonl", inputs(200))
    out = tmp_path / "out.jsonl"
    proc = run_process(emulator.base_url, emulator.token, "batch", WARM_CLASSIFIER, *TC, "-i", str(inp),
                       "-o", str(out), "-c", "4", preexec_fn=_small_file_limit)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "unexpected error" not in err
    saved = out.read_bytes().count(b"\n")  # complete records (a torn last one is not saved)
    assert 10 < saved < 200
    counts = re.search(r"Stopped: (\d+) ok · (\d+) failed", err)
    assert counts, err
    assert int(counts[1]) + int(counts[2]) == saved, err
    assert "cannot write" in err and f"{saved} results of this run were saved" in err, err
