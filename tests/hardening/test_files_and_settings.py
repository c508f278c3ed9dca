"""Local files an attacker may have planted, and settings out of range (issue 9, items 10 and 16).

Config dir trust works like ssh's StrictModes: a ``config.toml`` or token file
that another user owns or can write (itself or through its directory) is not
used, and a one-line warning names the file and the fix. Files hftui writes
(history DB, export snippets) are private from their first byte and never
followed through a planted symlink. Every setting has a range; a bad value is a
one-line error naming the key, where it came from and what is allowed.

The suite runs as root here: "owned by another user" is a file chowned to
uid 65534; "writable by others" is chmod 0o777 / 0o666 (not a sticky /tmp).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from hftui.config import ConfigError, config_file, data_dir, load_settings

NOBODY = 65534
EVIL_HUB = "http://evil.example"


def _config(text: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def _only_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


# --- item 10: config dir trust -----------------------------------------------------------------------------


def test_a_private_config_file_is_used_without_a_word(capsys):
    _config(f'hub_url = "{EVIL_HUB}"\n')
    assert load_settings(environ={}).hub_url == EVIL_HUB  # the user's own choice
    assert capsys.readouterr().err == ""


def test_config_in_a_world_writable_dir_is_ignored_with_a_warning(capsys):
    path = _config(f'hub_url = "{EVIL_HUB}"\n')
    path.parent.chmod(0o777)
    s = load_settings(environ={})
    assert s.hub_url == "https://huggingface.co"
    line = _only_line(capsys.readouterr().err)
    assert str(path) in line and f"chmod go-w {path.parent}" in line and "ignor" in line


def test_group_writable_config_file_is_ignored_with_a_warning(capsys):
    path = _config(f'hub_url = "{EVIL_HUB}"\n')
    os.chown(path, -1, NOBODY)  # a group with others in it (root's own group counts as private)
    path.chmod(0o620)
    assert load_settings(environ={}).hub_url == "https://huggingface.co"
    line = _only_line(capsys.readouterr().err)
    assert str(path) in line and f"chmod go-w {path}" in line


def test_config_file_owned_by_another_user_is_ignored(capsys):
    path = _config(f'hub_url = "{EVIL_HUB}"\n')
    os.chown(path, NOBODY, NOBODY)
    assert load_settings(environ={}).hub_url == "https://huggingface.co"
    line = _only_line(capsys.readouterr().err)
    assert str(path) in line and str(NOBODY) in line


def test_config_dir_owned_by_another_user_is_ignored(capsys):
    path = _config(f'hub_url = "{EVIL_HUB}"\n')
    os.chown(path.parent, NOBODY, NOBODY)
    assert load_settings(environ={}).hub_url == "https://huggingface.co"
    assert str(path.parent) in _only_line(capsys.readouterr().err)


def test_group_write_for_your_own_private_group_is_fine(capsys):
    """Debian/Ubuntu's umask 002 makes files 0664 with the user's own group: nobody else can write."""
    import grp
    import pwd

    me = pwd.getpwuid(os.geteuid())
    group = grp.getgrgid(me.pw_gid)
    if group.gr_name != me.pw_name or set(group.gr_mem) - {me.pw_name}:
        pytest.skip("this user has no private group")
    path = _config(f'hub_url = "{EVIL_HUB}"\n')
    os.chown(path, -1, me.pw_gid)
    path.chmod(0o664)
    path.parent.chmod(0o775)
    assert load_settings(environ={}).hub_url == EVIL_HUB
    assert capsys.readouterr().err == ""


def test_env_still_applies_when_the_file_is_ignored(capsys):
    path = _config('timeout = 3\n')
    path.chmod(0o666)
    s = load_settings(environ={"HFTUI_TIMEOUT": "9"})
    assert s.timeout == 9.0
    assert "chmod go-w" in capsys.readouterr().err


def _token_file(path: Path, value: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(value)
    path.chmod(mode)
    return path


@pytest.mark.parametrize("how", ["other-owner", "group-writable", "world-writable-dir"])
def test_a_planted_hftui_token_file_is_refused(how, capsys):
    from hftui.auth import hftui_token_path, resolve_token

    path = _token_file(hftui_token_path(), "hf_planted_by_someone_else")
    if how == "other-owner":
        os.chown(path, NOBODY, NOBODY)
    elif how == "group-writable":
        os.chown(path, -1, NOBODY)
        path.chmod(0o620)
    else:
        path.parent.chmod(0o777)
    assert resolve_token() is None
    line = _only_line(capsys.readouterr().err)
    assert str(path) in line and "token" in line


def test_a_refused_token_file_falls_back_to_the_next_source(isolated_env, capsys):
    from hftui.auth import hf_ecosystem_token_path, hftui_token_path, resolve_token

    planted = _token_file(hftui_token_path(), "hf_planted_by_someone_else")
    os.chown(planted, NOBODY, NOBODY)
    eco = _token_file(hf_ecosystem_token_path({"HF_HOME": str(isolated_env / "hf_home")}), "hf_mine", 0o644)
    resolved = resolve_token(environ={"HF_HOME": str(isolated_env / "hf_home")})
    assert resolved.token.reveal() == "hf_mine" and resolved.source == str(eco)
    assert str(planted) in capsys.readouterr().err


def test_an_ecosystem_token_in_a_world_writable_hf_home_is_refused(isolated_env, capsys):
    from hftui.auth import hf_ecosystem_token_path, resolve_token

    env = {"HF_HOME": str(isolated_env / "hf_home")}
    path = _token_file(hf_ecosystem_token_path(env), "hf_planted", 0o644)
    path.parent.chmod(0o777)
    assert resolve_token(environ=env) is None
    assert f"chmod go-w {path.parent}" in capsys.readouterr().err


def test_a_private_token_file_is_used(capsys):
    from hftui.auth import hftui_token_path, resolve_token

    _token_file(hftui_token_path(), "hf_mine")
    assert resolve_token().token.reveal() == "hf_mine"
    assert capsys.readouterr().err == ""


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_history_db_is_private_from_the_start(monkeypatch):
    """sqlite creates files 0644 under the usual umask: the DB must exist 0600 before sqlite opens it."""
    from hftui.history import History

    old = os.umask(0o022)
    seen: list[int | None] = []
    real_connect = sqlite3.connect

    def spy(path, *args, **kwargs):
        seen.append(_mode(Path(path)) if Path(path).exists() else None)
        return real_connect(path, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", spy)
    try:
        h = History.default()
        h.add({"task": "fill-mask", "inputs": {"inputs": "x"}})
        files = sorted(h.path.parent.glob("history.sqlite3*"))  # with the -wal and -shm SQLite made
        modes = {p.name: _mode(p) for p in files}
        h.close()
    finally:
        os.umask(old)
    assert seen == [0o600]
    assert len(modes) == 3 and all(mode & 0o077 == 0 for mode in modes.values()), modes
    assert _mode(h.path.parent) & 0o077 == 0


def test_history_never_follows_a_planted_symlink(tmp_path):
    from hftui.history import History, HistoryError

    victim = tmp_path / "victim.db"
    victim.write_bytes(b"precious")
    folder = data_dir()
    folder.mkdir(parents=True, mode=0o700)
    (folder / "history.sqlite3").symlink_to(victim)
    h = History.default()
    with pytest.raises(HistoryError, match="symlink"):
        h.add({"task": "fill-mask"})
    assert victim.read_bytes() == b"precious"


def test_history_in_a_world_writable_data_dir_is_refused():
    from hftui.history import History, HistoryError

    folder = data_dir()
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    with pytest.raises(HistoryError) as err:
        History.default().list()
    assert f"chmod go-w {folder}" in str(err.value)
    assert not (folder / "history.sqlite3").exists()


def _snippet_record():
    return {"id": 7, "task": "fill-mask", "target": {"kind": "model", "model": "google-bert/bert-base-uncased"},
            "inputs": {"inputs": "Paris is the [MASK] of France."}, "parameters": {}, "options": {},
            "result": None, "error": None, "timings": {}}


def test_saving_a_snippet_never_follows_a_planted_symlink(tmp_path):
    from hftui.export import save_snippet

    victim = tmp_path / "victim.sh"
    victim.write_text("precious\n")
    exports = data_dir() / "exports"
    exports.mkdir(parents=True, mode=0o700)
    (exports / "run-7-curl.sh").symlink_to(victim)
    path = save_snippet("curl -sS https://example.org\n", "curl", _snippet_record())
    assert victim.read_text() == "precious\n"
    assert path == exports / "run-7-curl.sh" and not path.is_symlink()
    assert path.read_text() == "curl -sS https://example.org\n"
    assert _mode(path) & 0o077 == 0


def test_a_snippet_is_private_from_its_first_byte(monkeypatch):
    """The file is created with its final mode (no world-readable moment before a chmod)."""
    import hftui.export as export

    old = os.umask(0)
    chmods: list = []
    monkeypatch.setattr(Path, "chmod", lambda self, mode: chmods.append((self, mode)))
    monkeypatch.setattr(os, "chmod", lambda *a, **k: chmods.append(a))
    try:
        path = export.save_snippet("print(1)\n", "httpx", _snippet_record())
    finally:
        os.umask(old)
    assert chmods == []
    assert _mode(path) == 0o600 and _mode(path.parent) & 0o077 == 0
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind


def test_snippets_are_not_saved_into_a_world_writable_dir():
    from hftui.export import save_snippet

    exports = data_dir() / "exports"
    exports.mkdir(parents=True)
    exports.chmod(0o777)
    with pytest.raises(OSError, match="chmod go-w"):
        save_snippet("print(1)\n", "httpx", _snippet_record())
    assert list(exports.iterdir()) == []


# --- item 16: settings validation --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "0", "0.001", "0.99", "nan", "inf", "-inf", "1e400"])
def test_refresh_interval_from_env_has_a_floor_of_one_second(value):
    with pytest.raises(ConfigError) as err:
        load_settings(environ={"HFTUI_REFRESH_INTERVAL": value})
    msg = str(err.value)
    assert "HFTUI_REFRESH_INTERVAL" in msg and "refresh_interval" in msg and "at least 1" in msg
    assert "\n" not in msg


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_timeout_must_be_positive_and_finite(value):
    with pytest.raises(ConfigError, match=r"HFTUI_TIMEOUT.*timeout"):
        load_settings(environ={"HFTUI_TIMEOUT": value})


@pytest.mark.parametrize("line, key", [
    ("refresh_interval = 0.5", "refresh_interval"),
    ("refresh_interval = nan", "refresh_interval"),
    ("timeout = 0", "timeout"),
    ("timeout = -inf", "timeout"),
    ("stream_timeout = 0", "stream_timeout"),
    ("max_body_bytes = inf", "max_body_bytes"),
    ("max_body_bytes = -1", "max_body_bytes"),
    ("max_body_bytes = 1.5", "max_body_bytes"),
    ("max_body_bytes = true", "max_body_bytes"),
    ("max_image_pixels = 0", "max_image_pixels"),
    ("max_image_pixels = nan", "max_image_pixels"),
    ('image_protocol = "kitty\\u001b[2J"', "image_protocol"),
    ('image_protocol = "iterm"', "image_protocol"),
    ('hub_url = "file:///etc/passwd"', "hub_url"),
    ('inference_url = "http://x.example/\\u001b]52;c;aGk=\\u0007"', "inference_url"),
    ('endpoints_api_url = ["a"]', "endpoints_api_url"),
    ('namespace = "me\\u001b[2J"', "namespace"),
    ("namespace = 3", "namespace"),
    ("keymap = 3", "keymap"),
])
def test_a_bad_value_in_the_file_names_file_key_and_range(line, key):
    path = _config(line + "\n")
    with pytest.raises(ConfigError) as err:
        load_settings(environ={})
    msg = str(err.value)
    assert str(path) in msg and key in msg and "allowed" in msg, msg
    assert "\n" not in msg and "\x1b" not in msg


def test_values_in_range_are_kept():
    _config('refresh_interval = 1\ntimeout = 0.5\nstream_timeout = 600\nmax_body_bytes = 1048576\n'
            'image_protocol = "Sixel"\nnamespace = "my-org"\nmax_image_pixels = 1000000\n')
    s = load_settings(environ={"HFTUI_REFRESH_INTERVAL": "2.5"})
    assert (s.refresh_interval, s.timeout, s.stream_timeout, s.max_body_bytes) == (2.5, 0.5, 600.0, 1048576)
    assert (s.image_protocol, s.namespace, s.max_image_pixels) == ("sixel", "my-org", 1_000_000)


@pytest.mark.parametrize("text", [
    "a = " + "[" * 100_000 + "]" * 100_000,
    "a = " + "{b=" * 5_000 + "1" + "}" * 5_000,
], ids=["arrays", "tables"])
def test_a_deeply_nested_file_is_a_config_error(text):
    path = _config(text + "\n")
    with pytest.raises(ConfigError) as err:
        load_settings(environ={})
    assert str(path) in str(err.value)


def test_a_huge_config_file_is_a_config_error():
    path = _config("# " + "x" * (2 * 1024 * 1024) + "\n")
    with pytest.raises(ConfigError, match="too big") as err:
        load_settings(environ={})
    assert str(path) in str(err.value)


def test_an_unknown_setting_is_named_with_a_suggestion():
    _config("refresh_intervall = 10\n")
    with pytest.raises(ConfigError, match=r"refresh_intervall.*refresh_interval"):
        load_settings(environ={})


@pytest.mark.parametrize("keys", ["\u001b]0;owned\u0007", "ctrl+\u001b[2J", "P\u009b", "", "ctrl+", "a b",
                                  "ctrl+q,,f2", "f1,\u001b", "x" * 200],
                         ids=["osc", "csi", "c1", "empty", "no-key", "space", "empty-part", "esc", "long"])
def test_a_keymap_key_must_be_a_printable_key_name(keys):
    import json

    _config("[keymap]\n" + json.dumps("app.help") + " = " + json.dumps(keys) + "\n")
    with pytest.raises(ConfigError) as err:
        load_settings(environ={})
    msg = str(err.value)
    assert "app.help" in msg and "allowed" in msg
    assert "\x1b" not in msg and "\x9b" not in msg and "\n" not in msg


def test_keymap_values_must_be_strings():
    _config('[keymap]\n"app.help" = ["f2"]\n')
    with pytest.raises(ConfigError, match="app.help"):
        load_settings(environ={})


def test_good_keymap_keys_are_kept():
    _config('[keymap]\n"app.help" = "f2, ?"\n"endpoints.pause" = "P,ctrl+shift+p"\n"app.quit" = "question_mark"\n')
    assert load_settings(environ={}).keymap == {"app.help": "f2,?", "endpoints.pause": "P,ctrl+shift+p",
                                                 "app.quit": "question_mark"}


def test_an_unknown_binding_id_is_named_with_close_matches():
    from hftui.keys import KeymapError, check_keymap

    check_keymap({"endpoints.pause": "P", "app.help": "f2"})  # known ids pass
    with pytest.raises(KeymapError) as err:
        check_keymap({"endpoints.pase": "P"})
    msg = str(err.value)
    assert "endpoints.pase" in msg and "endpoints.pause" in msg and "\n" not in msg


def test_the_app_exits_2_with_one_line_on_a_bad_setting(monkeypatch, capsys):
    import hftui.cli as cli

    monkeypatch.setattr(cli, "run_app", lambda *a: pytest.fail("the app started with a bad setting"))
    monkeypatch.setenv("HFTUI_REFRESH_INTERVAL", "nan")
    with pytest.raises(SystemExit) as exc:
        cli.main([])
    assert exc.value.code == 2
    line = _only_line(capsys.readouterr().err)
    assert line.startswith("hftui: config error:") and "HFTUI_REFRESH_INTERVAL" in line and "at least 1" in line


def test_the_app_exits_2_on_a_typo_in_a_keymap_id(monkeypatch, capsys):
    import hftui.cli as cli

    monkeypatch.setattr(cli, "run_app", lambda *a: pytest.fail("the app started with a bad keymap"))
    _config('[keymap]\n"endpoints.pase" = "P"\n')
    with pytest.raises(SystemExit) as exc:
        cli.main([])
    assert exc.value.code == 2
    line = _only_line(capsys.readouterr().err)
    assert "endpoints.pase" in line and "endpoints.pause" in line and str(config_file()) in line


def test_nested_toml_through_the_cli_is_one_line_no_traceback():
    import subprocess
    import sys

    _config("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    proc = subprocess.run([sys.executable, "-m", "hftui", "login"], capture_output=True, text=True, timeout=60,
                          env={**os.environ}, stdin=subprocess.DEVNULL, start_new_session=True)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _only_line(proc.stderr).startswith("hftui: config error:")


def test_every_setting_has_a_range():
    """A setting added without a rule would be "unknown" in the file: each one refuses a nonsense value."""
    from dataclasses import fields

    from hftui.config import Settings

    for f in fields(Settings):
        _config(f"{f.name} = " + ("1" if f.name == "keymap" else "{ x = 1 }") + "\n")
        with pytest.raises(ConfigError) as err:
            load_settings(environ={})
        assert f.name in str(err.value) and "allowed" in str(err.value), str(err.value)


async def test_a_keymap_built_in_code_never_puts_escapes_on_screen(make_app):
    """Settings made in code skip load_settings: apply_keymap still drops keys that are not printable."""
    from tests.hardening.hardening_helpers import assert_clean_screen, endpoints_ready

    app = make_app(keymap={"endpoints.pause": "\x1b]0;owned\x07", "endpoints.faults": "F"})
    async with app.run_test(size=(120, 40)) as pilot:
        await endpoints_ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.3)
        text = assert_clean_screen(app)
        assert "owned" not in text
        assert type(app.screen).__name__ == "HelpScreen"
