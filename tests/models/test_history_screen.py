"""History screen: list, preview, re-open, re-run against the emulator, export without the token."""

from __future__ import annotations

from textual.widgets import Checkbox, DataTable, Static, TextArea

from hftui.history import History

from tests.support.pilot import wait_until


def _fill_mask_record(**over):
    rec = {
        "target": {"kind": "model", "model": "google-bert/bert-base-uncased", "url": None, "provider": None,
                   "label": "google-bert/bert-base-uncased", "send_token": True},
        "task": "fill-mask",
        "inputs": {"inputs": "Paris is the [MASK] of France."},
        "parameters": {"top_k": 3},
        "options": {"wait_for_model": False, "use_cache": True},
        "result": [{"token_str": "capital", "score": 0.91, "sequence": "paris is the capital of france."}],
        "error": None,
        "timings": {"elapsed": 0.25},
        "created_at": "2026-10-26T12:50:00Z",
    }
    rec.update(over)
    return rec


def _seed():
    h = History.default()
    a = h.add(_fill_mask_record())
    b = h.add(_fill_mask_record(task="summarization", inputs={"inputs": "[bold]long[/bold] text"}, result="short",
                                target={"kind": "model", "model": "facebook/bart-large-cnn",
                                        "label": "facebook/bart-large-cnn"},
                                parameters={}, created_at="2026-10-26T12:55:00Z"))
    c = h.add(_fill_mask_record(result=None, error="Model is [red]loading[/red]", created_at="2026-10-26T12:58:00Z"))
    return h, (a, b, c)


async def _open_history(pilot):
    app = pilot.app
    await wait_until(pilot, lambda: app.current_mode == "history" and
                     app.screen.query_one("#history-table", DataTable).row_count > 0, what="history")
    return app.screen


async def test_lists_runs_newest_first_with_preview(make_app):
    h, (a, b, c) = _seed()
    app = make_app("history")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_history(pilot)
        table = screen.query_one("#history-table", DataTable)
        assert table.row_count == 3
        assert [str(k.value) for k in table.rows] == [str(c), str(b), str(a)]
        assert table.get_cell(str(c), "status").plain == "✖ error"
        assert table.get_cell(str(a), "status").plain == "✔ ok"
        assert table.get_cell(str(a), "elapsed").plain == "0.25s"
        preview = str(screen.query_one("#history-preview-text", Static).render())
        assert "Model is [red]loading[/red]" in preview  # markup shown literally
        await pilot.press("down")
        preview = str(screen.query_one("#history-preview-text", Static).render())
        assert "[bold]long[/bold] text" in preview and "short" in preview
        assert "History[3]" in table.border_title


async def test_enter_reopens_the_run_in_the_playground(make_app, monkeypatch):
    from hftui.screens.playground import PlaygroundScreen

    loaded = []
    original = PlaygroundScreen.load_run

    def spy(self, run):
        loaded.append(run)
        return original(self, run)

    monkeypatch.setattr(PlaygroundScreen, "load_run", spy)
    h, (a, b, c) = _seed()
    app = make_app("history")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_history(pilot)
        await pilot.press("down", "down")  # the oldest: fill-mask, ok
        await pilot.press("enter")
        await wait_until(pilot, lambda: loaded and app.current_mode == "playground", what="re-open")
        assert loaded[0]["id"] == a and loaded[0]["inputs"] == {"inputs": "Paris is the [MASK] of France."}
        assert isinstance(app.screen, PlaygroundScreen)
        assert screen is not app.screen


async def test_rerun_sends_the_run_again_and_records_it(make_app):
    h, (a, b, c) = _seed()
    app = make_app("history")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_history(pilot)
        await pilot.press("down", "down")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(History.default()) == 4, timeout=20, what="the re-run saved")
        newest = History.default().list(limit=1)[0]
        assert newest["task"] == "fill-mask"
        assert newest["inputs"]["inputs"] == "Paris is the [MASK] of France."
        assert newest["target"]["model"] == "google-bert/bert-base-uncased"
        assert newest["status"] == "ok" and newest["result"]
        # back in the history, the new run is listed first
        await app.switch_to("history")
        await wait_until(pilot, lambda: app.screen.query_one("#history-table", DataTable).row_count == 4,
                         what="reloaded list")


async def test_export_modal_never_shows_the_token(make_app, token):
    h, (a, b, c) = _seed()
    app = make_app("history")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_history(pilot)
        await pilot.press("down", "down", "x")
        from hftui.screens.export import ExportScreen

        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen), what="export modal")
        modal = app.screen
        assert set(modal.snippets) == {"curl", "httpx", "huggingface_hub"}
        for text in modal.snippets.values():
            assert token.reveal() not in text
        code = modal.query_one("#export-code", TextArea)
        assert code.text.startswith("curl") and "$HF_TOKEN" in code.text
        await pilot.press("right")
        await wait_until(pilot, lambda: modal.fmt == "httpx", what="httpx format")
        assert "import httpx" in code.text
        await pilot.press("c")
        assert "os.environ['HF_TOKEN']" in app.clipboard and token.reveal() not in app.clipboard
        # asking for the token: only the copy/file carry it, never the screen
        modal.query_one("#export-token", Checkbox).value = True
        await pilot.press("c")
        assert token.reveal() in app.clipboard
        assert token.reveal() not in code.text
        modal.query_one("#export-token", Checkbox).value = False
        await pilot.press("ctrl+s")
        assert modal.saved_path is not None and modal.saved_path.is_file()
        assert token.reveal() not in modal.saved_path.read_text()
        status = str(modal.query_one("#export-status", Static).render())
        assert str(modal.saved_path) in status
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ExportScreen), what="closed")


async def test_delete_asks_first(make_app):
    h, (a, b, c) = _seed()
    app = make_app("history")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_history(pilot)
        await pilot.press("ctrl+d")
        await pilot.pause(0.2)
        await pilot.press("enter")  # focus is on Cancel: nothing happens
        await pilot.pause(0.2)
        assert len(History.default()) == 3
        await pilot.press("ctrl+d")
        await pilot.pause(0.2)
        await pilot.press("right", "enter")
        await wait_until(pilot, lambda: len(History.default()) == 2, what="deleted")
        assert screen.query_one("#history-table", DataTable).row_count == 2


async def test_task_filter_cycles(make_app):
    h, (a, b, c) = _seed()
    app = make_app("history")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_history(pilot)
        table = screen.query_one("#history-table", DataTable)
        await pilot.press("t")
        assert screen.task_filter == "fill-mask" and table.row_count == 2
        assert "fill-mask" in table.border_title
        await pilot.press("t")
        assert screen.task_filter == "summarization" and table.row_count == 1
        await pilot.press("t")
        assert screen.task_filter is None and table.row_count == 3
