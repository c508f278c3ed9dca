"""Chat completion (OpenAI style, incl. the TGI 1.4 stream) and OpenAI completions.

Shares the pacing, cut and TGI planning helpers of :mod:`hftui.emulator.generation`.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from hftui.emulator import catalog, textgen
from hftui.emulator.generation import (
    GENERATION_ERROR,
    MAX_TOTAL,
    STREAM_FAULTS,
    SYSTEM_FINGERPRINT,
    GenError,
    Pacer,
    alternatives,
    count_tokens,
    cut_at_stop,
    end_with_fault,
    max_tokens_param,
    pace_all,
    plan_generation,
    sse_response,
    stop_sequences,
    token_obj,
)
from hftui.emulator.state import State
from hftui.emulator.webutil import dumps, json_response

CHAT_ERROR = {"error": {"message": GENERATION_ERROR, "http_status_code": 424}}  # TGI's in-stream error object


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
    max_tokens = max_tokens_param(body.get("max_tokens", body.get("max_completion_tokens")), name="max_tokens")
    limit = max(MAX_TOTAL, state.max_tokens_cap or 0)
    if max_tokens > limit:
        raise GenError(422, f"Input validation error: `max_tokens` must be <= {limit}", error_type="validation")
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
    toks, stopped = cut_at_stop(toks, stop_sequences(body.get("stop")))
    if stopped:
        finish = "stop"
    prompt_tokens = sum(count_tokens(_message_text(m.get("content"))) + 4 for m in messages)
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
        lp = token_obj(tok, 0)["logprob"]
        alts = [{"token": tok, "logprob": lp, "bytes": list(tok.encode())}]
        alts += [{"token": alt, "logprob": round(lp - 0.7 * k, 4), "bytes": list(alt.encode())}
                 for k, alt in enumerate(alternatives(tok, max(top - 1, 0)), start=1)]
        content.append({"token": tok, "logprob": lp, "bytes": list(tok.encode()), "top_logprobs": alts[:top]})
    return {"content": content}


def _usage(plan: dict) -> dict:
    done = len(plan["tokens"]) + len(plan["reasoning"]) + sum(len(a) for a in plan["alternatives"])
    return {"prompt_tokens": plan["prompt_tokens"], "completion_tokens": done,
            "total_tokens": plan["prompt_tokens"] + done}


def tgi_headers(plan: dict) -> dict[str, str]:
    """What TGI adds to a non-streamed answer: token counts and timings (ms)."""
    done = _usage(plan)["completion_tokens"]
    per_token = 25
    inference = 5 + done * per_token
    return {"x-prompt-tokens": str(plan["prompt_tokens"]), "x-generated-tokens": str(done),
            "x-inference-time": str(inference), "x-time-per-token": str(per_token), "x-queue-time": "1",
            "x-validation-time": "1", "x-total-time": str(inference + 2)}


def _message(content: str, reasoning: str, tool_calls: list | None) -> dict[str, Any]:
    """TGI's answer message: ``tool_calls`` and ``reasoning`` only when there are some."""
    message: dict[str, Any] = {"role": "assistant"}
    if tool_calls:
        message["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in tool_calls]
    else:
        message["content"] = content
    if reasoning:
        message["reasoning"] = reasoning
    return message


async def chat_completion(request: web.Request, state: State, model_id: str, body: Any, *, fault: str | None,
                          provider: str = "hf-inference", echo_model: str | None = None,
                          headers: dict[str, str] | None = None, tgi: bool | None = None) -> web.StreamResponse:
    """``tgi``: the answer comes from TGI (default: on hf-inference), which adds its timing headers."""
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
        resp = await sse_response(request, headers)
        pacer = Pacer(state.token_rate)
        toks = plan["tokens"]
        events = [("reasoning", t) for t in plan["reasoning"]] + [("content", t) for t in toks]
        cut_at = max(1, len(events) // 2) if fault in STREAM_FAULTS else None

        async def send(obj: dict | str) -> None:
            data = obj if isinstance(obj, str) else dumps(obj)
            await resp.write(b"data: " + data.encode() + b"\n\n")

        for i, (kind, tok) in enumerate(events, start=1):
            if cut_at is not None and i > cut_at:
                return await end_with_fault(request, resp, fault or "", prefix=b"data: ", done=True,
                                            error_event={"error": {"message": GENERATION_ERROR,
                                                                   "http_status_code": 424}})
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
            if fault in STREAM_FAULTS:
                return await end_with_fault(request, resp, fault or "", prefix=b"data: ", done=True,
                                            error_event=CHAT_ERROR)
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
    await pace_all(state, len(plan["tokens"]) + len(plan["reasoning"]))
    message = _message("".join(plan["tokens"]), "".join(plan["reasoning"]), plan["tool_calls"])
    logprobs = _logprobs(plan["tokens"], plan["top_logprobs"]) if plan["logprobs"] else None
    choice: dict[str, Any] = {"index": 0, "message": message, "logprobs": logprobs, "finish_reason": plan["finish"]}
    choices = [choice]
    for k, alt in enumerate(plan["alternatives"], start=1):
        choices.append({"index": k, "message": _message("".join(alt), "", None),
                        "logprobs": _logprobs(alt, plan["top_logprobs"]) if plan["logprobs"] else None,
                        "finish_reason": plan["finish"]})
    result: dict[str, Any] = {"object": "chat.completion", **base, "choices": choices, "usage": _usage(plan)}
    if provider == "together":  # together.ai echoes a few extra fields (recorded: "tool_calls": [])
        result["prompt"] = []
        message.setdefault("tool_calls", [])
        choice["seed"] = textgen.token_id(dumps(body)) * 7919
    hdrs = dict(headers or {})
    if tgi if tgi is not None else provider == "hf-inference":
        hdrs.update(tgi_headers(plan))
    return json_response(result, headers=hdrs)


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
        await pace_all(state, len(plan["tokens"]))
        return json_response({**base, "choices": [{"index": 0, "text": "".join(plan["tokens"]), "logprobs": None,
                                                   "finish_reason": finish}], "usage": usage})
    resp = await sse_response(request)
    pacer = Pacer(state.token_rate)
    toks = plan["tokens"]
    cut_at = max(1, len(toks) // 2) if fault in STREAM_FAULTS else None
    for i, tok in enumerate(toks, start=1):
        if cut_at is not None and i > cut_at:
            return await end_with_fault(request, resp, fault or "", prefix=b"data: ", done=True,
                                        error_event=CHAT_ERROR)
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
    resp = await sse_response(request, headers)
    base = {**base, "object": "text_completion", "system_fingerprint": "1.4.3-sha-e6bb3ff"}
    toks = plan["tokens"]
    cut_at = max(1, len(toks) // 2) if fault in STREAM_FAULTS else None
    pacer = Pacer(state.token_rate)
    for i, tok in enumerate(toks, start=1):
        if cut_at is not None and i > cut_at:
            return await end_with_fault(request, resp, fault or "", prefix=b"data:",
                                        error_event=CHAT_ERROR)
        await pacer.tick()
        chunk = {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": tok},
                                      "logprobs": None, "finish_reason": None}]}
        await resp.write(b"data:" + dumps(chunk).encode() + b"\n\n")
    last = {**base, "choices": [{"index": 0, "delta": {}, "logprobs": None, "finish_reason": plan["finish"]}]}
    await resp.write(b"data:" + dumps(last).encode() + b"\n\n")
    await resp.write_eof()
    return resp
