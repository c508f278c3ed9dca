"""A planted or damaged history DB, a locked one, and what History/Export show (issue 9, items 2, 6, 15).

Bad rows are written into the SQLite file directly (as another program, or an
attacker with the file, would); the History screen lists them as unreadable
and keeps working. A DB locked by another process costs a short busy timeout,
off the UI thread, and says so in words. Everything shown (and every exported
snippet) is free of control characters and markup from the record.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from tests.hardening.hardening_helpers import ESCAPES, MARKUP, assert_clean_screen, hostile_text
from tests.support.pilot import screen_text, wait_until
from tests.support.screens import go

from hftui.history import History, HistoryError

GOOD = {
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

DEEP = "[" * 100_000 + "]" * 100_000
BAD_RECORDS = {
    "int": "1",
    "list": "[1, 2]",
    "string": '"just a string"',
    "null": "null",
    "not-json": "{",
    "deep": DEEP,
    "deep-inside": json.dumps({**GOOD, "parameters": "@P@"}).replace(
        '"@P@"', '{"top_k": ' + "[" * 900 + "]" * 900 + "}"),
    "target-str": json.dumps({**GOOD, "target": "model"}),
    "target-model-list": json.dumps({**GOOD, "target": {"kind": "model", "model": [1, 2]}}),
    "inputs-list": json.dumps({**GOOD, "inputs": [1, 2]}),
    "parameters-str": json.dumps({**GOOD, "parameters": "top_k=3"}),
    "timings-list": json.dumps({**GOOD, "timings": [0.25]}),
    "created-int": json.dumps({**GOOD, "created_at": 5}),
    "error-dict": json.dumps({**GOOD, "error": {"message": "x"}}),
    "task-int": json.dumps({**GOOD, "task": 3}),
    "options-list": json.dumps({**GOOD, "options": [True]}),
}


def _seed_db(rows: dict[str, str], good: int = 1) -> tuple[History, list[int], dict[str, int]]:
    """A real history (schema made by hftui) plus rows written straight into SQLite."""
    h = History.default()
    good_ids = [h.add(GOOD) for _ in range(good)]
    assert len(h) == good  # the file and its schema exist
    h.close()
    db = sqlite3.connect(h.path)
    bad_ids = {}
    for name, raw in rows.items():
        cur = db.execute("INSERT INTO runs (created_at, task, target, record, status) VALUES (?, ?, ?, ?, ?)",
                         ("2026-10-26T12:55:00Z", "fill-mask", name, raw, "ok"))
        bad_ids[name] = cur.lastrowid
    db.commit()
    db.close()
    return History(h.path), good_ids, bad_ids


# --- item 2: corrupted records ---------------------------------------------------------------------------


def test_bad_rows_are_marked_unreadable_and_the_rest_load():
    h, good_ids, bad_ids = _seed_db(BAD_RECORDS)
    runs = {r["id"]: r for r in h.list()}
    assert set(runs) == set(good_ids) | set(bad_ids.values())
    for name, row_id in bad_ids.items():
        run = runs[row_id]
        assert run.get("unreadable"), name
        assert run["status"] == "error" and f"#{row_id}" in run["error"], name
        # the shape every reader relies on
        assert isinstance(run["target"], dict) and isinstance(run["inputs"], dict), name
        assert isinstance(run["timings"], dict) and isinstance(run["created_at"], str), name
        assert h.get(row_id)["unreadable"], name
    good = runs[good_ids[0]]
    assert not good.get("unreadable") and good["inputs"] == GOOD["inputs"]


def test_a_bad_row_does_not_stop_a_migration(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,"
               " task TEXT NOT NULL, target TEXT NOT NULL, record TEXT NOT NULL)")
    for raw in ("1", "[1, 2]", DEEP, json.dumps({**GOOD, "timings": [1]}), json.dumps(GOOD)):
        db.execute("INSERT INTO runs (created_at, task, target, record) VALUES ('', 'fill-mask', 'x', ?)", (raw,))
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    runs = History(path).list()
    assert len(runs) == 5 and sum(1 for r in runs if r.get("unreadable")) == 4


async def _history_screen(pilot):
    app = pilot.app
    screen = await go(pilot, "history")
    from textual.widgets import DataTable

    await wait_until(pilot, lambda: screen.query_one("#history-table", DataTable).row_count > 0, 10,
                     "the history rows")
    return screen


async def test_history_screen_lists_bad_rows_as_unreadable(make_app):
    from textual.widgets import DataTable

    _, good_ids, bad_ids = _seed_db(BAD_RECORDS)
    app = make_app(first_screen="endpoints")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _history_screen(pilot)
        table = screen.query_one("#history-table", DataTable)
        assert table.row_count == len(BAD_RECORDS) + 1
        text = screen_text(app)
        assert "unreadable record #" in text
        for _ in range(table.row_count):  # every preview renders
            await pilot.press("down")
            await pilot.pause()
            assert_clean_screen(app)
        table.move_cursor(row=table.get_row_index(str(bad_ids["deep"])))
        await pilot.pause()
        assert f"#{bad_ids['deep']}" in screen_text(app) and "cannot be read" in screen_text(app)
        await pilot.press("enter")  # re-open: refused in words, the app goes on
        await pilot.pause()
        await pilot.press("x")  # export: refused too
        await pilot.pause()
        assert app.screen is screen and app.is_running
        assert any("cannot be read" in n.message for n in app._notifications)
        table.move_cursor(row=table.get_row_index(str(good_ids[0])))
        await pilot.pause()
        from textual.widgets import Static

        assert "Paris is the [MASK] of France." in str(screen.query_one("#history-preview-text", Static).render())


# --- item 15: a locked DB ----------------------------------------------------------------------------------


class Locker:
    """Another process's connection holding an exclusive lock (readers and writers wait)."""

    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA locking_mode=EXCLUSIVE")
        self.db.execute("BEGIN EXCLUSIVE")
        self.db.execute("INSERT INTO runs (created_at, task, target, record) VALUES ('', 'x', 'x', '{}')")

    def release(self):
        self.db.execute("ROLLBACK")
        self.db.close()


@pytest.fixture
def locked_history():
    h = History.default()
    h.add(GOOD)
    h.close()
    locker = Locker(h.path)
    try:
        yield h
    finally:
        locker.release()


def test_a_locked_db_fails_fast_with_a_message_in_words(locked_history):
    h = History(locked_history.path)
    start = time.monotonic()
    with pytest.raises(HistoryError) as err:
        h.add(GOOD)
    assert time.monotonic() - start < 2.5  # a short busy timeout, not sqlite's 5 s
    assert "locked by another process" in str(err.value) and "not saved" in str(err.value)
    assert err.value.locked
    start = time.monotonic()
    with pytest.raises(HistoryError, match="locked by another process"):
        h.list()
    assert time.monotonic() - start < 2.5


async def test_history_io_runs_off_the_event_loop(locked_history):
    """While a save waits for the lock, the event loop keeps running (a UI would keep painting)."""
    import asyncio

    h = History(locked_history.path)
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    try:
        with pytest.raises(HistoryError, match="locked"):
            await h.add_async(GOOD)
        with pytest.raises(HistoryError, match="locked"):
            await h.list_async()
    finally:
        task.cancel()
    assert ticks >= 5


def _spy_threads(monkeypatch) -> list[bool]:
    """Records, for every History call, whether it ran on the main (UI) thread."""
    on_main: list[bool] = []
    for name in ("add", "list", "delete"):
        original = getattr(History, name)

        def spy(self, *args, _original=original, **kwargs):
            on_main.append(threading.current_thread() is threading.main_thread())
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(History, name, spy)
    return on_main


async def test_playground_saves_off_the_ui_thread_and_says_the_db_is_locked(make_app, locked_history,
                                                                            monkeypatch):
    from tests.hardening.test_markup_models_playground import open_playground, run

    on_main = _spy_threads(monkeypatch)
    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_playground(pilot, "fill-mask", "google-bert/bert-base-uncased")
        await run(pilot, screen)
        await wait_until(pilot, lambda: any("locked" in n.message for n in app._notifications), 10,
                         "the locked-history toast")
        note = next(n for n in app._notifications if "locked" in n.message)
        assert "history is locked by another process" in note.message and "not saved" in note.message
        assert "HistoryError" not in note.message
        assert screen.last_record is not None and screen.last_run_id is None
    assert on_main and not any(on_main)


async def test_history_screen_reads_off_the_ui_thread_and_says_the_db_is_locked(make_app, locked_history,
                                                                                monkeypatch):
    on_main = _spy_threads(monkeypatch)
    app = make_app(first_screen="endpoints")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await go(pilot, "history")
        await wait_until(pilot, lambda: "locked by another process" in screen_text(app), 10, "the locked status")
        assert screen.is_current
    assert on_main and not any(on_main)


async def test_playground_saves_normally_when_the_db_is_free(make_app):
    from tests.hardening.test_markup_models_playground import open_playground, run

    app = make_app(first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_playground(pilot, "fill-mask", "google-bert/bert-base-uncased")
        await run(pilot, screen)
        assert screen.last_run_id is not None
        assert History.default().get(screen.last_run_id)["task"] == "fill-mask"


# --- item 6: what History and Export show -------------------------------------------------------------------


EVIL = hostile_text("EVIL")
HOSTILE_RECORD = {
    **GOOD,
    "target": {"kind": "url", "model": EVIL, "url": "http://127.0.0.1:9/x" + ESCAPES, "provider": EVIL,
               "label": EVIL},
    "inputs": {"inputs": EVIL},
    "parameters": {"top_k": 3, EVIL: EVIL},
    "created_at": "2026-10-26T12:50:00Z" + ESCAPES + MARKUP,
    "error": EVIL,
    "result": {"_hftui_truncated": True, "chars": EVIL, "preview": EVIL},
}


async def test_history_detail_shows_a_planted_record_cleanly(make_app):
    h, _, bad_ids = _seed_db({"evil": json.dumps(HOSTILE_RECORD)}, good=0)
    app = make_app(first_screen="endpoints")
    async with app.run_test(size=(140, 50)) as pilot:
        await _history_screen(pilot)
        await pilot.pause()
        text = assert_clean_screen(app)
        assert "EVIL" in text
        assert "[bold red]B[/]" in text  # markup shown literally


def _no_controls(text: str) -> bool:
    return not any((ord(c) < 32 and c not in "\n") or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E
                   or 0x2066 <= ord(c) <= 0x2069 for c in text)


def test_export_snippets_carry_no_control_characters():
    from hftui.config import Settings
    from hftui.export import export_run

    rec = {**GOOD, "id": 3, "inputs": {"inputs": "a\x1b]52;c;aGk=\x07b\x9b31mc\u202ed\x7f"},
           "parameters": {"top_k": 3}}
    out = export_run(rec, settings=Settings())
    for fmt, snippet in out.items():
        assert _no_controls(snippet), (fmt, snippet)
    # the body still says the same thing, escaped for each language
    import shlex

    words = shlex.split(out["curl"].replace("\\\n", " "))
    body = json.loads(words[words.index("--data-raw") + 1])
    assert body["inputs"] == rec["inputs"]["inputs"]
    assert "\\x1b" in out["httpx"] and "\\x1b" in out["huggingface_hub"]


def test_an_export_with_escapes_in_the_url_is_refused_or_escaped():
    from hftui.config import Settings
    from hftui.export import ExportError, export_run

    rec = {**GOOD, "id": 3, "target": {"kind": "url", "url": "http://127.0.0.1:9/x\x1b]0;t\x07\n; rm -rf ~ #",
                                       "model": None}}
    try:
        out = export_run(rec, settings=Settings())
    except ExportError as exc:
        assert _no_controls(str(exc)) and "\n" not in str(exc)
    else:
        assert all(_no_controls(s) for s in out.values()), out


def test_hub_snippet_keeps_odd_parameter_names_as_data():
    """A parameter name is a keyword argument only when it is an identifier; never code."""
    import ast

    from hftui.config import Settings
    from hftui.export import export_run

    evil_key = "x=1)\nimport os; os.system('echo pwned')#"
    rec = {**GOOD, "id": 3, "task": "summarization", "inputs": {"inputs": "text"},
           "parameters": {evil_key: 1, "max_length": 20}}
    code = export_run(rec, settings=Settings())["huggingface_hub"]
    tree = ast.parse(code)
    assert not any(isinstance(n, (ast.Import, ast.ImportFrom)) and any(a.name == "os" for a in n.names)
                   for n in ast.walk(tree) if getattr(n, "lineno", 0) > 3), code
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "summarization"]
    (call,) = calls
    assert any(k.arg is None for k in call.keywords)  # the odd name travels in a ** dict
    assert "max_length" in {k.arg for k in call.keywords}


async def test_export_modal_of_a_planted_record_is_clean(make_app):
    _seed_db({"evil": json.dumps({**HOSTILE_RECORD, "target": {"kind": "model", "model": EVIL}})}, good=0)
    app = make_app(first_screen="endpoints")
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await _history_screen(pilot)
        await pilot.press("x")
        await wait_until(pilot, lambda: app.screen is not screen, 5, "the export modal")
        await pilot.pause()
        assert_clean_screen(app)
        assert app.is_running
