"""Helpers for the batch tests: inputs, reading results, running the runner or the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import child_env
COLD_CLASSIFIER = "SamLowe/roberta-base-go_emotions"
SIMPLE_TASKS = ("text-classification", "fill-mask", "token-classification", "summarization", "text-generation",
                "feature-extraction", "translation")


def write_inputs(path: Path, n: int, *, task: str = "text-classification", extra: dict[int, str] | None = None) -> Path:
    """n inputs for the task; ``extra`` puts raw text at given line numbers (malformed lines)."""
    lines = []
    extra = extra or {}
    i = 0
    while len(lines) < n + len(extra):
        lineno = len(lines) + 1
        if lineno in extra:
            lines.append(extra[lineno])
            continue
        i += 1
        if task == "fill-mask":
            lines.append(json.dumps({"inputs": f"input number {i} is [MASK]."}))
        elif task == "question-answering":
            lines.append(json.dumps({"inputs": {"question": f"Who is {i}?", "context": f"{i} is a number."}}))
        else:
            lines.append(json.dumps({"inputs": f"input number {i} is great"}))
    path.write_text("\n".join(lines) + "\n")
    return path


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def lines_of(records: list[dict]) -> list[int]:
    return sorted(r["line"] for r in records)


async def run_batch(settings, token, **kw):
    from hftui.batch.runner import BatchConfig, BatchListener, BatchRunner
    from hftui.client import HFClient

    class Recorder(BatchListener):
        def __init__(self):
            self.notices: list[str] = []
            self.states: list[str] = []
            self.failed: list[tuple[int, str]] = []

        def input_failed(self, line, message):
            self.failed.append((line, message))

        def notice(self, text):
            self.notices.append(text)

        def endpoint_state(self, endpoint):
            if not self.states or self.states[-1] != endpoint.raw_state:
                self.states.append(endpoint.raw_state)

    kw.setdefault("poll_interval", 0.05)
    listener = Recorder()
    async with HFClient(settings, token) as hf:
        runner = BatchRunner(hf, BatchConfig(**kw), listener)
        summary = await runner.run()
    return summary, listener


async def endpoint_state(settings, token, namespace, name) -> str:
    from hftui.client import HFClient

    async with HFClient(settings, token) as hf:
        return (await hf.endpoints.get(namespace, name)).raw_state


async def find_endpoint(settings, token, states: tuple[str, ...], tasks=SIMPLE_TASKS):
    """A demo-user endpoint in one of ``states`` with a task we can feed simple inputs."""
    from hftui.client import HFClient

    async with HFClient(settings, token) as hf:
        eps = await hf.endpoints.list("demo-user")
    for ep in eps:
        if ep.raw_state in states and ep.task in tasks:
            return ep
    pytest.skip(f"the emulator has no demo-user endpoint in {states} with a simple task")


def start_cli(emulator, *args: str) -> subprocess.Popen:
    env = child_env(emulator.base_url, emulator.token)
    return subprocess.Popen([sys.executable, "-m", "hftui", "batch", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
