import os
import stat
import subprocess
import sys

import pytest

from hftui import __version__
from hftui.cli import main


def run_cli(*args, env=None, input=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "hftui", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, input=input, timeout=timeout,
                          start_new_session=True)  # no controlling tty: getpass reads stdin


def test_version_and_help():
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"hftui {__version__}"
    out = run_cli("--help")
    assert out.returncode == 0
    for word in ("--demo", "login", "logout", "batch", "HF_TOKEN"):
        assert word in out.stdout


def test_locate_prints_xdg_paths(isolated_env, capsys):
    assert main(["locate", "config"]) == 0
    assert capsys.readouterr().out.strip() == str(isolated_env / "config" / "hftui" / "config.toml")


def test_logout_without_token(capsys):
    assert main(["logout"]) == 0
    assert "No hftui token" in capsys.readouterr().out


def test_bad_config_file_exits_2_with_message(isolated_env, capsys):
    cfg = isolated_env / "config" / "hftui"
    cfg.mkdir(parents=True)
    (cfg / "config.toml").write_text("timeout = [")
    with pytest.raises(SystemExit) as exc:
        main(["login"])
    assert exc.value.code == 2
    assert "config error" in capsys.readouterr().err


def test_login_validates_saves_0600_and_never_prints_the_token(emulator, isolated_env):
    env = {"HF_ENDPOINT": emulator.base_url}
    bad = run_cli("login", env=env, input="hf_wrong_token_value\n")
    assert bad.returncode == 1 and "rejected" in bad.stderr
    assert "hf_wrong_token_value" not in bad.stdout + bad.stderr
    ok = run_cli("login", env=env, input=emulator.token + "\n")
    assert ok.returncode == 0, ok.stderr
    assert "demo-user" in ok.stdout
    assert emulator.token not in ok.stdout + ok.stderr
    path = isolated_env / "config" / "hftui" / "token"
    assert path.read_text() == emulator.token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    out = run_cli("logout")
    assert out.returncode == 0 and not path.exists()
