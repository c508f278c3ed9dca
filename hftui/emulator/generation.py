"""Text generation (TGI), streamed or not, and the helpers chat shares (pacing, cuts, errors).

Streams are paced at ``State.token_rate`` tokens per second. A ``cut`` fault
sends about half the events and then drops the connection.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web

from hftui.emulator import textgen
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


def count_tokens(text: str) -> int:
    return max(1, len(text.split()) + text.count(",") + text.count("."))


def max_tokens_param(value: Any, default: int = 64, name: str = "max_new_tokens") -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise GenError(422, f"Input validation error: `{name}` must be an integer", error_type="validation")
    if value <= 0:
        raise GenError(422, f"Input validation error: `{name}` must be strictly positive", error_type="validation")
    return value


def stop_sequences(value: Any) -> list[str]:
    """``stop`` as a list of strings (a single string is accepted); anything else is a 422."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        if len(value) > 4:
            raise GenError(422, "Input validation error: `stop` supports up to 4 stop sequences. Given: "
                                f"{len(value)}", error_type="validation")
        return value
    raise GenError(422, "Failed to deserialize the JSON body into the target type: `stop` must be a list of strings")


def cut_at_stop(toks: list[str], stops: list[str]) -> tuple[list[str], bool]:
    """Tokens up to and including the one that completes a stop sequence; True if one did."""
    stops = [s for s in stops if s]
    if not stops:
        return toks, False
    text = ""
    for i, tok in enumerate(toks):
        text += tok
        if any(s in text for s in stops):
            return toks[: i + 1], True
    return toks, False


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


async def cut_connection(request: web.Request, resp: web.StreamResponse) -> web.StreamResponse:
    transport = request.transport
    if transport is not None:
        await asyncio.sleep(0.01)  # let what was written leave before the cut
        transport.abort()
    return resp


STREAM_FAULTS = ("cut", "stream_error", "malformed")


async def end_with_fault(request: web.Request, resp: web.StreamResponse, fault: str, *, prefix: bytes,
                         error_event: dict, done: bool = False) -> web.StreamResponse:
    """Finish a stream the way ``fault`` says: dropped (``cut``), an in-stream error event
    (``stream_error``, then ``[DONE]`` if the format has one), or a broken event (``malformed``)."""
    if fault == "cut":
        return await cut_connection(request, resp)
    if fault == "stream_error":
        await resp.write(prefix + dumps(error_event).encode() + b"\n\n")
        if done:
            await resp.write(prefix + b"[DONE]\n\n")
    else:
        await resp.write(prefix + b'{"index": 7, "token": {"id": 12, "text\n\n')
    await resp.write_eof()
    return resp


async def sse_response(request: web.Request, headers: dict[str, str] | None = None) -> web.StreamResponse:
    """An event stream with its headers (and the call's extra ones) already sent."""
    resp = web.StreamResponse(status=200, headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
        **(headers or {}),
    })
    await resp.prepare(request)
    return resp


# ------------------------------------------------------------------- TGI

def sampling(params: dict) -> bool:
    """TGI samples when asked to, or when any warper moves away from greedy."""
    def moved(key: str, neutral: float) -> bool:
        value = params.get(key)
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value != neutral

    return (params.get("do_sample") is True or moved("temperature", 1.0) or moved("top_k", 0)
            or moved("top_p", 1.0) or moved("typical_p", 1.0))


def drawn_seed(state: State, model_id: str, prompt: str, params: dict, nonce: object = None) -> int:
    """The seed TGI draws when sampling without one: the same request draws the same seed
    (as the service's cache would answer), a ``nonce`` (``x-use-cache: false``) a fresh one."""
    key = json.dumps(params, sort_keys=True, default=str)  # the order of the keys is no part of the request
    rng = textgen.rng_for(state.seed, "seed", model_id, prompt, key, nonce)
    return rng.getrandbits(63)


def plan_generation(state: State, model_id: str, body: Any, *, tgi: bool, max_total: int = MAX_TOTAL,
                    nonce: object = None) -> dict:
    """Validate a TGI-style body and decide the tokens; raises GenError.

    ``nonce``: set to draw a fresh seed when sampling without one (``x-use-cache: false``).
    """
    if not isinstance(body, dict):
        raise GenError(422, "Failed to deserialize the JSON body into the target type: expected an object")
    prompt = body.get("inputs")
    if not isinstance(prompt, str):
        raise GenError(422, "Failed to deserialize the JSON body into the target type: `inputs` must be a string")
    params = body.get("parameters") or {}
    if not isinstance(params, dict):
        raise GenError(422, "`parameters` must be an object")
    if not tgi:
        # transformers refuses every generate kwarg it does not know that is present (not null),
        # whatever its value: ``"watermark": false`` and ``"stop": []`` included
        unused = [k for k in params if k in TGI_ONLY and params[k] is not None]
        if unused:
            raise GenError(400, f"The following `model_kwargs` are not used by the model: {unused} "
                                "(note: typos in the generate arguments will also show up in this list)",
                           warnings=[f"There was an inference error: unused model_kwargs {unused}"])
        if body.get("stream"):
            raise GenError(400, "This model does not support streaming (plain transformers pipeline)")
    max_new = max_tokens_param(params.get("max_new_tokens"))
    if state.max_tokens_cap:
        max_total = max(max_total, state.max_tokens_cap)
    prompt_tokens = count_tokens(prompt)
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
        if not sampling(params):
            raise GenError(422, "Input validation error: you must use sampling when `best_of` is > 1",
                           error_type="validation")
        if params.get("seed") is not None:
            raise GenError(422, "Input validation error: `seed` must not be set when `best_of` > 1",
                           error_type="validation")
    top_n = params.get("top_n_tokens")
    if top_n is not None and (not isinstance(top_n, int) or isinstance(top_n, bool) or not 0 <= top_n <= 5):
        raise GenError(422, "Input validation error: `top_n_tokens` must be <= 5", error_type="validation")
    seed = params.get("seed")
    sampled = sampling(params)
    if sampled and seed is None:
        seed = drawn_seed(state, model_id, prompt, params, nonce)
    stops = stop_sequences(params.get("stop"))
    toks, finish = _decode(state.seed, model_id, prompt, max_new, seed, params.get("grammar"), stops)
    alternatives = []
    for k in range(1, best_of):
        alt_seed = drawn_seed(state, model_id, prompt, params, (nonce, "best_of", k))
        alternatives.append((alt_seed, *_decode(state.seed, model_id, prompt, max_new, alt_seed,
                                                params.get("grammar"), stops)))
    return {"prompt": prompt, "tokens": toks, "finish": finish, "params": params,
            # greedy decoding reports no seed; sampling the one it used (given or drawn)
            "seed": seed if sampled else None, "alternatives": alternatives,
            "prompt_tokens": prompt_tokens, "details": bool(params.get("details")),
            "full_text": bool(params.get("return_full_text")), "top_n": top_n or 0, "best_of": best_of,
            "prefill": bool(params.get("decoder_input_details"))}


def _decode(state_seed: int, model_id: str, prompt: str, max_new: int, salt: Any, grammar: Any,
            stops: list[str]) -> tuple[list[str], str]:
    """The tokens of one sequence and why it ended (length, stop_sequence, eos_token)."""
    toks = textgen.tokens(state_seed, model_id, prompt, max_new, salt=salt)
    constrained = isinstance(grammar, dict) and grammar.get("type") in ("json", "json_schema")
    if constrained:
        # grammar-constrained decoding: a JSON document, cut into pieces like tokens
        toks = _json_pieces(grammar.get("value"), "".join(toks).strip())[:max(max_new, 1)]
    finish = "length"
    toks, stopped = cut_at_stop(toks, stops)
    if stopped:
        finish = "stop_sequence"
    if constrained and finish == "length":
        finish = "eos_token" if "".join(toks).endswith("}") else "length"
    return toks, finish


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
    chosen = token_obj(tok, 0)
    out = [chosen]
    for k, alt in enumerate(alternatives(tok, n - 1), start=1):
        out.append({"id": textgen.token_id(alt), "text": alt, "logprob": round(chosen["logprob"] - 0.7 * k, 4),
                    "special": False})
    return out[:n]


_COMMON = (" the", " a", " model", " and", " to", " of", " is", " in", " it", " that", " for", " data", " this",
           " with", " can", " more", " when", " one", " each", " time", ",", ".")


def alternatives(tok: str, count: int) -> list[str]:
    """``count`` plausible other tokens for a position (deterministic, never the token itself)."""
    start = textgen.token_id(tok) % len(_COMMON)
    ring = [_COMMON[(start + i) % len(_COMMON)] for i in range(len(_COMMON))]
    return [t for t in ring if t != tok][:count]


def token_obj(tok: str, i: int) -> dict:
    tid = textgen.token_id(tok)
    return {"id": tid, "text": tok, "logprob": round(-0.05 - (tid % 300) / 100.0, 4),
            "special": False}


def _prefill(plan: dict) -> list[dict]:
    if not plan["prefill"]:
        return []
    pieces = textgen.split_words(plan["prompt"])
    return [{"id": textgen.token_id(p), "text": p, "logprob": None if i == 0 else token_obj(p, i)["logprob"]}
            for i, p in enumerate(pieces)]


def _details(plan: dict, *, stream: bool) -> dict:
    d: dict[str, Any] = {"finish_reason": plan["finish"], "generated_tokens": len(plan["tokens"]),
                         "seed": plan["seed"]}
    if stream:
        d["input_length"] = plan["prompt_tokens"]
    else:
        d["prefill"] = _prefill(plan)
        d["tokens"] = [token_obj(t, i) for i, t in enumerate(plan["tokens"])]
        d["top_tokens"] = [_top_tokens(t, plan["top_n"]) for t in plan["tokens"]] if plan["top_n"] else None
        if plan["best_of"] > 1:
            d["best_of_sequences"] = [_alternative(plan, *alt) for alt in plan["alternatives"]]
    return d


def _alternative(plan: dict, seed: int, toks: list[str], finish: str) -> dict:
    """One of the other ``best_of`` candidates: sampled with its own seed (asking with that seed
    gives the same sequence)."""
    text = "".join(toks)
    return {"generated_text": (plan["prompt"] + text) if plan["full_text"] else text, "finish_reason": finish,
            "generated_tokens": len(toks), "seed": seed, "prefill": _prefill(plan),
            "tokens": [token_obj(t, i) for i, t in enumerate(toks)],
            "top_tokens": [_top_tokens(t, plan["top_n"]) for t in toks] if plan["top_n"] else None}


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
    resp = await sse_response(request, headers)
    pacer = Pacer(state.token_rate)
    toks = plan["tokens"]
    cut_at = max(1, len(toks) // 2) if fault in STREAM_FAULTS else None
    text = ""
    for i, tok in enumerate(toks, start=1):
        if cut_at is not None and i > cut_at:
            return await end_with_fault(request, resp, fault or "", prefix=b"data:",
                                        error_event={"error": GENERATION_ERROR, "error_type": "generation"})
        await pacer.tick()
        text += tok
        last = i == len(toks)
        event = {"index": i, "token": token_obj(tok, i), "generated_text": None, "details": None}
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
    fresh = (request.headers.get("x-use-cache") or "").lower() in ("false", "0", "no")
    try:
        plan = plan_generation(state, model_id, body, tgi=tgi, max_total=max_total,
                               nonce=state.next_id() if fresh else None)
    except GenError as exc:
        return exc.response()
    stream = bool(body.get("stream")) if force_stream is None else force_stream
    hdrs = {**(headers or {}), **gen_headers(plan)}
    if stream:
        return await stream_generation(request, state, plan, fault, hdrs)
    await pace_all(state, len(plan["tokens"]))
    result = generation_result(plan, tgi=tgi)
    return json_response([result] if as_list else result, headers=hdrs)


async def pace_all(state: State, count: int) -> None:
    """Non-streamed answers take about as long as the stream would (capped)."""
    if state.token_rate and state.token_rate > 0:
        await asyncio.sleep(min(count / state.token_rate, 3.0))
