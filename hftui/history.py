"""Run history: every Playground run, kept in SQLite in the data dir.

    history = History.default()            # {data_dir}/history.sqlite3
    run_id = history.add(record)
    history.list(limit=200, task=None)     # newest first
    history.get(run_id); history.delete(run_id)

A record is a plain JSON-able dict::

    {"target": {"kind", "model", "url", "provider", "label"}, "task": str,
     "inputs": dict, "parameters": dict, "options": dict,
     "result": json-able | None, "error": str | None,
     "timings": {"elapsed": float, ...}, "created_at": iso str}

What is read back also carries ``id`` and ``status``: ``"cancelled"`` when the record says so
(a run stopped by the user), else ``"error"`` when it has an error, else ``"ok"``.

Stored sizes are bounded (a huge result or input is replaced by a marked
preview) and credentials never reach the file: keys that name a token or an
authorization header are dropped and ``hf_…`` strings are redacted.
Schema changes go through ``PRAGMA user_version`` migrations.
No Textual here; ``sqlite3`` is imported lazily to keep start-up fast.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

MAX_RESULT_CHARS = 200_000
"""A result whose JSON is longer than this is stored as a truncated preview."""
MAX_INPUT_CHARS = 100_000
"""Longest single input string kept (long prompts / contexts are cut)."""
MAX_ERROR_CHARS = 4_000
PREVIEW_CHARS = 4_000

TRUNCATED = "_hftui_truncated"
"""Key marking a value that was too big to keep (see ``_bound_result``)."""

_SECRET_KEYS = re.compile(r"^(authorization|proxy-authorization|token|hf_token|access_token|api_key|apikey|"
                          r"x-api-key|bearer|secret|password)$", re.IGNORECASE)
_TOKEN_PATTERN = re.compile(r"\b(hf_|api_org_)[A-Za-z0-9]{8,}")
REDACTED = "<redacted>"


def _scrub(value: Any, *, max_chars: int = MAX_INPUT_CHARS, depth: int = 0) -> Any:
    """A JSON-able copy: no credentials, strings bounded, bytes replaced by their size."""
    if depth > 32:
        return None
    if isinstance(value, dict):
        return {str(k): _scrub(v, max_chars=max_chars, depth=depth + 1)
                for k, v in value.items() if not _SECRET_KEYS.match(str(k))}
    if isinstance(value, (list, tuple)):
        return [_scrub(v, max_chars=max_chars, depth=depth + 1) for v in value]
    if isinstance(value, str):
        text = _TOKEN_PATTERN.sub(REDACTED, value)
        return text if len(text) <= max_chars else text[:max_chars] + "…"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"_hftui_bytes": len(bytes(value))}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if hasattr(value, "reveal"):  # an auth.Secret slipped in
        return REDACTED
    return _TOKEN_PATTERN.sub(REDACTED, str(value))[:max_chars]


def _bound_result(result: Any) -> Any:
    """Keep results whole when small; else a marked preview (the run stays re-runnable)."""
    scrubbed = _scrub(result, max_chars=MAX_RESULT_CHARS)
    text = json.dumps(scrubbed, ensure_ascii=False)
    if len(text) <= MAX_RESULT_CHARS:
        return scrubbed
    return {TRUNCATED: True, "chars": len(text), "preview": text[:PREVIEW_CHARS]}


def _iso_now() -> str:
    from hftui import clock

    return clock.now().isoformat(timespec="seconds")


def normalize(record: dict) -> dict:
    """The record as it will be stored: known keys, JSON-able, bounded, no secrets."""
    target = record.get("target") or {}
    if not isinstance(target, dict):
        target = {}
    error = record.get("error")
    return {
        "target": {k: _scrub(target.get(k)) for k in ("kind", "model", "url", "provider", "label", "send_token")
                   if k in target or k != "send_token"},
        "task": str(record.get("task") or ""),
        "inputs": _scrub(record.get("inputs") or {}),
        "parameters": _scrub(record.get("parameters") or {}),
        "options": _scrub(record.get("options") or {}),
        "result": _bound_result(record.get("result")),
        "error": None if error is None else _scrub(str(error), max_chars=MAX_ERROR_CHARS),
        "status": "cancelled" if record.get("status") == "cancelled" else ("error" if error else "ok"),
        "timings": _scrub(record.get("timings") or {}),
        "created_at": str(record.get("created_at") or _iso_now()),
        **({"warnings": _scrub(record["warnings"])} if isinstance(record.get("warnings"), list) else {}),
    }


# Each step moves the schema from version i to i+1; never edit a released step.
def _v1(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE runs ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " created_at TEXT NOT NULL,"
        " task TEXT NOT NULL,"
        " target TEXT NOT NULL,"
        " record TEXT NOT NULL)"
    )


def _v2(db: sqlite3.Connection) -> None:
    # Status and elapsed as columns so the history table lists runs without parsing every record.
    db.execute("ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'ok'")
    db.execute("ALTER TABLE runs ADD COLUMN elapsed REAL")
    db.execute("CREATE INDEX runs_task ON runs(task, id)")
    for row_id, raw in db.execute("SELECT id, record FROM runs").fetchall():
        try:
            rec = json.loads(raw)
        except ValueError:
            continue
        elapsed = (rec.get("timings") or {}).get("elapsed")
        db.execute("UPDATE runs SET status = ?, elapsed = ? WHERE id = ?",
                   ("error" if rec.get("error") else "ok",
                    elapsed if isinstance(elapsed, (int, float)) else None, row_id))


MIGRATIONS = (_v1, _v2)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(Exception):
    """The history file could not be opened or written; the message says where."""


class History:
    """The run history in one SQLite file. Safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        """Where the database lives (shown in the UI, ``hftui locate data``)."""
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    @classmethod
    def default(cls) -> History:
        from hftui.config import data_dir

        return cls(data_dir() / "history.sqlite3")

    # -- connection -----------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            import sqlite3

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, check_same_thread=False, timeout=5.0)
                db.execute("PRAGMA journal_mode=WAL")
                self._migrate(db)
            except (OSError, sqlite3.Error) as exc:
                raise HistoryError(f"cannot open run history {self.path}: {exc}") from None
            self._db = db
        return self._db

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(f"history schema v{version} is newer than this hftui (v{SCHEMA_VERSION})")
        for step in range(version, SCHEMA_VERSION):
            with db:  # one transaction per step: a failed step leaves the previous version intact
                MIGRATIONS[step](db)
                db.execute(f"PRAGMA user_version = {step + 1}")

    @property
    def schema_version(self) -> int:
        with self._lock:
            return self._conn().execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- records --------------------------------------------------------------

    def add(self, record: dict) -> int:
        """Store a run; returns its id."""
        import sqlite3

        rec = normalize(record)
        elapsed = rec["timings"].get("elapsed") if isinstance(rec["timings"], dict) else None
        row = (rec["created_at"], rec["task"], rec["target"].get("label") or rec["target"].get("model")
               or rec["target"].get("url") or "", json.dumps(rec, ensure_ascii=False),
               rec["status"], elapsed if isinstance(elapsed, (int, float)) else None)
        with self._lock:
            db = self._conn()
            try:
                with db:
                    cur = db.execute(
                        "INSERT INTO runs (created_at, task, target, record, status, elapsed)"
                        " VALUES (?, ?, ?, ?, ?, ?)", row)
            except sqlite3.Error as exc:
                raise HistoryError(f"cannot write run history {self.path}: {exc}") from None
            return int(cur.lastrowid)

    @staticmethod
    def _decode(row_id: int, status: str, raw: str) -> dict:
        try:
            rec = json.loads(raw)
        except ValueError:
            rec = {"task": "", "target": {}, "inputs": {}, "parameters": {}, "options": {}, "result": None,
                   "error": "unreadable history record", "timings": {}, "created_at": ""}
        rec["id"] = row_id
        rec["status"] = status
        return rec

    def list(self, limit: int = 200, task: str | None = None) -> list[dict]:
        """The newest runs first, optionally of one task."""
        sql = "SELECT id, status, record FROM runs"
        args: tuple = ()
        if task:
            sql += " WHERE task = ?"
            args = (task,)
        sql += " ORDER BY id DESC LIMIT ?"
        with self._lock:
            rows = self._conn().execute(sql, (*args, int(limit))).fetchall()
        return [self._decode(*row) for row in rows]

    def get(self, run_id: int) -> dict | None:
        with self._lock:
            row = self._conn().execute("SELECT id, status, record FROM runs WHERE id = ?", (int(run_id),)).fetchone()
        return self._decode(*row) if row else None

    def delete(self, run_id: int) -> None:
        with self._lock:
            db = self._conn()
            with db:
                db.execute("DELETE FROM runs WHERE id = ?", (int(run_id),))

    def __len__(self) -> int:
        with self._lock:
            return self._conn().execute("SELECT COUNT(*) FROM runs").fetchone()[0]

    def __repr__(self) -> str:
        return f"History({str(self.path)!r})"


def is_truncated(value: Any) -> bool:
    """True when a stored result was too big and only a preview was kept."""
    return isinstance(value, dict) and value.get(TRUNCATED) is True
