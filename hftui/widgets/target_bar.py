"""TargetBar: what the Playground runs against — target kind, model id or URL, provider, task.

    bar = TargetBar(model="org/model", tasks=[(title, task), ...], task="chat-completion")
    bar.apply(target)                  # show a Target (an endpoint's URL target is kept as given)
    bar.show_providers(model_info)     # the router's live providers of that model
    bar.fit_to(spec)                   # the router serves only some tasks: others go to hf-inference
    bar.build_target(settings) -> Target        # ValueError with a message when incomplete
    bar.kind / bar.text

The line under the selectors repeats the whole target (the model field is
narrow at 80 columns). ``Select.Changed`` of ``#task``, ``Input.Submitted``
of ``#target-model`` and ``Button.Pressed`` of ``#run`` bubble to the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from hftui.widgets.safe_text import one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import ModelInfo, Target
    from hftui.config import Settings
    from hftui.tasks import TaskSpec

KINDS = [("hf-inference", "model"), ("router (chat)", "router"), ("URL / endpoint", "url")]
AUTO_PROVIDER = "auto"
ROUTER_PROVIDER_TASKS = (None, "conversational", "text-generation")
"""The provider-mapping tasks of a model whose providers the router can send chat to."""


class TargetBar(Vertical):
    """The target selectors and the whole target on the line below."""

    DEFAULT_CSS = """
    TargetBar { height: auto; }
    TargetBar > Horizontal { height: 1; width: 1fr; }
    TargetBar #pg-target-line { height: 1; padding: 0 1; color: $text-muted; }
    TargetBar #target-kind { width: 18; }
    TargetBar #provider { width: 16; }
    TargetBar #task { width: 28; }
    TargetBar #target-model { width: 1fr; margin: 0 1; }
    TargetBar Button { min-width: 7; width: 7; margin-left: 1; }
    """

    def __init__(self, *, model: str, tasks: list[tuple[str, str]], task: str, servers: tuple[str, ...] = (),
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self._initial = (model, tasks, task)
        self._servers = servers
        """The named self-hosted servers (``[servers.NAME]``), offered as kinds ``server:NAME``."""
        self._endpoint_target: Target | None = None
        """An endpoint's target keeps its token rule and label while the URL field shows its URL."""
        self._applying = False
        self.model_info: ModelInfo | None = None
        """The model whose live providers the router offers."""

    def compose(self) -> ComposeResult:
        model, tasks, task = self._initial
        with Horizontal(id="pg-target"):
            kinds = KINDS + [(f"server {name}", f"server:{name}") for name in self._servers]
            yield Select(kinds, value="model", allow_blank=False, id="target-kind", compact=True)
            yield Input(model, placeholder="model id or URL", id="target-model", compact=True)
            yield Select([(AUTO_PROVIDER, AUTO_PROVIDER)], value=AUTO_PROVIDER, allow_blank=False, id="provider",
                         compact=True)
            yield Select(tasks, value=task, allow_blank=False, id="task", compact=True)
            yield Button("Run", id="run", variant="primary", compact=True)
        yield Static("", id="pg-target-line", markup=False)

    def on_mount(self) -> None:
        self.sync()

    # --- reading ----------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return str(self.query_one("#target-kind", Select).value)

    @property
    def text(self) -> str:
        return self.query_one("#target-model", Input).value.strip()

    @property
    def provider(self) -> str:
        value = self.query_one("#provider", Select).value
        return value if isinstance(value, str) else AUTO_PROVIDER

    def build_target(self, settings: Settings, task: str | None = None) -> Target:
        """The Target of the current selection; ValueError with a message when incomplete."""
        from hftui.client import Target
        from hftui.client.core import token_allowed

        kind = self.kind
        text = self.text
        if kind.startswith("server:"):  # a named server: the field holds the model (or the server's default)
            from hftui.servers import find_server, server_target

            return server_target(find_server(settings, kind[7:]), task=task or "chat-completion",
                                 model=text or None)
        if not text:
            raise ValueError("Enter a model id (or a URL) first.")
        if kind == "url":
            if self._endpoint_target is not None and text == self._endpoint_target.url:
                return self._endpoint_target
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError("The URL must start with http:// or https://")
            return Target.at_url(text, send_token=token_allowed(text, settings))
        if "://" in text:
            raise ValueError("That is a URL: choose 'URL / endpoint' as the target kind.")
        if kind == "router":
            provider = self.provider
            return Target.router(text, None if provider == AUTO_PROVIDER else provider)
        return Target.hf_model(text)

    # --- changing ---------------------------------------------------------------------------

    def apply(self, target: Target) -> bool:
        """Show ``target``: its kind, its model id or URL, its provider. False, and nothing changed,
        for a URL that is not a plain http(s) URL (it came from a server or a history file)."""
        from hftui.sanitize import safe_url

        if target.kind == "url" and safe_url(target.url) is None:
            return False
        self._applying = True
        kind = self.query_one("#target-kind", Select)
        kind.value = target.kind if target.kind in ("model", "router", "url") else "model"
        field = self.query_one("#target-model", Input)
        self._endpoint_target = target if target.kind == "url" else None
        # a safe_url as it is; a model id may come from the Hub: shown (and run) without controls
        field.value = (target.url or "") if target.kind == "url" else one_line(target.model, None)
        server = target.auth.server if target.auth is not None else None
        if server in self._servers:  # a named server's run: its key is looked up again when it runs
            kind.value = f"server:{server}"
            self._endpoint_target, field.value = None, target.model or ""
        field.cursor_position = 0  # show the start (the owner) of a long id
        if target.kind == "router":
            self.set_providers([target.provider] if target.provider else [], target.provider)
        self.sync()
        self.call_after_refresh(self._applied)
        return True

    def _applied(self) -> None:
        self._applying = False

    def set_providers(self, providers: list[str], selected: str | None = None) -> None:
        select = self.query_one("#provider", Select)
        names = [AUTO_PROVIDER] + [p for p in dict.fromkeys(providers) if p and p != AUTO_PROVIDER]
        select.set_options([(safe_content(one_line(n, 60)), n) for n in names])
        select.value = selected if selected in names else AUTO_PROVIDER

    def show_providers(self, model: ModelInfo) -> None:
        """Offer the router's live providers of ``model`` (keeping the chosen one if it still serves)."""
        self.model_info = model
        live = [p.provider for p in model.live_providers if p.task in ROUTER_PROVIDER_TASKS]
        self.set_providers(live, self.provider)

    def select_task(self, task: str, *, quiet: bool = False) -> None:
        """Show ``task`` as chosen; ``quiet`` posts no ``Select.Changed``."""
        select = self.query_one("#task", Select)
        if select.value == task:
            return
        if quiet:
            with select.prevent(Select.Changed):
                select.value = task
        else:
            select.value = task  # Changed -> the screen rebuilds its form

    def fit_to(self, spec: TaskSpec) -> None:
        """The router serves only its tasks (``TaskSpec.router``): others go to the model's hf-inference route."""
        kind = self.query_one("#target-kind", Select)
        if kind.value == "router" and not spec.router:
            kind.value = "model"
            self.sync()

    def sync(self) -> None:
        """The provider selector for the router only; the whole target on the line below."""
        kind = self.kind
        self.query_one("#provider", Select).display = kind == "router"
        text = self.text
        where = {"model": "hf-inference", "router": f"router · {self.provider}", "url": "URL"}.get(
            kind, kind.replace(":", " "))
        line = f"→ {one_line(text, 200)}  ({where})" if text else "→ no target yet: type a model id or a URL"
        if not text and kind.startswith("server:"):
            line = f"→ the server's default model  ({where})"
        self.query_one("#pg-target-line", Static).update(Text(line))

    # --- events -----------------------------------------------------------------------------

    @on(Select.Changed, "#target-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.sync()
        if event.value == "router" and self.model_info is not None:
            self.show_providers(self.model_info)

    @on(Select.Changed, "#provider")
    def _provider_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.sync()

    @on(Input.Changed, "#target-model")
    def _model_changed(self, event: Input.Changed) -> None:
        self.sync()
        if self._applying:
            return
        if self._endpoint_target is not None and event.value.strip() != (self._endpoint_target.url or ""):
            self._endpoint_target = None  # typed over: a URL of the user's own

