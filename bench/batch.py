"""Benchmark: ``hftui batch``'s runner vs a plain asyncio loop on httpx2.

    /work/venv/bin/python bench/batch.py [--inputs 10000] [--concurrency 8 32 128] [--repeat 2]

The emulator runs as its own process (``python -m hftui.emulator
--token-rate 1000000``) so it has its own core. Both contenders send the same
10,000 short text-classification requests to the same serverless model and
write one JSON line per answer to a file:

- plain: a fixed pool of workers fed by a bounded queue, ``httpx2.AsyncClient``
  (same pool size), ``response.json()``, ``json.dumps`` + write;
- hftui: ``BatchRunner`` (typed errors, result parsing, retries, resumable
  output, stats).

The table shows the best wall time of ``--repeat`` runs (alternating, to
share the machine's noise) and the ratio hftui/plain (goal: <= 1.2). On a
shared machine the best-of ratio swings with other people's load, so the
table also gives the median of the per-pair ratios: each hftui run divided
by the plain run right next to it, which cancels slow drifts in load.
Then memory: the runner in a child process on 10k and 50k inputs, peak RSS and
tracemalloc peak (goal: flat — the input is streamed, latencies histogrammed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
TASK = "text-classification"


# -- the emulator in its own process ------------------------------------------------------------


def start_emulator() -> tuple[subprocess.Popen, str, str]:
    """``python -m hftui.emulator``: prints its base URL then its token; dies when our stdin pipe closes."""
    proc = subprocess.Popen([sys.executable, "-m", "hftui.emulator", "--token-rate", "1000000"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            cwd=ROOT)
    base = proc.stdout.readline().strip()
    token = proc.stdout.readline().strip()
    if not base.startswith("http"):
        proc.kill()
        raise SystemExit(f"emulator did not start: {base!r}")
    return proc, base, token


def make_inputs(path: Path, n: int) -> Path:
    with open(path, "w") as fh:
        for i in range(n):
            fh.write(json.dumps({"inputs": f"short input number {i}, rather nice"}) + "\n")
    return path


# -- contenders ------------------------------------------------------------------------------------


async def plain_loop(base: str, token: str, inp: Path, out: Path, concurrency: int) -> tuple[int, int]:
    import httpx2

    url = f"{base}/hf-inference/models/{MODEL}"
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    limits = httpx2.Limits(max_connections=64, max_keepalive_connections=64)
    ok = failed = 0
    queue: asyncio.Queue = asyncio.Queue(maxsize=concurrency * 2)
    async with httpx2.AsyncClient(timeout=30.0, limits=limits) as client:
        with open(out, "ab", buffering=0) as sink:

            async def worker():
                nonlocal ok, failed
                while (item := await queue.get()) is not None:
                    n, body = item
                    t0 = time.perf_counter()
                    r = await client.post(url, content=body, headers=headers)
                    if r.status_code == 200:
                        rec = {"line": n, "result": r.json()}
                        ok += 1
                    else:
                        rec = {"line": n, "error": r.text}
                        failed += 1
                    rec["latency_ms"] = round((time.perf_counter() - t0) * 1000, 1)
                    sink.write(json.dumps(rec).encode() + b"\n")

            async def feed():
                with open(inp, "rb") as fh:
                    for n, raw in enumerate(fh, 1):
                        await queue.put((n, raw.rstrip(b"\n")))
                for _ in range(concurrency):
                    await queue.put(None)

            await asyncio.gather(feed(), *(worker() for _ in range(concurrency)))
    return ok, failed


async def hftui_runner(base: str, token: str, inp: Path, out: Path, concurrency: int) -> tuple[int, int]:
    from hftui.auth import Secret
    from hftui.batch.runner import BatchConfig, BatchRunner
    from hftui.client import HFClient
    from hftui.config import Settings

    settings = Settings().with_base_url(base)
    async with HFClient(settings, Secret(token)) as hf:
        runner = BatchRunner(hf, BatchConfig(target=MODEL, task=TASK, input_path=inp, output_path=out,
                                             concurrency=concurrency))
        summary = await runner.run()
    if summary.fatal:
        raise SystemExit(f"hftui runner failed: {summary.fatal}")
    return summary.stats.ok, summary.stats.failed


_MOCK_BODY = json.dumps([[{"label": "POSITIVE", "score": 0.9}, {"label": "NEGATIVE", "score": 0.1}]]).encode()


def _mock_transport():
    import httpx2

    return httpx2.MockTransport(lambda request: httpx2.Response(
        200, content=_MOCK_BODY, headers={"content-type": "application/json"}))


async def plain_loop_mock(inp: Path, out: Path, concurrency: int) -> tuple[int, int]:
    """The plain loop with no server at all: what the client side costs."""
    import httpx2

    url = f"http://mock/hf-inference/models/{MODEL}"
    headers = {"authorization": "Bearer hf_mock", "content-type": "application/json"}
    queue: asyncio.Queue = asyncio.Queue(maxsize=concurrency * 2)
    ok = 0
    async with httpx2.AsyncClient(transport=_mock_transport()) as client:
        with open(out, "ab", buffering=0) as sink:

            async def worker():
                nonlocal ok
                while (item := await queue.get()) is not None:
                    n, body = item
                    t0 = time.perf_counter()
                    r = await client.post(url, content=body, headers=headers)
                    ok += 1
                    sink.write(json.dumps({"line": n, "result": r.json(),
                                           "latency_ms": round((time.perf_counter() - t0) * 1000, 1)}).encode() + b"\n")

            async def feed():
                with open(inp, "rb") as fh:
                    for n, raw in enumerate(fh, 1):
                        await queue.put((n, raw.rstrip(b"\n")))
                for _ in range(concurrency):
                    await queue.put(None)

            await asyncio.gather(feed(), *(worker() for _ in range(concurrency)))
    return ok, 0


async def hftui_runner_mock(inp: Path, out: Path, concurrency: int) -> tuple[int, int]:
    from hftui.auth import Secret
    from hftui.batch.runner import BatchConfig, BatchRunner
    from hftui.client import HFClient
    from hftui.config import Settings

    async with HFClient(Settings().with_base_url("http://mock"), Secret("hf_mock"), transport=_mock_transport()) as hf:
        summary = await BatchRunner(hf, BatchConfig(target=MODEL, task=TASK, input_path=inp, output_path=out,
                                                    concurrency=concurrency)).run()
    return summary.stats.ok, summary.stats.failed


def timed(fn, *args) -> tuple[float, float, tuple[int, int]]:
    """(wall s, this process's CPU s, result)."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = asyncio.run(fn(*args))
    return time.perf_counter() - t0, time.process_time() - c0, result


# -- memory (child process) ------------------------------------------------------------------------


def memory_child(base: str, token: str, n: int, concurrency: int, trace: bool) -> None:
    import tracemalloc

    with tempfile.TemporaryDirectory() as tmp:
        inp = make_inputs(Path(tmp) / "in.jsonl", n)
        out = Path(tmp) / "out.jsonl"
        # import and warm up everything first, so the growth is about the run itself
        asyncio.run(hftui_runner(base, token, make_inputs(Path(tmp) / "warm.jsonl", 200), Path(tmp) / "w.jsonl", 32))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if trace:  # exact Python allocations, but slows the run down about five times
            tracemalloc.start()
        t0 = time.perf_counter()
        ok, failed = asyncio.run(hftui_runner(base, token, inp, out, concurrency))
        wall = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"n": n, "ok": ok, "failed": failed, "rss_kb": rss, "rss_before_kb": rss_before,
                      "traced_peak": peak, "wall": wall}))


def measure_memory(base: str, token: str, n: int, concurrency: int, trace: bool) -> dict:
    cmd = [sys.executable, __file__, "--memory-child", str(n), "--base", base, "--token", token,
           "--concurrency", str(concurrency)] + (["--tracemalloc"] if trace else [])
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- main ------------------------------------------------------------------------------------------


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--inputs", type=int, default=10_000)
    p.add_argument("--concurrency", type=int, nargs="+", default=[8, 32, 128])
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--memory-sizes", type=int, nargs="*", default=[10_000, 50_000],
                   help="input sizes for the memory table (none: skip it)")
    p.add_argument("--memory-child", type=int)
    p.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slow)")
    p.add_argument("--base")
    p.add_argument("--token")
    args = p.parse_args()
    if args.memory_child:
        memory_child(args.base, args.token, args.memory_child, args.concurrency[0], args.tracemalloc)
        return

    emulator, base, token = start_emulator()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            inp = make_inputs(Path(tmp) / "in.jsonl", args.inputs)
            timed(plain_loop, base, token, make_inputs(Path(tmp) / "warm.jsonl", 200), Path(tmp) / "warm.out", 8)
            timed(hftui_runner, base, token, Path(tmp) / "warm.jsonl", Path(tmp) / "warm2.out", 8)
            rows = []
            for c in args.concurrency:
                wall = {"plain": float("inf"), "hftui": float("inf")}
                cpu = dict(wall)
                pairs = []
                for r in range(args.repeat):
                    order = (("plain", plain_loop), ("hftui", hftui_runner))
                    this = {}
                    for name, fn in order if r % 2 == 0 else order[::-1]:
                        out = Path(tmp) / f"{name}-{c}-{r}.jsonl"
                        w, cp, (ok, failed) = timed(fn, base, token, inp, out, c)
                        if ok != args.inputs:
                            print(f"warning: {name} c={c}: {ok} ok, {failed} failed", file=sys.stderr)
                        wall[name] = min(wall[name], w)
                        cpu[name] = min(cpu[name], cp)
                        this[name] = w
                        out.unlink()
                    pairs.append(this["hftui"] / this["plain"])
                rows.append((c, wall, cpu, statistics.median(pairs)))
            print(f"\n{args.inputs} inputs, {MODEL} ({TASK}) on the emulator (own process), "
                  f"best of {args.repeat}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            print(f"{'concurrency':>11} | {'plain s':>7} | {'plain/s':>7} | {'hftui s':>7} | {'hftui/s':>7} | "
                  f"{'wall ratio':>10} | {'paired median':>13} | {'client CPU s plain/hftui':>24} | {'CPU ratio':>9}")
            print("-" * 120)
            for c, wall, cpu, paired in rows:
                ratio = wall["hftui"] / wall["plain"]
                flag = "" if ratio <= 1.2 else " >1.2"
                pflag = "" if paired <= 1.2 else " >1.2"
                print(f"{c:>11} | {wall['plain']:7.2f} | {args.inputs / wall['plain']:7.0f} | {wall['hftui']:7.2f} | "
                      f"{args.inputs / wall['hftui']:7.0f} | {ratio:5.2f}x{flag:5} | {paired:7.2f}x{pflag:5} | "
                      f"{cpu['plain']:11.2f} / {cpu['hftui']:<10.2f} | {cpu['hftui'] / cpu['plain']:8.2f}x")

            print("\nClient side only (in-process mock transport, no server): CPU s per "
                  f"{args.inputs} inputs, best of {args.repeat}")
            print(f"{'concurrency':>11} | {'plain CPU s':>11} | {'hftui CPU s':>11} | {'µs/input extra':>14} | {'ratio':>6}")
            print("-" * 66)
            for c in args.concurrency:
                cpu = {"plain": float("inf"), "hftui": float("inf")}
                for r in range(args.repeat):
                    for name, fn in (("plain", plain_loop_mock), ("hftui", hftui_runner_mock)):
                        out = Path(tmp) / f"mock-{name}-{c}-{r}.jsonl"
                        _, cp, _ = timed(fn, inp, out, c)
                        cpu[name] = min(cpu[name], cp)
                        out.unlink()
                extra = (cpu["hftui"] - cpu["plain"]) / args.inputs * 1e6
                print(f"{c:>11} | {cpu['plain']:11.2f} | {cpu['hftui']:11.2f} | {extra:14.0f} | "
                      f"{cpu['hftui'] / cpu['plain']:5.2f}x", flush=True)

        if not args.memory_sizes:
            return
        print("\nMemory of the hftui runner (child process, concurrency 32; growth = peak RSS of the run "
              "above the warmed-up process)")
        print(f"{'inputs':>8} | {'peak RSS MB':>11} | {'RSS growth MB':>13} | {'tracemalloc peak MB':>19} | {'wall s':>6}")
        print("-" * 70)
        for n in args.memory_sizes:
            m = measure_memory(base, token, n, 32, args.tracemalloc)
            traced = "-" if m["traced_peak"] is None else f"{m['traced_peak'] / 2**20:.2f}"
            print(f"{n:>8} | {m['rss_kb'] / 1024:11.1f} | {(m['rss_kb'] - m['rss_before_kb']) / 1024:13.1f} | "
                  f"{traced:>19} | {m['wall']:6.1f}", flush=True)
    finally:
        emulator.stdin.close()
        emulator.terminate()
        try:
            emulator.wait(5)
        except subprocess.TimeoutExpired:
            emulator.kill()


if __name__ == "__main__":
    main()
