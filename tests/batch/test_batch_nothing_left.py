"""Issue 11.11: a batch whose inputs all have a result already never resumes the endpoint.

The output is read before the endpoint is touched: a paused (or scaled-to-zero) endpoint is not
resumed, not waited for, and stays as it was, with a line saying there is nothing to do.
"""

from __future__ import annotations

from tests.batch.batch_helpers import endpoint_state, find_endpoint, read_records, run_batch, start_cli, write_inputs


def finish(proc, timeout: float = 60.0) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


async def _spied_run(settings, token, **kw):
    """run_batch, recording the endpoint calls the runner makes."""
    from hftui.batch.runner import BatchConfig, BatchListener, BatchRunner
    from hftui.client import HFClient

    calls: list[str] = []
    notices: list[str] = []

    class Heard(BatchListener):
        def notice(self, text):
            notices.append(text)

    async with HFClient(settings, token) as hf:
        for name in ("resume", "pause", "wait_until_running"):
            original = getattr(hf.endpoints, name)

            async def spy(*args, _original=original, _name=name, **kwargs):
                calls.append(_name)
                return await _original(*args, **kwargs)

            setattr(hf.endpoints, name, spy)
        runner = BatchRunner(hf, BatchConfig(poll_interval=0.05, **kw), Heard())
        summary = await runner.run()
    return summary, calls, notices


async def test_all_inputs_done_the_paused_endpoint_is_not_resumed(settings, token, tmp_path):
    ep = await find_endpoint(settings, token, ("paused",))
    inp = write_inputs(tmp_path / "in.jsonl", 6, task=ep.task)
    out = tmp_path / "out.jsonl"
    first, _ = await run_batch(settings, token, target=ep.key, input_path=inp, output_path=out, pause_after=True)
    assert first.exit_code == 0 and first.stats.ok == 6, first.lines()
    assert await endpoint_state(settings, token, ep.namespace, ep.name) == "paused"
    before = out.read_bytes()

    summary, calls, notices = await _spied_run(settings, token, target=ep.key, input_path=inp, output_path=out,
                                               pause_after=True)
    assert calls == [], calls  # neither resumed, nor waited for, nor paused again
    assert not summary.resumed and summary.cost is None
    assert summary.exit_code == 0, summary.lines()
    assert summary.stats.total == 6 and summary.stats.skipped == 6 and summary.stats.done == 0
    assert any(n.startswith("Nothing to do: all 6 inputs already have a result") and "not resumed" in n
               for n in notices), notices
    assert await endpoint_state(settings, token, ep.namespace, ep.name) == "paused"
    assert out.read_bytes() == before


async def test_one_input_left_still_resumes(settings, token, tmp_path):
    ep = await find_endpoint(settings, token, ("paused",))
    inp = write_inputs(tmp_path / "in.jsonl", 4, task=ep.task)
    out = tmp_path / "out.jsonl"
    await run_batch(settings, token, target=ep.key, input_path=inp, output_path=out, pause_after=True)
    write_inputs(inp, 5, task=ep.task)  # one more line: there is work again
    summary, calls, _ = await _spied_run(settings, token, target=ep.key, input_path=inp, output_path=out,
                                         pause_after=True)
    assert summary.exit_code == 0 and summary.stats.ok == 1, summary.lines()
    assert calls[0] == "resume" and calls[-1] == "pause"
    assert sorted(r["line"] for r in read_records(out)) == [1, 2, 3, 4, 5]


async def test_failed_inputs_with_retry_failed_count_as_work(settings, token, tmp_path, emulator):
    ep = await find_endpoint(settings, token, ("paused",))
    inp = write_inputs(tmp_path / "in.jsonl", 3, task=ep.task)
    out = tmp_path / "out.jsonl"
    out.write_text('{"line": 1, "input": {}, "result": 1}\n{"line": 2, "input": {}, "result": 1}\n'
                   '{"line": 3, "input": {}, "error": {"type": "ServerError", "message": "boom"}}\n')
    summary, calls, notices = await _spied_run(settings, token, target=ep.key, input_path=inp, output_path=out,
                                               pause_after=True)
    assert calls == [] and summary.exit_code == 1  # an earlier failure is still a failure
    assert any("--retry-failed" in n for n in notices), notices
    summary, calls, _ = await _spied_run(settings, token, target=ep.key, input_path=inp, output_path=out,
                                         pause_after=True, retry_failed=True)
    assert "resume" in calls and summary.stats.ok == 1, summary.lines()


def test_cli_says_nothing_to_do_and_leaves_the_endpoint_paused(emulator, tmp_path):
    import asyncio

    from hftui.auth import Secret
    from hftui.config import Settings

    settings, token = Settings().with_base_url(emulator.base_url), Secret(emulator.token)
    ep = asyncio.run(find_endpoint(settings, token, ("paused",)))
    inp = write_inputs(tmp_path / "in.jsonl", 3, task=ep.task)
    out = tmp_path / "out.jsonl"
    args = [ep.key, "-i", str(inp), "-o", str(out), "--pause-after"]
    rc, err = finish(start_cli(emulator, *args))
    assert rc == 0, err
    rc, err = finish(start_cli(emulator, *args))
    assert rc == 0, err
    assert "Nothing to do: all 3 inputs already have a result" in err and "stays paused (not resumed)" in err
    assert "resuming" not in err and "Pausing" not in err
    assert asyncio.run(endpoint_state(settings, token, ep.namespace, ep.name)) == "paused"
