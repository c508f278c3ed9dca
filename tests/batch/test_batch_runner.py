"""BatchRunner against the emulator: endpoints, models, faults, output records."""

from __future__ import annotations

import pytest

from tests.batch.batch_helpers import (COLD_CLASSIFIER, endpoint_state, find_endpoint, lines_of, read_records,
                                       run_batch, write_inputs)
from tests.support.emulator import WARM_CLASSIFIER


async def test_paused_endpoint_resumed_waited_run_and_paused(settings, token, tmp_path):
    ep = await find_endpoint(settings, token, ("paused",))
    inp = write_inputs(tmp_path / "in.jsonl", 20, task=ep.task)
    out = tmp_path / "out.jsonl"
    summary, heard = await run_batch(settings, token, target=ep.key, input_path=inp, output_path=out,
                                     pause_after=True, concurrency=4)
    assert summary.exit_code == 0, summary.lines()
    assert summary.stats.ok == 20 and summary.paused
    # resume -> wait -> run -> pause, each state reported in order
    assert heard.states[0] == "paused" and heard.states[-1] == "paused"
    assert "running" in heard.states
    assert heard.states.index("running") > 0
    assert any("$" in n and "resuming" in n and "paused again when the batch ends" in n
               for n in heard.notices), heard.notices
    assert summary.cost is not None and summary.cost.price_per_hour and summary.cost.dollars is not None
    assert summary.resumed and "Endpoint paused again." in summary.lines()
    assert not any("left running" in line for line in summary.lines())
    assert await endpoint_state(settings, token, ep.namespace, ep.name) == "paused"
    records = read_records(out)
    assert lines_of(records) == list(range(1, 21))
    assert all("result" in r and "latency_ms" in r for r in records)


async def test_scaled_to_zero_endpoint_by_bare_name_is_resumed(settings, token, tmp_path):
    ep = await find_endpoint(settings, token, ("scaledToZero",))
    inp = write_inputs(tmp_path / "in.jsonl", 5, task=ep.task)
    out = tmp_path / "out.jsonl"
    summary, heard = await run_batch(settings, token, target=ep.name, input_path=inp, output_path=out)
    assert summary.exit_code == 0, summary.lines()
    assert heard.states[0] == "scaledToZero" and "running" in heard.states
    assert any("resuming" in n and "left running when the batch ends" in n for n in heard.notices), heard.notices
    assert summary.cost is not None and summary.cost.still_running
    # resumed by this run and not paused: the summary says it stays up, and what that costs
    fate = summary.left_running()
    assert fate is not None and fate in summary.lines()
    assert fate.startswith("Endpoint left running — $") and "/h until you pause it" in fate
    assert "it was paused before this run" in fate
    assert await endpoint_state(settings, token, ep.namespace, ep.name) == "running"


async def test_model_target_with_malformed_lines(settings, token, tmp_path):
    inp = write_inputs(tmp_path / "in.jsonl", 10, extra={3: "{not json", 7: "[1, 2, 3]", 9: ""})
    out = tmp_path / "out.jsonl"
    summary, heard = await run_batch(settings, token, target=WARM_CLASSIFIER, task="text-classification",
                                     input_path=inp, output_path=out)
    records = {r["line"]: r for r in read_records(out)}
    assert summary.stats.ok == 10 and summary.stats.failed == 2
    # each one reported to the display as it happened, with its line number
    assert [n for n, _ in heard.failed] == [3, 7]
    assert heard.failed[0][1].startswith("not valid JSON") and "got list" in heard.failed[1][1]
    assert summary.exit_code == 1
    assert records[3]["error"]["type"] == "MalformedInput" and "line 3" in records[3]["error"]["message"]
    assert records[3]["raw"] == "{not json"
    assert records[7]["error"]["type"] == "MalformedInput"
    assert 9 not in records  # a blank line is not an input
    assert len(records) == 12
    ok = [r for r in records.values() if "result" in r]
    assert ok and all(isinstance(r["result"], list) and r["result"][0]["label"] for r in ok)


async def test_task_taken_from_the_model(settings, token, tmp_path):
    inp = write_inputs(tmp_path / "in.jsonl", 3)
    summary, _ = await run_batch(settings, token, target=WARM_CLASSIFIER, input_path=inp,
                                 output_path=tmp_path / "out.jsonl")
    assert summary.exit_code == 0 and summary.stats.ok == 3


async def test_429_and_503_are_retried(settings, token, tmp_path, emulator):
    emulator.inject("429", path="hf-inference/models/", times=3)
    emulator.inject("503", path="hf-inference/models/", times=2)
    inp = write_inputs(tmp_path / "in.jsonl", 12)
    out = tmp_path / "out.jsonl"
    summary, _ = await run_batch(settings, token, target=WARM_CLASSIFIER, task="text-classification",
                                 input_path=inp, output_path=out, concurrency=3, max_attempts=6,
                                 max_retry_wait=0.2)
    assert summary.exit_code == 0, summary.lines()
    assert summary.stats.ok == 12 and summary.stats.retries >= 5
    records = read_records(out)
    assert lines_of(records) == list(range(1, 13))
    assert sum(r.get("attempts", 1) - 1 for r in records) == summary.stats.retries


async def test_cold_model_loading_is_waited_for(settings, token, tmp_path):
    inp = write_inputs(tmp_path / "in.jsonl", 4)
    summary, _ = await run_batch(settings, token, target=COLD_CLASSIFIER, task="text-classification",
                                 input_path=inp, output_path=tmp_path / "out.jsonl", concurrency=2, max_attempts=10)
    assert summary.exit_code == 0, summary.lines()
    assert summary.stats.retries >= 1


async def test_retries_are_bounded(settings, token, tmp_path, emulator):
    emulator.inject("429", path="hf-inference/models/", times=50)
    inp = write_inputs(tmp_path / "in.jsonl", 1)
    out = tmp_path / "out.jsonl"
    summary, _ = await run_batch(settings, token, target=WARM_CLASSIFIER, task="text-classification",
                                 input_path=inp, output_path=out, max_attempts=2)
    (rec,) = read_records(out)
    assert rec["error"]["type"] == "RateLimited" and rec["error"]["status"] == 429
    assert rec["latency_ms"] >= 2000  # the emulator's Retry-After: 2 was honoured before the second attempt
    assert summary.exit_code == 1


async def test_a_failing_input_is_recorded_while_the_others_finish(settings, token, tmp_path, emulator):
    emulator.inject("500", path="hf-inference/models/", times=1)
    inp = write_inputs(tmp_path / "in.jsonl", 15)
    out = tmp_path / "out.jsonl"
    summary, heard = await run_batch(settings, token, target=WARM_CLASSIFIER, task="text-classification",
                                     input_path=inp, output_path=out, concurrency=4)
    records = read_records(out)
    assert lines_of(records) == list(range(1, 16))
    errors = [r for r in records if "error" in r]
    assert [n for n, _ in heard.failed] == [errors[0]["line"]] and heard.failed[0][1].startswith("ServerError: ")
    assert len(errors) == 1 and errors[0]["error"]["type"] == "ServerError" and errors[0]["error"]["status"] == 500
    assert errors[0]["input"] == {"inputs": f"input number {errors[0]['line']} is great"}
    assert summary.stats.ok == 14 and summary.stats.failed == 1 and summary.exit_code == 1


async def test_second_run_skips_done_lines_and_retry_failed_reruns_errors(settings, token, tmp_path, emulator):
    emulator.inject("500", path="hf-inference/models/", times=2)
    inp = write_inputs(tmp_path / "in.jsonl", 8)
    out = tmp_path / "out.jsonl"
    kw = dict(target=WARM_CLASSIFIER, task="text-classification", input_path=inp, output_path=out, concurrency=1)
    first, _ = await run_batch(settings, token, **kw)
    assert first.stats.failed == 2
    again, _ = await run_batch(settings, token, **kw)
    assert again.stats.skipped == 8 and again.stats.done == 0 and again.stats.skipped_failed == 2
    assert again.exit_code == 1  # the output still holds failures
    fixed, _ = await run_batch(settings, token, retry_failed=True, **kw)
    assert fixed.stats.done == 2 and fixed.stats.ok == 2 and fixed.exit_code == 0
    records = read_records(out)
    assert lines_of(records) == list(range(1, 9)) and not any("error" in r for r in records)


async def test_unknown_target_is_a_readable_fatal_error(settings, token, tmp_path):
    inp = write_inputs(tmp_path / "in.jsonl", 2)
    summary, _ = await run_batch(settings, token, target="nobody/no-such-model-xyz", input_path=inp,
                                 output_path=tmp_path / "out.jsonl")
    assert summary.exit_code == 2 and summary.fatal
    assert "no-such-model-xyz" in summary.fatal


async def test_bad_token_stops_without_recording_every_input(settings, tmp_path):
    from hftui.auth import Secret

    inp = write_inputs(tmp_path / "in.jsonl", 30)
    out = tmp_path / "out.jsonl"
    summary, _ = await run_batch(settings, Secret("hf_wrong"), target=WARM_CLASSIFIER, task="text-classification",
                                 input_path=inp, output_path=out)
    assert summary.exit_code == 2 and summary.fatal
    assert "hf_wrong" not in "\n".join(summary.lines())
    assert not out.exists() or not read_records(out)


@pytest.mark.parametrize("concurrency", [1, 16])
async def test_every_input_exactly_once_at_any_concurrency(settings, token, tmp_path, concurrency):
    inp = write_inputs(tmp_path / "in.jsonl", 40)
    out = tmp_path / "out.jsonl"
    summary, _ = await run_batch(settings, token, target=WARM_CLASSIFIER, task="text-classification",
                                 input_path=inp, output_path=out, concurrency=concurrency)
    assert summary.stats.ok == 40
    assert lines_of(read_records(out)) == list(range(1, 41))


async def test_pause_after_also_after_failures(settings, token, tmp_path, emulator):
    ep = await find_endpoint(settings, token, ("paused",))
    emulator.inject("500", path=r"^/_ep/", method="POST", times=1000)
    inp = write_inputs(tmp_path / "in.jsonl", 6, task=ep.task)
    out = tmp_path / "out.jsonl"
    summary, _ = await run_batch(settings, token, target=ep.key, input_path=inp, output_path=out, pause_after=True)
    assert summary.stats.failed == 6 and summary.exit_code == 1 and summary.paused
    assert await endpoint_state(settings, token, ep.namespace, ep.name) == "paused"


async def test_stop_while_waiting_for_the_endpoint_still_pauses(settings, token, tmp_path):
    from hftui.batch.runner import BatchConfig, BatchListener, BatchRunner
    from hftui.client import HFClient

    ep = await find_endpoint(settings, token, ("paused",))
    inp = write_inputs(tmp_path / "in.jsonl", 5, task=ep.task)

    class StopWhenInitializing(BatchListener):
        runner = None

        def endpoint_state(self, endpoint):
            if endpoint.raw_state == "initializing":
                self.runner.stop()

    listener = StopWhenInitializing()
    async with HFClient(settings, token) as hf:
        runner = BatchRunner(hf, BatchConfig(target=ep.key, input_path=inp, output_path=tmp_path / "out.jsonl",
                                             pause_after=True, poll_interval=0.05), listener)
        listener.runner = runner
        summary = await runner.run()
    assert summary.interrupted and summary.exit_code == 130 and summary.paused
    assert summary.stats.done == 0 and not (tmp_path / "out.jsonl").exists()
    assert await endpoint_state(settings, token, ep.namespace, ep.name) == "paused"


async def test_timeout_per_request_is_recorded(settings, token, tmp_path, emulator):
    emulator.inject("slow:3", path="hf-inference/models/", times=1)
    inp = write_inputs(tmp_path / "in.jsonl", 3)
    out = tmp_path / "out.jsonl"
    summary, _ = await run_batch(settings, token, target=WARM_CLASSIFIER, task="text-classification",
                                 input_path=inp, output_path=out, timeout=0.5, concurrency=1)
    errors = [r for r in read_records(out) if "error" in r]
    assert len(errors) == 1 and errors[0]["error"]["type"] == "Timeout"
    assert summary.stats.ok == 2


async def test_parameters_are_sent_and_a_line_can_override_them(settings, token, tmp_path):
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"inputs": "nice one"}\n{"inputs": "nice two", "parameters": {"top_k": 1}}\n')
    out = tmp_path / "out.jsonl"
    summary, _ = await run_batch(settings, token, target=WARM_CLASSIFIER, task="text-classification",
                                 input_path=inp, output_path=out, parameters={"top_k": 2})
    assert summary.exit_code == 0, summary.lines()
    by_line = {r["line"]: r for r in read_records(out)}
    assert len(by_line[1]["result"]) == 2 and len(by_line[2]["result"]) == 1
    assert by_line[2]["input"]["parameters"] == {"top_k": 1}  # the input is echoed as given


async def test_url_target(settings, token, tmp_path):
    ep = await find_endpoint(settings, token, ("running",))
    inp = write_inputs(tmp_path / "in.jsonl", 4, task=ep.task)
    out = tmp_path / "out.jsonl"
    summary, heard = await run_batch(settings, token, target=ep.url, task=ep.task, input_path=inp, output_path=out)
    assert summary.exit_code == 0, summary.lines()
    assert summary.cost is None and heard.states == []  # a URL is not managed: no resume, no pause
    assert lines_of(read_records(out)) == [1, 2, 3, 4]
    no_task, _ = await run_batch(settings, token, target=ep.url, input_path=inp, output_path=tmp_path / "o2.jsonl")
    assert no_task.exit_code == 2 and "task" in no_task.fatal


async def test_a_torn_last_record_is_repaired_and_that_input_runs_again(settings, token, tmp_path):
    inp = write_inputs(tmp_path / "in.jsonl", 6)
    out = tmp_path / "out.jsonl"
    kw = dict(target=WARM_CLASSIFIER, task="text-classification", input_path=inp, output_path=out)
    first, _ = await run_batch(settings, token, **kw)
    assert first.stats.ok == 6
    records = out.read_bytes().splitlines(keepends=True)
    torn_line = records[-1]
    out.write_bytes(b"".join(records[:-1]) + torn_line[: len(torn_line) // 2])  # killed mid-write
    again, heard = await run_batch(settings, token, **kw)
    assert again.stats.skipped == 5 and again.stats.ok == 1
    assert any("cut short" in n for n in heard.notices)
    assert lines_of(read_records(out)) == list(range(1, 7))
