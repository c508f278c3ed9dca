"""Run history: SQLite storage, bounds, secrets, migrations (no Textual)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from hftui.history import SCHEMA_VERSION, History, HistoryError, is_truncated


def _record(**over):
    rec = {
        "target": {"kind": "model", "model": "google-bert/bert-base-uncased", "url": None, "provider": None,
                   "label": "google-bert/bert-base-uncased"},
        "task": "fill-mask",
        "inputs": {"inputs": "Paris is the [MASK] of France."},
        "parameters": {"top_k": 3},
        "options": {"wait_for_model": False, "use_cache": True},
        "result": [{"token_str": "capital", "score": 0.9, "sequence": "paris is the capital of france."}],
        "error": None,
        "timings": {"elapsed": 0.42},
        "created_at": "2026-10-26T12:59:00+00:00",
    }
    rec.update(over)
    return rec


def test_add_get_list_delete(tmp_path):
    h = History(tmp_path / "h.sqlite3")
    a = h.add(_record())
    b = h.add(_record(task="summarization", inputs={"inputs": "long text"}, result="short",
                      error=None, timings={"elapsed": 1.5}))
    c = h.add(_record(result=None, error="Model is loading"))
    assert (a, b, c) == (1, 2, 3)
    got = h.get(a)
    assert got["id"] == a and got["status"] == "ok"
    assert got["inputs"] == {"inputs": "Paris is the [MASK] of France."}
    assert got["result"][0]["token_str"] == "capital"
    assert got["timings"]["elapsed"] == 0.42
    assert [r["id"] for r in h.list()] == [c, b, a]
    assert [r["id"] for r in h.list(task="fill-mask")] == [c, a]
    assert [r["id"] for r in h.list(limit=1)] == [c]
    assert h.get(c)["status"] == "error" and h.get(c)["error"] == "Model is loading"
    h.delete(b)
    assert h.get(b) is None
    assert len(h) == 2
    h.close()
    # survives a reopen
    assert [r["id"] for r in History(tmp_path / "h.sqlite3").list()] == [c, a]


def test_default_lives_in_data_dir(isolated_env):
    h = History.default()
    h.add(_record())
    assert h.path == isolated_env / "data" / "hftui" / "history.sqlite3"
    assert h.path.is_file()


def test_never_stores_a_token(tmp_path):
    tok = "hf_" + "a1B2c3D4e5F6g7H8i9J0" * 2
    h = History(tmp_path / "h.sqlite3")
    h.add(_record(options={"use_cache": True, "token": tok, "headers": {"Authorization": f"Bearer {tok}"}},
                  inputs={"inputs": f"my key is {tok}"}, error=f"401 for token {tok}"))
    h.close()
    raw = (tmp_path / "h.sqlite3").read_bytes()
    for extra in tmp_path.glob("h.sqlite3*"):
        raw += extra.read_bytes()
    assert tok.encode() not in raw
    rec = History(tmp_path / "h.sqlite3").list()[0]
    assert "token" not in rec["options"] and "Authorization" not in rec["options"]["headers"]
    assert "<redacted>" in rec["inputs"]["inputs"]


def test_sizes_are_bounded(tmp_path):
    h = History(tmp_path / "h.sqlite3")
    huge = [[0.123456789] * 1000 for _ in range(500)]  # ~6 MB of JSON
    rid = h.add(_record(task="feature-extraction", result=huge, inputs={"inputs": "x" * 1_000_000},
                        error=None))
    rec = h.get(rid)
    assert is_truncated(rec["result"])
    assert rec["result"]["chars"] > 1_000_000 and len(rec["result"]["preview"]) <= 4_000
    assert len(rec["inputs"]["inputs"]) < 200_000
    assert (tmp_path / "h.sqlite3").stat().st_size < 2_000_000
    # bytes never go in as-is
    rid = h.add(_record(task="image-classification", inputs={"image": b"\x89PNG" + b"0" * 100}))
    assert h.get(rid)["inputs"]["image"] == {"_hftui_bytes": 104}


def test_migrates_a_v1_database(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,"
               " task TEXT NOT NULL, target TEXT NOT NULL, record TEXT NOT NULL)")
    old = _record(error="boom", result=None, timings={"elapsed": 2.0})
    db.execute("INSERT INTO runs (created_at, task, target, record) VALUES (?, ?, ?, ?)",
               (old["created_at"], old["task"], "x", json.dumps(old)))
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    h = History(path)
    assert h.schema_version == SCHEMA_VERSION == 2
    (rec,) = h.list()
    assert rec["status"] == "error" and rec["error"] == "boom"
    cols = {r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(runs)")}
    assert {"status", "elapsed"} <= cols
    h.add(_record())
    assert len(h) == 2


def test_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "new.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(HistoryError, match="newer"):
        History(path).list()


def test_import_is_light():
    code = "import sys, hftui.history; print('sqlite3' in sys.modules, 'textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
