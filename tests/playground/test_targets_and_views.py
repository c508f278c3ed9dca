"""Targets (endpoint, URL, token policy), image protocol choice, path completion, result helpers."""

from __future__ import annotations

import pytest

from hftui.imaging import detect_protocol, fit_cells
from hftui.widgets.results import score_bar
from hftui.widgets.path_suggester import PathSuggester

from tests.playground.playground_helpers import make_png, playground, run_and_wait
from tests.support.pilot import screen_text, wait_until


async def test_running_endpoint_as_target(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        endpoints = await app.client.endpoints.list_all()
        running = [e for e in endpoints if e.raw_state == "running" and e.url]
        assert running, "the emulator has running endpoints"
        ep = running[0]
        screen.set_target(endpoint=ep, task="text-generation")
        await wait_until(pilot, lambda: screen.spec.task == "text-generation")
        target = screen.build_target()
        assert target.kind == "url" and target.label == f"endpoint {ep.key}"
        await run_and_wait(pilot, screen)
        assert screen.error_text == ""
        assert screen.last_record["target"]["kind"] == "url"
        assert len(screen.output.plain_text().split()) > 3


async def test_url_targets_and_where_the_token_goes(make_app, settings):
    from textual.widgets import Input, Select

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.query_one("#target-kind", Select).value = "url"
        field = screen.query_one("#target-model", Input)
        field.value = "http://localhost:9999/v1"
        await pilot.pause()
        assert screen.build_target().send_token is False  # a foreign server never gets the token
        field.value = settings.inference_url + "/_ep/demo-user/x"
        await pilot.pause()
        assert screen.build_target().send_token is True
        field.value = "ftp://nope"
        with pytest.raises(ValueError, match="http"):
            screen.build_target()
        field.value = ""
        await run_and_wait(pilot, screen)
        assert "Enter a model id" in screen.error_text


def test_image_protocol_detection():
    assert detect_protocol("auto", {}) == "halfblock"
    assert detect_protocol("auto", {"TERM": "xterm-kitty"}) == "kitty"
    assert detect_protocol("auto", {"TERM": "xterm-kitty", "TMUX": "/tmp/t"}) == "halfblock"
    assert detect_protocol("auto", {"KITTY_WINDOW_ID": "1", "SSH_CONNECTION": "a b c d"}) == "halfblock"
    assert detect_protocol("auto", {"TERM": "foot"}) == "sixel"
    assert detect_protocol("auto", {"TERM": "xterm-kitty"}, is_tty=False) == "halfblock"
    assert detect_protocol("sixel", {"TMUX": "1"}) == "sixel"  # an explicit setting wins
    assert detect_protocol("halfblock", {"TERM": "xterm-kitty"}) == "halfblock"


def test_fit_cells_keeps_the_aspect_ratio():
    assert fit_cells((512, 512), 40, 100) == (40, 20)
    assert fit_cells((512, 256), 100, 10) == (40, 10)
    assert fit_cells((0, 10), 10, 10) == (0, 0)


def test_score_bar():
    assert score_bar(1.0, 4) == "████"
    assert score_bar(0.0, 4) == "    "
    assert score_bar(0.5, 4) == "██  "
    assert score_bar(float("nan"), 3) == "   "
    assert score_bar(7, 2) == "██"


async def test_path_completion(tmp_path):
    make_png(tmp_path / "cat.png")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "photos").mkdir()
    s = PathSuggester((".png",))
    assert await s.get_suggestion(str(tmp_path / "ca")) == str(tmp_path / "cat.png")
    assert await s.get_suggestion(str(tmp_path / "pho")) == str(tmp_path / "photos") + "/"
    assert await s.get_suggestion(str(tmp_path / "no")) is None  # not an image
    assert await s.get_suggestion(str(tmp_path / "zz")) is None


async def test_path_completion_ignores_case_prefers_files_and_hides_dotfiles(tmp_path):
    make_png(tmp_path / "SCAN.PNG")
    (tmp_path / "scans").mkdir()
    make_png(tmp_path / ".hidden.png")
    s = PathSuggester((".png",))
    assert await s.get_suggestion(str(tmp_path / "SC")) == str(tmp_path / "SCAN.PNG")
    assert await s.get_suggestion(str(tmp_path / "sc")) == str(tmp_path / "scans") + "/"
    assert await s.get_suggestion(str(tmp_path / "h")) is None
    assert await s.get_suggestion(str(tmp_path / ".h")) == str(tmp_path / ".hidden.png")


async def test_export_opens_for_the_last_run(make_app):
    from hftui.client import Target

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        screen.set_target(Target.hf_model("distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
                          task="text-classification")
        await wait_until(pilot, lambda: screen.spec.task == "text-classification")
        await run_and_wait(pilot, screen)
        await pilot.press("escape")  # out of the text field (where ctrl+x cuts)
        await pilot.press("ctrl+x")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ExportScreen")
        text = screen_text(app)
        assert "$HF_TOKEN" in text and app.client is not None
        assert "hf_" not in text.replace("$HF_TOKEN", "")
