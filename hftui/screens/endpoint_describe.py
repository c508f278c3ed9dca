"""``enter``/``d``: every field of an endpoint; ``y`` toggles the raw JSON.

Opens with the row's data, then fetches the endpoint again for fresh data.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from hftui.clock import ago
from hftui.keys import bindings_for
from hftui.widgets.endpoint_table import STATE_CLASS, state_label
from hftui.widgets.header import AppHeader
from hftui.widgets.safe_text import clean, one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import Endpoint

INVALID_URL = "(invalid URL from the server: not shown, copied or used)"

STATE_STYLE = {"running": "green", "pending": "yellow", "failed": "bold red", "paused": "dim"}


def describe_rows(ep: Endpoint, price: float | None) -> list[tuple[str, str]]:
    def n(v) -> str:
        return "-" if v is None else str(v)

    image = ", ".join(ep.image) if ep.image else "-"
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
        ("Image", image),
        ("Provider", f"{ep.vendor or '-'} / {ep.region or '-'}"),
        ("Instance", f"{ep.accelerator or '-'} · {ep.instance_type or '-'} · {ep.instance_size or '-'}"),
        ("Price", "-" if price is None else f"${price:,.2f} per replica-hour"),
        ("Replicas", f"ready {n(ep.ready_replica)} / target {n(ep.target_replica)} "
                     f"(min {n(ep.min_replica)}, max {n(ep.max_replica)})"),
        ("Scale to zero",
         "never" if ep.scale_to_zero_timeout is None else f"after {ep.scale_to_zero_timeout} min idle"),
        ("Health route", ep.health_route or "-"),
        ("Env", ", ".join(f"{k}={v}" for k, v in ep.env.items()) or "-"),
        ("Secrets", ", ".join(ep.secrets) or "-"),
        ("Tags", ", ".join(ep.tags) or "-"),
        ("Created", f"{ep.created_at:%Y-%m-%d %H:%M:%S} UTC ({ago(ep.created_at)} ago)" if ep.created_at else "-"),
        ("Updated", f"{ep.updated_at:%Y-%m-%d %H:%M:%S} UTC ({ago(ep.updated_at)} ago)" if ep.updated_at else "-"),
    ]
    return rows


def describe_text(ep: Endpoint, price: float | None) -> Text:
    text = Text(end="")
    rows = describe_rows(ep, price)
    width = max(len(k) for k, _ in rows) + 2
    for i, (key, value) in enumerate(rows):
        if i:
            text.append("\n")
        text.append(key.ljust(width), style="bold")
        style = STATE_STYLE.get(STATE_CLASS.get(ep.raw_state, ""), "") if key == "State" else ""
        text.append(clean(value, 4000), style=style)
    return text


def raw_json_text(ep: Endpoint) -> Text:
    return Text(clean(json.dumps(ep.raw, indent=2, sort_keys=True, ensure_ascii=False), 200_000), end="")


class DescribeScreen(Screen[None]):
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
            yield Static(describe_text(self.endpoint, self.price), id="describe-body")
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
        body.update(raw_json_text(self.endpoint) if self.raw else describe_text(self.endpoint, self.price))
        self.query_one("#describe-scroll").border_subtitle = "y: fields" if self.raw else "y: raw JSON"

    def action_toggle_json(self) -> None:
        self.raw = not self.raw
        self._render_body()

    def action_logs(self) -> None:
        from hftui.screens.endpoint_logs import LogsScreen

        self.app.push_screen(LogsScreen(self.endpoint))

    def action_copy_url(self) -> None:
        from hftui.screens.endpoints import no_url_reason

        ep = self.endpoint
        if not ep.url:
            self.notify(no_url_reason(ep), severity="warning", markup=False)
            return
        if self.app.copy_to_clipboard_osc52(ep.url, single_line=True):
            from hftui.widgets.clipboard import note

            self.notify(f"Copied URL {note()}", timeout=4, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
