"""The command line against a server that puts escape sequences in every string it sends.

``hftui batch`` prints endpoint names, namespaces, states, messages, error texts and request ids
(notices, state lines, failed lines, the summary); ``hftui login`` prints the user's name and the
token's role. None of it may carry a control character (OSC 52, OSC 0, CSI 2J, C1...) or the
payload of an escape sequence to the user's terminal.
"""

from __future__ import annotations

import json

from tests.hardening.cli_helpers import EVIL, assert_terminal_safe, evil, run_inprocess, use_services, write_lines
from tests.hardening.hostile_server import json_reply, upstream_json


EP = "demo-user/gpt2-demo"


def poisoned_endpoint(state: str, **changes):
    """The emulator's gpt2-demo, with hostile text in its name, message and ``state``."""
    async def build(request):
        _, body = await upstream_json(request, f"/v2/endpoint/{EP}")
        body["name"] = evil("EPNAME")
        body["status"]["state"] = state
        body["status"]["message"] = evil("MSG")
        body["provider"]["region"] = evil("REGION")
        body.update(changes)
        return body

    return build


def text_gen_inputs(tmp_path):
    return write_lines(tmp_path / "in.jsonl", [json.dumps({"inputs": f"hello {i}"}) for i in range(3)])


def test_batch_prints_no_server_escape(monkeypatch, capfdbinary, hostile, upstream, tmp_path):
    """Namespace (from whoami), endpoint name, states, message, error bodies and request ids, --pause-after."""
    use_services(monkeypatch, hostile.base_url, upstream.token)

    async def whoami(request):
        _, body = await upstream_json(request)
        body["name"] = evil("NS")
        return body

    hostile.on("GET", r"^/api/whoami", json_reply(whoami))
    hostile.on("GET", r"^/v2/endpoint/[^/]+/gpt2-demo$", json_reply(poisoned_endpoint("running")))
    hostile.on("POST", r"/pause$", json_reply(poisoned_endpoint(evil("PAUSED"))))
    hostile.on("POST", r"^/_ep/", json_reply({"error": evil("BERR")}, status=400))
    out = tmp_path / "out.jsonl"
    rc, stdout, stderr = run_inprocess(capfdbinary, "batch", "gpt2-demo", "-i", str(text_gen_inputs(tmp_path)),
                                       "-o", str(out), "--pause-after", "--progress-interval", "0.01")
    text = assert_terminal_safe(stdout + stderr)
    assert rc == 1, text
    assert hostile.count("POST", r"^/_ep/") == 3 and hostile.count("POST", r"/pause$") == 1
    # the hostile strings were printed (cleaned), not dropped: the test does look at them
    for tag in ("NS", "EPNAME", "BERR", "PAUSED"):
        assert tag in text, f"{tag} not shown: {text}"
    assert "Traceback" not in text


def test_batch_fatal_endpoint_states_print_no_server_escape(monkeypatch, capfdbinary, hostile, upstream, tmp_path):
    use_services(monkeypatch, hostile.base_url, upstream.token)
    inp = text_gen_inputs(tmp_path)
    # a failed endpoint: its message goes into the one-line error
    hostile.on("GET", r"^/v2/endpoint/demo-user/gpt2-demo$", json_reply(poisoned_endpoint("failed")), times=1)
    rc, stdout, stderr = run_inprocess(capfdbinary, "batch", EP, "-i", str(inp), "-o", str(tmp_path / "a.jsonl"))
    text = assert_terminal_safe(stdout + stderr)
    assert rc == 2 and "MSG" in text and "EPNAME" in text, text
    # a state nobody knows, never running: each state line, then the wait gives up
    hostile.on("GET", r"^/v2/endpoint/demo-user/gpt2-demo$", json_reply(poisoned_endpoint(evil("STATE"))))
    rc, stdout, stderr = run_inprocess(capfdbinary, "batch", EP, "-i", str(inp), "-o", str(tmp_path / "b.jsonl"),
                                       "--wait-timeout", "0.5", "--poll-interval", "0.1")
    text = assert_terminal_safe(stdout + stderr)
    assert rc == 2 and "STATE" in text, text


def test_login_prints_no_server_escape(monkeypatch, capfdbinary, hostile, upstream):
    import getpass

    use_services(monkeypatch, hostile.base_url, None)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": upstream.token)

    async def whoami(request):
        _, body = await upstream_json(request)
        body["name"] = evil("USER")
        body["auth"]["accessToken"]["role"] = evil("ROLE")
        return body

    hostile.on("GET", r"^/api/whoami", json_reply(whoami), times=1)
    rc, stdout, stderr = run_inprocess(capfdbinary, "login")
    text = assert_terminal_safe(stdout + stderr)
    assert rc == 0 and "USER" in text and "ROLE" in text, text

    hostile.on("GET", r"^/api/whoami", json_reply({"error": evil("DENIED")}, status=401), times=1)
    rc, stdout, stderr = run_inprocess(capfdbinary, "login")
    text = assert_terminal_safe(stdout + stderr)
    assert rc == 1 and "DENIED" in text, text


def test_the_hostile_text_really_is_hostile():
    """Guard for the tests above: the strings they send do hold what the assertion looks for."""
    import pytest

    with pytest.raises(AssertionError):
        assert_terminal_safe(evil("X").encode())
    assert "\x9b" in EVIL and "\x1b]52;" in EVIL and "\x1b]0;" in EVIL and "\x1b[2J" in EVIL
