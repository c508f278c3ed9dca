"""One task registry: a task added in one place is found by every consumer.

A fake task (its wire entry and its spec, registered together with
``hftui.tasks.register``) shows up in the Playground's task list, runs in
batch, exports as a snippet, is offered by the endpoint form and abbreviated
by the endpoint table — and is gone again once unregistered.
"""

from __future__ import annotations

import json

import pytest
from tests.playground.playground_helpers import playground
from tests.support.pilot import wait_until

from hftui.client.wire_tasks import TASKS, WireTask
from hftui.tasks import Field, TaskSpec, all_specs, canonical_task, endpoint_tasks, get_spec, register, unregister

FAKE = "fake-reverse"
FAKE_URL = "https://fake-endpoint.test/reverse"


def _parse(data):
    if not isinstance(data, dict) or not isinstance(data.get("reversed"), str):
        raise ValueError("not a reversal")
    return data["reversed"]


@pytest.fixture
def fake_task():
    spec = TaskSpec(task=FAKE, title="Fake reverse", short="fake-rev", result_kind="text",
                    inputs=(Field("inputs", "Text", "text", required=True),), example={"inputs": "stressed"})
    register(spec, WireTask(FAKE, _parse, aliases=("reverse-text",)))
    try:
        yield spec
    finally:
        unregister(FAKE)
    assert FAKE not in TASKS and canonical_task(FAKE) is None


def test_the_registry_has_one_list_and_both_sides_agree():
    assert [s.task for s in all_specs()] == list(TASKS)
    for spec in all_specs():
        assert spec.short and len(spec.short) <= 8, spec.task


def test_a_registered_task_is_named_and_resolved(fake_task):
    assert list(TASKS)[-1] == FAKE and all_specs()[-1] is fake_task
    assert get_spec("reverse-text") is fake_task
    assert FAKE in endpoint_tasks()
    with pytest.raises(ValueError):
        register(fake_task, WireTask(FAKE, _parse))


def test_the_endpoint_table_abbreviates_it(fake_task):
    from hftui.widgets.endpoint_columns import COLUMNS, fit_cell

    task_column = [c.key for c in COLUMNS].index("task")
    assert fit_cell(task_column, FAKE, 8) == "fake-rev"


async def test_batch_runs_it(fake_task, tmp_path):
    from hftui.auth import Secret
    from hftui.batch.runner import BatchConfig, BatchRunner
    from hftui.client import HFClient
    from hftui.client._http import MockResponse, MockTransport
    from hftui.config import Settings

    seen = []

    def handler(request):
        body = json.loads(request.content)
        seen.append((str(request.url), body))
        return MockResponse(200, json={"reversed": body["inputs"][::-1]})

    source = tmp_path / "in.jsonl"
    source.write_text('{"inputs": "stressed"}\n{"inputs": "drawer"}\n')
    out = tmp_path / "out.jsonl"
    settings = Settings(hub_url="https://hub.test", inference_url="https://router.test",
                        endpoints_api_url="https://ep.test/v2")
    async with HFClient(settings, Secret("hf_unitTESTtoken1234567890"), transport=MockTransport(handler),
                        max_retries=0) as hf:
        summary = await BatchRunner(hf, BatchConfig(target=FAKE_URL, task=FAKE, input_path=source,
                                                    output_path=out, concurrency=1)).run()
    assert summary.fatal is None, summary.fatal
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["result"] for r in results) == ["desserts", "reward"]
    assert seen[0] == (FAKE_URL, {"inputs": "stressed"})


def test_export_writes_its_snippets(fake_task, tmp_path):
    from hftui.config import Settings
    from hftui.export import export_run
    from hftui.tasks.record import make_run_record

    from hftui.client import Target

    values, errors = fake_task.parse({"inputs": "stressed"})
    assert errors == {}
    record = make_run_record(spec=fake_task, target=Target.at_url(FAKE_URL), values=values, result="desserts")
    snippets = export_run(record, settings=Settings())
    assert FAKE_URL in snippets["curl"] and '"inputs": "stressed"' in snippets["curl"]
    assert "httpx.request('POST', url" in snippets["httpx"] and "'inputs': 'stressed'" in snippets["httpx"]


async def test_the_playground_offers_it_and_builds_its_form(fake_task, make_app):
    from textual.widgets import Select

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        select = screen.query_one("#task", Select)
        assert ("Fake reverse", FAKE) in [(str(label), value) for label, value in select._options]
        select.value = FAKE
        await wait_until(pilot, lambda: screen.spec is fake_task)
        await pilot.pause()
        assert screen.form.values()["inputs"] == "stressed"


async def test_the_endpoint_form_offers_it(fake_task, make_app):
    from textual.widgets import Input

    from hftui.screens.endpoint_form import EndpointFormScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await playground(pilot)
        form = EndpointFormScreen(namespace="demo-user")
        await app.push_screen(form)
        field = form.query_one("#task", Input)
        field.focus()
        await pilot.press(*"fake-")
        await wait_until(pilot, lambda: field._suggestion == FAKE)
        await pilot.press("right")
        assert field.value == FAKE
