"""Create (``a``) and update (``e``) an endpoint: one form, driven by the catalog.

Hardware is chosen vendor → region → accelerator → instance, every
instance labelled with its hourly price; the cost line under it follows the
replicas. Invalid input is shown at its field and nothing is sent. A server
error is shown in the form, which keeps everything typed. An update sends
only the fields that differ from the endpoint (``EndpointUpdate``). Creating,
and an update that costs more per hour, first say what it will cost.

``ctrl+s`` submits; ``esc`` in a field leaves the field, ``esc`` again
closes the form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Footer, Input, Select, Static

from hftui.tasks import endpoint_tasks
from hftui.keys import bindings_for
from hftui.client.endpoints import CONTAINER_KINDS, CustomImage
from hftui.controllers.cost import CostEstimate
from hftui.widgets.header import AppHeader
from hftui.widgets.safe_text import one_line, safe_content

if TYPE_CHECKING:
    from hftui.client import Catalog, Compute, Endpoint

FRAMEWORKS = ("pytorch", "custom", "tensorflow", "llamacpp")
TYPES = (("authenticated — any HF token", "authenticated"), ("public — no auth", "public"),
         ("private — namespace members", "private"))
IMAGE_FIELDS = ("image_url", "image_port", "health_route", "image_env", "registry_user", "registry_password")
"""The inputs of a custom container: enabled only while "custom" is the container chosen."""
CONTAINERS = (("default — Hugging Face inference toolkit", "huggingface"), ("custom image", "custom"))
NO_CHOICE = "\x00"
"""Prefix of the one option of a hardware choice that has nothing to offer (catalog loading or
unavailable, or nothing there). The hardware Selects never allow a blank: a blank accelerator
reached by wrapping round the list used to empty the Instance choice (issue 11 #14)."""


def _placeholder(text: str) -> list[tuple[Any, str]]:
    # one value per text: a Select shows a new label only when its value changes
    return [(Content.styled(text, "dim"), NO_CHOICE + text)]


def _set_choices(sel: Select, options: list[tuple[Any, str]], want: str | None, *, empty: str = "none here") -> None:
    """Replace a hardware choice's options and select ``want`` (else the first): never blank."""
    sel.set_options(options or _placeholder(empty))
    if want is not None and options:
        sel.value = want


def parse_pairs(text: str) -> tuple[dict[str, str], str | None]:
    """``"A=1, B=two"`` -> ({"A": "1", "B": "two"}, None); an error text for bad input."""
    out: dict[str, str] = {}
    for part in text.replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not key:
            return out, f"“{one_line(part, 40)}” is not KEY=VALUE"
        if not key.replace("_", "").replace("-", "").replace(".", "").isalnum():
            return out, f"“{one_line(key, 40)}”: letters, digits, _ - . only"
        out[key] = value.strip()
    return out, None


def format_pairs(values: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def _int_field(text: str, name: str, *, blank: int | None = None, lo: int = 0, hi: int = 1000) -> tuple[
        int | None, str | None]:
    text = text.strip()
    if not text:
        if blank is None:
            return None, None
        return blank, None
    try:
        value = int(text)
    except ValueError:
        return None, f"{name}: a whole number"
    if not lo <= value <= hi:
        return None, f"{name}: between {lo} and {hi}"
    return value, None


class EndpointFormScreen(Screen["Endpoint | None"]):
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
        self._filled: dict[str, Any] = {}
        """What each dependent Select was last filled for (``regions`` -> vendor, ...): a Changed
        event for the value just filled in refills nothing (the cascade ran ~20 fills per open)."""

    # --- layout ---------------------------------------------------------------------

    def _row(self, label: str, widget, key: str):
        with Horizontal(classes="row", id=f"row-{key}"):
            yield Static(label, classes="label")
            yield widget
        yield Static("", classes="field-error -empty", id=f"err-{key}", markup=False)

    def compose(self) -> ComposeResult:
        ep = self.endpoint
        upd = self.is_update
        yield AppHeader()
        with VerticalScroll(id="form") as form:
            form.border_title = safe_content(f"Update {one_line(ep.key, 60)}" if ep else
                                             f"New endpoint in {one_line(self.namespace or '?', 40)}")
            form.border_subtitle = "ctrl+s: " + ("update" if upd else "create") + " · esc: close"
            yield Static("", id="form-error", classes="-empty", markup=False)
            yield from self._row("Name", Input(value=shown(ep.name) if ep else "", placeholder="my-endpoint",
                                               id="name", disabled=upd, compact=True, max_length=64), "name")
            yield from self._row("Repository", Input(value=shown(ep.repository) if ep else "",
                                                     placeholder="org/model", id="repository", compact=True),
                                 "repository")
            yield from self._row("Revision", Input(value=shown(ep.revision) if ep else "",
                                                   placeholder="latest commit of main", id="revision",
                                                   compact=True), "revision")
            yield from self._row("Task", Input(value=shown(ep.task) if ep else "", placeholder="text-generation",
                                               suggester=SuggestFromList(endpoint_tasks()), id="task", compact=True), "task")
            framework = (ep.framework if ep and ep.framework else "pytorch")
            frameworks = list(dict.fromkeys([*FRAMEWORKS, framework]))  # keep an unknown current value
            yield from self._row("Framework", Select([(safe_content(f, 40), f) for f in frameworks], value=framework,
                                                     allow_blank=False, id="framework", compact=True), "framework")
            yield Static("Hardware", classes="section")
            for label, key in (("Vendor", "vendor"), ("Region", "region"), ("Accelerator", "accelerator"),
                               ("Instance", "instance")):
                yield from self._row(label, Select(_placeholder("loading the catalog…"), id=key, compact=True,
                                                   allow_blank=False, disabled=upd and key in ("vendor", "region")),
                                     key)
            yield Static("", id="cost", markup=False)
            type_value = ep.type if ep and ep.type in ("public", "authenticated", "private") else "authenticated"
            yield from self._row("Type", Select(TYPES, value=type_value, allow_blank=False, id="type",
                                                compact=True, disabled=upd), "type")
            yield Static("Scaling", classes="section")
            yield from self._row("Min replicas", Input(value=str(ep.min_replica if ep and ep.min_replica is not None
                                                                 else 0), id="min_replica", compact=True,
                                                       type="integer"), "min_replica")
            yield from self._row("Max replicas", Input(value=str(ep.max_replica if ep and ep.max_replica is not None
                                                                 else 1), id="max_replica", compact=True,
                                                       type="integer"), "max_replica")
            stz = ep.scale_to_zero_timeout if ep else 15
            yield from self._row("Scale to 0 after", Input(value="" if stz is None else str(stz),
                                                           placeholder="minutes idle (blank: never)",
                                                           id="scale_to_zero_timeout", compact=True, type="integer"),
                                 "scale_to_zero_timeout")
            yield Static("Container", classes="section")
            yield from self._row("Container", self._container_select(), "image_kind")
            custom = CustomImage.from_endpoint(ep) if ep else None  # server data: prefilled cleaned
            fixed = not self._custom_chosen_at_start()
            yield from self._row("Image URL", Input(value=one_line(custom.url, 2000) if custom else "",
                                                    placeholder="ghcr.io/org/image:tag", id="image_url",
                                                    compact=True, disabled=fixed), "image_url")
            yield from self._row("Image port", Input(value="" if custom is None or custom.port is None
                                                     else str(custom.port), placeholder="80", id="image_port",
                                                     compact=True, type="integer", disabled=fixed), "image_port")
            yield from self._row("Health route", Input(value=one_line(custom.health_route, 500) if custom else "",
                                                       placeholder="/health", id="health_route", compact=True,
                                                       disabled=fixed), "health_route")
            yield from self._row("Image env", Input(value=one_line(format_pairs(custom.env), 4000) if custom else "",
                                                    placeholder="KEY=VALUE, … (the image's own)", id="image_env",
                                                    compact=True, disabled=fixed), "image_env")
            yield from self._row("Registry user", Input(value=one_line(custom.username, 200) if custom else "",
                                                        placeholder="for a private registry (optional)",
                                                        id="registry_user", compact=True, disabled=fixed),
                                 "registry_user")
            yield from self._row("Registry password", Input(
                password=True, id="registry_password", compact=True, disabled=fixed,
                placeholder="unchanged unless typed" if custom and custom.username else "(hidden)"),
                "registry_password")
            yield from self._row("Env", Input(value=shown(format_pairs(ep.env)) if ep else "", placeholder="KEY=VALUE, …",
                                              id="env", compact=True), "env")
            secrets_hint = ("unchanged unless typed: " + ", ".join(ep.secrets)) if ep and ep.secrets \
                else "KEY=VALUE, … (hidden)"
            yield from self._row("Secrets", Input(password=True, placeholder=one_line(secrets_hint, 80),
                                                  id="secrets", compact=True), "secrets")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Update" if upd else "Create", id="submit", variant="primary")
        yield Footer()

    def _container_select(self) -> Select:
        """Default or custom container; an engine (tgi, vLLM, …) is shown, and cannot be changed."""
        kind = self.endpoint.image_kind if self.endpoint else None
        options = list(CONTAINERS)
        if kind and kind not in ("huggingface", "custom"):
            what = "container" if kind in CONTAINER_KINDS else "engine — cannot be changed by an update"
            options.append((safe_content(one_line(f"{kind} {what}", 80)), kind))
        engine = kind is not None and kind not in CONTAINER_KINDS
        return Select(options, value=kind if kind else "huggingface", allow_blank=False, id="image_kind",
                      compact=True, disabled=engine)

    def _custom_chosen_at_start(self) -> bool:
        return self.endpoint is not None and self.endpoint.image_kind == "custom"

    @on(Select.Changed, "#image_kind")
    def _container_changed(self) -> None:
        custom = self._value("image_kind") == "custom"
        for key in IMAGE_FIELDS:
            self.query_one(f"#{key}", Input).disabled = not custom  # values kept: a change of mind loses nothing
            if not custom:
                self._field_error(key, None)

    def on_mount(self) -> None:
        self._initial = self._current_texts()
        (self.query_one("#repository") if self.is_update else self.query_one("#name")).focus()
        if self.catalog is None:
            self._load_catalog()
        else:
            self._fill_vendors()

    @work(exclusive=True, group="form-catalog", exit_on_error=False)
    async def _load_catalog(self) -> None:
        try:
            self.catalog = await self.app.client.endpoints.catalog(self.namespace)
        except Exception as exc:
            self._form_error(f"Hardware catalog unavailable: {_message(exc)}")
            for key in ("vendor", "region", "accelerator", "instance"):
                _set_choices(self.query_one(f"#{key}", Select), [], None, empty="catalog unavailable")
            return
        self._fill_vendors()

    # --- catalog cascade --------------------------------------------------------------

    def _fill_vendors(self) -> None:
        catalog = self.catalog
        if catalog is None:
            return
        ep = self.endpoint
        vendors = catalog.vendors
        vendor_sel = self.query_one("#vendor", Select)
        want = ep.vendor if ep and ep.vendor in vendors else None
        _set_choices(vendor_sel, [(safe_content(v, 60), v) for v in vendors], want)  # catalog = server data
        self._fill_regions()

    def _fill_regions(self) -> None:
        catalog, vendor = self.catalog, self._value("vendor")
        if catalog is None or vendor is None:
            return
        self._filled["regions"] = vendor
        regions = catalog.regions_of(vendor)
        sel = self.query_one("#region", Select)
        ep = self.endpoint
        names = [r.name for r in regions]
        _set_choices(sel, [(safe_content(f"{r.name}" + (f" ({r.label})" if r.label else ""), 80), r.name)
                           for r in regions], ep.region if ep and ep.region in names else None)
        self._fill_accelerators()

    def _hardware(self) -> list[Compute]:
        catalog, vendor, region = self.catalog, self._value("vendor"), self._value("region")
        if catalog is None:
            return []
        return [c for r in catalog.regions if r.vendor == vendor and r.name == region for c in r.computes]

    def _fill_accelerators(self) -> None:
        if self.catalog is None:  # still loading, or unavailable: the choices already say so
            return
        self._filled["accelerators"] = (self._value("vendor"), self._value("region"))
        computes = self._hardware()
        accels = list(dict.fromkeys(c.accelerator for c in computes))
        sel = self.query_one("#accelerator", Select)
        ep = self.endpoint
        _set_choices(sel, [(safe_content(a, 40), a) for a in accels],
                     ep.accelerator if ep and ep.accelerator in accels else None)
        self._fill_instances()

    def _fill_instances(self) -> None:
        if self.catalog is None:
            return
        accel = self._value("accelerator")
        self._filled["instances"] = (self._value("vendor"), self._value("region"), accel)
        computes = [c for c in self._hardware() if c.accelerator == accel]
        sel = self.query_one("#instance", Select)
        options = []
        for c in computes:
            label = f"{c.instance_type} {c.instance_size}"
            if c.price_per_hour is not None:
                label += f" · ${c.price_per_hour:,.2f}/h"
            if c.gpu_memory_gb:
                label += f" · {c.gpu_memory_gb:g} GB"
            if not c.deployable:
                label += " · unavailable"
            options.append((safe_content(one_line(label, 80)), c.id))
        ep = self.endpoint
        want = None
        for c in computes:
            if ep and (c.instance_type, c.instance_size) == (ep.instance_type, ep.instance_size):
                want = c.id
        if want is None:
            want = next((c.id for c in computes if c.deployable), None)
        _set_choices(sel, options, want)
        self._update_cost()

    @on(Select.Changed, "#vendor")
    def _vendor_changed(self) -> None:
        if self._filled.get("regions") != self._value("vendor"):
            self._fill_regions()

    @on(Select.Changed, "#region")
    def _region_changed(self) -> None:
        if self._filled.get("accelerators") != (self._value("vendor"), self._value("region")):
            self._fill_accelerators()

    @on(Select.Changed, "#accelerator")
    def _accel_changed(self) -> None:
        wanted = (self._value("vendor"), self._value("region"), self._value("accelerator"))
        if self._filled.get("instances") != wanted:
            self._fill_instances()

    @on(Select.Changed, "#instance")
    def _instance_changed(self) -> None:
        self._update_cost()

    def selected_compute(self) -> Compute | None:
        cid = self._value("instance")
        return next((c for c in self._hardware() if c.id == cid), None)

    def _replicas(self) -> tuple[int, int]:
        lo, _ = _int_field(self._text("min_replica"), "min", blank=0)
        hi, _ = _int_field(self._text("max_replica"), "max", blank=1)
        lo = lo or 0
        hi = max(hi or 1, lo)
        return lo, hi

    def _update_cost(self) -> None:
        compute = self.selected_compute()
        lo, hi = self._replicas()
        cost = CostEstimate(compute.price_per_hour, lo, hi).line() if compute else ""
        self.query_one("#cost", Static).update(cost)

    # --- field checks -----------------------------------------------------------------

    def _value(self, key: str):
        value = self.query_one(f"#{key}", Select).value
        return None if value is Select.NULL or str(value).startswith(NO_CHOICE) else value

    def _text(self, key: str) -> str:
        return self.query_one(f"#{key}", Input).value

    def _field_error(self, key: str, text: str | None) -> None:
        err = self.query_one(f"#err-{key}", Static)
        err.update(one_line(text or "", 300))
        err.set_class(not text, "-empty")

    def _form_error(self, text: str | None) -> None:
        err = self.query_one("#form-error", Static)
        err.update(one_line(text or "", 600))
        err.set_class(not text, "-empty")

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        key = event.input.id or ""
        if key == "name":
            from hftui.client.endpoints import validate_name

            self._field_error("name", validate_name(event.value.strip()) if event.value else None)
        elif key in ("min_replica", "max_replica"):
            self._check_replicas()
            self._update_cost()
        elif key in ("env", "image_env", "secrets"):
            self._field_error(key, parse_pairs(event.value)[1])
        elif key == "image_port":
            self._field_error(key, _int_field(event.value, "port", lo=1, hi=65535)[1])

    def _check_replicas(self) -> tuple[int | None, int | None, bool]:
        lo, e1 = _int_field(self._text("min_replica"), "min replicas", blank=0)
        hi, e2 = _int_field(self._text("max_replica"), "max replicas", blank=1, lo=1)
        self._field_error("min_replica", e1)
        if not e2 and lo is not None and hi is not None and hi < lo:
            e2 = "max replicas: at least the min"
        self._field_error("max_replica", e2)
        return lo, hi, not (e1 or e2)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def collect(self) -> tuple[dict[str, Any] | None, list[str]]:
        """Check every field; returns (values, problems). Problems are shown at their fields."""
        from hftui.client.endpoints import validate_name

        problems: list[str] = []
        values: dict[str, Any] = {}

        def bad(key: str, text: str | None) -> None:
            self._field_error(key, text)
            if text:
                problems.append(f"{key}: {text}")

        name = self._text("name").strip()
        bad("name", None if self.is_update else validate_name(name))
        values["name"] = name
        repo = self._text("repository").strip()
        bad("repository", None if repo else "the model repository is required (org/model)")
        values["repository"] = repo
        values["revision"] = self._text("revision").strip() or None
        values["task"] = self._text("task").strip() or None
        values["framework"] = self._value("framework") or "pytorch"
        compute = self.selected_compute()
        bad("instance", None if compute else "choose an instance from the catalog")
        values["compute"] = compute
        values["type"] = self._value("type") or "authenticated"
        lo, hi, ok = self._check_replicas()
        if not ok:
            problems.append("replicas")
        values["min_replica"], values["max_replica"] = lo, hi
        stz, e = _int_field(self._text("scale_to_zero_timeout"), "timeout", lo=1, hi=100_000)
        bad("scale_to_zero_timeout", e)
        values["scale_to_zero_timeout"] = stz
        for key in ("env", "secrets"):
            pairs, e = parse_pairs(self._text(key))
            bad(key, e)
            values[key] = pairs
        values["image_kind"] = self._value("image_kind") or "huggingface"
        values["image"] = self._custom_image(bad) if values["image_kind"] == "custom" else None
        return (None if problems else values), problems

    def _custom_image(self, bad) -> CustomImage | None:
        """The custom container typed in the form; field problems go to ``bad``."""
        url = self._text("image_url").strip()
        bad("image_url", None if url else "the image URL is required for a custom container")
        port, e = _int_field(self._text("image_port"), "port", lo=1, hi=65535)
        bad("image_port", e)
        health = self._text("health_route").strip()
        bad("health_route", "starts with /" if health and not health.startswith("/") else None)
        env, e = parse_pairs(self._text("image_env"))
        bad("image_env", e)
        user = self._text("registry_user").strip()
        password = self._text("registry_password")
        problem = None
        if password and not user:
            problem = "a password needs the registry user"
        elif user and not password and self._image_edited() and self._had_credentials():
            # The API never sends the password back, so the image cannot be resent without it.
            problem = "type the registry password again: the API does not send it back"
        bad("registry_password", problem)
        return CustomImage(url=url, health_route=health or "/health", port=port, env=env, username=user or None,
                           password=password or None)

    def _had_credentials(self) -> bool:
        current = CustomImage.from_endpoint(self.endpoint) if self.endpoint else None
        return bool(current and current.username)

    def _image_edited(self) -> bool:
        """The container choice or one of its fields differs from what the form opened with."""
        initial, now = self._initial, self._current_texts()
        return any(initial.get(k) != now.get(k) for k in ("image_kind", *IMAGE_FIELDS))

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
        initial = getattr(self, "_initial", None)
        return initial is not None and self._current_texts() != initial

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

    def build(self, values: dict[str, Any]):
        """An EndpointSpec (create) or EndpointUpdate with only the changed fields."""
        from hftui.client.endpoints import EndpointSpec, EndpointUpdate

        compute: Compute = values["compute"]
        image: CustomImage | None = values["image"]
        if not self.is_update:
            return EndpointSpec(
                name=values["name"], repository=values["repository"], vendor=compute.vendor, region=compute.region,
                accelerator=compute.accelerator, instance_type=compute.instance_type,
                instance_size=compute.instance_size, framework=values["framework"], task=values["task"],
                min_replica=values["min_replica"], max_replica=values["max_replica"],
                scale_to_zero_timeout=values["scale_to_zero_timeout"], type=values["type"],
                revision=values["revision"], custom_image=image, env=values["env"], secrets=values["secrets"])
        ep = self.endpoint
        changes: dict[str, Any] = {}
        if (compute.accelerator, compute.instance_type, compute.instance_size) != (
                ep.accelerator, ep.instance_type, ep.instance_size):
            changes.update(accelerator=compute.accelerator, instance_type=compute.instance_type,
                           instance_size=compute.instance_size)
        # A field counts as changed when its text differs from what the form was opened with,
        # so a value the endpoint did not have (e.g. no min replicas) is not sent by accident.
        initial = self._initial
        edited = {key for key, text in initial.items() if self._current_texts().get(key) != text}
        for key in ("min_replica", "max_replica", "repository", "scale_to_zero_timeout", "revision", "task", "env"):
            if key in edited and values[key] is not None:
                changes[key] = values[key]
        if "framework" in edited:
            changes["framework"] = values["framework"]
        if values["secrets"]:
            changes["secrets"] = values["secrets"]
        if self._image_edited():
            kind = values["image_kind"]
            if kind == "custom":
                changes["custom_image"] = image  # the whole variant: model.image is replaced, not merged
            elif kind == "huggingface" and ep.image_kind != "huggingface":
                changes["default_image"] = True
        return EndpointUpdate(**changes)

    def _current_texts(self) -> dict[str, str]:
        texts = {box.id: box.value for box in self.query(Input) if box.id}
        for key in ("framework", "type", "image_kind"):
            value = self.query_one(f"#{key}", Select).value
            texts[key] = "" if value is Select.NULL else str(value)
        return texts

    def _extra_cost(self, values: dict[str, Any]) -> str | None:
        """What the action will cost per hour, when it costs (create, or more per hour on update)."""
        compute: Compute = values["compute"]
        cost = CostEstimate(compute.price_per_hour, values["min_replica"], values["max_replica"])
        what = f"{compute.instance_type} {compute.instance_size}"
        if not self.is_update:
            return cost.text(what)
        ep = self.endpoint
        old = CostEstimate.of(ep, self.catalog.hourly_cost(ep) if self.catalog else None)
        return cost.change_text(old, what)

    def action_submit(self) -> None:
        if self._busy:
            return
        values, problems = self.collect()
        if values is None:
            self._form_error(f"Fix {len(problems)} field{'s' if len(problems) > 1 else ''} first — nothing was sent.")
            return
        self._form_error(None)
        try:
            payload = self.build(values)
        except Exception as exc:
            self._form_error(_message(exc))
            return
        if self.is_update and payload.empty:
            self._form_error("Nothing changed — nothing to send.")
            return
        cost = self._extra_cost(values)
        if cost is None:
            self._send(payload)
            return
        from hftui.widgets.confirm import ConfirmScreen

        verb = "Update" if self.is_update else "Create"
        target = self.endpoint.key if self.endpoint else f"{self.namespace}/{values['name']}"

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
