"""Client overhead: hftui's client vs huggingface_hub vs bare httpx2 / aiohttp loops.

    python bench/client.py [--calls 2000] [--concurrency 32] [--events 20000] [--runs 3]

(a) ``--calls`` short fill-mask calls at ``--concurrency`` against the
    emulator, started here as a subprocess (``python -m hftui.emulator
    --token-rate 1000000``) so its load is not on this event loop;
(b) parsing one ``--events``-event chat SSE stream. The emulator caps a
    generation at 4,096 tokens, so the stream comes from a second subprocess
    serving a pre-built OpenAI-style chat SSE body (same format as the
    emulator's) as fast as the socket takes it.

Best of ``--runs`` runs per row; ratios are against the bare httpx2 loop
measured in the same run (goal: hftui <= 1.2x, and not slower than
huggingface_hub).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time

FILL = "google-bert/bert-base-uncased"
TEXT = "Paris is the [MASK] of France."

SSE_SERVER = r"""
import json, sys
from aiohttp import web

N = int(sys.argv[1])
def event(i):
    ev = {"object": "chat.completion.chunk", "id": "", "created": 1742565776, "model": "bench/model",
          "system_fingerprint": "3.2.1-native",
          "choices": [{"index": 0, "delta": {"role": "assistant", "content": f" tok{i}"}, "logprobs": None,
                       "finish_reason": "length" if i == N - 1 else None}], "usage": None}
    return ("data: " + json.dumps(ev, separators=(",", ":")) + "\n\n").encode()
EVENTS = [event(i) for i in range(N)]
BATCH = 64  # events per write: a fast server's socket writes

async def chat(request):
    await request.read()
    resp = web.StreamResponse(headers={"content-type": "text/event-stream", "cache-control": "no-cache"})
    await resp.prepare(request)
    for i in range(0, N, BATCH):
        await resp.write(b"".join(EVENTS[i:i + BATCH]))
    await resp.write(b"data: [DONE]\n\n")
    await resp.write_eof()
    return resp

async def main():
    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)

    def drain():  # dies with the parent: stdin EOF
        while sys.stdin.buffer.read1(65536):
            pass

    await asyncio.get_running_loop().run_in_executor(None, drain)

import asyncio
asyncio.run(main())
"""


def start(cmd: list[str]) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    lines = [proc.stdout.readline().strip()]
    return proc, lines


async def many(call, calls: int, concurrency: int) -> float:
    """Run ``calls`` calls with ``concurrency`` workers; seconds taken."""
    remaining = calls

    async def worker():
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - t0


# --- (a) fill-mask -----------------------------------------------------------------------------

async def bench_hftui(base, token, calls, conc):
    from hftui.auth import Secret
    from hftui.client import HFClient, Target
    from hftui.config import Settings

    target = Target.hf_model(FILL)
    async with HFClient(Settings().with_base_url(base), Secret(token)) as hf:
        async def call():
            out = await hf.inference.fill_mask(target, TEXT)
            assert out
        await many(call, conc * 2, conc)  # warm the pool (every client does the same)
        return await many(call, calls, conc)


async def bench_hf_hub(base, token, calls, conc):
    from huggingface_hub import AsyncInferenceClient

    client = AsyncInferenceClient(provider="hf-inference", token=token)
    url = f"{base}/hf-inference/models/{FILL}"  # the router template is fixed at import: pass the URL
    try:
        async def call():
            out = await client.fill_mask(TEXT, model=url)
            assert out
        await many(call, conc * 2, conc)
        return await many(call, calls, conc)
    finally:
        await client.close()


async def bench_httpx2(base, token, calls, conc):
    import httpx2

    url = f"{base}/hf-inference/models/{FILL}"
    headers = {"authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(limits=httpx2.Limits(max_connections=64, max_keepalive_connections=64)) as client:
        async def call():
            r = await client.post(url, json={"inputs": TEXT}, headers=headers)
            r.raise_for_status()
            assert r.json()
        await many(call, conc * 2, conc)
        return await many(call, calls, conc)


async def bench_aiohttp(base, token, calls, conc):
    import aiohttp

    url = f"{base}/hf-inference/models/{FILL}"
    headers = {"authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        async def call():
            async with session.post(url, json={"inputs": TEXT}, headers=headers) as r:
                r.raise_for_status()
                assert await r.json()
        await many(call, conc * 2, conc)
        return await many(call, calls, conc)


# --- (b) SSE -----------------------------------------------------------------------------------

MSGS = [{"role": "user", "content": "go"}]


async def sse_hftui(url, n):
    from hftui.client import HFClient, Target
    from hftui.config import Settings

    async with HFClient(Settings(), None) as hf:
        t0 = time.perf_counter()
        count = 0
        async for chunk in hf.inference.chat_completion_stream(Target.at_url(url, send_token=False), MSGS):
            count += 1
        dt = time.perf_counter() - t0
    assert count == n + 1, count  # every event + the final chunk
    return dt


async def sse_lines(url, n, parse: bool):
    import httpx2

    async with httpx2.AsyncClient() as client:
        t0 = time.perf_counter()
        count = 0
        async with client.stream("POST", url + "/v1/chat/completions",
                                 json={"model": "tgi", "messages": MSGS, "stream": True}) as r:
            async for line in r.aiter_lines():
                if line.startswith("data:"):
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        break
                    if parse:
                        json.loads(payload)
                    count += 1
        dt = time.perf_counter() - t0
    assert count == n, count
    return dt


async def sse_eventsource(url, n):
    import httpx2

    async with httpx2.AsyncClient() as client:
        t0 = time.perf_counter()
        count = 0
        async with client.sse(url + "/v1/chat/completions", method="POST",
                              json={"model": "tgi", "messages": MSGS, "stream": True}) as source:
            async for event in source:
                if event.data == "[DONE]":
                    break
                json.loads(event.data)
                count += 1
        dt = time.perf_counter() - t0
    assert count == n, count
    return dt


async def sse_hf_hub(url, n):
    from huggingface_hub import AsyncInferenceClient

    client = AsyncInferenceClient(base_url=url)
    try:
        t0 = time.perf_counter()
        count = 0
        async for _ in await client.chat_completion(MSGS, stream=True):
            count += 1
        dt = time.perf_counter() - t0
    finally:
        await client.close()
    assert count == n, count
    return dt


async def interleaved(runs, cases):
    """Best time of each case; runs interleaved so load drifts hit every row alike."""
    times = {name: [] for name, _ in cases}
    for _ in range(runs):
        for name, thunk in cases:
            times[name].append(await thunk())
    return [(name, min(ts)) for name, ts in times.items()]


def table(title, rows, baseline):
    print(f"\n{title}")
    print(f"{'client':<44} {'best s':>8} {'ratio':>7}")
    print("-" * 61)
    for name, seconds in rows:
        print(f"{name:<44} {seconds:8.3f} {seconds / baseline:6.2f}x")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", choices=("a", "b"), help="run only one part")
    args = ap.parse_args()
    env_py = sys.executable

    emu, lines = start([env_py, "-m", "hftui.emulator", "--token-rate", "1000000"])
    token = emu.stdout.readline().strip()
    base = lines[0]
    sse, sse_lines_ = start([env_py, "-c", SSE_SERVER, str(args.events)])
    sse_url = sse_lines_[0]
    try:
        c, n, r = args.calls, args.concurrency, args.runs
        if args.only != "b":
            await part_a(base, token, c, n, r)
        if args.only != "a":
            await part_b(sse_url, args.events, r)
    finally:
        for proc in (emu, sse):
            proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.terminate()


async def part_a(base, token, c, n, r):
    rows = await interleaved(r, [
        ("bare aiohttp loop (floor)", lambda: bench_aiohttp(base, token, c, n)),
        ("bare httpx2 loop", lambda: bench_httpx2(base, token, c, n)),
        ("hftui client (httpx2)", lambda: bench_hftui(base, token, c, n)),
        ("huggingface_hub AsyncInferenceClient", lambda: bench_hf_hub(base, token, c, n)),
    ])
    table(f"(a) {c} fill-mask calls, concurrency {n}, emulator {base} (ratio vs bare httpx2)",
          rows, rows[1][1])


async def part_b(sse_url, e, r):
    sse_rows = await interleaved(r, [
        ("httpx2 aiter_lines, no JSON", lambda: sse_lines(sse_url, e, False)),
        ("httpx2 aiter_lines + json.loads", lambda: sse_lines(sse_url, e, True)),
        ("hftui chat_completion_stream", lambda: sse_hftui(sse_url, e)),
        ("httpx2 EventSource (client.sse) + json.loads", lambda: sse_eventsource(sse_url, e)),
        ("huggingface_hub chat_completion(stream)", lambda: sse_hf_hub(sse_url, e)),
    ])
    table(f"(b) one {e}-event chat SSE stream (ratio vs aiter_lines + json.loads)",
          sse_rows, sse_rows[1][1])
    print(f"\nper event: hftui {sse_rows[2][1] / e * 1e6:.1f} µs, "
          f"aiter_lines+json {sse_rows[1][1] / e * 1e6:.1f} µs; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus")


if __name__ == "__main__":
    asyncio.run(main())
