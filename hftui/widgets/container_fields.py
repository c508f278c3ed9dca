"""The container of an endpoint: the default one, or a custom image with its settings.

The image fields (URL, port, health route, the image's own env, registry login)
are enabled only while "custom" is chosen; their values are kept when it is
not, so a change of mind loses nothing. An engine the API set (tgi, vLLM, …)
is shown and cannot be changed. An update starts with the endpoint's image,
cleaned (it is server data); the registry password never comes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Select

from hftui.client.endpoints import CONTAINER_KINDS, CustomImage
from hftui.controllers.endpoint_draft import IMAGE_FIELDS, format_pairs
from hftui.widgets.form_rows import choice_value, form_row, show_field_error
from hftui.widgets.safe_text import one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import Endpoint

CONTAINERS = (("default — Hugging Face inference toolkit", "huggingface"), ("custom image", "custom"))


class ContainerFields(Vertical):
    """See the module docstring."""

    DEFAULT_CSS = "ContainerFields { height: auto; }"

    def __init__(self, endpoint: Endpoint | None = None) -> None:
        super().__init__()
        self.endpoint = endpoint

    def compose(self) -> ComposeResult:
        ep = self.endpoint
        yield from form_row("Container", self._container_select(), "image_kind")
        custom = CustomImage.from_endpoint(ep) if ep else None
        fixed = not (ep is not None and ep.image_kind == "custom")
        yield from form_row("Image URL", Input(value=one_line(custom.url, 2000) if custom else "",
                                               placeholder="ghcr.io/org/image:tag", id="image_url",
                                               compact=True, disabled=fixed), "image_url")
        yield from form_row("Image port", Input(value="" if custom is None or custom.port is None
                                                else str(custom.port), placeholder="80", id="image_port",
                                                compact=True, type="integer", disabled=fixed), "image_port")
        yield from form_row("Health route", Input(value=one_line(custom.health_route, 500) if custom else "",
                                                  placeholder="/health", id="health_route", compact=True,
                                                  disabled=fixed), "health_route")
        yield from form_row("Image env", Input(value=one_line(format_pairs(custom.env), 4000) if custom else "",
                                               placeholder="KEY=VALUE, … (the image's own)", id="image_env",
                                               compact=True, disabled=fixed), "image_env")
        yield from form_row("Registry user", Input(value=one_line(custom.username, 200) if custom else "",
                                                   placeholder="for a private registry (optional)",
                                                   id="registry_user", compact=True, disabled=fixed), "registry_user")
        yield from form_row("Registry password", Input(
            password=True, id="registry_password", compact=True, disabled=fixed,
            placeholder="unchanged unless typed" if custom and custom.username else "(hidden)"), "registry_password")

    def _container_select(self) -> Select:
        kind = self.endpoint.image_kind if self.endpoint else None
        options = list(CONTAINERS)
        if kind and kind not in ("huggingface", "custom"):
            what = "container" if kind in CONTAINER_KINDS else "engine — cannot be changed by an update"
            options.append((safe_content(one_line(f"{kind} {what}", 80)), kind))
        engine = kind is not None and kind not in CONTAINER_KINDS
        return Select(options, value=kind if kind else "huggingface", allow_blank=False, id="image_kind",
                      compact=True, disabled=engine)

    @on(Select.Changed, "#image_kind")
    def _container_changed(self) -> None:
        custom = choice_value(self.query_one("#image_kind", Select)) == "custom"
        for key in IMAGE_FIELDS:
            self.query_one(f"#{key}", Input).disabled = not custom
            if not custom:
                show_field_error(self, key, None)
