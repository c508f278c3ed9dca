"""Describe shows the container an endpoint runs (issue 12 #8): image URL, port, health route,
env — never a secret's value, and every server-sent string cleaned."""

from __future__ import annotations

from hftui.client.models import Endpoint
from hftui.screens.endpoint_describe import describe_text, looks_secret, raw_json_text

TGI_URL = "ghcr.io/huggingface/text-generation-inference:3.0.1"


def endpoint(image: dict, env: dict | None = None, secrets: dict | None = None, health: str = "/health") -> Endpoint:
    return Endpoint.from_json({"name": "tgi", "healthRoute": health, "status": {"state": "running"},
                               "model": {"repository": "HuggingFaceH4/zephyr-7b-beta", "image": image,
                                         "env": env or {}, "secrets": secrets or {}}}, "demo-user")


def rows(ep: Endpoint) -> dict[str, str]:
    """``Label: value`` (continuation lines joined with |)."""
    out: dict[str, str] = {}
    key = ""
    for line in describe_text(ep, None).plain.split("\n"):
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
    shown = rows(ep)
    assert shown["Image"] == f"custom container · {TGI_URL}"
    assert shown["Image port"] == "80"
    assert shown["Health route"] == "/health"
    assert shown["Image env"] == "IMAGE_ONLY=x"
    assert shown["Registry login"] == "bot (password hidden)"
    env = shown["Env"].split(" | ")
    assert env[:3] == ["MAX_BATCH_PREFILL_TOKENS=2048", "MAX_INPUT_LENGTH=1024", "MAX_TOTAL_TOKENS=1512"]
    assert env[3].startswith("HF_TOKEN=") and "hidden" in env[3]
    assert env[4].startswith("NOTE=") and "hidden" in env[4]  # a value that looks like a key, whatever its name
    assert shown["Secrets"] == "MY_SECRET_KEY (value hidden)"
    plain = describe_text(ep, None).plain + raw_json_text(ep).plain
    assert "hf_abcdefghijklmnopqrstuvwxyz123456" not in plain and "sk-abcdefghijklmnopqrstuv" not in plain
    assert "1512" in raw_json_text(ep).plain  # the raw JSON keeps what is not secret


def test_default_and_engine_images():
    shown = rows(endpoint({"huggingface": {}}))
    assert shown["Image"] == "default container (Hugging Face inference toolkit)"
    assert "Image port" not in shown and shown["Health route"] == "/health"
    tgi = rows(endpoint({"tgi": {"url": "ghcr.io/huggingface/text-generation-inference:3.3.6",
                                 "healthRoute": "/health", "maxBatchTokens": 16384, "maxConcurrentRequests": 128}}))
    assert tgi["Image"] == "tgi engine · ghcr.io/huggingface/text-generation-inference:3.3.6"
    assert tgi["Engine settings"] == "maxBatchTokens=16384 | maxConcurrentRequests=128"


def test_server_strings_are_cleaned_and_cut():
    ep = endpoint({"custom": {"url": "evil\x1b]52;c;aGk=\x07/img:1\n[b]x[/b]", "healthRoute": "/h\x1b[2J",
                              "port": "80\x07"}},
                  env={"K\x1b[31m": "v" * 5000, "[@click=app.quit]": "1"})
    text = describe_text(ep, None).plain
    assert "\x1b" not in text and "\x07" not in text
    assert "[b]x[/b]" in text  # shown as text: a Rich Text is never parsed as markup
    assert "v" * 400 not in text  # cut
    assert "[@click=app.quit]=1" in text


def test_looks_secret():
    for name in ("HF_TOKEN", "MY_SECRET_KEY", "OPENAI_API_KEY", "db_password", "awsSecretAccessKey", "AUTH",
                 "PASSWD", "GITHUB_PAT_TOKEN", "hfToken"):
        assert looks_secret(name), name
    for name in ("MAX_TOTAL_TOKENS", "MAX_BATCH_PREFILL_TOKENS", "MAX_INPUT_LENGTH", "MODEL_ID", "NUM_SHARD",
                 "KEYWORDS"):
        assert not looks_secret(name), name


def test_thousands_of_env_entries_are_cut():
    shown = rows(endpoint({"huggingface": {}}, env={f"K{i}": str(i) for i in range(5000)}))
    lines = shown["Env"].split(" | ")
    assert len(lines) == 101 and lines[-1] == "… 4900 more (y: raw JSON)"
