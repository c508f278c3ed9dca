"""Export a history run as code: a curl command, a Python httpx snippet, a huggingface_hub snippet.

    export_run(record, *, settings, include_token=False, token=None)
        -> {"curl": str, "httpx": str, "huggingface_hub": str}

The snippets send the same request as the run (URL, headers, JSON body, or
the file as a raw body). The token is written as ``$HF_TOKEN`` /
``os.environ["HF_TOKEN"]`` unless ``include_token=True`` (then ``token``, a
``Secret``, is written in clear — the caller asked for it).

The request itself comes from the client (``request_for_record`` calls
``InferenceAPI.build``, which builds a request without sending it), so an
export cannot drift from what hftui sends. A record that cannot be built
raises ``ExportError``. No Textual.
"""

from __future__ import annotations

import json
import mimetypes
import pprint
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hftui.auth import Secret
    from hftui.config import Settings

FORMATS = ("curl", "httpx", "huggingface_hub")
"""Export formats, in the order the modal offers them."""

TOKEN_ENV = "HF_TOKEN"

_FILE_KEYS = ("image", "audio", "file", "path", "inputs")


@dataclass
class RequestSpec:
    """One HTTP request, as data: what the snippets reproduce."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    """Without Authorization: that one is ``auth`` (written per snippet)."""
    json: Any = None
    file: str | None = None
    """Path of a file sent as the raw body (binary tasks without parameters)."""
    file_json_key: bool = False
    """The file goes base64-encoded into ``{"inputs": ...}`` of ``json`` (binary tasks with parameters)."""
    auth: bool = True
    """Send ``Authorization: Bearer <token>``."""
    stream: bool = False
    """The response is an SSE stream."""
    accept_image: bool = False
    """The response is an image (text-to-image): the snippets save it to a file."""


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _file_input(inputs: dict) -> str | None:
    for key in _FILE_KEYS:
        value = inputs.get(key)
        if isinstance(value, str) and value:
            return value
    return None


class ExportError(Exception):
    """The record cannot be turned into a request (the message says why)."""


class _SettingsOnly:
    """What ``InferenceAPI.build`` reads from its client: the settings (no connection pool needed)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def _chat_base(url: str) -> str:
    return url.removesuffix("/chat/completions")


def request_for_record(record: dict, settings: Settings) -> RequestSpec:
    """The request the run sent, built by the client itself (``InferenceAPI.build``) without sending it."""
    from hftui.client import BadRequest, CallOptions
    from hftui.client.inference import InferenceAPI
    from hftui.client.wire_tasks import Protocol, wire_task
    from hftui.tasks.record import target_from_record

    try:
        wire = wire_task(record.get("task"))  # aliases too: "conversational" is the Hub's name for chat
    except BadRequest as exc:
        from hftui.sanitize import one_line

        raise ExportError(f"cannot export this run: {one_line(exc.user_message(), 300)}") from None
    task = wire.name
    inputs = dict(record.get("inputs") or {})
    params = record.get("parameters") or {}
    options = record.get("options") or {}
    call = CallOptions(wait_for_model=bool(options.get("wait_for_model")),
                       use_cache=options.get("use_cache") is not False,
                       bill_to=options.get("bill_to") or None)
    stream = wire.streams and options.get("stream", True) is not False
    path = _file_input(inputs) if wire.binary else None
    if path is not None:  # the snippet reads the file itself; the client must not
        inputs = {"inputs": b""}
    target = target_from_record(record.get("target") or {})
    try:
        raw = InferenceAPI(_SettingsOnly(settings)).build(task, target, inputs, params, call, stream=stream)
    except (BadRequest, TypeError, ValueError) as exc:
        message = exc.user_message() if isinstance(exc, BadRequest) else str(exc)
        raise ExportError(f"cannot export this run: {message}") from None
    headers = dict(raw.headers)
    if call.wait_for_model:  # hftui adds it after a 503; a one-shot snippet asks up front
        headers["x-wait-for-model"] = "true"
    spec = RequestSpec(raw.method, raw.url, headers=headers, json=raw.json,
                       auth=raw.send_token is not False, stream=stream,
                       accept_image=wire.protocol is Protocol.IMAGE)
    if path is not None:
        spec.file = path
        if isinstance(raw.json, dict):  # parameters given: base64 inside JSON
            spec.file_json_key = True
            spec.json = {**raw.json, "inputs": "<base64 of the file>"}
        else:
            spec.headers["content-type"] = mimetypes.guess_type(path)[0] or "application/octet-stream"
    elif raw.json is None:
        raise ExportError("cannot export this run: its input file is not recorded")
    return spec


# --- snippets --------------------------------------------------------------------------------------------


def _json_text(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _image_out(record: dict) -> str:
    return f"hftui-run-{record.get('id', 'output')}.png"


def to_curl(spec: RequestSpec, record: dict, *, token: str | None = None) -> str:
    parts = ["curl", "-sS"]
    if spec.stream:
        parts.append("-N")
    parts += ["-X", spec.method, shlex.quote(spec.url)]
    lines = [" ".join(parts)]
    if spec.auth:
        lines.append("-H " + (shlex.quote(f"Authorization: Bearer {token}") if token
                              else f'"Authorization: Bearer ${TOKEN_ENV}"'))
    for key, value in spec.headers.items():
        lines.append("-H " + shlex.quote(f"{key}: {value}"))
    prefix = ""
    if spec.file_json_key and spec.file:
        params = _json_text(spec.json.get("parameters", {}) if isinstance(spec.json, dict) else {})
        prefix = (f"base64 < {shlex.quote(spec.file)} | tr -d '\\n' | "
                  f"jq -Rc {shlex.quote('{inputs: ., parameters: ' + params + '}')} | ")
        lines.append("--data-binary @-")
    elif spec.file:
        lines.append("--data-binary @" + shlex.quote(spec.file))
    elif spec.json is not None:
        lines.append("--data-raw " + shlex.quote(_json_text(spec.json)))
    if spec.accept_image:
        lines.append("-o " + shlex.quote(_image_out(record)))
    return prefix + " \\\n  ".join(lines) + "\n"


def _py(value: Any) -> str:
    """A Python literal of a JSON-able value (True/False/None, not true/false/null)."""
    return pprint.pformat(value, width=100, sort_dicts=False)


def to_httpx(spec: RequestSpec, record: dict, *, token: str | None = None) -> str:
    lines = []
    if spec.file_json_key:
        lines.append("import base64")
    if spec.auth and not token:
        lines.append("import os")
    lines += ["", "import httpx", "", f"url = {spec.url!r}"]
    headers = dict(spec.headers)
    head_lines = ["headers = {"]
    if spec.auth:
        head_lines.append(f'    "Authorization": "Bearer " + {repr(token) if token else f"os.environ[{TOKEN_ENV!r}]"},')
    for key, value in headers.items():
        head_lines.append(f"    {key!r}: {value!r},")
    head_lines.append("}")
    lines += head_lines
    if spec.file_json_key and spec.file:
        params = spec.json.get("parameters", {}) if isinstance(spec.json, dict) else {}
        lines += [f"with open({spec.file!r}, 'rb') as f:",
                  "    data = base64.b64encode(f.read()).decode()",
                  f"payload = {{'inputs': data, 'parameters': {_py(params)}}}"]
        send = "json=payload"
    elif spec.file:
        lines += [f"with open({spec.file!r}, 'rb') as f:", "    body = f.read()"]
        send = "content=body"
    else:
        lines.append(f"payload = {_py(spec.json)}")
        send = "json=payload"
    lines.append("")
    if spec.stream:
        lines += [f"with httpx.stream({spec.method!r}, url, headers=headers, {send}, timeout=120) as response:",
                  "    response.raise_for_status()",
                  "    for line in response.iter_lines():",
                  "        if line.startswith('data:'):",
                  "            print(line[5:].strip())"]
    else:
        lines += [f"response = httpx.request({spec.method!r}, url, headers=headers, {send}, timeout=120)",
                  "response.raise_for_status()"]
        if spec.accept_image:
            out = _image_out(record)
            lines += [f"with open({out!r}, 'wb') as f:", "    f.write(response.content)",
                      f"print('saved', {out!r})"]
        else:
            lines.append("print(response.json())")
    return "\n".join(lines).lstrip("\n") + "\n"


_HUB_METHODS = {
    "fill-mask": ("fill_mask", "text"), "summarization": ("summarization", "text"),
    "translation": ("translation", "text"), "text-classification": ("text_classification", "text"),
    "token-classification": ("token_classification", "text"),
    "zero-shot-classification": ("zero_shot_classification", "text"),
    "text-generation": ("text_generation", "prompt"), "feature-extraction": ("feature_extraction", "text"),
    "text-to-image": ("text_to_image", "prompt"), "image-classification": ("image_classification", "image"),
    "object-detection": ("object_detection", "image"), "image-to-text": ("image_to_text", "image"),
    "automatic-speech-recognition": ("automatic_speech_recognition", "audio"),
}


def _kwargs(items: dict) -> str:
    return "".join(f"    {k}={_py(v)},\n" for k, v in items.items())


def to_huggingface_hub(spec: RequestSpec, record: dict, settings: Settings, *, token: str | None = None) -> str:
    from hftui.config import DEFAULT_INFERENCE_URL

    target = record.get("target") or {}
    task = record.get("task") or ""
    inputs = record.get("inputs") or {}
    params = _drop_none(dict(record.get("parameters") or {}))
    kind = target.get("kind") or "model"
    key = repr(token) if token else f"os.environ[{TOKEN_ENV!r}]"
    client_args: list[str] = []
    model_arg: str | None = target.get("model")
    standard_host = settings.inference_url.rstrip("/") == DEFAULT_INFERENCE_URL

    if kind == "url":
        if task == "chat-completion":
            client_args.append(f"base_url={_chat_base(spec.url)!r}")
            model_arg = None
        else:
            model_arg = spec.url
    elif task == "chat-completion" and kind == "router":
        if standard_host:
            client_args.append(f"provider={(target.get('provider') or 'auto')!r}")
        else:
            client_args.append(f"base_url={_chat_base(spec.url)!r}")
            model_arg = spec.json.get("model") if isinstance(spec.json, dict) else model_arg
    elif standard_host:
        client_args.append("provider='hf-inference'")
    else:  # a non-default router (mirror, emulator): call the exact URL hftui used
        if task == "chat-completion":
            client_args.append(f"base_url={_chat_base(spec.url)!r}")
        else:
            model_arg = spec.url
    if spec.auth:
        client_args.append(f"api_key={key}")
    if spec.headers.get("x-hf-bill-to"):
        client_args.append(f"bill_to={spec.headers['x-hf-bill-to']!r}")

    call_kwargs: dict[str, Any] = {}
    if task == "chat-completion":
        method, first = "chat_completion", {"messages": inputs.get("messages") or []}
        call_kwargs.update(params)
        call_kwargs["stream"] = True
    elif task == "question-answering":
        method, first = "question_answering", {"question": inputs.get("question"), "context": inputs.get("context")}
        call_kwargs.update(params)
    elif task == "table-question-answering":
        method, first = "table_question_answering", {"table": inputs.get("table"), "query": inputs.get("query")}
        call_kwargs.update(params)
    elif task == "sentence-similarity":
        method, first = "sentence_similarity", {"sentence": inputs.get("source_sentence"),
                                                "other_sentences": inputs.get("sentences") or []}
    elif task in _HUB_METHODS:
        method, arg = _HUB_METHODS[task]
        value = _file_input(inputs) if arg in ("image", "audio") else inputs.get("inputs", inputs.get(arg))
        first = {arg: value}
        labels = inputs.get("candidate_labels", inputs.get("labels"))
        if task == "zero-shot-classification":
            first["candidate_labels"] = labels if labels is not None else params.get("candidate_labels", [])
            params = {k: v for k, v in params.items() if k != "candidate_labels"}
        call_kwargs.update(params)
        if task == "text-generation":
            call_kwargs["stream"] = True
    else:
        method, first = None, {}

    lines = ["import os", "", "from huggingface_hub import InferenceClient", ""] if spec.auth and not token else \
        ["from huggingface_hub import InferenceClient", ""]
    lines.append("client = InferenceClient(" + ", ".join(client_args) + ")")
    if method is None:
        return (f"# huggingface_hub's InferenceClient has no helper for the task {task!r}:\n"
                "# use the curl or httpx export of this run.\n")
    args = dict(first)
    if model_arg is not None:
        args["model"] = model_arg
    args.update(call_kwargs)
    lines.append(f"result = client.{method}(\n{_kwargs(args)})")
    if task == "chat-completion":
        lines += ["for chunk in result:", "    print(chunk.choices[0].delta.content or '', end='', flush=True)",
                  "print()"]
    elif task == "text-generation":
        lines += ["for token in result:", "    print(token, end='', flush=True)", "print()"]
    elif task == "text-to-image":
        out = _image_out(record)
        lines += [f"result.save({out!r})", f"print('saved', {out!r})"]
    else:
        lines.append("print(result)")
    return "\n".join(lines) + "\n"


def export_run(record: dict, *, settings: Settings, include_token: bool = False,
               token: Secret | None = None) -> dict[str, str]:
    """The run as ``{"curl", "httpx", "huggingface_hub"}`` snippets."""
    spec = request_for_record(record, settings)
    raw = token.reveal() if (include_token and token) else None
    return {
        "curl": to_curl(spec, record, token=raw),
        "httpx": to_httpx(spec, record, token=raw),
        "huggingface_hub": to_huggingface_hub(spec, record, settings, token=raw),
    }


def save_snippet(text: str, fmt: str, record: dict, directory: Path | None = None) -> Path:
    """Write a snippet under ``{data_dir}/exports`` (or ``directory``); returns the path."""
    from hftui.config import data_dir

    folder = Path(directory) if directory else data_dir() / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = {"curl": "sh", "httpx": "py", "huggingface_hub": "py"}[fmt]
    name = f"run-{record.get('id', 'new')}-{fmt}.{suffix}"
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(0o700 if fmt == "curl" else 0o600)  # it may hold the token when the user asked for it
    return path
