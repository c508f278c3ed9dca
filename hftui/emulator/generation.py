"""Text generation (TGI) and chat completion (OpenAI), streamed or not.

Streams are paced at ``State.token_rate`` tokens per second. A ``cut`` fault
sends about half the events and then drops the connection.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web

from hftui.emulator import catalog, textgen
from hftui.emulator.state import State
from hftui.emulator.webutil import dumps, error, json_response

TGI_ONLY = ("watermark", "stop", "details", "decoder_input_details", "best_of", "top_n_tokens", "grammar",
            "adapter_id", "truncate", "frequency_penalty")
MAX_TOTAL = 4096
SYSTEM_FINGERPRINT = "3.2.1-native"
MAX_BEST_OF = 2  # TGI's default --max-best-of
GENERATION_ERROR = "Request failed during generation: Server error: CUDA out of memory. Tried to allocate 2.00 GiB"


class GenError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra

    def response(self) -> web.Response:
        if self.message.startswith("Failed to deserialize"):
            # TGI (axum) answers body-deserialization failures in text/plain, not JSON
            return web.Response(status=self.status, text=self.message, content_type="text/plain")
        return error(self.status, self.message, **self.extra)


def _count_tokens(text: str) -> int:
    return max(1, len(text.split()) + text.count(",") + text.count("."))


def _max_tokens(value: Any, default: int = 64, name: str = "max_new_tokens") -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise GenError(422, f"Input validation error: `{name}` must be an integer", error_type="validation")
    if value <= 0:
        raise GenError(422, f"Input validation error: `{name}` must be strictly positive", error_type="validation")
    return value


class Pacer:
    """Sleeps so that tokens leave at ``rate`` per second (batching tiny sleeps)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.start = time.monotonic()
        self.count = 0

    async def tick(self) -> None:
        self.count += 1
        if not self.interval:
            return
        ahead = self.start + self.count * self.interval - time.monotonic()
        if ahead > 0.004:
            await asyncio.sleep(ahead)


async def _cut(request: web.Request, resp: web.StreamResponse) -> web.StreamResponse:
    transport = request.transport
    if transport is not None:
        await asyncio.sleep(0.01)  # let what was written leave before the cut
        transport.abort()
    return resp


def _sse_response(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(status=200, headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
    })
    return resp


# ------------------------------------------------------------------- TGI

def plan_generation(state: State, model_id: str, body: Any, *, tgi: bool, max_total: int = MAX_TOTAL) -> dict:
    """Validate a TGI-style body and decide the tokens; raises GenError."""
    if not isinstance(body, dict):
        raise GenError(422, "Failed to deserialize the JSON body into the target type: expected an object")
    prompt = body.get("inputs")
    if not isinstance(prompt, str):
        raise GenError(422, "Failed to deserialize the JSON body into the target type: `inputs` must be a string")
    params = body.get("parameters") or {}
    if not isinstance(params, dict):
        raise GenError(422, "`parameters` must be an object")
    if not tgi:
        unused = [k for k in TGI_ONLY if params.get(k) not in (None, False)]
        if unused:
            raise GenError(400, f"The following `model_kwargs` are not used by the model: {unused} "
                                "(note: typos in the generate arguments will also show up in this list)",
                           warnings=[f"There was an inference error: unused model_kwargs {unused}"])
        if body.get("stream"):
            raise GenError(400, "This model does not support streaming (plain transformers pipeline)")
    max_new = _max_tokens(params.get("max_new_tokens"))
    prompt_tokens = _count_tokens(prompt)
    if prompt_tokens + max_new > max_total:
        raise GenError(422, f"Input validation error: `inputs` tokens + `max_new_tokens` must be <= {max_total}. "
                            f"Given: {prompt_tokens} `inputs` tokens and {max_new} `max_new_tokens`",
                       error_type="validation")
    if body.get("stream") and params.get("decoder_input_details"):
        raise GenError(422, "Input validation error: `decoder_input_details` == true is not supported "
                            "when streaming tokens",
                       error_type="validation")
    best_of = params.get("best_of") or 1
    if not isinstance(best_of, int) or isinstance(best_of, bool) or best_of < 1:
        raise GenError(422, "Input validation error: `best_of` must be a strictly positive integer",
                       error_type="validation")
    if best_of > 1:
        if body.get("stream"):
            raise GenError(422, "Input validation error: `best_of` != 1 is not supported when streaming tokens",
                           error_type="validation")
        if best_of > MAX_BEST_OF:
            raise GenError(422, f"Input validation error: `best_of` must be <= {MAX_BEST_OF}",
                           error_type="validation")
        if not params.get("do_sample") and params.get("temperature") is None and params.get("top_p") is None:
            raise GenError(422, "Input validation error: you must use sampling when `best_of` is > 1",
                           error_type="validation")
    top_n = params.get("top_n_tokens")
    if top_n is not None and (not isinstance(top_n, int) or isinstance(top_n, bool) or not 0 <= top_n <= 5):
        raise GenError(422, "Input validation error: `top_n_tokens` must be <= 5", error_type="validation")
    seed = params.get("seed")
    toks = textgen.tokens(state.seed, model_id, prompt, max_new, salt=seed)
    grammar = params.get("grammar")
    if isinstance(grammar, dict) and grammar.get("type") in ("json", "json_schema"):
        # grammar-constrained decoding: a JSON document, cut into pieces like tokens
        toks = _json_pieces(grammar.get("value"), "".join(toks).strip())[:max(max_new, 1)]
    finish = "length"
    stops = params.get("stop") or []
    if isinstance(stops, str):
        stops = [stops]
    text = ""
    for i, tok in enumerate(toks):
        text += tok
        if any(isinstance(s, str) and s and s in text for s in stops):
            toks = toks[: i + 1]
            finish = "stop_sequence"
            break
    if isinstance(grammar, dict) and grammar.get("type") in ("json", "json_schema") and finish == "length":
        finish = "eos_token" if "".join(toks).endswith("}") else "length"
    return {"prompt": prompt, "tokens": toks, "finish": finish, "seed": seed, "params": params,
            "prompt_tokens": prompt_tokens, "details": bool(params.get("details")),
            "full_text": bool(params.get("return_full_text")), "top_n": top_n or 0, "best_of": best_of,
            "prefill": bool(params.get("decoder_input_details")), "model_id": model_id, "max_new": max_new,
            "state_seed": state.seed}


def _json_pieces(schema: Any, text: str) -> list[str]:
    """A JSON object following ``schema``'s properties when given (strings filled from ``text``)."""
    props = schema.get("properties") if isinstance(schema, dict) else None
    if isinstance(props, dict) and props:
        doc: dict[str, Any] = {}
        for name, sub in props.items():
            kind = sub.get("type") if isinstance(sub, dict) else None
            doc[name] = (len(text) % 100 if kind in ("integer", "number") else True if kind == "boolean"
                         else [] if kind == "array" else {} if kind == "object" else text[:60])
    else:
        doc = {"answer": text[:60]}
    payload = json.dumps(doc)
    return [payload[i:i + 5] for i in range(0, len(payload), 5)]


def _top_tokens(tok: str, n: int) -> list[dict]:
    """``n`` alternatives for a position, the sampled token first (TGI's ``top_tokens``)."""
    chosen = _token_obj(tok, 0)
    out = [chosen]
    for k, alt in enumerate(_alternatives(tok, n - 1), start=1):
        out.append({"id": textgen.token_id(alt), "text": alt, "logprob": round(chosen["logprob"] - 0.7 * k, 4),
                    "special": False})
    return out[:n]


_COMMON = (" the", " a", " model", " and", " to", " of", " is", " in", " it", " that", " for", " data", " this",
           " with", " can", " more", " when", " one", " each", " time", ",", ".")


def _alternatives(tok: str, count: int) -> list[str]:
    """``count`` plausible other tokens for a position (deterministic, never the token itself)."""
    start = textgen.token_id(tok) % len(_COMMON)
    ring = [_COMMON[(start + i) % len(_COMMON)] for i in range(len(_COMMON))]
    return [t for t in ring if t != tok][:count]


def _token_obj(tok: str, i: int) -> dict:
    tid = textgen.token_id(tok)
    return {"id": tid, "text": tok, "logprob": round(-0.05 - (tid % 300) / 100.0, 4),
            "special": False}


def _prefill(plan: dict) -> list[dict]:
    if not plan["prefill"]:
        return []
    pieces = textgen.split_words(plan["prompt"])
    return [{"id": textgen.token_id(p), "text": p, "logprob": None if i == 0 else _token_obj(p, i)["logprob"]}
            for i, p in enumerate(pieces)]


def _details(plan: dict, *, stream: bool) -> dict:
    d: dict[str, Any] = {"finish_reason": plan["finish"], "generated_tokens": len(plan["tokens"]),
                         "seed": plan["seed"]}
    if stream:
        d["input_length"] = plan["prompt_tokens"]
    else:
        d["prefill"] = _prefill(plan)
        d["tokens"] = [_token_obj(t, i) for i, t in enumerate(plan["tokens"])]
        d["top_tokens"] = [_top_tokens(t, plan["top_n"]) for t in plan["tokens"]] if plan["top_n"] else None
        if plan["best_of"] > 1:
            d["best_of_sequences"] = [_alternative(plan, k) for k in range(1, plan["best_of"])]
    return d


def _alternative(plan: dict, k: int) -> dict:
    """Another sampled sequence for ``best_of`` (deterministic per k)."""
    toks = textgen.tokens(plan["state_seed"], plan["model_id"], plan["prompt"], plan["max_new"],
                          salt=f"best_of:{k}:{plan['seed']}")
    return {"generated_text": "".join(toks), "finish_reason": "length", "generated_tokens": len(toks),
            "seed": (plan["seed"] or 0) + k, "prefill": _prefill(plan),
            "tokens": [_token_obj(t, i) for i, t in enumerate(toks)], "top_tokens": None}


def generation_result(plan: dict, *, tgi: bool) -> dict:
    text = "".join(plan["tokens"])
    if plan["full_text"]:
        text = plan["prompt"] + text
    out: dict[str, Any] = {"generated_text": text}
    if tgi and plan["details"]:
        out["details"] = _details(plan, stream=False)
    return out


def gen_headers(plan: dict) -> dict[str, str]:
    return {"x-prompt-tokens": str(plan["prompt_tokens"]), "x-generated-tokens": str(len(plan["tokens"])),
            "x-inference-time": str(5 + len(plan["tokens"]) * 25), "x-time-per-token": "25", "x-queue-time": "1",
            "x-validation-time": "1", "x-total-time": str(7 + len(plan["tokens"]) * 25)}


async def stream_generation(request: web.Request, state: State, plan: dict, fault: str | None,
                            headers: dict[str, str] | None = None) -> web.StreamResponse:
    resp = _sse_response(request)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    await resp.prepare(request)
    pacer = Pacer(state.token_rate)
    toks = plan["tokens"]
    cut_at = max(1, len(toks) // 2) if fault in ("cut", "stream_error") else None
    text = ""
    for i, tok in enumerate(toks, start=1):
        if cut_at is not None and i > cut_at:
            if fault == "stream_error":
                await resp.write(b"data:" + dumps({"error": GENERATION_ERROR, "error_type": "generation"}).encode()
                                 + b"\n\n")
                await resp.write_eof()
                return resp
            return await _cut(request, resp)
        await pacer.tick()
        text += tok
        last = i == len(toks)
        event = {"index": i, "token": _token_obj(tok, i), "generated_text": None, "details": None}
        if plan["top_n"]:
            event["top_tokens"] = _top_tokens(tok, plan["top_n"])
        if last:
            event["generated_text"] = (plan["prompt"] + text) if plan["full_text"] else text
            if plan["details"]:
                event["details"] = _details(plan, stream=True)
        await resp.write(b"data:" + dumps(event).encode() + b"\n\n")
        if i == 1 or i % 32 == 0:
            await resp.write(b":\n\n")  # keep-alive comment, as TGI's axum sends
    await resp.write_eof()
    return resp


async def text_generation(request: web.Request, state: State, model_id: str, body: Any, *, tgi: bool,
                          fault: str | None, as_list: bool = True, force_stream: bool | None = None,
                          headers: dict[str, str] | None = None, max_total: int = MAX_TOTAL) -> web.StreamResponse:
    try:
        plan = plan_generation(state, model_id, body, tgi=tgi, max_total=max_total)
    except GenError as exc:
        return exc.response()
    stream = bool(body.get("stream")) if force_stream is None else force_stream
    hdrs = {**(headers or {}), **gen_headers(plan)}
    if stream:
        return await stream_generation(request, state, plan, fault, hdrs)
    await _pace_all(state, len(plan["tokens"]))
    result = generation_result(plan, tgi=tgi)
    return json_response([result] if as_list else result, headers=hdrs)


async def _pace_all(state: State, count: int) -> None:
    """Non-streamed answers take about as long as the stream would (capped)."""
    if state.token_rate and state.token_rate > 0:
        await asyncio.sleep(min(count / state.token_rate, 3.0))


# ------------------------------------------------------------------- chat

def _message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, dict) and part.get("type") == "image_url":
                parts.append("[image]")
        return " ".join(parts)
    return ""


def plan_chat(state: State, model_id: str, body: Any) -> dict:
    if not isinstance(body, dict):
        raise GenError(422, "Failed to deserialize the JSON body into the target type: expected an object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise GenError(422, "Failed to deserialize the JSON body into the target type: "
                            "`messages` must be a non-empty list")
    for msg in messages:
        if not isinstance(msg, dict) or msg.get("role") not in ("system", "user", "assistant", "tool", "developer"):
            raise GenError(422, "Failed to deserialize the JSON body into the target type: messages[].role: "
                                "unknown variant, expected one of `system`, `user`, `assistant`, `tool`")
    max_tokens = _max_tokens(body.get("max_tokens", body.get("max_completion_tokens")), name="max_tokens")
    if max_tokens > MAX_TOTAL:
        raise GenError(422, f"Input validation error: `max_tokens` must be <= {MAX_TOTAL}", error_type="validation")
    last_user = next((m for m in reversed(messages) if m.get("role") == "user"), messages[-1])
    prompt = _message_text(last_user.get("content"))
    history = "\x00".join(_message_text(m.get("content")) for m in messages)
    toks = textgen.tokens(state.seed, model_id, prompt, max_tokens, chat=True, salt=f"{history}\x00{body.get('seed')}")
    finish = "length"
    # a chat model stops on its own when it has said enough, unless asked for more
    natural = 24 + (textgen.token_id(prompt) % 40)
    if max_tokens > natural:
        toks = toks[:natural]
        ends = [i for i, t in enumerate(toks) if t == "."]
        if ends:
            toks = toks[: ends[-1] + 1]
        finish = "stop"
    stops = body.get("stop") or []
    if isinstance(stops, str):
        stops = [stops]
    text = ""
    for i, tok in enumerate(toks):
        text += tok
        if any(isinstance(s, str) and s and s in text for s in stops):
            toks = toks[: i + 1]
            finish = "stop"
            break
    prompt_tokens = sum(_count_tokens(_message_text(m.get("content"))) + 4 for m in messages)
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema", "json"):
        payload = json.dumps({"answer": "".join(toks).strip()})
        toks = [payload[i:i + 6] for i in range(0, len(payload), 6)]
        finish = "stop"
    tool_calls = None
    tools = body.get("tools")
    choice = body.get("tool_choice")
    if isinstance(tools, list) and tools and choice != "none":
        names = [t.get("function", {}).get("name") for t in tools if isinstance(t, dict)]
        names = [n for n in names if isinstance(n, str)]
        forced = choice.get("function", {}).get("name") if isinstance(choice, dict) else None
        if names and (forced or choice == "required" or any(n.lower() in prompt.lower() for n in names)):
            name = forced or next((n for n in names if n.lower() in prompt.lower()), names[0])
            tool_calls = [{"index": 0, "id": f"call_{textgen.token_id(name + prompt):08x}", "type": "function",
                           "function": {"name": name, "arguments": json.dumps({"query": prompt[:80]})}}]
            toks, finish = [], "tool_calls"
    include_usage = bool((body.get("stream_options") or {}).get("include_usage")) if isinstance(
        body.get("stream_options"), dict) else False
    top_logprobs = body.get("top_logprobs")
    if top_logprobs is not None:
        if not isinstance(top_logprobs, int) or isinstance(top_logprobs, bool) or not 0 <= top_logprobs <= 20:
            raise GenError(422, "Input validation error: `top_logprobs` must be between 0 and 20",
                           error_type="validation")
        if not body.get("logprobs"):
            raise GenError(422, "Input validation error: `top_logprobs` needs `logprobs: true`",
                           error_type="validation")
    n = body.get("n") or 1
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 8:
        raise GenError(422, "Input validation error: `n` must be between 1 and 8", error_type="validation")
    alternatives = []
    for k in range(1, n if not tool_calls else 1):
        alt = textgen.tokens(state.seed, model_id, prompt, len(toks) or 1, salt=f"n:{k}:{history}")
        alternatives.append([alt[0].lstrip(), *alt[1:]])
    reasoning: list[str] = []
    spec = catalog.lookup(model_id)
    if spec is not None and spec.reasoning and not tool_calls:
        # reasoning models think first: a short deliberation streamed as ``delta.reasoning``
        reasoning = textgen.tokens(state.seed, model_id, prompt, 12 + textgen.token_id(prompt) % 12,
                                   salt="think")
        reasoning[0] = reasoning[0].lstrip()
    return {"tokens": toks, "finish": finish, "prompt_tokens": prompt_tokens, "tool_calls": tool_calls,
            "include_usage": include_usage, "logprobs": bool(body.get("logprobs")), "reasoning": reasoning,
            "top_logprobs": top_logprobs or 0, "alternatives": alternatives}


def _logprobs(tokens: list[str], top: int) -> dict:
    """OpenAI ``choices[].logprobs``: one entry per token, with ``top`` alternatives."""
    content = []
    for tok in tokens:
        lp = _token_obj(tok, 0)["logprob"]
        alts = [{"token": tok, "logprob": lp, "bytes": list(tok.encode())}]
        alts += [{"token": alt, "logprob": round(lp - 0.7 * k, 4), "bytes": list(alt.encode())}
                 for k, alt in enumerate(_alternatives(tok, max(top - 1, 0)), start=1)]
        content.append({"token": tok, "logprob": lp, "bytes": list(tok.encode()), "top_logprobs": alts[:top]})
    return {"content": content}


def _usage(plan: dict) -> dict:
    done = len(plan["tokens"]) + len(plan["reasoning"]) + sum(len(a) for a in plan["alternatives"])
    return {"prompt_tokens": plan["prompt_tokens"], "completion_tokens": done,
            "total_tokens": plan["prompt_tokens"] + done}


async def chat_completion(request: web.Request, state: State, model_id: str, body: Any, *, fault: str | None,
                          provider: str = "hf-inference", echo_model: str | None = None,
                          headers: dict[str, str] | None = None) -> web.StreamResponse:
    try:
        plan = plan_chat(state, model_id, body)
    except GenError as exc:
        return exc.response()
    created = int(state.vnow())
    cid = "" if provider == "hf-inference" else f"chatcmpl-{textgen.token_id(dumps(body)):x}"
    model_name = echo_model or model_id
    base = {"id": cid, "created": created, "model": model_name, "system_fingerprint": SYSTEM_FINGERPRINT}
    spec = catalog.lookup(model_id)
    if body.get("stream") and spec is not None and spec.old_tgi_chat and not plan["tool_calls"]:
        return await _old_tgi_chat_stream(request, state, plan, base, fault, headers)
    if body.get("stream"):
        resp = _sse_response(request)
        for k, v in (headers or {}).items():
            resp.headers[k] = v
        await resp.prepare(request)
        pacer = Pacer(state.token_rate)
        toks = plan["tokens"]
        events = [("reasoning", t) for t in plan["reasoning"]] + [("content", t) for t in toks]
        cut_at = max(1, len(events) // 2) if fault in ("cut", "stream_error") else None

        async def send(obj: dict | str) -> None:
            data = obj if isinstance(obj, str) else dumps(obj)
            await resp.write(b"data: " + data.encode() + b"\n\n")

        for i, (kind, tok) in enumerate(events, start=1):
            if cut_at is not None and i > cut_at:
                if fault == "stream_error":
                    await send({"error": {"message": GENERATION_ERROR, "http_status_code": 424}})
                    await send("[DONE]")
                    await resp.write_eof()
                    return resp
                return await _cut(request, resp)
            await pacer.tick()
            last = i == len(events) and not plan["tool_calls"]
            logprobs = _logprobs([tok], plan["top_logprobs"]) if plan["logprobs"] and kind == "content" else None
            chunk = {"object": "chat.completion.chunk", **base,
                     "choices": [{"index": 0, "delta": {"role": "assistant", kind: tok},
                                  "logprobs": logprobs, "finish_reason": plan["finish"] if last else None}],
                     "usage": None}
            await send(chunk)
            if i == 1 or i % 32 == 0:
                await resp.write(b": keep-alive\n\n")
        if plan["tool_calls"] or not toks:
            if fault == "cut":
                return await _cut(request, resp)
            delta: dict[str, Any] = {"role": "assistant"}
            if plan["tool_calls"]:
                delta["tool_calls"] = plan["tool_calls"]
            else:
                delta["content"] = ""
            await send({"object": "chat.completion.chunk", **base,
                        "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                     "finish_reason": plan["finish"]}], "usage": None})
        if plan["include_usage"]:
            await send({"object": "chat.completion.chunk", **base, "choices": [], "usage": _usage(plan)})
        await send("[DONE]")
        await resp.write_eof()
        return resp
    await _pace_all(state, len(plan["tokens"]) + len(plan["reasoning"]))
    message: dict[str, Any] = {"role": "assistant", "content": "".join(plan["tokens"]) or None,
                               "tool_calls": None, "reasoning": "".join(plan["reasoning"]) or None}
    if plan["tool_calls"]:
        message["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in plan["tool_calls"]]
    logprobs = _logprobs(plan["tokens"], plan["top_logprobs"]) if plan["logprobs"] else None
    choice: dict[str, Any] = {"index": 0, "message": message, "logprobs": logprobs, "finish_reason": plan["finish"]}
    choices = [choice]
    for k, alt in enumerate(plan["alternatives"], start=1):
        choices.append({"index": k, "message": {"role": "assistant", "content": "".join(alt), "tool_calls": None,
                                                "reasoning": None},
                        "logprobs": _logprobs(alt, plan["top_logprobs"]) if plan["logprobs"] else None,
                        "finish_reason": plan["finish"]})
    result: dict[str, Any] = {"object": "chat.completion", **base, "choices": choices, "usage": _usage(plan)}
    if provider == "together":  # together.ai echoes a few extra fields
        result["prompt"] = []
        message["tool_calls"] = message["tool_calls"] or []
        choice["seed"] = textgen.token_id(dumps(body)) * 7919
    return json_response(result, headers=headers)


# ------------------------------------------------------ OpenAI completions

async def completion(request: web.Request, state: State, model_id: str, body: Any, *,
                     fault: str | None) -> web.StreamResponse:
    """``POST /v1/completions`` (TGI, vLLM): a prompt in, ``text_completion`` objects out."""
    if not isinstance(body, dict) or not isinstance(body.get("prompt"), (str, list)):
        return GenError(422, "Failed to deserialize the JSON body into the target type: "
                             "missing field `prompt`").response()
    prompt = body["prompt"] if isinstance(body["prompt"], str) else " ".join(map(str, body["prompt"]))
    tgi_body = {"inputs": prompt, "parameters": {"max_new_tokens": body.get("max_tokens", 16),
                                                 "stop": body.get("stop"), "seed": body.get("seed")}}
    try:
        plan = plan_generation(state, model_id, tgi_body, tgi=True)
    except GenError as exc:
        return exc.response()
    finish = "stop" if plan["finish"] == "stop_sequence" else "length"
    base = {"id": "", "object": "text_completion", "created": int(state.vnow()), "model": model_id,
            "system_fingerprint": SYSTEM_FINGERPRINT}
    usage = {"prompt_tokens": plan["prompt_tokens"], "completion_tokens": len(plan["tokens"]),
             "total_tokens": plan["prompt_tokens"] + len(plan["tokens"])}
    if not body.get("stream"):
        await _pace_all(state, len(plan["tokens"]))
        return json_response({**base, "choices": [{"index": 0, "text": "".join(plan["tokens"]), "logprobs": None,
                                                   "finish_reason": finish}], "usage": usage})
    resp = _sse_response(request)
    await resp.prepare(request)
    pacer = Pacer(state.token_rate)
    toks = plan["tokens"]
    cut_at = max(1, len(toks) // 2) if fault == "cut" else None
    for i, tok in enumerate(toks, start=1):
        if cut_at is not None and i > cut_at:
            return await _cut(request, resp)
        await pacer.tick()
        chunk = {**base, "choices": [{"index": 0, "text": tok, "logprobs": None,
                                      "finish_reason": finish if i == len(toks) else None}]}
        await resp.write(b"data: " + dumps(chunk).encode() + b"\n\n")
    await resp.write(b"data: [DONE]\n\n")
    await resp.write_eof()
    return resp


async def _old_tgi_chat_stream(request: web.Request, state: State, plan: dict, base: dict, fault: str | None,
                               headers: dict[str, str] | None) -> web.StreamResponse:
    """TGI 1.4's chat stream: ``data:`` without a space, ``text_completion`` objects, a last
    chunk with an empty delta, and no ``[DONE]`` (recorded in shared/fixtures)."""
    resp = _sse_response(request)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    await resp.prepare(request)
    base = {**base, "object": "text_completion", "system_fingerprint": "1.4.3-sha-e6bb3ff"}
    toks = plan["tokens"]
    cut_at = max(1, len(toks) // 2) if fault in ("cut", "stream_error") else None
    pacer = Pacer(state.token_rate)
    for i, tok in enumerate(toks, start=1):
        if cut_at is not None and i > cut_at:
            if fault == "stream_error":
                event = {"error": {"message": GENERATION_ERROR, "http_status_code": 424}}
                await resp.write(b"data:" + dumps(event).encode() + b"\n\n")
                await resp.write_eof()
                return resp
            return await _cut(request, resp)
        await pacer.tick()
        chunk = {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": tok},
                                      "logprobs": None, "finish_reason": None}]}
        await resp.write(b"data:" + dumps(chunk).encode() + b"\n\n")
    last = {**base, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": plan["finish"]}]}
    await resp.write(b"data:" + dumps(last).encode() + b"\n\n")
    await resp.write_eof()
    return resp
