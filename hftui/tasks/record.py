"""The run record: what a Playground run leaves in the history (json-able dict).

    {target: {kind, model, url, provider, label, send_token, server?}, task, inputs: dict, parameters: dict,
     options: dict, result: json-able | None, error: str | None, status: ok | error | cancelled,
     timings: {ttft, elapsed, tokens, tokens_per_s}, created_at: RFC 3339,
     warnings?: [str]}

``inputs`` is the task's input record as ``hf.inference.run`` takes it (files
as paths), ``parameters`` the wire parameters, ``options`` the call options
plus local switches (``stream``). ``warnings`` (only when there are some)
say what the run changed on its own, e.g. TGI-only parameters a model
refused and the client dropped. ``hftui.history`` stores it; the
Playground re-opens it with ``TaskSpec.values_from_record``.
"""

from __future__ import annotations

import base64
import dataclasses
import math
from typing import Any

from hftui.tasks.spec import TaskSpec

MAX_RESULT_ITEMS = 2048


def target_record(target: Any) -> dict:
    record = {k: getattr(target, k, None) for k in ("kind", "model", "url", "provider", "label")} | {
        "send_token": getattr(target, "send_token", True)}
    auth = getattr(target, "auth", None)
    if auth is not None:  # a named server: its name, never its key
        record["server"] = auth.server
    return record


def target_from_record(data: dict) -> Any:
    from hftui.client.core import ServerAuth, Target

    data = data or {}
    server = data.get("server")
    return Target(kind=str(data.get("kind") or "model"), model=data.get("model"), url=data.get("url"),
                  provider=data.get("provider"), send_token=data.get("send_token", True) is not False,
                  label=data.get("label"), auth=ServerAuth(server) if isinstance(server, str) else None)


def to_jsonable(value: Any, *, depth: int = 0) -> Any:
    """Typed results -> plain JSON values (bounded; image bytes replaced by a note)."""
    if depth > 8:
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value).__name__ == "ImageResult":
            return {"media_type": value.media_type, "bytes": len(value.data)}
        return {f.name: to_jsonable(getattr(value, f.name), depth=depth + 1)
                for f in dataclasses.fields(value) if f.name != "raw"}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, depth=depth + 1) for v in list(value)[:MAX_RESULT_ITEMS]]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, depth=depth + 1) for k, v in list(value.items())[:MAX_RESULT_ITEMS]}
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value[:4096]).decode(), "bytes": len(value)}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def run_warnings(result: Any) -> list[str]:
    """What a result says the client did on its own (dropped parameters)."""
    dropped = result.get("dropped_parameters") if isinstance(result, dict) else getattr(
        result, "dropped_parameters", None)
    if not dropped or not isinstance(dropped, (list, tuple)):
        return []
    return [f"the model is not served by TGI: the parameters it refused were dropped "
            f"({', '.join(str(name) for name in dropped)})"]


def make_run_record(*, spec: TaskSpec, target: Any, values: dict, result: Any = None, error: str | None = None,
                    timings: dict | None = None, created_at: str | None = None,
                    extra_result: dict | None = None, status: str | None = None) -> dict:
    """The record of a run; ``status`` defaults to ``error`` when there is an error, else ``ok``."""
    from hftui.clock import now

    prepared_inputs = spec.input_record(values)
    record = {
        "target": target_record(target),
        "task": spec.task,
        "inputs": to_jsonable(prepared_inputs),
        "parameters": to_jsonable(spec.wire_parameters(values)),
        "options": to_jsonable(spec.options_record(values)),
        "result": to_jsonable(result) if result is not None else None,
        "error": error,
        "status": status or ("error" if error else "ok"),
        "timings": {k: (timings or {}).get(k) for k in ("ttft", "elapsed", "tokens", "tokens_per_s")},
        "created_at": created_at or now().isoformat().replace("+00:00", "Z"),
    }
    warnings = run_warnings(result)
    if warnings:
        record["warnings"] = warnings
    if extra_result and isinstance(record["result"], dict):
        record["result"].update(extra_result)
    elif extra_result and record["result"] is None:
        record["result"] = dict(extra_result)
    return record
