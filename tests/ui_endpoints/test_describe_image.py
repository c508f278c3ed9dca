"""Describe shows the container an endpoint runs (issue 12 #8): image URL, port, health route,
env — never a secret's value, and every server-sent string cleaned."""

from __future__ import annotations

import io

from rich.console import Console

from hftui.client.models import Endpoint
from hftui.screens.endpoint_describe import describe_table, looks_secret, raw_json_text

TGI_URL = "ghcr.io/huggingface/text-generation-inference:3.0.1"


def endpoint(image: dict, env: dict | None = None, secrets: dict | None = None, health: str = "/health") -> Endpoint:
    return Endpoint.from_json({"name": "tgi", "healthRoute": health, "status": {"state": "running"},
                               "model": {"repository": "HuggingFaceH4/zephyr-7b-beta", "image": image,
                                         "env": env or {}, "secrets": secrets or {}}}, "demo-user")


def shown(ep: Endpoint, width: int = 120) -> str:
    """What Describe shows at ``width`` columns (border and padding aside), as plain text."""
    console = Console(width=width - 4, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(describe_table(ep, None))
    return "\n".join(line.rstrip() for line in capture.get().splitlines())


def rows(ep: Endpoint, width: int = 120) -> dict[str, str]:
    """``Label: value`` (continuation lines joined with |)."""
    out: dict[str, str] = {}
    key = ""
    for line in shown(ep, width).split("\n"):
        if line[:1] != " ":
            key, _, value = line.partition("  ")
            out[key.strip()] = value.strip()
        else:
            out[key] += " | " + line.strip()
    return out


def test_custom_image_url_port_health_route_env_and_secret_names():
    ep = endpoint({"custom": {"url": TGI_URL, "healthRoute": "/health", "port": 80, "env": {"IMAGE_ONLY": "x"},
                              "credentials": {"username": "bot", "password": "********"}}},
                  env={"MAX_BATCH_PREFILL_TOKENS": "2048", "MAX_INPUT_LENGTH": "1024", "MAX_TOTAL_TOKENS": "1512",
                       "HF_TOKEN": "hf_abcdefghijklmnopqrstuvwxyz123456", "NOTE": "sk-abcdefghijklmnopqrstuv"},
                  secrets={"MY_SECRET_KEY": "********"})
    fields = rows(ep)
    assert fields["Image"] == f"custom container · {TGI_URL}"
    assert fields["Image port"] == "80"
    assert fields["Health route"] == "/health"
    assert fields["Image env"] == "IMAGE_ONLY=x"
    assert fields["Registry login"] == "bot (password hidden)"
    env = fields["Env"].split(" | ")
    assert env[:3] == ["MAX_BATCH_PREFILL_TOKENS=2048", "MAX_INPUT_LENGTH=1024", "MAX_TOTAL_TOKENS=1512"]
    assert env[3].startswith("HF_TOKEN=") and "hidden" in env[3]
    assert env[4].startswith("NOTE=") and "hidden" in env[4]  # a value that looks like a key, whatever its name
    assert fields["Secrets"] == "MY_SECRET_KEY (value hidden)"
    plain = shown(ep) + raw_json_text(ep).plain
    assert "hf_abcdefghijklmnopqrstuvwxyz123456" not in plain and "sk-abcdefghijklmnopqrstuv" not in plain
    assert "1512" in raw_json_text(ep).plain  # the raw JSON keeps what is not secret


def test_a_long_value_wraps_inside_its_column_at_80_columns():
    lines = shown(endpoint({"custom": {"url": TGI_URL, "port": 80}}), 80).split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("Image "))
    column = lines[at].index("custom")
    assert lines[at + 1].strip() == TGI_URL and lines[at + 1].index(TGI_URL) == column, lines[at:at + 2]
    assert rows(endpoint({"custom": {"url": TGI_URL}}), 80)["Image"] == f"custom container · | {TGI_URL}"


def test_default_and_engine_images():
    fields = rows(endpoint({"huggingface": {}}))
    assert fields["Image"] == "default container (Hugging Face inference toolkit)"
    assert "Image port" not in fields and fields["Health route"] == "/health"
    tgi = rows(endpoint({"tgi": {"url": "ghcr.io/huggingface/text-generation-inference:3.3.6",
                                 "healthRoute": "/health", "maxBatchTokens": 16384, "maxConcurrentRequests": 128}}))
    assert tgi["Image"] == "tgi engine · ghcr.io/huggingface/text-generation-inference:3.3.6"
    assert tgi["Engine settings"] == "maxBatchTokens=16384 | maxConcurrentRequests=128"


def test_server_strings_are_cleaned_and_cut():
    ep = endpoint({"custom": {"url": "evil\x1b]52;c;aGk=\x07/img:1\n[b]x[/b]", "healthRoute": "/h\x1b[2J",
                              "port": "80\x07"}},
                  env={"K\x1b[31m": "v" * 5000, "[@click=app.quit]": "1"})
    text = shown(ep)
    assert "\x1b" not in text and "\x07" not in text
    assert "[b]x[/b]" in text  # shown as text: a Rich Text is never parsed as markup
    assert "v" * 400 not in text.replace("\n", "").replace(" ", "")  # cut
    assert "[@click=app.quit]=1" in text


def test_looks_secret():
    for name in ("HF_TOKEN", "MY_SECRET_KEY", "OPENAI_API_KEY", "db_password", "awsSecretAccessKey", "AUTH",
                 "PASSWD", "GITHUB_PAT_TOKEN", "hfToken"):
        assert looks_secret(name), name
    for name in ("MAX_TOTAL_TOKENS", "MAX_BATCH_PREFILL_TOKENS", "MAX_INPUT_LENGTH", "MODEL_ID", "NUM_SHARD",
                 "KEYWORDS"):
        assert not looks_secret(name), name


def test_thousands_of_env_entries_are_cut():
    fields = rows(endpoint({"huggingface": {}}, env={f"K{i}": str(i) for i in range(5000)}))
    lines = fields["Env"].split(" | ")
    assert len(lines) == 101 and lines[-1] == "… 4900 more (y: raw JSON)"
