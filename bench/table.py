"""Endpoints table refresh cost: in-place update vs full rebuild, and memory.

    python bench/table.py [--rows 2000] [--change 0.05] [--runs 15]

Headless 120x40. One "refresh" = applying a poll of ``rows`` endpoints of
which ``change`` (5 %) differ from the previous poll (state, replicas,
updatedAt), *and* painting the screen that results. Parsing the poll's JSON
is the client's work and happens before the clock starts. CPU time is
``time.process_time()`` around the update + one screen refresh; the median
of ``runs`` refreshes is printed.

Rows:
- EndpointTable.update (in place): what the Endpoints screen does;
- EndpointTable clear + update (rebuild): the same widget rebuilt from scratch;
- DataTable update_cell (changed rows, all 10 cells) and DataTable clear +
  add_rows: Textual's stock widget, measured in the same run as a reference.

Memory: tracemalloc peak while building the table from the first poll.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import gc
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HFTUI_FROZEN_TIME", "2026-10-26T13:00:00Z")

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable  # noqa: E402

from hftui.client.models import Endpoint  # noqa: E402
from hftui.widgets.endpoint_columns import COLUMNS, endpoint_cells  # noqa: E402
from hftui.widgets.endpoint_table import EndpointTable  # noqa: E402

STATES = ["running", "paused", "scaledToZero", "initializing", "failed", "updating"]


def endpoint_json(i: int, rng: random.Random) -> dict:
    state = rng.choice(STATES)
    return {
        "name": f"endpoint-{i:05d}", "type": "authenticated",
        "provider": {"vendor": "aws", "region": rng.choice(["us-east-1", "eu-west-1", "us-west-2"])},
        "compute": {"accelerator": "gpu", "instanceType": rng.choice(["nvidia-l4", "nvidia-a10g", "nvidia-t4"]),
                    "instanceSize": rng.choice(["x1", "x2", "x4"]),
                    "scaling": {"minReplica": 0, "maxReplica": rng.randint(1, 4), "scaleToZeroTimeout": 15}},
        "model": {"repository": f"org-{i % 37}/model-{i}", "revision": "abc", "task": "text-generation",
                  "framework": "pytorch", "image": {"huggingface": {}}, "env": {"A": str(i)}, "secrets": {}},
        "status": {"state": state, "message": "Endpoint is ready",
                   "url": f"https://e{i:05d}abcdef.us-east-1.aws.endpoints.huggingface.cloud",
                   "readyReplica": 1 if state == "running" else 0, "targetReplica": 1,
                   "createdAt": "2026-10-26T10:00:00Z", "updatedAt": "2026-10-26T12:00:00Z"},
    }


def polls(rows: int, change: float, count: int, seed: int = 0) -> list[list[Endpoint]]:
    """``count + 1`` polls; each differs from the previous one in ``change`` of the rows."""
    rng = random.Random(seed)
    data = [endpoint_json(i, rng) for i in range(rows)]
    out = [[Endpoint.from_json(copy.deepcopy(d), "bench") for d in data]]
    n_changed = max(1, int(rows * change))
    for k in range(count):
        for i in rng.sample(range(rows), n_changed):
            d = copy.deepcopy(data[i])
            st = d["status"]
            st["state"] = rng.choice([s for s in STATES if s != st["state"]])
            st["readyReplica"] = (st.get("readyReplica") or 0) + 1
            st["updatedAt"] = f"2026-10-26T12:{(k + 1) % 60:02d}:00Z"
            data[i] = d
        out.append([Endpoint.from_json(copy.deepcopy(d), "bench") for d in data])  # a fresh parse per poll
    return out


class Host(App):
    def __init__(self, widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


async def paint(pilot) -> None:
    """Let Textual process the refreshes and paint the screen."""
    await pilot.pause()
    await pilot.pause()


async def measure_endpoint_table(all_polls, mode: str, runs: int) -> tuple[list[float], int]:
    table = EndpointTable()
    app = Host(table)
    async with app.run_test(size=(120, 40)) as pilot:
        gc.collect()
        tracemalloc.start()
        table.update(all_polls[0])
        await paint(pilot)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        table.move_cursor_to(f"bench/endpoint-{len(all_polls[0]) // 2:05d}")
        await paint(pilot)
        times = []
        for poll in all_polls[1: runs + 1]:
            gc.collect()
            t0 = time.process_time()
            if mode == "rebuild":
                table.clear()
            table.update(poll)
            await paint(pilot)
            times.append(time.process_time() - t0)
    return times, peak


def datatable_row(ep: Endpoint) -> list[str]:
    return [*endpoint_cells(ep, 1.0), "1h"]


async def measure_datatable(all_polls, mode: str, runs: int) -> tuple[list[float], int]:
    table: DataTable = DataTable()
    app = Host(table)
    async with app.run_test(size=(120, 40)) as pilot:
        keys = [c.key for c in COLUMNS]
        for c in COLUMNS:
            table.add_column(c.label, key=c.key)
        gc.collect()
        tracemalloc.start()
        table.add_rows([datatable_row(ep) for ep in all_polls[0]])
        # add_rows gives generated keys; use explicit ones for update_cell
        table.clear()
        for ep in all_polls[0]:
            table.add_row(*datatable_row(ep), key=ep.key)
        await paint(pilot)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        previous = {ep.key: ep for ep in all_polls[0]}
        times = []
        for poll in all_polls[1: runs + 1]:
            gc.collect()
            t0 = time.process_time()
            if mode == "rebuild":
                table.clear()
                for ep in poll:
                    table.add_row(*datatable_row(ep), key=ep.key)
            else:
                for ep in poll:
                    old = previous.get(ep.key)
                    if old is not None and old.raw == ep.raw:
                        continue
                    for key, value in zip(keys, datatable_row(ep)):
                        table.update_cell(ep.key, key, value)
            await paint(pilot)
            times.append(time.process_time() - t0)
            previous = {ep.key: ep for ep in poll}
    return times, peak


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--change", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--skip-datatable", action="store_true")
    args = parser.parse_args()
    all_polls = polls(args.rows, args.change, args.runs)
    results = []
    base_times, base_peak = await measure_endpoint_table(all_polls, "in-place", args.runs)
    results.append(("EndpointTable.update (in place)", base_times, base_peak))
    t, p = await measure_endpoint_table(all_polls, "rebuild", args.runs)
    results.append(("EndpointTable clear + update (rebuild)", t, p))
    if not args.skip_datatable:
        t, p = await measure_datatable(all_polls, "in-place", min(args.runs, 5))
        results.append(("DataTable update_cell (changed rows)", t, p))
        t, p = await measure_datatable(all_polls, "rebuild", min(args.runs, 5))
        results.append(("DataTable clear + add_row (rebuild)", t, p))
    base = statistics.median(base_times)
    changed = max(1, int(args.rows * args.change))
    print(f"\n{args.rows} endpoints, {changed} changed per refresh ({args.change:.0%}), headless 120x40, "
          f"median of {args.runs} refreshes (DataTable: {min(args.runs, 5)})\n")
    print(f"{'refresh':42} {'CPU ms':>9} {'min ms':>8} {'× in-place':>11} {'build peak MiB':>15}")
    print("-" * 89)
    for name, times, peak in results:
        med = statistics.median(times)
        print(f"{name:42} {med * 1000:9.1f} {min(times) * 1000:8.1f} {med / base:11.1f} {peak / 2**20:15.1f}")
    goal = "met" if base * 1000 < 20 else "NOT met"
    print(f"\ngoal: in-place refresh < 20 ms CPU: {goal} ({base * 1000:.1f} ms)")
    own = statistics.median(results[1][1]) / base
    print(f"in-place vs rebuilding this widget from scratch: {own:.1f}x cheaper")
    if not args.skip_datatable:
        ref = statistics.median(results[3][1]) / base
        print(f"in-place vs a DataTable rebuild (clear + re-add, the issue's reference): {ref:.1f}x cheaper "
              f"({'met' if ref >= 10 else 'NOT met'}: goal >= 10x)")


if __name__ == "__main__":
    asyncio.run(main())
