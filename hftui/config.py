"""Settings: defaults point at the real Hugging Face services.

Precedence, highest first: environment variables, the TOML config file
(``config.toml`` in the platformdirs config dir), the defaults below.
Plain dataclasses and stdlib ``tomllib`` keep start-up fast.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

APP_NAME = "hftui"

DEFAULT_HUB_URL = "https://huggingface.co"
DEFAULT_INFERENCE_URL = "https://router.huggingface.co"
DEFAULT_ENDPOINTS_API_URL = "https://api.endpoints.huggingface.cloud/v2"


def config_dir() -> Path:
    """hftui's config dir (honours ``XDG_CONFIG_HOME`` on Linux)."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


_data_dir_override: Path | None = None


def use_separate_data_dir(name: str) -> None:
    """Keep this process's history and images apart (``--demo`` runs never mix with real ones)."""
    global _data_dir_override
    _data_dir_override = data_dir() / name


def data_dir() -> Path:
    """hftui's data dir: run history, saved images (honours ``XDG_DATA_HOME``)."""
    if _data_dir_override is not None:
        return _data_dir_override
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_file() -> Path:
    return config_dir() / "config.toml"


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Field names are the TOML keys."""

    hub_url: str = DEFAULT_HUB_URL
    """Hub base URL (env ``HF_ENDPOINT``)."""
    inference_url: str = DEFAULT_INFERENCE_URL
    """Inference router base URL (env ``HFTUI_INFERENCE_URL``)."""
    endpoints_api_url: str = DEFAULT_ENDPOINTS_API_URL
    """Inference Endpoints API base URL (env ``HFTUI_ENDPOINTS_API_URL``)."""
    timeout: float = 30.0
    """Seconds to wait for a response (connect, read, write) (env ``HFTUI_TIMEOUT``)."""
    stream_timeout: float = 120.0
    """Seconds to wait between two chunks of a stream."""
    refresh_interval: float = 5.0
    """Endpoints table refresh, seconds."""
    namespace: str | None = None
    """Default Endpoints namespace; None = the user's own."""
    image_protocol: str = "auto"
    """Inline images: auto, kitty, sixel, halfblock (env ``HFTUI_IMAGE_PROTOCOL``)."""
    max_image_pixels: int = 40_000_000
    """Decompression-bomb guard for images we decode or upload."""
    max_body_bytes: int = 32 * 1024 * 1024
    """Largest response body read into memory."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, e.g. ``{"endpoints.pause" = "P"}`` (section ``[keymap]``)."""
    servers: dict[str, ServerConfig] = field(default_factory=dict)
    """Named self-hosted servers, ``[servers.NAME]`` tables (see ``parse_servers``)."""

    def with_base_url(self, base: str) -> Settings:
        """Point every service at one base URL (the emulator serves them all)."""
        base = base.rstrip("/")
        return replace(self, hub_url=base, inference_url=base, endpoints_api_url=base + "/v2")


_ENV = {
    "hub_url": "HF_ENDPOINT",
    "inference_url": "HFTUI_INFERENCE_URL",
    "endpoints_api_url": "HFTUI_ENDPOINTS_API_URL",
    "timeout": "HFTUI_TIMEOUT",
    "image_protocol": "HFTUI_IMAGE_PROTOCOL",
    "refresh_interval": "HFTUI_REFRESH_INTERVAL",
}


class ConfigError(Exception):
    """The config file could not be read; the message says where and why."""


def _coerce(name: str, value: object) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "float":
        return float(value)  # type: ignore[arg-type]
    if kind == "int":
        return int(value)  # type: ignore[arg-type]
    if kind.startswith("dict"):
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table")
        return {str(k): str(v) for k, v in value.items()}
    return None if value is None else str(value)


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read the config file (if any), then apply environment overrides."""
    environ = os.environ if environ is None else environ
    path = config_file() if path is None else path
    values: dict[str, object] = {}
    known = {f.name for f in fields(Settings)}
    if path.is_file():
        import tomllib  # only when there is a file: start-up

        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        if "servers" in raw:
            values["servers"] = parse_servers(raw.pop("servers"), str(path))
        for key, value in raw.items():
            if key in known:
                try:
                    values[key] = _coerce(key, value)
                except (TypeError, ValueError) as exc:
                    raise ConfigError(f"{path}: {key}: {exc}") from None
    for name, var in _ENV.items():
        if environ.get(var):
            try:
                values[name] = _coerce(name, environ[var])
            except (TypeError, ValueError):
                raise ConfigError(f"${var}: not a valid value for {name}") from None
    for name in ("hub_url", "inference_url", "endpoints_api_url"):
        if name in values:
            values[name] = str(values[name]).rstrip("/")
    return Settings(**values)  # type: ignore[arg-type]


# --- named self-hosted servers: [servers.NAME] ---------------------------------------------

SERVER_KINDS = ("openai", "tgi")
"""What a server speaks: the OpenAI chat API only, or TGI (chat and text generation)."""
SERVER_KEYS = ("url", "kind", "model", "key_env")
_SERVER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


@dataclass(frozen=True)
class ServerConfig:
    """A self-hosted TGI / vLLM / OpenAI-compatible server; its key never lives in config.toml."""

    name: str
    url: str
    kind: str = "openai"
    model: str | None = None
    """The ``model`` a call names when none is given."""
    key_env: str | None = None
    """The environment variable holding the key; without it, the key ``hftui server add`` stored (if any)."""


def is_server_name(name: object) -> bool:
    """1-64 letters, digits, '-' or '_': a bare TOML key and a safe file name."""
    return isinstance(name, str) and _SERVER_NAME.fullmatch(name) is not None


def parse_servers(table: object, where: str = "config") -> dict[str, ServerConfig]:
    """The ``[servers]`` section: each entry checked, an unknown or misspelt key refused (a
    typo'd ``key_env`` would otherwise send no key at all)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: servers must be a table of [servers.NAME] tables")
    servers = {}
    for name, entry in table.items():
        servers[name] = server_config(name, entry, where)
    return servers


def server_config(name: object, entry: object, where: str = "config") -> ServerConfig:
    """One ``[servers.NAME]`` table as a ServerConfig; ConfigError naming the key and what it allows."""
    from hftui.sanitize import one_line, safe_url

    label = f"{where}: servers.{one_line(name, 64)}"
    if not is_server_name(name):
        raise ConfigError(f"{label}: a server name is 1-64 letters, digits, '-' or '_'")
    if not isinstance(entry, dict):
        raise ConfigError(f"{label} must be a table (url = ..., kind = ..., model = ..., key_env = ...)")
    if "key" in entry:
        raise ConfigError(f"{label}.key: a key is not kept in config.toml; set key_env = \"VAR\" "
                          f"or store it with `hftui server add`")
    unknown = sorted(str(k) for k in entry if k not in SERVER_KEYS)
    if unknown:
        raise ConfigError(f"{label}: unknown key {one_line(unknown[0], 40)!r} (allowed: {', '.join(SERVER_KEYS)})")
    url = entry.get("url")
    if not isinstance(url, str) or safe_url(url) is None:
        raise ConfigError(f"{label}.url: an http:// or https:// URL is required")
    kind = entry.get("kind", "openai")
    if kind not in SERVER_KINDS:
        raise ConfigError(f"{label}.kind: one of {', '.join(SERVER_KINDS)}")
    model = entry.get("model")
    if model is not None and (not isinstance(model, str) or not model.strip() or one_line(model, 300) != model):
        raise ConfigError(f"{label}.model: a model name on one line (at most 300 characters)")
    key_env = entry.get("key_env")
    if key_env is not None and (not isinstance(key_env, str) or not _ENV_NAME.fullmatch(key_env)):
        raise ConfigError(f"{label}.key_env: the name of an environment variable, e.g. \"MY_SERVER_KEY\"")
    return ServerConfig(name=name, url=url.rstrip("/"), kind=kind, model=model, key_env=key_env)
