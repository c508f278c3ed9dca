"""An endpoint form's typed text → checked values → what the client sends, without Textual.

    errors = field_problem("image_port", text)          # the live check of one field as it is typed
    draft = check(texts, compute, endpoint=ep, initial=texts_at_open)
    draft.values / draft.errors (field id → text or None) / draft.problems
    payload = draft.payload()     # EndpointSpec (create) or EndpointUpdate with only what changed
    draft.cost_confirmation(old_price)   # what to say before sending; None: nothing to confirm

``texts`` maps a field id to its text: every Input's value, and the value of
the framework, type and container choices. ``initial`` is the same map as the
form opened: an update sends a field only when its text changed, so a value
the endpoint did not have (e.g. no min replicas) is never sent by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hftui.client.endpoints import CustomImage, EndpointSpec, EndpointUpdate, validate_name
from hftui.client.models import Compute, Endpoint
from hftui.controllers.cost import CostEstimate
from hftui.sanitize import one_line

IMAGE_FIELDS = ("image_url", "image_port", "health_route", "image_env", "registry_user", "registry_password")
"""The fields of a custom container: used only while "custom" is the container chosen."""
_UPDATABLE = ("min_replica", "max_replica", "repository", "scale_to_zero_timeout", "revision", "task", "env")


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


def int_field(text: str, name: str, *, blank: int | None = None, lo: int = 0,
              hi: int = 1000) -> tuple[int | None, str | None]:
    """A whole number in [lo, hi]; ``blank`` is the value of an empty field (None: not set)."""
    text = text.strip()
    if not text:
        return blank, None
    try:
        value = int(text)
    except ValueError:
        return None, f"{name}: a whole number"
    if not lo <= value <= hi:
        return None, f"{name}: between {lo} and {hi}"
    return value, None


def replica_range(min_text: str, max_text: str) -> tuple[int, int]:
    """The range the cost line shows while typing: bad or blank text counts as 0 and 1."""
    lo = int_field(min_text, "min", blank=0)[0] or 0
    hi = int_field(max_text, "max", blank=1)[0] or 1
    return lo, max(hi, lo)


def check_replicas(min_text: str, max_text: str) -> tuple[int | None, int | None, dict[str, str | None]]:
    lo, e1 = int_field(min_text, "min replicas", blank=0)
    hi, e2 = int_field(max_text, "max replicas", blank=1, lo=1)
    if not e2 and lo is not None and hi is not None and hi < lo:
        e2 = "max replicas: at least the min"
    return lo, hi, {"min_replica": e1, "max_replica": e2}


def field_problem(key: str, text: str) -> str | None:
    """What is wrong with one free-text field as typed (checked again, with the rest, on submit)."""
    if key == "name":
        return validate_name(text.strip()) if text else None
    if key in ("env", "image_env", "secrets"):
        return parse_pairs(text)[1]
    if key == "image_port":
        return int_field(text, "port", lo=1, hi=65535)[1]
    return None


def changed_fields(initial: dict[str, str], now: dict[str, str]) -> set[str]:
    return {key for key, text in initial.items() if now.get(key) != text}


@dataclass
class Draft:
    """The form's fields, checked. ``values`` is usable only when ``problems`` is empty."""

    endpoint: Endpoint | None
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)

    def bad(self, key: str, text: str | None) -> None:
        self.errors[key] = text
        if text:
            self.problems.append(f"{key}: {text}")

    @property
    def image_edited(self) -> bool:
        """The container choice or one of its fields differs from what the form opened with."""
        return bool(self.changed & {"image_kind", *IMAGE_FIELDS})

    def payload(self) -> EndpointSpec | EndpointUpdate:
        """An EndpointSpec (create) or an EndpointUpdate with only the changed fields."""
        values, ep = self.values, self.endpoint
        compute: Compute = values["compute"]
        image: CustomImage | None = values["image"]
        if ep is None:
            return EndpointSpec(
                name=values["name"], repository=values["repository"], vendor=compute.vendor, region=compute.region,
                accelerator=compute.accelerator, instance_type=compute.instance_type,
                instance_size=compute.instance_size, framework=values["framework"], task=values["task"],
                min_replica=values["min_replica"], max_replica=values["max_replica"],
                scale_to_zero_timeout=values["scale_to_zero_timeout"], type=values["type"],
                revision=values["revision"], custom_image=image, env=values["env"], secrets=values["secrets"])
        changes: dict[str, Any] = {}
        if (compute.accelerator, compute.instance_type, compute.instance_size) != (
                ep.accelerator, ep.instance_type, ep.instance_size):
            changes.update(accelerator=compute.accelerator, instance_type=compute.instance_type,
                           instance_size=compute.instance_size)
        for key in _UPDATABLE:
            if key in self.changed and values[key] is not None:
                changes[key] = values[key]
        if "framework" in self.changed:
            changes["framework"] = values["framework"]
        if values["secrets"]:
            changes["secrets"] = values["secrets"]
        if self.image_edited:
            kind = values["image_kind"]
            if kind == "custom":
                changes["custom_image"] = image  # the whole variant: model.image is replaced, not merged
            elif kind == "huggingface" and ep.image_kind != "huggingface":
                changes["default_image"] = True
        return EndpointUpdate(**changes)

    def cost_confirmation(self, old_price: float | None) -> str | None:
        """What creating costs per hour, or what an update costs more; None when it costs no more."""
        compute: Compute = self.values["compute"]
        cost = CostEstimate(compute.price_per_hour, self.values["min_replica"], self.values["max_replica"])
        what = f"{compute.instance_type} {compute.instance_size}"
        if self.endpoint is None:
            return cost.text(what)
        return cost.change_text(CostEstimate.of(self.endpoint, old_price), what)


def check(texts: dict[str, str], compute: Compute | None, *, endpoint: Endpoint | None = None,
          initial: dict[str, str] | None = None) -> Draft:
    """Check every field of a create (``endpoint`` None) or update form."""
    draft = Draft(endpoint, changed=changed_fields(initial or {}, texts))
    values, bad = draft.values, draft.bad
    text = lambda key: texts.get(key, "")  # noqa: E731
    name = text("name").strip()
    bad("name", None if endpoint else validate_name(name))
    values["name"] = name
    repo = text("repository").strip()
    bad("repository", None if repo else "the model repository is required (org/model)")
    values["repository"] = repo
    values["revision"] = text("revision").strip() or None
    values["task"] = text("task").strip() or None
    values["framework"] = text("framework") or "pytorch"
    bad("instance", None if compute else "choose an instance from the catalog")
    values["compute"] = compute
    values["type"] = text("type") or "authenticated"
    lo, hi, errors = check_replicas(text("min_replica"), text("max_replica"))
    draft.errors.update(errors)
    if any(errors.values()):
        draft.problems.append("replicas")
    values["min_replica"], values["max_replica"] = lo, hi
    stz, e = int_field(text("scale_to_zero_timeout"), "timeout", lo=1, hi=100_000)
    bad("scale_to_zero_timeout", e)
    values["scale_to_zero_timeout"] = stz
    for key in ("env", "secrets"):
        pairs, e = parse_pairs(text(key))
        bad(key, e)
        values[key] = pairs
    values["image_kind"] = text("image_kind") or "huggingface"
    values["image"] = _custom_image(draft, texts) if values["image_kind"] == "custom" else None
    return draft


def _custom_image(draft: Draft, texts: dict[str, str]) -> CustomImage:
    """The custom container typed in the form; field problems go to the draft."""
    text = lambda key: texts.get(key, "")  # noqa: E731
    url = text("image_url").strip()
    draft.bad("image_url", None if url else "the image URL is required for a custom container")
    port, e = int_field(text("image_port"), "port", lo=1, hi=65535)
    draft.bad("image_port", e)
    health = text("health_route").strip()
    draft.bad("health_route", "starts with /" if health and not health.startswith("/") else None)
    env, e = parse_pairs(text("image_env"))
    draft.bad("image_env", e)
    user = text("registry_user").strip()
    password = text("registry_password")
    problem = None
    if password and not user:
        problem = "a password needs the registry user"
    elif user and not password and draft.image_edited and _had_credentials(draft.endpoint):
        # The API never sends the password back, so the image cannot be resent without it.
        problem = "type the registry password again: the API does not send it back"
    draft.bad("registry_password", problem)
    return CustomImage(url=url, health_route=health or "/health", port=port, env=env, username=user or None,
                       password=password or None)


def _had_credentials(endpoint: Endpoint | None) -> bool:
    current = CustomImage.from_endpoint(endpoint) if endpoint else None
    return bool(current and current.username)
