"""Create (``a``) and update (``e``) an endpoint: one form, driven by the catalog.

Hardware is chosen vendor → region → accelerator → instance, every
instance labelled with its hourly price; the cost line under it follows the
replicas. Invalid input is shown at its field and nothing is sent. A server
error is shown in the form, which keeps everything typed. An update sends
only the fields that differ from the endpoint (``EndpointUpdate``). Creating,
and an update that costs more per hour, first say what it will cost.

``ctrl+s`` submits; ``esc`` in a field leaves the field, ``esc`` again
closes the form.

The screen lays out and shows; the hardware choices and their cost line are
``widgets.hardware_picker``, the container section ``widgets.container_fields``,
and checking the fields and building what is sent ``controllers.endpoint_draft``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Button, Footer, Input, Select, Static

from hftui.controllers.endpoint_draft import (Draft, check, check_replicas, field_problem, format_pairs, parse_pairs,
                                              replica_range)
from hftui.keys import bindings_for
from hftui.screens.base import HFScreen
from hftui.tasks import endpoint_tasks
from hftui.widgets.container_fields import ContainerFields
from hftui.widgets.form_rows import form_row, show_field_error
from hftui.widgets.header import AppHeader
from hftui.widgets.hardware_picker import HardwarePicker
from hftui.widgets.safe_text import one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import Catalog, Compute, Endpoint

__all__ = ["EndpointFormScreen", "parse_pairs"]

FRAMEWORKS = ("pytorch", "custom", "tensorflow", "llamacpp")
TYPES = (("authenticated — any HF token", "authenticated"), ("public — no auth", "public"),
         ("private — namespace members", "private"))


class EndpointFormScreen(HFScreen["Endpoint | None"]):
    """Dismisses with the created/updated Endpoint, or None when closed."""

    title_text = "Endpoint form"
    DEFAULT_CSS = """
    EndpointFormScreen VerticalScroll#form { border: round $primary; padding: 0 1; height: 1fr; }
    EndpointFormScreen .row { height: auto; }
    EndpointFormScreen .row > .label { width: 18; padding: 0 1 0 0; color: $text-muted; height: 1; }
    EndpointFormScreen .row > Input, EndpointFormScreen .row > Select { width: 1fr; }
    EndpointFormScreen .field-error { color: $error; padding-left: 18; height: auto; }
    EndpointFormScreen .field-error.-empty { display: none; }
    EndpointFormScreen #cost { color: $warning; padding-left: 18; height: auto; }
    EndpointFormScreen #form-error { color: $error; height: auto; }
    EndpointFormScreen #form-error.-empty { display: none; }
    EndpointFormScreen #buttons { height: auto; align-horizontal: right; margin-top: 1; }
    EndpointFormScreen #buttons Button { margin-left: 1; }
    EndpointFormScreen .section { color: $text-accent; text-style: bold; margin-top: 1; height: 1; }
    """
    BINDINGS = bindings_for("EndpointFormScreen")
    AUTO_FOCUS = "Input"  # not the scrolling form first: its focus restyles every field (~0.3 s)

    def __init__(self, *, namespace: str | None, catalog: Catalog | None = None,
                 endpoint: Endpoint | None = None) -> None:
        super().__init__()
        self.namespace = namespace
        self.catalog = catalog
        self.endpoint = endpoint
        self.is_update = endpoint is not None
        self.sent: Any = None
        """The EndpointSpec / EndpointUpdate last sent (tests read it)."""
        self._busy = False
        self._initial: dict[str, str] | None = None
        """Every field's text as the form opened (``_current_texts``)."""

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        ep = self.endpoint
        upd = self.is_update
        yield AppHeader()
        with VerticalScroll(id="form") as form:
            form.border_title = safe_content(f"Update {one_line(ep.key, 60)}" if ep else
                                             f"New endpoint in {one_line(self.namespace or '?', 40)}")
            form.border_subtitle = "ctrl+s: " + ("update" if upd else "create") + " · esc: close"
            yield Static("", id="form-error", classes="-empty", markup=False)
            yield from form_row("Name", Input(value=shown(ep.name) if ep else "", placeholder="my-endpoint",
                                              id="name", disabled=upd, compact=True, max_length=64), "name")
            yield from form_row("Repository", Input(value=shown(ep.repository) if ep else "",
                                                    placeholder="org/model", id="repository", compact=True),
                                "repository")
            yield from form_row("Revision", Input(value=shown(ep.revision) if ep else "",
                                                  placeholder="latest commit of main", id="revision",
                                                  compact=True), "revision")
            yield from form_row("Task", Input(value=shown(ep.task) if ep else "", placeholder="text-generation",
                                              suggester=SuggestFromList(endpoint_tasks()), id="task", compact=True),
                                "task")
            framework = (ep.framework if ep and ep.framework else "pytorch")
            frameworks = list(dict.fromkeys([*FRAMEWORKS, framework]))  # keep an unknown current value
            yield from form_row("Framework", Select([(safe_content(f, 40), f) for f in frameworks], value=framework,
                                                    allow_blank=False, id="framework", compact=True), "framework")
            yield Static("Hardware", classes="section")
            yield HardwarePicker(ep)
            type_value = ep.type if ep and ep.type in ("public", "authenticated", "private") else "authenticated"
            yield from form_row("Type", Select(TYPES, value=type_value, allow_blank=False, id="type",
                                               compact=True, disabled=upd), "type")
            yield Static("Scaling", classes="section")
            yield from form_row("Min replicas", Input(value=str(ep.min_replica if ep and ep.min_replica is not None
                                                                else 0), id="min_replica", compact=True,
                                                      type="integer"), "min_replica")
            yield from form_row("Max replicas", Input(value=str(ep.max_replica if ep and ep.max_replica is not None
                                                                else 1), id="max_replica", compact=True,
                                                      type="integer"), "max_replica")
            stz = ep.scale_to_zero_timeout if ep else 15
            yield from form_row("Scale to 0 after", Input(value="" if stz is None else str(stz),
                                                          placeholder="minutes idle (blank: never)",
                                                          id="scale_to_zero_timeout", compact=True, type="integer"),
                                "scale_to_zero_timeout")
            yield Static("Container", classes="section")
            yield ContainerFields(ep)
            yield from form_row("Env", Input(value=shown(format_pairs(ep.env)) if ep else "",
                                             placeholder="KEY=VALUE, …", id="env", compact=True), "env")
            secrets_hint = ("unchanged unless typed: " + ", ".join(ep.secrets)) if ep and ep.secrets \
                else "KEY=VALUE, … (hidden)"
            yield from form_row("Secrets", Input(password=True, placeholder=one_line(secrets_hint, 80),
                                                 id="secrets", compact=True), "secrets")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Update" if upd else "Create", id="submit", variant="primary")
        yield Footer()

    @property
    def hardware(self) -> HardwarePicker:
        return self.query_one(HardwarePicker)

    def on_mount(self) -> None:
        self._initial = self._current_texts()
        self._update_cost()
        (self.query_one("#repository") if self.is_update else self.query_one("#name")).focus()
        if self.catalog is None:
            self._load_catalog()
        else:
            self.hardware.set_catalog(self.catalog)

    @work(exclusive=True, group="form-catalog", exit_on_error=False)
    async def _load_catalog(self) -> None:
        try:
            self.catalog = await self.app.client.endpoints.catalog(self.namespace)
        except Exception as exc:
            self._form_error(f"Hardware catalog unavailable: {_message(exc)}")
            self.hardware.unavailable()
            return
        self.hardware.set_catalog(self.catalog)

    def selected_compute(self) -> Compute | None:
        return self.hardware.selected()

    def _update_cost(self) -> None:
        self.hardware.show_cost(*replica_range(self._text("min_replica"), self._text("max_replica")))

    # --- field checks -----------------------------------------------------------------

    def _text(self, key: str) -> str:
        return self.query_one(f"#{key}", Input).value

    def _current_texts(self) -> dict[str, str]:
        texts = {box.id: box.value for box in self.query(Input) if box.id}
        for key in ("framework", "type", "image_kind"):
            value = self.query_one(f"#{key}", Select).value
            texts[key] = "" if value is Select.NULL else str(value)
        return texts

    def _form_error(self, text: str | None) -> None:
        err = self.query_one("#form-error", Static)
        err.update(one_line(text or "", 600))
        err.set_class(not text, "-empty")

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        key = event.input.id or ""
        if key in ("min_replica", "max_replica"):
            for field, problem in check_replicas(self._text("min_replica"), self._text("max_replica"))[2].items():
                show_field_error(self, field, problem)
            self._update_cost()
        elif key in ("name", "env", "image_env", "secrets", "image_port"):
            show_field_error(self, key, field_problem(key, event.value))

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def collect(self) -> Draft:
        """Check every field; problems are shown at their fields."""
        draft = check(self._current_texts(), self.selected_compute(), endpoint=self.endpoint,
                      initial=self._initial)
        for key, problem in draft.errors.items():
            show_field_error(self, key, problem)
        return draft

    # --- submit -----------------------------------------------------------------------

    def action_cancel(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one("#form").focus()
            return
        self.close()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.close()

    @property
    def dirty(self) -> bool:
        """Something was typed or chosen since the form opened."""
        return self._initial is not None and self._current_texts() != self._initial

    def close(self) -> None:
        """Close without sending; asks first when that would throw away what was typed."""
        if not self.dirty:
            self.dismiss(None)
            return
        from hftui.widgets.confirm import ConfirmScreen

        def chosen(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        what = "update" if self.is_update else "new endpoint"
        self.app.push_screen(ConfirmScreen("Discard your changes?",
                                           f"Close the {what} form and lose what you typed? Nothing was sent.",
                                           confirm="Discard", variant="error", focus_cancel=True), chosen)

    def action_submit(self) -> None:
        if self._busy:
            return
        draft = self.collect()
        if draft.problems:
            n = len(draft.problems)
            self._form_error(f"Fix {n} field{'s' if n > 1 else ''} first — nothing was sent.")
            return
        self._form_error(None)
        try:
            payload = draft.payload()
        except Exception as exc:
            self._form_error(_message(exc))
            return
        if self.is_update and payload.empty:
            self._form_error("Nothing changed — nothing to send.")
            return
        ep = self.endpoint
        cost = draft.cost_confirmation(self.catalog.hourly_cost(ep) if ep and self.catalog else None)
        if cost is None:
            self._send(payload)
            return
        from hftui.widgets.confirm import ConfirmScreen

        verb = "Update" if self.is_update else "Create"
        target = ep.key if ep else f"{self.namespace}/{draft.values['name']}"

        def confirmed(ok: bool | None) -> None:
            if ok:
                self._send(payload)

        self.app.push_screen(ConfirmScreen(f"{verb} {target}?", cost, confirm=verb, variant="warning"), confirmed)

    def _send(self, payload) -> None:
        self._busy = True
        self.sent = payload
        button = self.query_one("#submit", Button)
        button.disabled = True
        button.label = "Sending…"
        self._send_worker(payload)

    @work(exclusive=True, group="form-send", exit_on_error=False)
    async def _send_worker(self, payload) -> None:
        eps = self.app.client.endpoints
        try:
            if self.is_update:
                result = await eps.update(self.endpoint.namespace, self.endpoint.name, payload)
            else:
                result = await eps.create(self.namespace, payload)
        except Exception as exc:
            self._form_error(f"The server refused: {_message(exc)} — the form is unchanged; fix and ctrl+s again.")
            return
        finally:
            self._busy = False
            button = self.query_one("#submit", Button)
            button.disabled = False
            button.label = "Update" if self.is_update else "Create"
        self.notify(f"{'Updated' if self.is_update else 'Created'} {one_line(result.key, 80)} "
                    f"({one_line(result.raw_state, 30)})", markup=False)
        self.dismiss(result)


def shown(value: Any) -> str:
    """A server value as a field's starting text: no escape or control reaches the terminal through
    an Input. What the field starts with is also what "changed?" compares against, so an
    untouched field is never sent back."""
    return one_line(value, None)


def _message(exc: BaseException) -> str:
    from hftui.client import HFError

    return one_line(exc.user_message() if isinstance(exc, HFError) else f"{type(exc).__name__}: {exc}", 400)
