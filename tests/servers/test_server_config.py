"""``[servers.NAME]`` in config.toml, the server's key (env or stored 0600), and ``hftui server``."""

from __future__ import annotations

import stat

import pytest

from hftui.auth import Secret
from hftui.config import ConfigError, ServerConfig, load_settings

KEY = "sk-stored-key-9876543210"


def _load(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ={})


def test_servers_tables_are_read(tmp_path):
    settings = _load(tmp_path, '''
timeout = 12
[servers.gpu-box]
url = "http://127.0.0.1:8080/"
kind = "tgi"
model = "meta-llama/Llama-3.1-8B-Instruct"
key_env = "GPU_BOX_KEY"

[servers.proxy]
url = "https://llm.internal.example/v1"
''')
    assert settings.timeout == 12
    assert settings.servers == {
        "gpu-box": ServerConfig("gpu-box", "http://127.0.0.1:8080", "tgi", "meta-llama/Llama-3.1-8B-Instruct",
                                "GPU_BOX_KEY"),
        "proxy": ServerConfig("proxy", "https://llm.internal.example/v1"),
    }
    assert load_settings(tmp_path / "none.toml", environ={}).servers == {}


@pytest.mark.parametrize("table, message", [
    ('[servers.a]\nkind = "tgi"', "servers.a.url: an http:// or https:// URL"),
    ('[servers.a]\nurl = "ftp://x"', "servers.a.url"),
    ('[servers.a]\nurl = "http://x/\\u001b]0;t\\u0007"', "servers.a.url"),
    ('[servers.a]\nurl = "http://x"\nkind = "vllm"', "servers.a.kind: one of openai, tgi"),
    ('[servers.a]\nurl = "http://x"\nkey-env = "K"', "unknown key 'key-env'"),
    ('[servers.a]\nurl = "http://x"\nkey = "sk-inline"', "a key is not kept in config.toml"),
    ('[servers.a]\nurl = "http://x"\nkey_env = "MY KEY"', "servers.a.key_env"),
    ('[servers.a]\nurl = "http://x"\nmodel = "m\\u001b[2J"', "servers.a.model"),
    ('[servers."a b"]\nurl = "http://x"', "a server name is"),
    ('servers = 3', "servers must be a table"),
    ('[servers]\na = 1', "servers.a must be a table"),
])
def test_a_bad_server_table_is_one_line_naming_the_key(tmp_path, table, message):
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, table)
    text = str(info.value)
    assert message in text and "\n" not in text and "\x1b" not in text
    assert "sk-inline" not in text


def test_key_from_env_stored_or_none(tmp_path):
    from hftui.servers import ServerError, key_path, key_summary, resolve_auth, save_key

    env_server = ServerConfig("a", "http://x", key_env="A_KEY")
    auth = resolve_auth(env_server, {"A_KEY": " sk-env \n"})
    assert auth.key == Secret("sk-env") and auth.source == "$A_KEY" and "sk-env" not in repr(auth)
    with pytest.raises(ServerError, match=r"\$A_KEY \(its key_env\) is not set"):
        resolve_auth(env_server, {})
    with pytest.raises(ServerError, match="printable ASCII"):
        resolve_auth(env_server, {"A_KEY": "sk-\u00e9t\u00e9"})
    assert key_summary(env_server, {}) == "key from $A_KEY (NOT SET)"
    assert key_summary(env_server, {"A_KEY": "x"}) == "key from $A_KEY (set)"

    stored = ServerConfig("b", "http://x")
    assert resolve_auth(stored, {}).key is None and key_summary(stored, {}) == "no key"
    path = save_key("b", Secret(KEY))
    assert path == key_path("b") and path.read_text() == KEY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert resolve_auth(stored, {}).key == Secret(KEY) and key_summary(stored, {}) == "stored key"
    with pytest.raises(ServerError, match="not a server name"):
        key_path("../token")


def test_target_checks_the_task_and_never_carries_the_token(tmp_path):
    from hftui.servers import ServerError, server_target

    openai = ServerConfig("proxy", "http://x", model="m1")
    target = server_target(openai, task="chat-completion", environ={})
    assert (target.kind, target.url, target.model, target.send_token) == ("url", "http://x", "m1", False)
    assert target.auth.server == "proxy" and target.label == "server proxy · m1"
    assert server_target(openai, model="other", environ={}).model == "other"
    with pytest.raises(ServerError, match=r'answers chat-completion, not text-generation \(set kind = "tgi"'):
        server_target(openai, task="text-generation", environ={})
    tgi = ServerConfig("box", "http://x", kind="tgi")
    assert server_target(tgi, task="text-generation", environ={}).auth.server == "box"
    with pytest.raises(ServerError, match="not fill-mask"):
        server_target(tgi, task="fill-mask", environ={})


def _cli(argv, monkeypatch, capsys, typed: str | None = None):
    from hftui.cli import main

    if typed is not None:
        monkeypatch.setattr("getpass.getpass", lambda prompt="": typed)
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_server_add_list_remove(monkeypatch, capsys):
    from hftui.config import config_file
    from hftui.servers import key_path

    code, out, err = _cli(["server", "list"], monkeypatch, capsys)
    assert code == 0 and "No servers" in out

    code, out, err = _cli(["server", "add", "gpu-box", "http://127.0.0.1:8080", "--kind", "tgi", "--model",
                           "org/m"], monkeypatch, capsys, typed=KEY)
    assert code == 0, err
    assert KEY not in out + err
    path = key_path("gpu-box")
    assert path.read_text() == KEY and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings(environ={}).servers["gpu-box"] == ServerConfig("gpu-box", "http://127.0.0.1:8080", "tgi",
                                                                         "org/m")

    code, out, err = _cli(["server", "add", "proxy", "https://llm.example/v1", "--key-env", "PROXY_KEY"],
                          monkeypatch, capsys)
    assert code == 0 and "$PROXY_KEY" in out
    assert not key_path("proxy").exists()
    assert "[servers.proxy]" in config_file().read_text()

    code, out, err = _cli(["server", "list"], monkeypatch, capsys)
    assert code == 0 and KEY not in out
    assert "gpu-box  tgi  http://127.0.0.1:8080  model org/m  stored key" in out
    assert "proxy  openai  https://llm.example/v1  key from $PROXY_KEY (NOT SET)" in out

    code, out, err = _cli(["locate"], monkeypatch, capsys)
    assert f"server keys: {path.parent}" in out and "server gpu-box  tgi" in out and KEY not in out

    # the same name for another URL is refused; a bad key is refused without echoing it
    code, out, err = _cli(["server", "add", "gpu-box", "http://other:1"], monkeypatch, capsys, typed="x")
    assert code == 2 and "already in" in err
    code, out, err = _cli(["server", "add", "new", "http://h:1"], monkeypatch, capsys, typed="sk has spaces")
    assert code == 2 and "printable ASCII" in err and "sk has spaces" not in err
    assert "new" not in load_settings(environ={}).servers

    code, out, err = _cli(["server", "remove", "gpu-box"], monkeypatch, capsys)
    assert code == 0 and not path.exists() and "stays in" in out


def test_server_add_keeps_the_rest_of_the_config(monkeypatch, capsys):
    from hftui.config import config_file

    config_file().parent.mkdir(parents=True)
    config_file().write_text('# my settings\ntimeout = 45\n\n[keymap]\n"endpoints.pause" = "P"', encoding="utf-8")
    code, out, err = _cli(["server", "add", "box", "http://127.0.0.1:9000", "--no-key"], monkeypatch, capsys)
    assert code == 0, err
    text = config_file().read_text()
    assert text.startswith('# my settings\ntimeout = 45\n\n[keymap]\n"endpoints.pause" = "P"\n')
    settings = load_settings(environ={})
    assert settings.timeout == 45 and settings.keymap == {"endpoints.pause": "P"}
    assert settings.servers["box"].url == "http://127.0.0.1:9000"
    assert stat.S_IMODE(config_file().stat().st_mode) & 0o022 == 0


async def test_the_key_goes_to_the_servers_origin_only_and_the_token_never():
    from hftui.client import HFClient
    from hftui.config import Settings
    from hftui.servers import resolve_auth

    hf_host = Settings().inference_url  # a host the HF token may go to
    auth = resolve_auth(ServerConfig("box", "http://127.0.0.1:8080/v1", key_env="K"), {"K": KEY})
    async with HFClient(Settings(), Secret("hf_NeverToANamedServer000")) as hf:
        assert hf.headers("http://127.0.0.1:8080/v1/chat/completions", auth=auth) == {"authorization": f"Bearer {KEY}"}
        for elsewhere in ("http://127.0.0.1:8081/v1", "https://127.0.0.1:8080/v1", "http://localhost:8080/v1",
                          hf_host + "/v1/chat/completions"):
            assert hf.headers(elsewhere, True, auth=auth) == {}, elsewhere
        assert "authorization" in hf.headers(hf_host + "/v1/chat/completions")  # (without auth: the token)
