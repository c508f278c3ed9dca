"""A named server used for real: the client, ``hftui batch server:NAME`` and the Playground send its
own key to it (a key-checking gate in front of the emulator's TGI endpoint) and never the HF token."""

from __future__ import annotations

import json

import pytest
from tests.servers.key_gate import GATE_KEY

from hftui.client import AuthError, HFClient

MESSAGES = [{"role": "user", "content": "What is deep learning?"}]


async def test_client_chat_and_generation_carry_the_servers_key(server_settings, token, gate):
    from hftui.servers import find_server, server_target

    server = find_server(server_settings, "gate")
    async with HFClient(server_settings, token, token_source="HF_TOKEN") as hf:
        chat = server_target(server, task="chat-completion")
        answer = await hf.inference.chat_completion(chat, MESSAGES, {"max_tokens": 8})
        streamed = [c async for c in hf.inference.chat_completion_stream(chat, MESSAGES, {"max_tokens": 8})]
        gen = await hf.inference.text_generation(server_target(server, task="text-generation"), "Once upon",
                                                 {"max_new_tokens": 6})
        pieces = [c async for c in hf.inference.text_generation_stream(server_target(server), "Once upon",
                                                                          {"max_new_tokens": 6})]
    assert answer.content.strip() and answer.finish_reason
    assert "".join(c.text or "" for c in streamed).strip()
    assert gen.text.strip() and "".join(c.text or "" for c in pieces).strip()
    assert gate.paths == ["/v1/chat/completions", "/v1/chat/completions", "/", "/"]
    assert gate.auths == [f"Bearer {GATE_KEY}"] * 4
    assert gate.leaks == []


async def test_the_token_never_goes_to_a_named_server_even_on_an_hf_host(server_settings, token, emulator):
    """A server named at the emulator's own (trusted) endpoint URL: its key goes, the token does not,
    so the endpoint refuses; the refusal speaks of the server's key."""
    from dataclasses import replace

    from hftui.config import ServerConfig
    from hftui.servers import server_target

    server = ServerConfig("hf-host", f"{emulator.base_url}/_ep/demo-user/llama-chat", kind="tgi", key_env="GATE_KEY")
    settings = replace(server_settings, servers={**server_settings.servers, "hf-host": server})
    async with HFClient(settings, token, token_source="HF_TOKEN") as hf:
        assert hf.trusted(server.url)  # the URL kind would send the token here; a named server never does
        with pytest.raises(AuthError) as info:
            await hf.inference.chat_completion(server_target(server), MESSAGES)
    message = info.value.user_message()
    assert "key of server hf-host from $GATE_KEY" in message and "HF_TOKEN" not in message


async def test_a_key_echoed_back_is_redacted_and_no_key_is_explained(server_settings, token, gate):
    from hftui.servers import find_server, server_target

    async with HFClient(server_settings, token) as hf:
        with pytest.raises(AuthError) as info:
            await hf.inference.chat_completion(server_target(find_server(server_settings, "gate")),
                                               [{"role": "user", "content": "ECHO-THE-KEY"}])
        echoed = info.value
        with pytest.raises(AuthError) as info:
            await hf.inference.chat_completion(server_target(find_server(server_settings, "nokey")), MESSAGES)
    text = f"{echoed.user_message()} {echoed.message} {echoed.request_id} {echoed.args}"
    assert GATE_KEY not in text and "key refused: Bearer ***" in echoed.message and echoed.request_id == "Bearer ***"
    assert "server nokey has no key" in info.value.user_message()
    assert gate.auths == [f"Bearer {GATE_KEY}", None]
    assert gate.leaks == []


def test_batch_server_target(server_settings, gate, tmp_path, monkeypatch, capsys, token):
    from hftui.batch.cli import main as batch_main

    monkeypatch.setenv("HF_TOKEN", token.reveal())  # the HF token is there, and must stay home
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"Question {i}"}],
                                            "parameters": {"max_tokens": 5}}) for i in range(4)) + "\n")
    out = tmp_path / "out.jsonl"
    code = batch_main(["server:gate", "-i", str(inputs), "-o", str(out), "-c", "2"], server_settings)
    err = capsys.readouterr().err
    assert code == 0, err
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 4 and all(r["result"]["content"].strip() for r in records)
    assert GATE_KEY not in err + out.read_text()
    assert gate.auths == [f"Bearer {GATE_KEY}"] * 4 and gate.leaks == []

    assert {json.loads(b)["model"] for b in gate.bodies} == {"tgi"}  # the server's default model

    # a model named after the slash; text generation on the TGI server
    inputs.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')
    assert batch_main(["server:gate/org/my-model", "-i", str(inputs), "-o", str(tmp_path / "m.jsonl")],
                      server_settings) == 0
    assert json.loads(gate.bodies[-1])["model"] == "org/my-model"
    gen_out = tmp_path / "gen.jsonl"
    inputs.write_text('{"inputs": "Once upon", "parameters": {"max_new_tokens": 4}}\n')
    assert batch_main(["server:gate", "--task", "text-generation", "-i", str(inputs), "-o", str(gen_out)],
                      server_settings) == 0
    assert json.loads(gen_out.read_text())["result"]["text"].strip()
    assert gate.paths[-1] == "/" and gate.auths == [f"Bearer {GATE_KEY}"] * 6 and gate.leaks == []


@pytest.mark.parametrize("argv, message", [
    (["server:nope"], "no server named 'nope' in config.toml (servers: gate, nokey)"),
    (["server:nokey", "--task", "text-generation"], "answers chat-completion, not text-generation"),
])
def test_batch_server_target_errors(server_settings, gate, tmp_path, capsys, argv, message):
    from hftui.batch.cli import main as batch_main

    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"inputs": "x"}\n')
    code = batch_main(argv[:1] + ["-i", str(inputs), "-o", str(tmp_path / "o.jsonl")] + argv[1:], server_settings)
    assert code == 2 and message in capsys.readouterr().err
    assert gate.auths == []


def test_batch_server_key_env_unset(server_settings, gate, tmp_path, monkeypatch, capsys):
    from hftui.batch.cli import main as batch_main

    monkeypatch.delenv("GATE_KEY")
    inputs = tmp_path / "in.jsonl"
    inputs.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')
    assert batch_main(["server:gate", "-i", str(inputs), "-o", str(tmp_path / "o.jsonl")], server_settings) == 2
    assert "$GATE_KEY (its key_env) is not set" in capsys.readouterr().err
    assert gate.auths == []


async def test_playground_server_target(server_settings, token, gate, tmp_path):
    from textual.widgets import Input, Select

    from hftui.app import HFTUIApp
    from hftui.auth import ResolvedToken
    from tests.playground.playground_helpers import playground, run_and_wait
    from tests.support.pilot import screen_text, wait_until

    app = HFTUIApp(server_settings, ResolvedToken(token, "test"), first_screen="playground")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await playground(pilot)
        kind = screen.query_one("#target-kind", Select)
        kind.value = "server:gate"
        screen.query_one("#target-model", Input).value = ""
        await pilot.pause()
        assert "→ the server's default model  (server gate)" in screen_text(app)
        target = screen.build_target()
        assert target.label == "server gate · tgi" and target.send_token is False
        await run_and_wait(pilot, screen)
        assert screen.error_text == ""
        assert "Assistant" in screen.output.plain_text()
        assert screen.last_record["target"]["server"] == "gate"
        assert gate.auths == [f"Bearer {GATE_KEY}"] and gate.leaks == []

        # a task the server does not answer: a clear line, nothing sent
        screen.query_one("#task", Select).value = "fill-mask"
        await wait_until(pilot, lambda: screen.spec.task == "fill-mask")
        await run_and_wait(pilot, screen)
        assert "answers chat-completion, text-generation, not fill-mask" in screen.error_text
        assert len(gate.auths) == 1

        # a past run re-opened picks the server again (its key looked up afresh, never stored)
        record = screen.last_record
        assert GATE_KEY not in json.dumps(record)
        kind.value = "model"
        screen.load_run(record)
        await wait_until(pilot, lambda: kind.value == "server:gate" and screen.spec.task == "chat-completion")
        await run_and_wait(pilot, screen)
        assert screen.error_text == ""
        assert gate.auths == [f"Bearer {GATE_KEY}"] * 2 and gate.leaks == []
        assert token.reveal() not in screen_text(app) and GATE_KEY not in screen_text(app)
