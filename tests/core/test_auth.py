import os
import stat
import threading

from hftui.auth import (
    Secret,
    delete_token,
    hf_ecosystem_token_path,
    hftui_token_path,
    resolve_token,
    save_token,
)

TOKEN = "hf_secretvalue_do_not_print_1234"


def test_secret_never_shows_its_value():
    s = Secret(TOKEN)
    assert TOKEN not in repr(s) and TOKEN not in str(s) and TOKEN not in f"{s}"
    assert TOKEN not in repr({"t": s})
    assert s.reveal() == TOKEN


def test_resolution_order(isolated_env, monkeypatch):
    assert resolve_token() is None
    eco = hf_ecosystem_token_path()
    eco.parent.mkdir(parents=True)
    eco.write_text("  hf_from_ecosystem\n")
    r = resolve_token()
    assert r.token.reveal() == "hf_from_ecosystem" and r.source == str(eco)
    save_token(Secret("hf_from_hftui"))
    r = resolve_token()
    assert r.token.reveal() == "hf_from_hftui" and r.source == str(hftui_token_path())
    monkeypatch.setenv("HF_TOKEN", "hf_from_env")
    assert resolve_token().token.reveal() == "hf_from_env" and resolve_token().source == "HF_TOKEN"
    assert resolve_token("hf_explicit").source == "--token"


def test_hf_token_path_overrides_hf_home(isolated_env, monkeypatch):
    p = isolated_env / "elsewhere" / "tok"
    monkeypatch.setenv("HF_TOKEN_PATH", str(p))
    assert hf_ecosystem_token_path() == p


def test_empty_token_file_means_no_token(isolated_env):
    eco = hf_ecosystem_token_path()
    eco.parent.mkdir(parents=True)
    eco.write_text("\n \n")
    assert resolve_token() is None


def test_save_is_0600_and_atomic(isolated_env):
    path = save_token(Secret(TOKEN))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) & 0o077 == 0
    assert path.read_text() == TOKEN
    # concurrent saves never leave a partial or temp file behind
    threads = [threading.Thread(target=save_token, args=(Secret(f"hf_{i:040d}"),)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(path.read_text()) == 43
    assert [p.name for p in path.parent.iterdir()] == ["token"]


def test_logout_removes_only_hftui_file(isolated_env):
    eco = hf_ecosystem_token_path()
    eco.parent.mkdir(parents=True)
    eco.write_text("hf_eco")
    save_token(Secret(TOKEN))
    assert delete_token() is True
    assert delete_token() is False
    assert eco.exists()
