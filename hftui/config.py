"""Settings: defaults point at the real Hugging Face services.

Precedence, highest first: environment variables, the TOML config file
(``config.toml`` in the platformdirs config dir), the defaults below.
Plain dataclasses and stdlib ``tomllib`` keep start-up fast.

Every value read from the file or the environment is checked against its
range (``_RULES``: refresh at least 1 s, timeouts positive and finite, URLs
http(s), keymap keys printable key names...); a bad one is a ``ConfigError``
whose one-line message names the source, the key and what is allowed. An
unknown key is an error too (with the close matches). A config file that
another user owns or can write is ignored with a warning (``hftui.file_trust``).
"""

from __future__ import annotations

import math
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
    confirm: dict[str, bool] = field(default_factory=dict)
    """``[confirm]``: ``pause_resume = false`` lets ``p``/``r`` on one endpoint act without asking
    (scale to zero, delete, updates and marked rows always ask)."""

    @property
    def confirm_pause_resume(self) -> bool:
        return self.confirm.get("pause_resume", True)

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

MAX_CONFIG_BYTES = 1024 * 1024
"""A bigger config.toml is refused unread (it is a few lines of settings)."""

IMAGE_PROTOCOLS = ("auto", "kitty", "sixel", "halfblock")


class ConfigError(Exception):
    """A setting could not be used; the one-line message says where, which key and what is allowed."""


# --- validation: every setting has a range ----------------------------------------------------------------


def _as_float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError
    number = float(value.strip() if isinstance(value, str) else value)
    if not math.isfinite(number):
        raise ValueError
    return number


def _seconds(low: float, high: float, *, low_open: bool = False):
    def check(value: object) -> float:
        number = _as_float(value)
        if number < low or number > high or (low_open and number == low):
            raise ValueError
        return number

    floor = f"more than {low:g}" if low_open else f"at least {low:g}"
    return check, f"a number of seconds, {floor} and at most {high:g}"


def _integer(low: int, high: int, unit: str):
    def check(value: object) -> int:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, str):
            value = value.strip().replace("_", "")
            number = int(value) if value.lstrip("-").isdigit() else None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
            number = int(value)
        else:
            number = None
        if number is None or not low <= number <= high:
            raise ValueError
        return number

    return check, f"a whole number of {unit} from {low} to {high}"


def _url(value: object) -> str:
    from hftui.sanitize import safe_url

    url = safe_url(value.strip() if isinstance(value, str) else None)
    if url is None:
        raise ValueError
    return url.rstrip("/")


_NAMESPACE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")


def _namespace(value: object) -> str | None:
    if not isinstance(value, str):
        raise ValueError
    if not value.strip():
        return None
    if not _NAMESPACE.fullmatch(value.strip()):
        raise ValueError
    return value.strip()


def _image_protocol(value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in IMAGE_PROTOCOLS:
        raise ValueError
    return value.strip().lower()


# A key is modifiers + a printable key name ("ctrl+shift+p", "f10", "question_mark", "P") or one
# printable ASCII character ("?"): never a control character or an escape sequence, which would
# reach the terminal when the keys are shown.
_MODIFIERS = r"(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*"
_KEY = re.compile(_MODIFIERS + r"(?:[a-z][a-z0-9_]{1,31}|[A-Za-z0-9])|[!-+\--~]")
_BINDING_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}")
MAX_KEYS_PER_BINDING = 8
KEYS_ALLOWED = ('comma-separated keys such as "P", "ctrl+q", "f2", "?" or "question_mark" '
                f"(at most {MAX_KEYS_PER_BINDING})")


def parse_keys(value: object) -> str:
    """``"P, shift+p"`` -> ``"P,shift+p"``; ValueError unless every key is a printable key name."""
    if not isinstance(value, str):
        raise ValueError
    parts = [part.strip() for part in value.split(",")]
    if not 0 < len(parts) <= MAX_KEYS_PER_BINDING or not all(_KEY.fullmatch(p) for p in parts):
        raise ValueError
    return ",".join(parts)


class _KeymapProblem(ValueError):
    def __init__(self, binding_id: object, value: object, allowed: str) -> None:
        super().__init__(binding_id, value, allowed)
        self.binding_id, self.value, self.allowed = binding_id, value, allowed


def _keymap(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError
    out: dict[str, str] = {}
    for binding_id, keys in value.items():
        if not isinstance(binding_id, str) or not _BINDING_ID.fullmatch(binding_id.strip()):
            raise _KeymapProblem(binding_id, keys, 'a binding id such as "endpoints.pause"')
        try:
            out[binding_id.strip()] = parse_keys(keys)
        except ValueError:
            raise _KeymapProblem(binding_id, keys, KEYS_ALLOWED) from None
    return out


CONFIRM_KEYS = ("pause_resume",)


def _confirm(value: object) -> dict[str, bool]:
    if not isinstance(value, dict) or any(k not in CONFIRM_KEYS or not isinstance(v, bool)
                                          for k, v in value.items()):
        raise ValueError
    return dict(value)


_RULES: dict[str, tuple] = {
    "hub_url": (_url, "an http(s) URL"),
    "inference_url": (_url, "an http(s) URL"),
    "endpoints_api_url": (_url, "an http(s) URL"),
    "timeout": _seconds(0, 3600, low_open=True),
    "stream_timeout": _seconds(0, 86400, low_open=True),
    "refresh_interval": _seconds(1, 86400),
    "namespace": (_namespace, "a user or organisation name (letters, digits, '.', '_', '-')"),
    "image_protocol": (_image_protocol, "one of " + ", ".join(IMAGE_PROTOCOLS)),
    "max_image_pixels": _integer(1_000, 1_000_000_000, "pixels"),
    "max_body_bytes": _integer(1024, 4 * 1024 ** 3, "bytes"),
    "keymap": (_keymap, 'a table of binding id = keys, e.g. [keymap] "endpoints.pause" = "P"'),
    "confirm": (_confirm, "a table [confirm] with pause_resume = true or false"),
}


def _shown(value: object) -> str:
    """A bad value as the message shows it: cut first, then repr (escapes controls), one line."""
    from hftui.sanitize import one_line

    if isinstance(value, str):
        value = value[:60]
    elif isinstance(value, (dict, list)):
        return f"a {'table' if isinstance(value, dict) else 'list'}"
    return one_line(repr(value), 80)


def _checked(name: str, value: object, source: str) -> object:
    check, allowed = _RULES[name]
    try:
        return check(value)
    except _KeymapProblem as bad:
        raise ConfigError(f"{source}: keymap: {_shown(bad.binding_id)} = {_shown(bad.value)} is not allowed; "
                          f"allowed: {bad.allowed}") from None
    except (TypeError, ValueError, OverflowError, RecursionError):
        raise ConfigError(f"{source}: {name} = {_shown(value)} is not allowed; allowed: {allowed}") from None


def _read_file(path: Path) -> dict:
    import tomllib  # only when there is a file: start-up

    from hftui.sanitize import one_line

    shown = one_line(str(path), 300)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read it: {one_line(exc.strerror or exc, 200)}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{shown}: too big for a config file (more than {MAX_CONFIG_BYTES // 1024} KiB)")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: {one_line(exc, 200)}") from None
    except RecursionError:
        raise ConfigError(f"{shown}: nested too deeply to be a config file") from None


def _unknown_key(key: object, source: str) -> ConfigError:
    import difflib

    from hftui.sanitize import one_line

    known = [f.name for f in fields(Settings) if f.name != "servers"] + ["[servers.NAME]"]
    close = difflib.get_close_matches(str(key), known, n=3)
    hint = f" (did you mean {' or '.join(close)}?)" if close else f" (known: {', '.join(known)})"
    return ConfigError(f"{source}: unknown setting {one_line(repr(str(key)[:60]), 80)}{hint}")


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read the config file (if any, and if only you can change it), then apply environment overrides.

    A file another user owns or can write is ignored with a warning on stderr
    (``hftui.file_trust``). Any value out of its range raises ``ConfigError``.
    """
    environ = os.environ if environ is None else environ
    path = config_file() if path is None else path
    values: dict[str, object] = {}
    if path.is_file():
        from hftui.file_trust import problem, warn

        reason = problem(path)
        if reason:
            warn(f"ignoring {path}: {reason}")
        else:
            from hftui.sanitize import one_line

            source = one_line(str(path), 300)
            raw = _read_file(path)
            if "servers" in raw:
                values["servers"] = parse_servers(raw.pop("servers"), source)
            for key, value in raw.items():
                if key not in _RULES:
                    raise _unknown_key(key, source)
                values[key] = _checked(key, value, source)
    for name, var in _ENV.items():
        if environ.get(var):
            values[name] = _checked(name, environ[var], f"${var}")
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
        raise ConfigError(f"{where}: servers must be a table of [servers.NAME] tables (allowed keys: "
                          f"{', '.join(SERVER_KEYS)})")
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
        raise ConfigError(f"{label} must be a table (allowed keys: {', '.join(SERVER_KEYS)})")
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
