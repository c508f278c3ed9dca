from pathlib import Path

import pytest

from hftui.config import (
    DEFAULT_ENDPOINTS_API_URL,
    DEFAULT_HUB_URL,
    DEFAULT_INFERENCE_URL,
    ConfigError,
    Settings,
    config_file,
    data_dir,
    load_settings,
)


def test_defaults_point_at_the_real_services(tmp_path):
    s = load_settings(tmp_path / "missing.toml", environ={})
    assert (s.hub_url, s.inference_url, s.endpoints_api_url) == (
        "https://huggingface.co", "https://router.huggingface.co", "https://api.endpoints.huggingface.cloud/v2")
    assert (DEFAULT_HUB_URL, DEFAULT_INFERENCE_URL, DEFAULT_ENDPOINTS_API_URL) == (
        s.hub_url, s.inference_url, s.endpoints_api_url)


def test_file_then_env_precedence(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text('hub_url = "http://file/"\ntimeout = 7\nrefresh_interval = 2.5\n[keymap]\n"endpoints.pause" = "P"\n')
    s = load_settings(f, environ={})
    assert s.hub_url == "http://file"  # trailing slash dropped
    assert s.timeout == 7.0 and s.refresh_interval == 2.5
    assert s.keymap == {"endpoints.pause": "P"}
    s = load_settings(f, environ={"HF_ENDPOINT": "http://env", "HFTUI_INFERENCE_URL": "http://router",
                                  "HFTUI_ENDPOINTS_API_URL": "http://ep/v2"})
    assert (s.hub_url, s.inference_url, s.endpoints_api_url) == ("http://env", "http://router", "http://ep/v2")
    assert s.timeout == 7.0


def test_bad_file_is_a_clear_error(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text("timeout = [")
    with pytest.raises(ConfigError) as err:
        load_settings(f, environ={})
    assert str(f) in str(err.value)


def test_bad_env_value_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="HFTUI_TIMEOUT"):
        load_settings(tmp_path / "none.toml", environ={"HFTUI_TIMEOUT": "soon"})


def test_dirs_follow_xdg(isolated_env):
    assert config_file() == Path(isolated_env / "config" / "hftui" / "config.toml")
    assert data_dir() == Path(isolated_env / "data" / "hftui")


def test_with_base_url_points_everything_at_one_server():
    s = Settings().with_base_url("http://127.0.0.1:9/")
    assert (s.hub_url, s.inference_url, s.endpoints_api_url) == (
        "http://127.0.0.1:9", "http://127.0.0.1:9", "http://127.0.0.1:9/v2")


def test_ago_units():
    from datetime import datetime, timedelta, timezone

    from hftui.clock import ago, now

    ref = datetime(2026, 10, 26, 13, tzinfo=timezone.utc)
    assert ago(None) == "-"
    assert [ago(ref - timedelta(seconds=s), ref) for s in (5, 300, 7200, 86400 * 3, 86400 * 800)] == [
        "5s", "5m", "2h", "3d", "2y"]
    assert ago(ref + timedelta(hours=1), ref) == "0s"  # clock skew never shows a negative age
    assert now() == ref  # frozen by the test fixture


def test_demo_keeps_its_data_apart(isolated_env, monkeypatch):
    import hftui.config as config

    monkeypatch.setattr(config, "_data_dir_override", None)
    real = config.data_dir()
    config.use_separate_data_dir("demo")
    assert config.data_dir() == real / "demo"
    from hftui.history import History

    assert History.default().path.parent == real / "demo"


def test_confirm_table_relaxes_pause_resume_only_and_refuses_anything_else(tmp_path):
    assert Settings().confirm_pause_resume is True
    f = tmp_path / "config.toml"
    f.write_text("[confirm]\npause_resume = false\n")
    assert load_settings(f, environ={}).confirm_pause_resume is False
    for bad in ("[confirm]\ndelete = false\n", "[confirm]\npause_resume = \"no\"\n", "confirm = false\n"):
        f.write_text(bad)
        with pytest.raises(ConfigError, match="confirm.*pause_resume = true or false"):
            load_settings(f, environ={})
