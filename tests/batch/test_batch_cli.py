"""``hftui batch`` as a user runs it: a subprocess, killed and interrupted midway."""

from __future__ import annotations

import signal
import time

import pytest

from tests.batch.batch_helpers import endpoint_state, find_endpoint, lines_of, read_records, start_cli, write_inputs
from tests.support.emulator import WARM_CLASSIFIER


def wait_for_lines(path, n: int, proc, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            count = path.read_bytes().count(b"\n")
            if count >= n:
                return count
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"batch ended before {n} lines were written (rc {proc.returncode}): {err[-2000:]}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail(f"fewer than {n} lines after {timeout}s")


def finish(proc, timeout: float = 60.0) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def slow_down(emulator, seconds: float = 0.05) -> None:
    # each inference call takes a little while, so the run is still going when we kill it
    emulator.inject(f"slow:{seconds}", path="hf-inference/models/", times=100_000)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_midway_then_rerun_every_input_exactly_once(emulator, tmp_path, sig):
    total = 200
    inp = write_inputs(tmp_path / "in.jsonl", total)
    out = tmp_path / "out.jsonl"
    args = [WARM_CLASSIFIER, "--task", "text-classification", "-i", str(inp), "-o", str(out), "-c", "4"]
    slow_down(emulator)
    proc = start_cli(emulator, *args)
    wait_for_lines(out, 20, proc)
    proc.send_signal(sig)
    rc, err = finish(proc)
    assert rc == (130 if sig == signal.SIGTERM else -signal.SIGKILL), err
    first = read_records(out) if sig == signal.SIGTERM else None
    written = out.read_bytes().count(b"\n")
    assert 20 <= written < total
    if first is not None:
        assert "Interrupted" in err and "Traceback" not in err
        assert len(first) == written and len(set(lines_of(first))) == written

    emulator.clear_faults()
    proc = start_cli(emulator, *args)
    rc, err = finish(proc)
    assert rc == 0, err
    assert "already in output" in err
    records = read_records(out)  # every line parses: a torn record was repaired
    assert lines_of(records) == list(range(1, total + 1))
    assert all("result" in r for r in records)


def test_ctrl_c_with_pause_after_pauses_the_endpoint(emulator, settings, token, tmp_path):
    import asyncio

    ep = asyncio.run(find_endpoint(settings, token, ("paused", "scaledToZero")))
    inp = write_inputs(tmp_path / "in.jsonl", 300, task=ep.task)
    out = tmp_path / "out.jsonl"
    emulator.inject("slow:0.05", path=r"^/_ep/", times=100_000)  # the endpoint's own URL
    proc = start_cli(emulator, ep.key, "-i", str(inp), "-o", str(out), "-c", "2", "--pause-after",
                     "--poll-interval", "0.05")
    wait_for_lines(out, 5, proc)
    proc.send_signal(signal.SIGINT)
    rc, err = finish(proc)
    assert rc == 130, err
    assert "Endpoint paused" in err and "Traceback" not in err
    assert asyncio.run(endpoint_state(settings, token, ep.namespace, ep.name)) == "paused"
    records = read_records(out)
    assert 5 <= len(records) < 300 and len(set(lines_of(records))) == len(records)


def test_cli_usage_errors_are_readable(emulator, tmp_path):
    proc = start_cli(emulator, WARM_CLASSIFIER, "-i", str(tmp_path / "missing.jsonl"), "--task", "text-classification")
    rc, err = finish(proc)
    assert rc == 2 and "input file not found" in err and "Traceback" not in err
    proc = start_cli(emulator, WARM_CLASSIFIER, "-i", "x.jsonl", "--parameters", "[1]")
    rc, err = finish(proc)
    assert rc == 2 and "JSON object" in err


def test_progress_and_summary_on_stderr(emulator, tmp_path):
    inp = write_inputs(tmp_path / "in.jsonl", 30, extra={2: "oops"})
    out = tmp_path / "out.jsonl"
    proc = start_cli(emulator, WARM_CLASSIFIER, "--task", "text-classification", "-i", str(inp), "-o", str(out),
                     "--progress-interval", "0.01")
    rc, err = finish(proc)
    assert rc == 1  # one malformed line
    assert "progress: " in err and "done" in err
    assert "30 ok · 1 failed" in err
    assert "p50" in err and "p95" in err and "throughput" in err
    assert str(out) in err


def test_options_may_come_before_the_target(emulator, tmp_path):
    proc = start_cli(emulator, "--help")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "usage: hftui batch" in out and "--pause-after" in out
    inp = write_inputs(tmp_path / "in.jsonl", 3)
    proc = start_cli(emulator, "-i", str(inp), "--task", "text-classification", WARM_CLASSIFIER)
    rc, err = finish(proc)
    assert rc == 0, err
    assert lines_of(read_records(tmp_path / "in.results.jsonl")) == [1, 2, 3]


def test_second_ctrl_c_forces_quit_keeping_the_output(emulator, tmp_path):
    inp = write_inputs(tmp_path / "in.jsonl", 300)
    out = tmp_path / "out.jsonl"
    slow_down(emulator, 0.5)
    proc = start_cli(emulator, WARM_CLASSIFIER, "--task", "text-classification", "-i", str(inp), "-o", str(out),
                     "-c", "8")
    wait_for_lines(out, 8, proc)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    rc, err = finish(proc)
    assert rc == 130 and "Traceback" not in err
    records = read_records(out)  # what was written is intact
    assert len(records) >= 8 and len(set(lines_of(records))) == len(records)


def test_malformed_lines_named_on_stderr_with_their_line_number(emulator, tmp_path):
    inp = write_inputs(tmp_path / "in.jsonl", 10, extra={3: "{not json", 7: "[1, 2]"})
    out = tmp_path / "out.jsonl"
    proc = start_cli(emulator, WARM_CLASSIFIER, "--task", "text-classification", "-i", str(inp), "-o", str(out))
    rc, err = finish(proc)
    assert rc == 1
    assert "line 3: not valid JSON" in err
    assert "line 7: expected a JSON object, got list" in err
    assert "more failed line" not in err  # only two: both named, nothing summarised
    assert "10 ok · 2 failed" in err


def test_many_malformed_lines_are_bounded_with_a_count(emulator, tmp_path):
    bad = {n: f"garbage {n}" for n in range(2, 30, 2)}  # 14 malformed lines among 15 good ones
    inp = write_inputs(tmp_path / "in.jsonl", 15, extra=bad)
    out = tmp_path / "out.jsonl"
    proc = start_cli(emulator, WARM_CLASSIFIER, "--task", "text-classification", "-i", str(inp), "-o", str(out))
    rc, err = finish(proc)
    assert rc == 1
    named = [ln for ln in err.splitlines() if ln.strip().startswith("line ") and "not valid JSON" in ln]
    assert len(named) == 10 and named[0].strip().startswith("line 2: ")
    assert f"… and 4 more failed lines (each one is in {out})" in err
