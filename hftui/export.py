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

A record may come from a planted history file: nothing in it becomes code or
reaches a terminal raw. Strings are Python ``repr`` literals (controls
escaped), JSON escapes every control character, a parameter name that is not
an identifier goes into a ``**{...}`` dict, and a URL, header or path holding
a control character is not written into a curl command at all (that format
says why instead). Snippets are saved 0600 (curl 0700) through a temp file,
never through a symlink (``hftui.file_trust``).
"""

from __future__ import annotations

import json
import keyword
import mimetypes
import pprint
import re
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
        from hftui.sanitize import one_line

        message = exc.user_message() if isinstance(exc, BadRequest) else str(exc)
        raise ExportError(f"cannot export this run: {one_line(message, 300)}") from None
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


# What json.dumps(ensure_ascii=False) leaves raw but a terminal or an editor must not get: DEL, C1,
# line/paragraph separators, bidi overrides and isolates, lone surrogates. Only inside JSON strings
# (everything else json.dumps writes is ASCII), where \uXXXX means the same character.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _json_text(value: Any, indent: int | None = None) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _run_id(record: dict) -> int | None:
    rid = record.get("id")
    return rid if isinstance(rid, int) and not isinstance(rid, bool) else None


def _image_out(record: dict) -> str:
    rid = _run_id(record)
    return f"hftui-run-{'output' if rid is None else rid}.png"


def _shell_word(value: str, what: str) -> str:
    """``value`` quoted for the shell; a control character (ESC, newline...) refuses the curl format."""
    from hftui.sanitize import one_line

    if not isinstance(value, str) or one_line(value, None, mask_secrets=False) != value:
        raise ExportError(f"cannot export this run as curl: its {what} holds control characters")
    return shlex.quote(value)


def to_curl(spec: RequestSpec, record: dict, *, token: str | None = None) -> str:
    parts = ["curl", "-sS"]
    if spec.stream:
        parts.append("-N")
    parts += ["-X", _shell_word(spec.method, "method"), _shell_word(spec.url, "URL")]
    lines = [" ".join(parts)]
    if spec.auth:
        lines.append("-H " + (shlex.quote(f"Authorization: Bearer {token}") if token
                              else f'"Authorization: Bearer ${TOKEN_ENV}"'))
    for key, value in spec.headers.items():
        lines.append("-H " + _shell_word(f"{key}: {value}", "header"))
    prefix = ""
    if spec.file_json_key and spec.file:
        params = _json_text(spec.json.get("parameters", {}) if isinstance(spec.json, dict) else {})
        prefix = (f"base64 < {_shell_word(spec.file, 'file path')} | tr -d '\\n' | "
                  f"jq -Rc {shlex.quote('{inputs: ., parameters: ' + params + '}')} | ")
        lines.append("--data-binary @-")
    elif spec.file:
        lines.append("--data-binary @" + _shell_word(spec.file, "file path"))
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
    """Keyword arguments; a name that is not an identifier (from a planted record) stays data: ``**{...}``."""
    plain = {k: v for k, v in items.items() if isinstance(k, str) and k.isidentifier() and not keyword.iskeyword(k)}
    odd = {k: v for k, v in items.items() if not (isinstance(k, str) and k in plain)}
    text = "".join(f"    {k}={_py(v)},\n" for k, v in plain.items())
    return text + (f"    **{_py(odd)},\n" if odd else "")


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
    from hftui.sanitize import clean

    spec = request_for_record(record, settings)
    raw = token.reveal() if (include_token and token) else None
    makers = {
        "curl": lambda: to_curl(spec, record, token=raw),
        "httpx": lambda: to_httpx(spec, record, token=raw),
        "huggingface_hub": lambda: to_huggingface_hub(spec, record, settings, token=raw),
    }
    out: dict[str, str] = {}
    for fmt, make in makers.items():
        try:
            text = make()
            # the escaping above missed something: never hand it out (the token, if asked for, stays)
            if clean(text, None, mask_secrets=False) != text:
                raise ExportError(f"cannot export this run as {fmt}: it holds control characters")
        except ExportError as exc:
            text = f"# {exc}\n"
        out[fmt] = text
    return out


def save_snippet(text: str, fmt: str, record: dict, directory: Path | None = None) -> Path:
    """Write a snippet under ``{data_dir}/exports`` (or ``directory``); returns the path.

    Private from the first byte (it may hold the token when the user asked for it): 0600, curl 0700.
    """
    from hftui.config import data_dir
    from hftui.file_trust import write_private

    folder = Path(directory) if directory else data_dir() / "exports"
    suffix = {"curl": "sh", "httpx": "py", "huggingface_hub": "py"}[fmt]
    rid = _run_id(record)
    name = f"run-{'new' if rid is None else rid}-{fmt}.{suffix}"
    return write_private(folder / name, text, mode=0o700 if fmt == "curl" else 0o600)
