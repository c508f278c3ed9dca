"""``enter``/``d``: every field of an endpoint; ``y`` toggles the raw JSON.

Opens with the row's data, then fetches the endpoint again for fresh data.
"""

from __future__ import annotations

import copy
import json
import re
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from hftui.clock import ago
from hftui.keys import bindings_for
from hftui.screens.base import HFScreen
from hftui.widgets.endpoint_states import state_class, state_label
from hftui.widgets.header import AppHeader
from hftui.widgets.safe_text import clean, one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import Endpoint

INVALID_URL = "(invalid URL from the server: not shown, copied or used)"

STATE_STYLE = {"running": "green", "pending": "yellow", "failed": "bold red", "paused": "dim"}
HIDDEN = "•••••• (hidden)"
_SECRET_WORDS = frozenset({"TOKEN", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PWD", "PASS", "KEY", "APIKEY",
                           "CREDENTIAL", "CREDENTIALS", "AUTH", "PRIVATE", "PAT", "SIGNATURE", "COOKIE", "DSN"})
# Words of a name: split at non-alphanumerics and at camelCase humps (``awsSecretAccessKey``).
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# Values that are credentials whatever their name: HF, OpenAI-style, GitHub, Slack tokens, AWS key ids.
_SECRET_VALUE = re.compile(r"(hf_|api_|sk-|ghp_|gho_|ghs_|github_pat_|xox[abpr]-)[A-Za-z0-9_-]{12,}|AKIA[0-9A-Z]{16}")
_CONTAINER_NOTE = {"huggingface": "default container (Hugging Face inference toolkit)",
                   "huggingfaceNeuron": "default container (Hugging Face inference toolkit, Neuron)"}
_IMAGE_FIELDS = ("url", "port", "healthRoute", "env", "credentials")
_ITEM = 300
"""Characters kept of one server-sent name or value."""
_MAX_ITEMS = 100
_VALUE = 4000
"""Characters kept of one line of a value."""


def looks_secret(name: Any, value: Any = None) -> bool:
    """True when an env variable's value must not be shown: its name has a word like TOKEN, SECRET,
    PASSWORD or KEY (``MAX_TOTAL_TOKENS`` has not), or its value looks like a credential."""
    words = {w.upper() for w in _WORDS.findall(str(name))}
    if words & _SECRET_WORDS:
        return True
    return isinstance(value, str) and _SECRET_VALUE.search(value) is not None


def _lines(items: list[str]) -> str:
    """One item a line, at most ``_MAX_ITEMS`` of them (a server may send thousands)."""
    more = len(items) - _MAX_ITEMS
    return "\n".join(items[:_MAX_ITEMS] + ([f"… {more} more (y: raw JSON)"] if more > 0 else [])) or "-"


def _pairs(values: Any) -> str:
    """``KEY=value`` lines, secret-looking values hidden; every piece cleaned and cut."""
    if not isinstance(values, dict):
        return "-"
    return _lines([f"{one_line(k, 80)}={HIDDEN if looks_secret(k, v) else one_line(v, _ITEM)}"
                   for k, v in values.items()])


def _image_rows(ep: Endpoint) -> list[tuple[str, str]]:
    kind = ep.image_kind
    if kind is None:
        return [("Image", "-"), ("Health route", ep.health_route or "-")]
    settings = ep.image_settings
    url = one_line(settings.get("url"), _ITEM) if settings.get("url") else None
    if kind in _CONTAINER_NOTE:
        image = _CONTAINER_NOTE[kind]
    else:
        what = "custom container" if kind == "custom" else f"{one_line(kind, 40)} engine"
        image = f"{what} · {url or 'no URL'}"
    rows = [("Image", image)]
    if settings.get("port") is not None:
        rows.append(("Image port", one_line(settings["port"], 20)))
    route = settings.get("healthRoute") or ep.health_route
    rows.append(("Health route", one_line(route, _ITEM) if route else "-"))
    if settings.get("env"):
        rows.append(("Image env", _pairs(settings["env"])))
    creds = settings.get("credentials")
    if isinstance(creds, dict) and creds.get("username"):
        rows.append(("Registry login", f"{one_line(creds['username'], 80)} (password hidden)"))
    extra = {k: v for k, v in settings.items() if k not in _IMAGE_FIELDS}
    if extra:
        rows.append(("Engine settings", _pairs(extra)))
    return rows


def describe_rows(ep: Endpoint, price: float | None) -> list[tuple[str, str]]:
    def n(v) -> str:
        return "-" if v is None else str(v)

    rows = [
        ("Name", ep.name),
        ("Namespace", ep.namespace),
        ("State", state_label(ep.raw_state)),
        ("Message", ep.message or "-"),
        ("URL", ep.url or (INVALID_URL if ep.url_invalid else "-")),
        ("Type", ep.type or "-"),
        ("Model", ep.repository or "-"),
        ("Revision", ep.revision or "latest"),
        ("Task", ep.task or "-"),
        ("Framework", ep.framework or "-"),
        *_image_rows(ep),
        ("Provider", f"{ep.vendor or '-'} / {ep.region or '-'}"),
        ("Instance", f"{ep.accelerator or '-'} · {ep.instance_type or '-'} · {ep.instance_size or '-'}"),
        ("Price", "-" if price is None else f"${price:,.2f} per replica-hour"),
        ("Replicas", f"ready {n(ep.ready_replica)} / target {n(ep.target_replica)} "
                     f"(min {n(ep.min_replica)}, max {n(ep.max_replica)})"),
        ("Scale to zero",
         "never" if ep.scale_to_zero_timeout is None else f"after {ep.scale_to_zero_timeout} min idle"),
        ("Env", _pairs(ep.env)),
        ("Secrets", _lines([f"{one_line(k, 80)} (value hidden)" for k in ep.secrets])),
        ("Tags", ", ".join(ep.tags) or "-"),
        ("Created", f"{ep.created_at:%Y-%m-%d %H:%M:%S} UTC ({ago(ep.created_at)} ago)" if ep.created_at else "-"),
        ("Updated", f"{ep.updated_at:%Y-%m-%d %H:%M:%S} UTC ({ago(ep.updated_at)} ago)" if ep.updated_at else "-"),
    ]
    return rows


def describe_table(ep: Endpoint, price: float | None) -> Table:
    """Label and value columns; a long or multi-line value (an image URL, env) wraps inside the
    value column, so the labels stay readable at 80 columns."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for key, value in describe_rows(ep, price):
        style = STATE_STYLE.get(state_class(ep.state), "") if key == "State" else ""
        # every line cut (a 10 MB message stays a few lines); lists are bounded by _lines
        lines = (clean(line, _VALUE) for line in clean(value, 10 * _VALUE).split("\n"))
        grid.add_row(key, Text("\n".join(lines), style=style, end=""))
    return grid


def _hide_secret_values(raw: dict) -> dict:
    """The endpoint's JSON with secret-looking env values hidden (the API already hides secrets')."""
    raw = copy.deepcopy(raw)
    model = raw.get("model") if isinstance(raw.get("model"), dict) else {}
    image = model.get("image") if isinstance(model.get("image"), dict) else {}
    envs = [model.get("env"), *(v.get("env") for v in image.values() if isinstance(v, dict))]
    for env in envs:
        if isinstance(env, dict):
            for k, v in env.items():
                if looks_secret(k, v):
                    env[k] = HIDDEN
    return raw


def raw_json_text(ep: Endpoint) -> Text:
    return Text(clean(json.dumps(_hide_secret_values(ep.raw), indent=2, sort_keys=True, ensure_ascii=False),
                      200_000), end="")


class DescribeScreen(HFScreen[None]):
    title_text = "Describe"
    DEFAULT_CSS = """
    DescribeScreen VerticalScroll { height: 1fr; border: round $primary; padding: 0 1; }
    """
    BINDINGS = bindings_for("DescribeScreen")

    def __init__(self, endpoint: Endpoint, *, price: float | None = None, refresh: bool = True) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.price = price
        self.raw = False
        self._refresh_on_mount = refresh

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="describe-scroll") as scroll:
            scroll.border_title = safe_content(one_line(self.endpoint.key, 80))
            scroll.border_subtitle = "y: raw JSON"
            yield Static(describe_table(self.endpoint, self.price), id="describe-body")
        yield Footer()

    def main_widget(self):
        return self.query_one("#describe-scroll")

    def on_mount(self) -> None:
        self.query_one("#describe-scroll").focus()
        if self._refresh_on_mount:
            self._reload()

    @work(exclusive=True, group="describe", exit_on_error=False)
    async def _reload(self) -> None:
        ep = self.endpoint
        try:
            fresh = await self.app.client.endpoints.get(ep.namespace, ep.name)
        except Exception as exc:
            self.app.show_error(exc, title=f"Reading {ep.key} failed")
            return
        self.endpoint = fresh
        self._render_body()

    def _render_body(self) -> None:
        body = self.query_one("#describe-body", Static)
        body.update(raw_json_text(self.endpoint) if self.raw else describe_table(self.endpoint, self.price))
        self.query_one("#describe-scroll").border_subtitle = "y: fields" if self.raw else "y: raw JSON"

    def action_toggle_json(self) -> None:
        self.raw = not self.raw
        self._render_body()

    def action_logs(self) -> None:
        from hftui.screens.endpoint_logs import LogsScreen

        self.app.push_screen(LogsScreen(self.endpoint))

    def action_copy_url(self) -> None:
        from hftui.widgets.endpoint_states import no_url_reason

        ep = self.endpoint
        if not ep.url:
            self.notify(no_url_reason(ep), severity="warning", markup=False)
            return
        if self.app.copy_to_clipboard_osc52(ep.url, single_line=True):
            from hftui.widgets.clipboard import note

            self.notify(f"Copied URL {note()}", timeout=4, markup=False)

    def action_close(self) -> None:
        if self.raw:  # back one level: from the raw JSON to the description
            self.action_toggle_json()
            return
        self.dismiss(None)
