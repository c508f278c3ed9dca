"""hftui against a real OpenAI-compatible server it did not write: a LiteLLM proxy with a mock model.

    python bench/peer_server.py --setup      # once: a venv with LiteLLM's proxy (~750 MB, ~1-2 min)
    python bench/peer_server.py --setup-only # what the README's test command (and CI) runs first
    python bench/peer_server.py              # start the proxy, run the checks, print the results

LiteLLM's proxy pins ``huggingface_hub<2`` and ``rich<14``, which hftui's test dependencies and
Textual cannot share, so it lives in its own venv (``--venv``, default
``~/.cache/hftui-bench/litellm-venv``; or point ``--litellm`` / ``$HFTUI_LITELLM`` at any
``litellm`` executable). ``tests/servers/test_self_hosted.py`` runs the same checks when one is
there.

The proxy is started on a loopback port with one model, ``mock-chat``, answered by LiteLLM's own
``mock_response`` (no weights, no network), and a master key: the named server's key. A custom
auth hook (LiteLLM's ``general_settings.custom_auth``) records, for every request, the key it was
given and whether the HF token appeared in any header; it accepts only the master key.

Checks: hftui's client chat (not streamed, streamed) through ``[servers.peer]``, ``hftui batch
server:peer`` (a subprocess, with ``HF_TOKEN`` set), and the same proxy named without a key (it
is sent none, and refuses: LiteLLM answers a missing key with a bare 500); then every request
the proxy saw carried the server's key, but that one, and none carried the HF token.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

LITELLM = "litellm[proxy]==1.108.7"
"""Pinned: a known release (LiteLLM had a compromised release, 1.107.0; never float this)."""
MODEL = "mock-chat"
MOCK_REPLY = "Hello from LiteLLM's mock model"
MASTER_KEY = "sk-litellm-master-2f8c1d"
HF_TOKEN = "hf_PeerServerMustNeverSeeThis0000"
DEFAULT_VENV = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hftui-bench" / "litellm-venv"

CONFIG = f"""
model_list:
  - model_name: {MODEL}
    litellm_params:
      model: openai/{MODEL}
      api_key: not-used
      mock_response: "{MOCK_REPLY}"
general_settings:
  master_key: {MASTER_KEY}
  custom_auth: custom_auth.user_api_key_auth
"""

# Runs inside the LiteLLM process: the only code of ours there, and it only records and compares.
CUSTOM_AUTH = '''
import json, os
from fastapi import Request
from litellm.proxy._types import UserAPIKeyAuth

async def user_api_key_auth(request: Request, api_key: str) -> UserAPIKeyAuth:
    forbidden = os.environ["PEER_FORBIDDEN"]
    headers = "\\n".join(f"{k}: {v}" for k, v in request.headers.items())
    with open(os.environ["PEER_SEEN"], "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"path": request.url.path, "key": api_key,
                             "forbidden_seen": forbidden in headers}) + "\\n")
    if api_key != os.environ["LITELLM_MASTER_KEY"]:
        raise Exception("invalid key")
    return UserAPIKeyAuth(api_key=api_key)
'''


def find_litellm(venv: Path = DEFAULT_VENV, explicit: str | None = None) -> Path | None:
    """A LiteLLM executable: ``explicit``, ``$HFTUI_LITELLM``, the bench venv's, else None."""
    for candidate in (explicit, os.environ.get("HFTUI_LITELLM"), str(venv / "bin" / "litellm")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def setup(venv: Path) -> float:
    """Create the venv and install the pinned LiteLLM proxy; the seconds it took."""
    began = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", LITELLM], check=True)
    return time.monotonic() - began


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Proxy:
    url: str
    seen_path: Path
    log_path: Path
    started_in: float
    key: str = MASTER_KEY
    process: subprocess.Popen | None = field(default=None, repr=False)

    def seen(self) -> list[dict]:
        try:
            return [json.loads(line) for line in self.seen_path.read_text().splitlines() if line.strip()]
        except FileNotFoundError:
            return []


@contextlib.contextmanager
def litellm_proxy(executable: Path, *, forbidden: str = HF_TOKEN, timeout: float = 120.0) -> Iterator[Proxy]:
    """Start the LiteLLM proxy on a loopback port; stop it (and only it) on exit."""
    work = Path(tempfile.mkdtemp(prefix="hftui-litellm-"))
    (work / "config.yaml").write_text(CONFIG)
    (work / "custom_auth.py").write_text(CUSTOM_AUTH)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HFTUI_", "OPENAI_"))}
    env.update(LITELLM_MASTER_KEY=MASTER_KEY, PEER_FORBIDDEN=forbidden, PEER_SEEN=str(work / "seen.jsonl"),
               LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_TELEMETRY="False", NO_COLOR="1",
               PYTHONPATH=str(work))
    log = (work / "litellm.log").open("wb")
    began = time.monotonic()
    process = subprocess.Popen([str(executable), "--config", str(work / "config.yaml"), "--host", "127.0.0.1",
                                "--port", str(port), "--num_workers", "1"],
                               cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"LiteLLM exited ({process.returncode}); see {work / 'litellm.log'}")
            try:
                with urllib.request.urlopen(url + "/health/liveliness", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() - began > timeout:
                raise RuntimeError(f"LiteLLM did not answer within {timeout:.0f} s; see {work / 'litellm.log'}")
            time.sleep(0.25)
        yield Proxy(url, work / "seen.jsonl", work / "litellm.log", time.monotonic() - began, process=process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        if os.environ.get("HFTUI_KEEP_PEER_LOG") is None:
            shutil.rmtree(work, ignore_errors=True)


def config_toml(proxy: Proxy) -> str:
    """hftui's config naming the proxy twice: with its key (from $PEER_KEY), and without one."""
    return (f'[servers.peer]\nurl = "{proxy.url}"\nmodel = "{MODEL}"\nkey_env = "PEER_KEY"\n\n'
            f'[servers.peer-nokey]\nurl = "{proxy.url}"\nmodel = "{MODEL}"\n')


async def client_chats(settings, environ: dict) -> tuple[str, str, str]:
    """(not streamed, streamed, keyless refusal) through hftui's own client, with an HF token set."""
    from hftui.auth import Secret
    from hftui.client import AuthError, HFClient, HFError
    from hftui.servers import find_server, server_target

    messages = [{"role": "user", "content": "Say hello"}]
    async with HFClient(settings, Secret(HF_TOKEN), token_source="HF_TOKEN") as hf:
        target = server_target(find_server(settings, "peer"), task="chat-completion", environ=environ)
        answer = await hf.inference.chat_completion(target, messages)
        pieces = [c.text or "" async for c in hf.inference.chat_completion_stream(target, messages)]
        try:
            await hf.inference.chat_completion(server_target(find_server(settings, "peer-nokey"), environ=environ),
                                               messages)
            refusal = "accepted without a key!"
        except (AuthError, HFError) as exc:
            refusal = exc.user_message()
    return answer.content, "".join(pieces), refusal


def batch_run(proxy: Proxy, work: Path, lines: int = 5) -> tuple[int, list[dict], str]:
    """``hftui batch server:peer`` in a subprocess with its own config dir and HF_TOKEN set."""
    config = work / "config" / "hftui"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(config_toml(proxy))
    inputs = work / "in.jsonl"
    inputs.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"Question {i}"}]}) + "\n"
                              for i in range(lines)))
    out = work / "out.jsonl"
    env = {**os.environ, "XDG_CONFIG_HOME": str(work / "config"), "XDG_DATA_HOME": str(work / "data"),
           "HF_TOKEN": HF_TOKEN, "PEER_KEY": proxy.key}
    done = subprocess.run([sys.executable, "-m", "hftui", "batch", "server:peer", "-i", str(inputs), "-o", str(out),
                           "-c", "2"], env=env, capture_output=True, text=True, timeout=300)
    records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    return done.returncode, records, done.stdout + done.stderr


def run_checks(proxy: Proxy, work: Path) -> list[tuple[str, bool, str]]:
    """Every check: (what, passed, detail)."""
    from hftui.config import load_settings

    (work / "client.toml").write_text(config_toml(proxy))
    settings = load_settings(work / "client.toml", environ={})
    env = {"PEER_KEY": proxy.key}
    began = time.monotonic()
    plain, streamed, refusal = asyncio.run(client_chats(settings, env))
    chat_s = time.monotonic() - began
    began = time.monotonic()
    code, records, output = batch_run(proxy, work)
    batch_s = time.monotonic() - began
    seen = proxy.seen()
    keys = [s["key"] for s in seen]
    return [
        ("client chat, not streamed", plain == MOCK_REPLY, repr(plain[:60])),
        ("client chat, streamed", streamed == MOCK_REPLY, f"{streamed[:60]!r} ({chat_s:.2f} s for the three calls)"),
        ("a keyless server: no key sent, refused", refusal != "accepted without a key!" and any(not k for k in keys),
         f"LiteLLM answered {refusal[:100]!r}"),
        ("hftui batch server:peer", code == 0 and len(records) == 5
         and all(r.get("result", {}).get("content") == MOCK_REPLY for r in records),
         f"exit {code}, {len(records)} records, {batch_s:.2f} s" + ("" if code == 0 else f": {output[-300:]}")),
        ("every keyed request carried the server's key", keys.count(proxy.key) == len(keys) - 1 and len(keys) == 8,
         f"{len(keys)} requests seen, {keys.count(proxy.key)} with the key, "
         f"{sum(1 for k in keys if not k)} without a key"),
        ("the HF token never reached the server", not any(s["forbidden_seen"] for s in seen)
         and HF_TOKEN not in json.dumps(seen) and HF_TOKEN not in output, "checked every request's headers"),
    ]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--venv", type=Path, default=DEFAULT_VENV, help=f"LiteLLM's venv (default {DEFAULT_VENV})")
    p.add_argument("--litellm", help="a litellm executable to use instead")
    p.add_argument("--setup", action="store_true", help=f"create the venv and install {LITELLM}")
    p.add_argument("--setup-only", action="store_true", help="only --setup; the tests run the checks")
    args = p.parse_args()
    if args.setup or args.setup_only:
        print(f"installed {LITELLM} in {args.venv} in {setup(args.venv):.0f} s")
        if args.setup_only:
            return 0
    executable = find_litellm(args.venv, args.litellm)
    if executable is None:
        print(f"no LiteLLM: run `python bench/peer_server.py --setup` (or pass --litellm)", file=sys.stderr)
        return 2
    version = subprocess.run([str(executable.parent / "python"), "-c",
                              "import importlib.metadata as m; print(m.version('litellm'))"],
                             capture_output=True, text=True).stdout.strip() or "?"
    work = Path(tempfile.mkdtemp(prefix="hftui-peer-"))
    try:
        with litellm_proxy(executable) as proxy:
            print(f"LiteLLM {version} proxy at {proxy.url}, up in {proxy.started_in:.1f} s")
            results = run_checks(proxy, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    width = max(len(name) for name, _, _ in results)
    for name, ok, detail in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name:<{width}}  {detail}")
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
