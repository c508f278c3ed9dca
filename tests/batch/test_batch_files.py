"""The batch's files and counters, without a server."""

from __future__ import annotations

import json

import pytest

from hftui.batch.files import LineSet, ResultWriter, count_inputs, iter_input, parse_input, MalformedInput, scan_output
from hftui.batch.stats import LatencyHistogram, Stats, Summary, progress_line


def test_lineset_marks_each_line_once():
    s = LineSet()
    assert s.add(1) and s.add(9) and s.add(100_000)
    assert not s.add(9)
    assert 9 in s and 100_000 in s and 2 not in s and 10**9 not in s
    assert s.count == 3


def test_input_is_numbered_by_physical_line_and_blank_lines_skipped(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_bytes(b'{"inputs": "a"}\n\n   \n{"inputs": "b"}\nnot json\n{"inputs": "c"}')
    assert [n for n, _ in iter_input(p)] == [1, 4, 5, 6]
    assert count_inputs(p) == 4


@pytest.mark.parametrize("raw", [b"not json\n", b"[1, 2]\n", b'"text"\n', b"\xff\xfe\n", b'{"inputs": \n'])
def test_malformed_lines_raise_malformed_input(raw):
    with pytest.raises(MalformedInput):
        parse_input(raw)


def test_scan_counts_records_and_errors(tmp_path):
    out = tmp_path / "out.jsonl"
    w = ResultWriter(out)
    w.write({"line": 1, "input": {}, "result": 1})
    w.write({"line": 3, "input": {}, "error": {"type": "X", "message": "m"}})
    w.write({"line": 3, "input": {}, "result": 2})  # a duplicate never counts twice
    w.close()
    scan = scan_output(out)
    assert 1 in scan.done and 3 in scan.done and 2 not in scan.done
    assert scan.done.count == 2 and scan.failed == 1 and scan.torn_bytes == 0


def test_scan_cuts_a_torn_last_record(tmp_path):
    out = tmp_path / "out.jsonl"
    good = b'{"line":1,"input":{},"result":"x"}\n{"line":2,"input":{},"result":"y"}\n'
    out.write_bytes(good + b'{"line":3,"input":{"inp')
    scan = scan_output(out)
    assert scan.torn_bytes > 0 and 3 not in scan.done and scan.done.count == 2
    assert out.read_bytes() == good
    # the next record starts on a line of its own
    w = ResultWriter(out)
    w.write({"line": 3, "result": "z"})
    w.close()
    assert [json.loads(x)["line"] for x in out.read_text().splitlines()] == [1, 2, 3]


def test_scan_drop_failed_rewrites_without_error_records(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"line":1,"result":1}\n{"line":2,"error":{"type":"X"}}\n{"line":3,"result":3}\n')
    scan = scan_output(out, drop_failed=True)
    assert scan.done.count == 2 and 2 not in scan.done and scan.failed == 0
    assert [json.loads(x)["line"] for x in out.read_text().splitlines()] == [1, 3]
    assert not list(tmp_path.glob(".*rewrite"))


def test_histogram_percentiles_within_a_percent():
    h = LatencyHistogram()
    for ms in range(1, 1001):
        h.add(float(ms))
    assert h.percentile(50) == pytest.approx(500, rel=0.02)
    assert h.percentile(95) == pytest.approx(950, rel=0.02)
    assert h.percentile(100) == pytest.approx(1000, rel=0.02)
    assert LatencyHistogram().percentile(50) is None


def test_summary_exit_codes_and_text():
    s = Stats(total=10, ok=8, failed=1, skipped=1, skipped_failed=0, started=0.0, finished=2.0)
    s.latency.add(10.0)
    summary = Summary(target="model x", output="out.jsonl", stats=s)
    assert summary.exit_code == 1
    text = "\n".join(summary.lines())
    assert "8 ok" in text and "1 failed" in text and "out.jsonl" in text and "p95" in text
    assert Summary(target="t", output="o", stats=Stats(total=1, ok=1)).exit_code == 0
    assert Summary(target="t", output="o", stats=Stats(), interrupted=True).exit_code == 130
    assert Summary(target="t", output="o", stats=Stats(), fatal="nope").exit_code == 2
    assert Summary(target="t", output="o", stats=Stats(total=2, ok=1, skipped=1, skipped_failed=1)).exit_code == 1
    assert "ETA" in progress_line(Stats(total=10, ok=2, started=0.0), now=1.0)
    assert "took 1.0s" in progress_line(Stats(total=10, ok=10, started=0.0, finished=1.0))


def test_tty_progress_redraws_one_line_and_plain_progress_prints_lines():
    import io

    from hftui.batch.progress import StderrProgress

    stats = Stats(total=100, ok=40, failed=2, started=0.0)
    tty = io.StringIO()
    p = StderrProgress(tty, tty=True)
    p.started(stats)
    p.draw()
    p.draw()
    p.notice("hello")
    text = tty.getvalue()
    assert text.count("\r\x1b[2K") >= 3 and "█" in text and "42/100 done" in text and "2 failed" in text
    assert "\nhello\n" in text.replace("\r\x1b[2K", "\n")
    plain = io.StringIO()
    p = StderrProgress(plain, tty=False)
    p.started(stats)
    p.draw()
    assert "\r" not in plain.getvalue() and "progress: 42/100 done" in plain.getvalue()


def test_runner_and_cli_import_no_textual():
    import subprocess
    import sys

    code = ("import sys, hftui.batch.cli, hftui.batch.runner, hftui.batch.progress; "
            "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_second_writer_on_the_same_output_is_refused(tmp_path):
    from hftui.batch.files import OutputBusy

    out = tmp_path / "out.jsonl"
    first = ResultWriter(out)
    with pytest.raises(OutputBusy):
        ResultWriter(out)
    first.close()
    ResultWriter(out).close()  # free again once the first run is done


def _generic_result_to_json(result):
    """The converter as it was before its per-class cache: the reference for the fast one."""
    import base64
    import dataclasses

    from hftui.client.results import ImageResult

    if isinstance(result, ImageResult):
        return {"media_type": result.media_type, "base64": base64.b64encode(result.data).decode("ascii")}
    if isinstance(result, (bytes, bytearray, memoryview)):
        return {"base64": base64.b64encode(bytes(result)).decode("ascii")}
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return {f.name: _generic_result_to_json(getattr(result, f.name)) for f in dataclasses.fields(result)
                if f.repr and f.name != "raw"}
    if isinstance(result, dict):
        return {str(k): _generic_result_to_json(v) for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        return [_generic_result_to_json(v) for v in result]
    if isinstance(result, (str, int, float, bool)) or result is None:
        return result
    if hasattr(result, "value"):
        return result.value
    return str(result)


def test_result_json_matches_the_generic_converter():
    import enum

    from hftui.batch.runner import result_json
    from hftui.client.results import (
        Answer, ChatCompletion, DetectedObject, Entity, Generation, ImageResult, Label, TableAnswer, Transcription,
    )

    samples = [
        [Label("POSITIVE", 0.9), Label("NEGATIVE", 0.1)],
        Answer("Clara", 0.97, 11, 16),
        [Entity("PER", 0.99, "Sarah", 11, 16)],
        Generation(" 3 4 5", "length", 3, None),
        ChatCompletion("hi", "stop", "m", 1, 2, None, [{"id": "x", "function": {"name": "f"}}]),
        TableAnswer("AVERAGE > 1", [(0, 1)], ["1"], "AVERAGE"),
        Transcription("text", [("a", 0.0, 1.2)]),
        [DetectedObject("cat", 0.5, 1, 2, 3, 4)],
        ImageResult(b"\x89PNG....", "image/png"),
        [[0.1, 0.2], [0.3, 0.4]],
        "plain text",
        {"nested": [Label("x", 1.0)], "bytes": b"\x00\x01"},
        {1: (Label("y", 0.5),), "e": enum.Enum("E", {"A": "a"}).A},
        [None, True, 3, 2.5, "s", [Label("z", 0.0)]],
    ]
    for _ in range(2):  # the second pass takes the cached per-class path
        for value in samples:
            assert result_json(value) == _generic_result_to_json(value), value


def test_failed_lines_named_up_to_a_limit_then_counted():
    from hftui.batch.stats import FailedLines

    f = FailedLines(limit=2)
    assert f.tail() is None
    assert f.add(3, "not valid JSON: x\x1b[31m") == "line 3: not valid JSON: x"  # the whole escape sequence goes
    assert f.add(9, "BadRequest: no") == "line 9: BadRequest: no"
    assert f.add(10, "again") is None and f.add(11, "again") is None
    assert f.tail("out.jsonl") == "… and 2 more failed lines (each one is in out.jsonl)"


def test_histogram_bounds_tiny_and_huge_latencies():
    h = LatencyHistogram()
    h.add(0.0)  # below the first bucket
    h.add(10 * 24 * 3600 * 1000.0)  # ten days: the last bucket
    h.add(42.0)
    assert h.count == 3 and h.max_ms == 10 * 24 * 3600 * 1000.0
    assert h.percentile(1) == pytest.approx(0.01, rel=0.02)
    assert h.percentile(50) == pytest.approx(42, rel=0.02)
    assert h.percentile(100) <= h.max_ms
