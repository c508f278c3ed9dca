"""``python -m hftui.emulator`` and import hygiene."""

from __future__ import annotations

import subprocess
import sys

import httpx2


def test_module_prints_url_and_token_and_dies_with_stdin():
    proc = subprocess.Popen([sys.executable, "-m", "hftui.emulator", "--speed", "10", "--seed", "3"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        token = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert token.startswith("hf_")
        r = httpx2.get(url + "/api/whoami-v2", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 200 and r.json()["name"] == "demo-user"
        proc.stdin.close()  # the parent "dies": EOF on the pipe
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_module_stops_on_sigterm():
    proc = subprocess.Popen([sys.executable, "-m", "hftui.emulator"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("http://")
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_import_loads_no_textual_no_client_no_aiohttp():
    code = ("import sys, hftui.emulator as e; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'aiohttp') "
            "or m.startswith('hftui.client')]; "
            "print(bad); assert not bad, bad; assert e.DEMO_TOKEN.startswith('hf_')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_running_emulator_loads_no_textual_no_client():
    code = ("import sys, httpx2; from hftui.emulator import start_background; h = start_background(); "
            "assert httpx2.post(h.base_url + '/hf-inference/models/google-bert/bert-base-uncased', "
            "json={'inputs': 'a [MASK]'}, headers={'Authorization': 'Bearer ' + h.token}).status_code == 200; "
            "h.close(); "
            "bad = [m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('hftui.client')]; "
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lazy_start_defers_the_server_until_first_use():
    code = ("import sys, time, httpx2; from hftui.emulator import start_background; "
            "h = start_background(lazy=True); time.sleep(0.3); "
            "assert 'aiohttp' not in sys.modules, 'server imported before first use'; "
            "r = httpx2.get(h.base_url + '/api/whoami-v2', headers={'Authorization': 'Bearer ' + h.token}); "
            "assert r.status_code == 200, r.status_code; assert 'aiohttp' in sys.modules; "
            "h.close(); h.close()")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lazy_handle_helpers_start_the_server_and_close_without_use():
    from hftui.emulator import start_background

    unused = start_background(lazy=True)
    unused.close()  # never started: closes at once
    handle = start_background(lazy=True, speed=50)
    try:
        assert handle.endpoint("demo-user", "gpt2-demo")["status"]["state"] == "running"
    finally:
        handle.close()


def test_module_listens_on_the_requested_port():
    import socket

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    proc = subprocess.Popen([sys.executable, "-m", "hftui.emulator", "--port", str(port)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == f"http://127.0.0.1:{port}"
        proc.stdin.close()
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_background_emulator_never_prints():
    """Inside a TUI, handler errors and cancelled streams must not reach stderr."""
    code = (
        "import httpx2; from hftui.emulator import start_background, router\n"
        "h = start_background(token_rate=200)\n"
        "auth = {'Authorization': 'Bearer ' + h.token}\n"
        "def boom(*a, **k): raise RuntimeError('kaboom')\n"
        "router.run_task = boom\n"
        "r = httpx2.post(h.base_url + '/hf-inference/models/google-bert/bert-base-uncased', "
        "json={'inputs': 'a [MASK]'}, headers=auth)\n"
        "assert r.status_code == 500, r.status_code\n"
        "with httpx2.stream('POST', h.base_url + '/v1/chat/completions', headers=auth, json={"
        "'model': 'Qwen/Qwen2.5-7B-Instruct', 'stream': True, 'max_tokens': 200, "
        "'messages': [{'role': 'user', 'content': 'hi'}]}) as s:\n"
        "    for i, _ in enumerate(s.iter_lines()):\n"
        "        if i > 3: break\n"
        "import time; time.sleep(0.5)\n"
        "assert httpx2.get(h.base_url + '/api/whoami-v2', headers=auth).status_code == 200\n"
        "h.close()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""
