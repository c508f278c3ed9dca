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

The file is anyone's to damage (another program, an older hftui, an
attacker with the file): a row that is not a record of the right shape is
read back as ``unreadable`` (``"unreadable": reason``, ``status "error"``,
empty fields) and the rest load. The file is created 0600 in a private dir
and never opened through a symlink (``hftui.file_trust``).

Another process may hold the file locked: every call waits at most
``BUSY_TIMEOUT`` and then raises ``HistoryError`` (``locked=True``) saying so.
The UI calls the ``*_async`` variants (or ``save_run``), which run in a
thread: the event loop never waits on SQLite.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hftui.sanitize import mask_pieces, scrub

if TYPE_CHECKING:
    import sqlite3

MAX_RESULT_CHARS = 200_000
"""A result whose JSON is longer than this is stored as a truncated preview."""
MAX_INPUT_CHARS = 100_000
"""Longest single input string kept (long prompts / contexts are cut)."""
MAX_ERROR_CHARS = 4_000
PREVIEW_CHARS = 4_000
MAX_RECORD_CHARS = 16_000_000
"""A stored record longer than this is not read (it is reported unreadable)."""
MAX_DEPTH = 64
"""Records are written at most ~34 levels deep; deeper ones are unreadable (renderers recurse)."""
BUSY_TIMEOUT = 0.5
"""Seconds to wait for a lock held by another process before giving up."""

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
        return [_scrub(v, max_chars=max_chars, depth=depth + 1) for v in _pieces_masked(value)]
    if isinstance(value, str):
        text = _TOKEN_PATTERN.sub(REDACTED, scrub(value))
        return text if len(text) <= max_chars else text[:max_chars] + "…"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"_hftui_bytes": len(bytes(value))}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if hasattr(value, "reveal"):  # an auth.Secret slipped in
        return REDACTED
    return _TOKEN_PATTERN.sub(REDACTED, str(value))[:max_chars]


def _pieces_masked(items: list | tuple) -> list:
    """A generation's tokens (``{"text": …}`` each) with a registered secret masked also where it
    spans several of them: one by one, a token echoed in pieces would be kept whole."""
    if not items or not all(isinstance(item, dict) and isinstance(item.get("text"), str) for item in items):
        return list(items)
    texts = mask_pieces([item["text"] for item in items])
    return [{**item, "text": text} for item, text in zip(items, texts)]


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
        except (TypeError, ValueError, RecursionError):
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("timings") or {}, dict):
            continue  # unreadable: listed as such, never fatal to the migration
        elapsed = (rec.get("timings") or {}).get("elapsed")
        db.execute("UPDATE runs SET status = ?, elapsed = ? WHERE id = ?",
                   ("error" if rec.get("error") else "ok",
                    elapsed if isinstance(elapsed, (int, float)) else None, row_id))


MIGRATIONS = (_v1, _v2)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(Exception):
    """The history file could not be opened, read or written; the message says what happened."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked
        """True when another process holds the file locked (trying again later may work)."""


def _is_busy(exc: Exception) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (and their extended codes)
    text = str(exc).lower()
    return "locked" in text or "busy" in text


# --- reading records back: anything may be in the file ---------------------------------------------------

_FIELDS: dict[str, tuple[type, ...]] = {
    "target": (dict,), "task": (str,), "inputs": (dict,), "parameters": (dict,), "options": (dict,),
    "error": (str, type(None)), "timings": (dict,), "created_at": (str,),
}
_TARGET_FIELDS: dict[str, tuple[type, ...]] = {
    "kind": (str, type(None)), "model": (str, type(None)), "url": (str, type(None)),
    "provider": (str, type(None)), "label": (str, type(None)), "send_token": (bool, type(None)),
}


def _too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def _shape_problem(rec: Any) -> str | None:
    """Why ``rec`` is not a readable run record, or None."""
    if not isinstance(rec, dict):
        return f"a JSON {type(rec).__name__}, not a record"
    for key, kinds in _FIELDS.items():
        if key in rec and rec[key] is not None and not isinstance(rec[key], kinds):
            return f"{key} is a {type(rec[key]).__name__}"
    for key, kinds in _TARGET_FIELDS.items():
        value = (rec.get("target") or {}).get(key)
        if value is not None and not isinstance(value, kinds):
            return f"target.{key} is a {type(value).__name__}"
    if _too_deep(rec):
        return "nested too deeply"
    return None


def _unreadable(row_id: int, reason: str) -> dict:
    return {"id": row_id, "status": "error", "unreadable": reason, "task": "", "target": {}, "inputs": {},
            "parameters": {}, "options": {}, "result": None,
            "error": f"unreadable history record #{row_id}: {reason}", "timings": {}, "created_at": ""}


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
        """The open connection (opened on first use; sqlite errors are mapped by ``_guard``)."""
        if self._db is None:
            import sqlite3

            from hftui.file_trust import private_file

            try:
                # Created 0600 in a private dir before SQLite sees it (SQLite would create it 0644,
                # and its -wal/-shm files copy the database's mode); never through a symlink.
                private_file(self.path)
            except OSError as exc:
                raise HistoryError(f"run history not opened: {exc}") from None
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=BUSY_TIMEOUT)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                self._migrate(db)
            except BaseException:
                db.close()
                raise
            self._db = db
        return self._db

    @contextmanager
    def _guard(self, lost: str):
        """One lock for the connection; SQLite's errors become a ``HistoryError`` saying what was lost."""
        import sqlite3

        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                if _is_busy(exc):
                    raise HistoryError(f"run history is locked by another process; {lost}", locked=True) from None
                raise HistoryError(f"run history {self.path}: {exc}; {lost}") from None

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
        with self._guard("could not read it"):
            return self._conn().execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- records --------------------------------------------------------------

    def add(self, record: dict) -> int:
        """Store a run; returns its id."""
        rec = normalize(record)
        elapsed = rec["timings"].get("elapsed") if isinstance(rec["timings"], dict) else None
        row = (rec["created_at"], rec["task"], rec["target"].get("label") or rec["target"].get("model")
               or rec["target"].get("url") or "", json.dumps(rec, ensure_ascii=False),
               rec["status"], elapsed if isinstance(elapsed, (int, float)) else None)
        with self._guard("this run was not saved"):
            db = self._conn()
            with db:
                cur = db.execute(
                    "INSERT INTO runs (created_at, task, target, record, status, elapsed)"
                    " VALUES (?, ?, ?, ?, ?, ?)", row)
            return int(cur.lastrowid)

    @staticmethod
    def _decode(row_id: int, status: object, raw: object) -> dict:
        """A stored row as a record; a row that is not one comes back ``unreadable`` (never raises)."""
        if raw is None:
            return _unreadable(row_id, f"longer than {MAX_RECORD_CHARS:,} characters")
        if not isinstance(raw, (str, bytes)):
            return _unreadable(row_id, "not text")
        try:
            rec = json.loads(raw)
        except (ValueError, RecursionError):
            return _unreadable(row_id, "not valid JSON")
        reason = _shape_problem(rec)
        if reason:
            return _unreadable(row_id, reason)
        for key, default in (("target", {}), ("task", ""), ("inputs", {}), ("parameters", {}), ("options", {}),
                             ("timings", {}), ("created_at", "")):
            if rec.get(key) is None:
                rec[key] = default
        rec.setdefault("result", None)
        rec.setdefault("error", None)
        rec["id"] = row_id
        rec["status"] = status if status in ("error", "cancelled") else "ok"
        return rec

    # Rows too long to be a record are not even read into memory.
    _ROW = f"SELECT id, status, CASE WHEN length(record) > {MAX_RECORD_CHARS} THEN NULL ELSE record END FROM runs"

    def list(self, limit: int = 200, task: str | None = None) -> list[dict]:
        """The newest runs first, optionally of one task."""
        sql = self._ROW
        args: tuple = ()
        if task:
            sql += " WHERE task = ?"
            args = (task,)
        sql += " ORDER BY id DESC LIMIT ?"
        with self._guard("the runs could not be read"):
            rows = self._conn().execute(sql, (*args, int(limit))).fetchall()
        return [self._decode(*row) for row in rows]

    def get(self, run_id: int) -> dict | None:
        with self._guard("the run could not be read"):
            row = self._conn().execute(self._ROW + " WHERE id = ?", (int(run_id),)).fetchone()
        return self._decode(*row) if row else None

    def delete(self, run_id: int) -> None:
        with self._guard("the run was not deleted"):
            db = self._conn()
            with db:
                db.execute("DELETE FROM runs WHERE id = ?", (int(run_id),))

    def __len__(self) -> int:
        with self._guard("the runs could not be counted"):
            return self._conn().execute("SELECT COUNT(*) FROM runs").fetchone()[0]

    # -- the same, off the event loop (the UI's calls) ------------------------------------------------

    async def add_async(self, record: dict) -> int:
        return await asyncio.to_thread(self.add, record)

    async def list_async(self, limit: int = 200, task: str | None = None) -> list[dict]:
        return await asyncio.to_thread(self.list, limit, task)

    async def get_async(self, run_id: int) -> dict | None:
        return await asyncio.to_thread(self.get, run_id)

    async def delete_async(self, run_id: int) -> None:
        await asyncio.to_thread(self.delete, run_id)

    def __repr__(self) -> str:
        return f"History({str(self.path)!r})"


async def save_run(record: dict, history: History | None = None) -> int:
    """Store a run from the UI: in a thread, with the short busy timeout; raises ``HistoryError``.

    Without ``history``, the default file is opened for this one save and closed again.
    """
    if history is not None:
        return await history.add_async(record)

    def add_once() -> int:
        own = History.default()
        try:
            return own.add(record)
        finally:
            own.close()

    return await asyncio.to_thread(add_once)


def is_truncated(value: Any) -> bool:
    """True when a stored result was too big and only a preview was kept."""
    return isinstance(value, dict) and value.get(TRUNCATED) is True
