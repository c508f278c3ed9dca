"""Form fields of a task spec: what the user types, how it becomes a value.

A field is declarative (name, label, kind, default, bounds, choices, help).
``Field.coerce(raw)`` turns what a form holds (a string, a bool) into the
value sent to the client; it raises ``FieldError`` with a message fit to show
beside the field. ``None`` means "not set": parameters left empty are not
sent at all (the server's default applies).

No Textual, no httpx.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("text", "multiline", "int", "float", "bool", "tristate", "choice", "list", "file-image", "file-audio",
         "table", "json", "seconds")
"""``seconds``: a positive number of seconds, ``none`` (no limit) or empty (the default).
``tristate`` is a boolean that can also be left unset (not sent), whatever its default: for
flags whose mere presence matters (TGI's ``details``, ``watermark``… are refused by other models
even when false)."""

MAX_TABLE_CELLS = 10_000
MAX_LIST_ITEMS = 256


class FieldError(ValueError):
    """A value the field cannot accept; ``str()`` is the message for the user."""


def _unescape(item: str) -> str:
    # Stop sequences are often "\n\n": let people type them as escapes.
    return item.replace("\\n", "\n").replace("\\t", "\t")


def parse_list(raw: str) -> list[str]:
    """One item per line when the text has several lines, else comma-separated."""
    text = raw.strip("\n")
    if not text.strip():
        return []
    parts = text.splitlines() if "\n" in text else text.split(",")
    items = [_unescape(p.strip()) for p in parts]
    return [i for i in items if i]


def format_list(values: list[Any], *, multiline: bool = False) -> str:
    out = [str(v).replace("\n", "\\n").replace("\t", "\\t") for v in values]
    return "\n".join(out) if multiline else ", ".join(out)


def parse_table(raw: str) -> dict[str, list[str]]:
    """CSV with a header row -> ``{column: [cells...]}``, every cell a string."""
    text = raw.strip()
    if not text:
        return {}
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [r for r in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise FieldError("a header row and at least one data row are needed")
    header = [h.strip() for h in rows[0]]
    if any(not h for h in header):
        raise FieldError("every column needs a name in the header row")
    if len(set(header)) != len(header):
        raise FieldError("column names must be unique")
    if len(header) * (len(rows) - 1) > MAX_TABLE_CELLS:
        raise FieldError(f"table too large (over {MAX_TABLE_CELLS} cells)")
    table: dict[str, list[str]] = {h: [] for h in header}
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise FieldError(f"row {n} has {len(row)} cells, the header has {len(header)}")
        for h, cell in zip(header, row):
            table[h].append(cell.strip())
    return table


def format_table(table: dict[str, list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    cols = list(table)
    writer.writerow(cols)
    rows = max((len(v) for v in table.values()), default=0)
    for i in range(rows):
        writer.writerow([str(table[c][i]) if i < len(table[c]) else "" for c in cols])
    return buf.getvalue().rstrip("\n")


@dataclass(frozen=True)
class Field:
    """One input or parameter of a task."""

    name: str
    """Key in the form values (for inputs, the key of the client's input record)."""
    label: str
    kind: str = "text"
    default: Any = None
    """Initial form value (typed: str/int/float/bool/list/dict). None = empty."""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    required: bool = False
    path: tuple[str, ...] = ()
    """Where the value goes in the wire ``parameters`` (default: ``(name,)``)."""
    placeholder: str = ""
    advanced: bool = False
    """Shown collapsed by default in the form."""
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")

    @property
    def wire_path(self) -> tuple[str, ...]:
        return self.path or (self.name,)

    def to_form(self, value: Any) -> str | bool:
        """The form representation of a typed value (for defaults and re-opened runs)."""
        if self.kind == "bool":
            return bool(value) if value is not None else False
        if self.kind == "tristate":
            return "" if value is None else ("true" if value else "false")
        if value is None:
            return ""
        if self.kind == "list":
            return format_list(list(value), multiline=bool(self.extra.get("multiline")))
        if self.kind == "table":
            return format_table(value) if isinstance(value, dict) else str(value)
        if self.kind == "json":
            return json.dumps(value, indent=2, ensure_ascii=False) if not isinstance(value, str) else value
        if self.kind in ("float", "seconds"):
            return repr(float(value)) if not isinstance(value, str) else value
        return str(value)

    def coerce(self, raw: Any) -> Any:
        """Form value -> typed value (None when empty). Raises FieldError."""
        if self.kind in ("bool", "tristate"):
            if isinstance(raw, str):
                text = raw.strip().lower()
                return None if text in ("", "default", "none") else text in ("1", "true", "yes", "on")
            return bool(raw) if raw is not None else None
        if raw is None:
            value = None
        elif isinstance(raw, str):
            value = self._from_text(raw)
        else:
            value = self._from_typed(raw)
        if value is None or (isinstance(value, (list, dict, str)) and not value):
            if self.required:
                raise FieldError("required")
            return None
        return value

    def _from_typed(self, raw: Any) -> Any:
        # Values coming back from a saved run are already typed.
        if self.kind in ("int", "float", "seconds") and isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return self._number(str(raw))
        if self.kind == "list" and isinstance(raw, (list, tuple)):
            return [str(x) for x in raw][:MAX_LIST_ITEMS]
        if self.kind == "table" and isinstance(raw, dict):
            return {str(k): [str(c) for c in v] for k, v in raw.items() if isinstance(v, list)}
        if self.kind == "json":
            return raw
        return self._from_text(str(raw))

    def _from_text(self, raw: str) -> Any:
        kind = self.kind
        if kind in ("text", "multiline"):
            return raw if raw.strip() else None
        if kind == "choice":
            value = raw.strip()
            if not value:
                return None
            if self.choices and value not in self.choices:
                raise FieldError(f"one of: {', '.join(self.choices)}")
            return value
        if kind in ("int", "float"):
            return self._number(raw) if raw.strip() else None
        if kind == "seconds":
            text = raw.strip().lower()
            if text in ("none", "no limit", "off"):
                return NO_LIMIT
            return self._number(text) if text else None
        if kind == "list":
            items = parse_list(raw)
            if len(items) > MAX_LIST_ITEMS:
                raise FieldError(f"at most {MAX_LIST_ITEMS} items")
            return items
        if kind == "table":
            return parse_table(raw)
        if kind == "json":
            if not raw.strip():
                return None
            try:
                return json.loads(raw)
            except json.JSONDecodeError as exc:
                raise FieldError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
        if kind in ("file-image", "file-audio"):
            text = raw.strip()
            if not text:
                return None
            path = Path(text).expanduser()
            if not path.is_file():
                raise FieldError(f"no such file: {text}")
            return str(path)
        raise FieldError(f"unsupported kind {kind}")  # pragma: no cover - guarded in __post_init__

    def _number(self, raw: str) -> int | float:
        text = raw.strip()
        try:
            if self.kind == "int":
                as_float = float(text)
                if not as_float.is_integer():
                    raise ValueError
                value: int | float = int(as_float)
            else:
                value = float(text)
                if not math.isfinite(value):
                    raise ValueError
        except (ValueError, OverflowError):
            raise FieldError({"int": "a whole number", "seconds": "seconds, or none"}.get(self.kind, "a number")
                             ) from None
        if self.min is not None and value < self.min:
            raise FieldError(f"at least {self._fmt(self.min)}")
        if self.max is not None and value > self.max:
            raise FieldError(f"at most {self._fmt(self.max)}")
        return value

    @staticmethod
    def _fmt(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    @property
    def range_text(self) -> str:
        if self.min is None and self.max is None:
            return ""
        lo = self._fmt(self.min) if self.min is not None else ""
        hi = self._fmt(self.max) if self.max is not None else ""
        return f"{lo}…{hi}"


NO_LIMIT = "none"
"""The typed value of a ``seconds`` field set to no limit."""

# Options common to every task (CallOptions), shown in the form's options row.
# Off by default like huggingface_hub's InferenceClient (it sends no x-wait-for-model):
# a 503 'loading' then offers to wait.
WAIT_FOR_MODEL = Field("wait_for_model", "Wait for model", "bool", default=False,
                       help="On 503 'model loading', wait (with a countdown) and retry.")
TIMEOUT = Field("timeout", "Timeout (s)", "seconds", min=1, max=86400, placeholder="default, or none",
                help="The whole call, waiting for the model included; none: no limit.")
USE_CACHE = Field("use_cache", "Use cache", "bool", default=True,
                  help="Off sends x-use-cache: false, for a fresh sample.")
OPTION_FIELDS = (WAIT_FOR_MODEL, TIMEOUT, USE_CACHE)
