"""BatchScreen driven with Pilot, hosted in a small app with a real HFClient on the emulator."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Checkbox, Input, ProgressBar, RichLog, Static

from hftui.screens.batch import JSON_LINES, BatchScreen, PathSuggester

from tests.batch.batch_helpers import endpoint_state, find_endpoint, lines_of, read_records, write_inputs
from tests.support.pilot import wait_until


class Host(App):
    def __init__(self, settings, token, endpoint):
        from hftui.widgets.toggles import install

        install()  # as HFTUIApp does: a checkbox that is off shows an empty box
        super().__init__()
        self._settings, self._token, self._endpoint = settings, token, endpoint
        self.client = None

    async def on_mount(self) -> None:
        from hftui.client import HFClient

        self.client = HFClient(self._settings, self._token)
        await self.client.__aenter__()
        await self.push_screen(BatchScreen(self._endpoint, poll_interval=0.05))

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.__aexit__(None, None, None)


def log_text(screen) -> str:
    return "\n".join(line.text for line in screen.query_one("#batch-log", RichLog).lines)


def static_text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def fill(pilot, screen, selector: str, value: str) -> None:
    widget = screen.query_one(selector, Input)
    widget.value = value
    await pilot.pause()


async def test_form_shows_price_and_keeps_values_on_error(settings, token, tmp_path):
    ep = await find_endpoint(settings, token, ("paused",))
    app = Host(settings, token, ep)
    async with app.run_test(size=(100, 34)) as pilot:
        screen = app.screen
        assert isinstance(screen, BatchScreen)
        await wait_until(pilot, lambda: "$" in static_text(screen, "#batch-price"))
        price = static_text(screen, "#batch-price")
        assert "/h" in price and "resumes it" in price
        assert str(screen.query_one("#batch-task").value) == ep.task  # prefilled from the endpoint
        await pilot.click("#batch-run")
        await wait_until(pilot, lambda: "input file" in static_text(screen, "#batch-error").lower())
        await fill(pilot, screen, "#batch-input", str(tmp_path / "nope.jsonl"))
        await fill(pilot, screen, "#batch-parameters", "{bad json")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "No such file" in static_text(screen, "#batch-error"))
        inp = write_inputs(tmp_path / "in.jsonl", 3, task=ep.task)
        await fill(pilot, screen, "#batch-input", str(inp))
        assert screen.query_one("#batch-output", Input).value == str(tmp_path / "in.results.jsonl")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "Parameters" in static_text(screen, "#batch-error"))
        assert screen.query_one("#batch-parameters", Input).value == "{bad json"  # kept
        assert screen.runner is None


async def test_run_resumes_shows_progress_and_pauses(settings, token, tmp_path):
    ep = await find_endpoint(settings, token, ("paused",))
    inp = write_inputs(tmp_path / "in.jsonl", 25, task=ep.task)
    app = Host(settings, token, ep)
    async with app.run_test(size=(100, 34)) as pilot:
        screen = app.screen
        await fill(pilot, screen, "#batch-input", str(inp))
        await fill(pilot, screen, "#batch-concurrency", "4")
        # it is paused: the run resumes it, so pausing it again is the default, and the form says so
        assert screen.query_one("#batch-pause-after", Checkbox).value
        assert "paused again" in static_text(screen, "#batch-pause-note")
        await pilot.click("#batch-run")
        await wait_until(pilot, lambda: screen.summary is not None)
        summary = screen.summary
        assert summary.exit_code == 0 and summary.stats.ok == 25 and summary.paused
        text = log_text(screen)
        assert "resuming" in text and "running" in text and "paused" in text
        assert "Endpoint paused again." in text and str(tmp_path / "in.results.jsonl") in text
        assert "left running" not in text
        bar = screen.query_one("#batch-bar", ProgressBar)
        assert bar.total == 25 and bar.progress == 25
        assert "25/25 done" in static_text(screen, "#batch-counts")
    assert await endpoint_state(settings, token, ep.namespace, ep.name) == "paused"
    assert lines_of(read_records(tmp_path / "in.results.jsonl")) == list(range(1, 26))


async def test_escape_cancels_and_still_pauses(settings, token, tmp_path, emulator):
    ep = await find_endpoint(settings, token, ("paused", "scaledToZero"))
    inp = write_inputs(tmp_path / "in.jsonl", 400, task=ep.task)
    out = tmp_path / "in.results.jsonl"
    emulator.inject("slow:0.05", path=r"^/_ep/", times=100_000)
    app = Host(settings, token, ep)
    async with app.run_test(size=(100, 34)) as pilot:
        screen = app.screen
        await fill(pilot, screen, "#batch-input", str(inp))
        await fill(pilot, screen, "#batch-concurrency", "2")
        assert screen.query_one("#batch-pause-after", Checkbox).value  # on by default: it was not running
        await pilot.click("#batch-run")
        await wait_until(pilot, lambda: out.exists() and out.read_bytes().count(b"\n") >= 3)
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.summary is not None)
        assert screen.summary.interrupted and screen.summary.paused
        assert "Interrupted" in log_text(screen)
        assert app.screen is screen  # the first Esc cancels, it does not leave
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
    assert await endpoint_state(settings, token, ep.namespace, ep.name) == "paused"
    records = read_records(out)
    assert 3 <= len(records) < 400 and len(set(lines_of(records))) == len(records)


async def test_untrusted_endpoint_text_is_not_markup(settings, token):
    from hftui.client.models import Endpoint

    ep = Endpoint.from_json({"name": "x[bold]y", "namespace": "demo-user", "status": {"state": "[@click=app.quit]paused"},
                             "model": {"task": "text-classification"}})
    app = Host(settings, token, ep)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        title = static_text(app.screen, "#batch-title")
        assert "x[bold]y" in title and "[@click=app.quit]paused" in title


async def test_path_suggester_completes_files_and_dirs(tmp_path):
    (tmp_path / "inputs-2026.jsonl").write_text("{}\n")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "data").mkdir()
    s = PathSuggester(JSON_LINES)
    assert await s.get_suggestion(str(tmp_path / "inp")) == str(tmp_path / "inputs-2026.jsonl")
    assert await s.get_suggestion(str(tmp_path / "da")) == str(tmp_path / "data") + "/"
    assert await s.get_suggestion(str(tmp_path / "no")) is None  # .txt is not offered
    assert await s.get_suggestion(str(tmp_path / "zzz")) is None


async def test_opened_without_an_endpoint_runs_a_typed_target(settings, token, tmp_path):
    from tests.support.emulator import WARM_CLASSIFIER

    inp = write_inputs(tmp_path / "in.jsonl", 6)
    app = Host(settings, token, None)
    async with app.run_test(size=(100, 34)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.query("#batch-target"))
        assert "Target" in static_text(screen, "#batch-price")
        await fill(pilot, screen, "#batch-input", str(inp))
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "Enter a target" in static_text(screen, "#batch-error"))
        await fill(pilot, screen, "#batch-target", f"model:{WARM_CLASSIFIER}")
        await pilot.press("ctrl+r")  # task left blank: taken from the model
        await wait_until(pilot, lambda: screen.summary is not None)
        assert screen.summary.exit_code == 0 and screen.summary.stats.ok == 6
        assert "6/6 done" in static_text(screen, "#batch-counts")


async def test_a_failed_endpoint_is_a_readable_error_and_the_form_stays_usable(settings, token, tmp_path, emulator):
    emulator.set_state("demo-user", "bert-fill", "failed")
    from hftui.client import HFClient

    async with HFClient(settings, token) as hf:
        ep = await hf.endpoints.get("demo-user", "bert-fill")
    inp = write_inputs(tmp_path / "in.jsonl", 2, task="fill-mask")
    app = Host(settings, token, ep)
    async with app.run_test(size=(100, 34)) as pilot:
        screen = app.screen
        await fill(pilot, screen, "#batch-input", str(inp))
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.summary is not None)
        assert screen.summary.exit_code == 2
        assert "Error: endpoint demo-user/bert-fill is failed" in log_text(screen)
        assert screen.query_one("#batch-run").label.plain == "Run again"


async def test_running_endpoint_is_left_running_by_default_and_the_summary_says_so(settings, token, tmp_path):
    ep = await find_endpoint(settings, token, ("running",))
    inp = write_inputs(tmp_path / "in.jsonl", 8, task=ep.task, extra={3: "{not json"})
    app = Host(settings, token, ep)
    async with app.run_test(size=(100, 34)) as pilot:
        screen = app.screen
        assert not screen.query_one("#batch-pause-after", Checkbox).value  # it was running: leave it so
        await wait_until(pilot, lambda: "$" in static_text(screen, "#batch-pause-note"))
        note = static_text(screen, "#batch-pause-note")
        assert "left running, as it is now" in note and "/h" in note
        box = screen.query_one("#batch-pause-after", Checkbox)
        assert "X" not in str(box.render())  # an empty box reads as "off"
        await pilot.click("#batch-pause-after")
        assert "X" in str(box.render())
        await wait_until(pilot, lambda: "paused (it is running now)" in static_text(screen, "#batch-pause-note"))
        await pilot.click("#batch-pause-after")  # back off: keep it running
        await fill(pilot, screen, "#batch-input", str(inp))
        await pilot.click("#batch-run")
        await wait_until(pilot, lambda: screen.summary is not None)
        assert not screen.summary.paused and screen.summary.exit_code == 1
        text = log_text(screen)
        assert "line 3: not valid JSON" in text  # the malformed line, named in the log as it happened
        assert "Endpoint left running — $" in text and "/h until you pause it" in text
        assert "paused again" not in text
    assert await endpoint_state(settings, token, ep.namespace, ep.name) == "running"
