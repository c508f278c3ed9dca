"""Inference Endpoints API v2 (``/v2/...``): CRUD, actions, logs, the hardware catalog, validation."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from hftui.emulator import catalog, epstore
from hftui.emulator.epstore import COMPUTES, Endpoint, EndpointStore, find_compute
from hftui.emulator.state import ORGS, USER, State, rfc3339
from hftui.emulator.webutil import STATE_KEY, error, json_response, state_of, token_state

NAMESPACES = (USER, *ORGS)
LEAF_KEYS = {"env", "secrets", "image", "tags", "command", "args", "measure", "credentials"}


def _store(request: web.Request) -> EndpointStore:
    return state_of(request).store


def _auth(request: web.Request, ns: str | None) -> web.Response | None:
    if token_state(request) != "valid":
        return error(401, "Invalid credentials in Authorization header",
                     {"X-Error-Message": "Invalid credentials in Authorization header"})
    if ns is not None and ns not in NAMESPACES:
        return error(401, f"You are not allowed to access namespace '{ns}' (not a member, or no billing set up)")
    return None


async def _body(request: web.Request) -> tuple[Any, web.Response | None]:
    raw = await request.read()
    if not raw:
        return None, None
    try:
        import json

        return json.loads(raw.decode("utf-8")), None
    except (UnicodeDecodeError, ValueError) as exc:
        return None, error(400, f"Malformed JSON body: {exc}")


def _json(request: web.Request, ep: Endpoint) -> dict:
    return epstore.to_json(ep, state_of(request).base_url)


# ------------------------------------------------------------------ validation

def _req(obj: Any, path: str) -> Any:
    cur = obj
    for key in path.split("."):
        if not isinstance(cur, dict) or key not in cur or cur[key] is None:
            raise ValueError(f"missing field `{path}`")
        cur = cur[key]
    return cur


# The payload's typed fields (create and update). A value is a type name, or a nested schema;
# ``?`` = may be null. Unknown keys are dropped silently, as the real API does.
_STR_MAP = "str-map"
_SCHEMA: dict[str, Any] = {
    "name": "str", "type": "str", "cacheHttpResponses": "bool", "tags": "str-list",
    "provider": {"vendor": "str", "region": "str"},
    "compute": {"accelerator": "str", "instanceType": "str", "instanceSize": "str",
                "scaling": {"minReplica": "int", "maxReplica": "int", "scaleToZeroTimeout": "int?",
                            "measure": "dict?", "metric": "str?"}},
    "model": {"repository": "str", "framework": "str", "revision": "str?", "task": "str", "image": "dict",
              "env": _STR_MAP, "secrets": _STR_MAP, "command": "str-list?", "args": "str-list?"},
    "route": {"domain": "str?", "path": "str?"},
    "privateService": {"accountId": "str", "region": "str"},
}
_OK: dict[str, Any] = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "dict": lambda v: isinstance(v, dict),
    "str-list": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    _STR_MAP: lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
}


def _type_error(body: Any, schema: dict = _SCHEMA, path: str = "") -> str | None:
    """The first field of ``body`` whose type does not match ``schema`` (serde-like message), or None."""
    if not isinstance(body, dict):
        return f"{path.rstrip('.') or 'body'}: invalid type: {type(body).__name__}, expected an object"
    for key, want in schema.items():
        if key not in body:
            continue
        value, where = body[key], f"{path}{key}"
        if isinstance(want, dict):
            if value is None and key in ("route", "privateService"):
                continue
            if (msg := _type_error(value, want, where + ".")) is not None:
                return msg
            continue
        optional = want.endswith("?")
        kind = want.rstrip("?")
        if value is None and optional:
            continue
        if not _OK[kind](value):
            shown = "null" if value is None else type(value).__name__
            return f"{where}: invalid type: {shown}, expected {kind.replace('-', ' ')}"
    return None


# The fields of ``model.image.custom`` (wire doc 4.3); others (e.g. snake_case ``health_route``) are
# dropped silently, as the real API does.
_CUSTOM_SCHEMA: dict[str, Any] = {"url": "str", "port": "int?", "healthRoute": "str?", "env": _STR_MAP,
                                  "credentials": "dict?"}


def _check_image(image: Any) -> str | None:
    if not isinstance(image, dict) or len(image) != 1:
        return "model.image must be an object with exactly one key (huggingface, custom, tgi, tei, vLLM, llamacpp, ...)"
    key, value = next(iter(image.items()))
    if key not in ("huggingface", "huggingfaceNeuron", "custom", "tgi", "tgiNeuron", "tei", "vLLM", "vLLMNeuron",
                   "sGLang", "llamacpp", "hfServe"):
        return f"model.image: unknown variant `{key}`"
    if not isinstance(value, dict):
        return f"model.image.{key} must be an object"
    needs_url = ("custom", "tgi", "tei", "vLLM", "sGLang", "llamacpp", "tgiNeuron", "vLLMNeuron")
    if key in needs_url and not value.get("url"):
        return f"model.image.{key}: missing field `url`"
    if key == "custom":
        if (msg := _type_error(value, _CUSTOM_SCHEMA, "model.image.custom.")) is not None:
            return msg
        port = value.get("port")
        if port is not None and not 0 < port < 65536:
            return f"model.image.custom.port: invalid value: integer `{port}`, expected u16"
        creds = value.get("credentials")
        if creds is not None and (not isinstance(creds.get("username"), str)
                                  or not isinstance(creds.get("password", ""), str)):
            return "model.image.custom.credentials: missing field `username` (a string; `password` a string)"
    return None


def _stored_image(image: dict) -> dict:
    """The image as the API keeps it: a custom container's known fields only, ``port`` 80 by default."""
    image = copy.deepcopy(image)
    custom = image.get("custom")
    if isinstance(custom, dict):
        kept = {k: custom[k] for k in _CUSTOM_SCHEMA if custom.get(k) is not None}
        kept.setdefault("port", 80)
        if isinstance(kept.get("credentials"), dict):
            kept["credentials"] = {k: v for k, v in kept["credentials"].items() if k in ("username", "password")}
        image["custom"] = kept
    return image


def _health_route(image: dict) -> str:
    """The endpoint's top-level ``healthRoute``: the container's own, else ``/health``."""
    settings = next(iter(image.values()), None) if isinstance(image, dict) else None
    route = settings.get("healthRoute") if isinstance(settings, dict) else None
    return route if isinstance(route, str) and route else "/health"


def _engine_change(old: str, new: str) -> bool:
    """True when an update would change the inference engine, which the API refuses (wire doc 4.4).
    The default and custom containers are not engines: an update may switch between them."""
    return old != new and not (old in epstore.CONTAINERS and new in epstore.CONTAINERS)


def _check_compute(body: dict, provider: dict, compute: dict) -> web.Response | None:
    vendor, region = provider.get("vendor"), provider.get("region")
    acc, itype, size = compute.get("accelerator"), compute.get("instanceType"), compute.get("instanceSize")
    found = find_compute(str(vendor), str(region), str(acc), str(itype), str(size))
    if found is None:
        return error(400, f"Instance compute '{str(acc).capitalize()}' - '{itype}' - '{size}' "
                          f"in '{vendor}' - '{region}' not found")
    if found.status in ("not_available", "deprecated"):
        return error(400, f"Instance compute '{found.id}' is {found.status.replace('_', ' ')}")
    scaling = compute.get("scaling") or {}
    lo, hi = scaling.get("minReplica"), scaling.get("maxReplica")
    if not isinstance(lo, int) or not isinstance(hi, int) or lo < 0 or hi < 1 or lo > hi:
        return error(422, "compute.scaling: minReplica and maxReplica must be integers with "
                          "0 <= minReplica <= maxReplica, maxReplica >= 1")
    return None


def _validate_create(body: Any) -> tuple[dict | None, web.Response | None]:
    if not isinstance(body, dict):
        return None, error(422, "Failed to deserialize the JSON body: expected an object")
    try:
        name = _req(body, "name")
        type_ = _req(body, "type")
        provider = _req(body, "provider")
        _req(body, "provider.vendor")
        _req(body, "provider.region")
        compute = _req(body, "compute")
        for f in ("accelerator", "instanceType", "instanceSize", "scaling.minReplica", "scaling.maxReplica"):
            _req(compute, f)
        model = _req(body, "model")
        for f in ("repository", "framework", "image"):
            _req(model, f)
    except ValueError as exc:
        return None, error(422, f"Failed to deserialize the JSON body: {exc}")
    if "task" in model and model["task"] is None:
        return None, error(422, "model.task: invalid type: null, expected a string")
    if (msg := _type_error(body)) is not None:
        return None, error(422, f"Failed to deserialize the JSON body: {msg}")
    if not isinstance(name, str) or len(name) > 32 or not epstore.NAME_RE.match(name):
        return None, error(422, f"Invalid endpoint name '{name}': use at most 32 lowercase letters, digits and '-' "
                                "(starting and ending with a letter or digit)")
    if type_ not in epstore.TYPES:
        return None, error(422, f"type: unknown variant `{type_}`, "
                                "expected one of `public`, `authenticated`, `private`")
    if (msg := _check_image(model["image"])) is not None:
        return None, error(422, msg)
    if (bad := _check_compute(body, provider, compute)) is not None:
        return None, bad
    scaling = compute["scaling"]
    repo = model["repository"]
    spec = catalog.lookup(repo)
    data = {
        "name": name, "type": "private" if type_ == "protected" else type_, "accountId": None,
        "provider": {"vendor": provider["vendor"], "region": provider["region"]},
        "healthRoute": "/health",
        "compute": {"accelerator": compute["accelerator"], "instanceType": compute["instanceType"],
                    "instanceSize": compute["instanceSize"],
                    "scaling": {"minReplica": scaling["minReplica"], "maxReplica": scaling["maxReplica"],
                                "scaleToZeroTimeout": scaling.get("scaleToZeroTimeout",
                                                                  15 if scaling["minReplica"] == 0 else None),
                                **({"measure": scaling["measure"]} if isinstance(scaling.get("measure"), dict) else {}),
                                **({"metric": scaling["metric"]} if scaling.get("metric") else {})}},
        "model": {"repository": repo, "revision": model.get("revision") or epstore.default_revision(repo),
                  "task": model.get("task") or (spec.mapping_task if spec else "custom"),
                  "framework": model["framework"], "image": _stored_image(model["image"]),
                  "env": model.get("env") or {},
                  "secrets": model.get("secrets") or {}, "command": model.get("command"), "args": model.get("args")},
        "route": {"domain": (body.get("route") or {}).get("domain"), "path": (body.get("route") or {}).get("path")},
        "cacheHttpResponses": bool(body.get("cacheHttpResponses", False)),
        "tags": list(body.get("tags") or []),
    }
    if isinstance(body.get("privateService"), dict):
        data["privateService"] = body["privateService"]
    data["healthRoute"] = _health_route(data["model"]["image"])
    return data, None


def _merge(target: dict, patch: dict) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict) and key not in LEAF_KEYS:
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


# ------------------------------------------------------------------ API routes

async def list_endpoints(request: web.Request) -> web.Response:
    ns = request.match_info["ns"]
    if (bad := _auth(request, ns)) is not None:
        return bad
    state = state_of(request)
    with state.lock:
        items = [_json(request, ep) for ep in _store(request).list(ns, state.vnow())]
    return json_response({"items": items})


def _get(request: web.Request) -> tuple[State, Endpoint | None, web.Response | None]:
    ns, name = request.match_info["ns"], request.match_info["name"]
    state = state_of(request)
    if (bad := _auth(request, ns)) is not None:
        return state, None, bad
    ep = _store(request).get(ns, name, state.vnow())
    if ep is None:
        return state, None, error(404, f"Endpoint '{name}' not found in namespace '{ns}'")
    return state, ep, None


def _on_endpoint(handle: Callable[[web.Request, State, Endpoint], web.Response]):
    """A handler of ``/v2/endpoint/{ns}/{name}...``: ``handle`` runs under the state lock with the
    endpoint found (the caller's auth and the 404 are answered here)."""
    async def handler(request: web.Request) -> web.Response:
        state = state_of(request)
        with state.lock:
            _, ep, bad = _get(request)
            return bad if bad is not None else handle(request, state, ep)

    return handler


@_on_endpoint
def get_endpoint(request: web.Request, state: State, ep: Endpoint) -> web.Response:
    return json_response(_json(request, ep))


async def create_endpoint(request: web.Request) -> web.Response:
    ns = request.match_info["ns"]
    if (bad := _auth(request, ns)) is not None:
        return bad
    body, bad = await _body(request)
    if bad is not None:
        return bad
    data, bad = _validate_create(body)
    if bad is not None:
        return bad
    state = state_of(request)
    with state.lock:
        store = _store(request)
        now = state.vnow()
        if store.get(ns, data["name"], now) is not None:
            return error(409, f"Endpoint name '{data['name']}' already exists in namespace '{ns}'")
        compute = data["compute"]
        found = find_compute(data["provider"]["vendor"], data["provider"]["region"], compute["accelerator"],
                             compute["instanceType"], compute["instanceSize"])
        quota = epstore.GPU_QUOTA if compute["accelerator"] != "cpu" else epstore.CPU_QUOTA
        used = store.used_accelerators(ns, compute["instanceType"], now)
        if found and used + found.count * max(1, compute["scaling"]["minReplica"]) > quota:
            return error(400, f"Quota exceeded for {compute['instanceType']}: {used}/{quota} accelerators in use")
        ep = epstore.new_endpoint(ns, data, now)
        epstore.record_received(ep, body)
        store.add(ep)
        return json_response(_json(request, ep))


async def update_endpoint(request: web.Request) -> web.Response:
    body, bad = await _body(request)
    if bad is not None:
        return bad
    if not isinstance(body, dict):
        return error(422, "Failed to deserialize the JSON body: expected an object")
    state = state_of(request)
    with state.lock:
        _, ep, bad = _get(request)
        if bad is not None:
            return bad
        if "name" in body and body["name"] != ep.name:
            return error(422, "name cannot be changed")
        if (msg := _type_error(body)) is not None:
            return error(422, f"Failed to deserialize the JSON body: {msg}")
        if "type" in body and body["type"] not in epstore.TYPES:
            return error(422, f"type: unknown variant `{body['type']}`")
        model = body.get("model") or {}
        if isinstance(model, dict) and "image" in model:
            if (msg := _check_image(model["image"])) is not None:
                return error(422, msg)
            if _engine_change(ep.engine, epstore.engine_of(model["image"])):
                return error(400, f"The inference engine cannot be changed from '{ep.engine}' to "
                                  f"'{epstore.engine_of(model['image'])}': create a new endpoint instead")
        if isinstance(model, dict) and "task" in model and model["task"] is None:
            return error(422, "model.task: invalid type: null, expected a string")
        merged = copy.deepcopy(ep.data)
        patch = {k: v for k, v in body.items() if k in ("type", "compute", "model", "route", "cacheHttpResponses",
                                                       "tags", "provider")}
        if isinstance(model, dict) and "image" in model:
            patch["model"] = {**model, "image": _stored_image(model["image"])}
        _merge(merged, patch)
        if isinstance(model, dict) and "image" in model:
            merged["healthRoute"] = _health_route(merged["model"]["image"])
        if "compute" in body or "provider" in body:
            if (bad := _check_compute(merged, merged["provider"], merged["compute"])) is not None:
                return bad
        if merged.get("type") == "protected":
            merged["type"] = "private"
        if not merged["model"].get("revision"):  # null = the latest commit of main
            merged["model"]["revision"] = epstore.default_revision(merged["model"]["repository"])
        ep.data = merged
        ep.engine = epstore.engine_of(merged["model"].get("image"))
        epstore.record_received(ep, body)
        now = state.vnow()
        ep.updated = now
        if ep.state not in ("paused",):
            fails = str((merged["model"].get("env") or {}).get("FAIL_UPDATE", "")) in ("1", "true")
            ep.plan = [("updating", epstore.UPDATE_S), ("updateFailed" if fails else "running", None)]
            ep.phase_start = now
            epstore.enter_state(ep, "updating", now)
            ep.data.pop("_never_ran", None)
        return json_response(_json(request, ep))


@_on_endpoint
def delete_endpoint(request: web.Request, state: State, ep: Endpoint) -> web.Response:
    if ep.deleted_at is None:
        ep.deleted_at = state.vnow() + epstore.DELETE_S
    return json_response(_json(request, ep))


def _action(kind: str):
    @_on_endpoint
    def handler(request: web.Request, state: State, ep: Endpoint) -> web.Response:
        now = state.vnow()
        current = ep.state
        if kind == "pause":
            if current != "paused":
                ep.plan, ep.phase_start, ep.updated = [("paused", None)], now, now
                epstore.enter_state(ep, "paused", now)
        elif kind == "resume":
            if current in ("running", "updating"):
                return error(400, f"Endpoint '{ep.name}' is already running")
            if current in ("paused", "scaledToZero", "failed", "updateFailed"):
                ep.plan = [("initializing", epstore.INIT_S), ("running", None)]
                if "broken" in ep.data["model"]["repository"].lower():
                    ep.plan[-1] = ("failed", None)
                ep.phase_start = ep.updated = now
                epstore.enter_state(ep, "initializing", now)
        elif kind == "scale-to-zero":
            if current == "paused":
                return error(400, f"Endpoint '{ep.name}' is paused: resume it before scaling to zero")
            if current == "failed":
                return error(400, f"Endpoint '{ep.name}' failed to deploy and cannot be scaled to zero")
            if current != "scaledToZero":
                ep.plan, ep.phase_start, ep.updated = [("scaledToZero", None)], now, now
                epstore.enter_state(ep, "scaledToZero", now)
        return json_response(_json(request, ep))

    return handler


def _parse_ts(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        text = value.strip().replace("Z", "+00:00")
        if "." in text:  # trim nanoseconds for fromisoformat
            head, _, rest = text.partition(".")
            digits = "".join(ch for ch in rest if ch.isdigit())
            tz = rest[len(digits):]
            text = f"{head}.{digits[:6]}{tz}"
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


@_on_endpoint
def logs(request: web.Request, state: State, ep: Endpoint) -> web.Response:
    now = state.vnow()
    start = _parse_ts(request.query.get("from"))
    end = _parse_ts(request.query.get("to"))
    lines = sorted((t, line) for t, line in ep.logs if t <= now and (start is None or t >= start)
                   and (end is None or t <= end))
    tail = request.query.get("tail")
    if tail:
        try:
            n = int(tail)
        except ValueError:
            return error(400, "tail must be an integer")
        lines = lines[-n:] if n > 0 else []
    text = "".join(f"{rfc3339(t, nanos=False)} {line}\n" for t, line in lines)
    return web.Response(text=text, content_type="text/plain")


@_on_endpoint
def metrics(request: web.Request, state: State, ep: Endpoint) -> web.Response:
    metric = request.match_info["metric"]
    now = int(state.vnow())
    seed = sum(map(ord, ep.name + metric))
    series = [[now - 60 * (29 - i), round(abs(((seed * (i + 3)) % 97) / 9.7), 3)] for i in range(30)]
    return json_response({"metric": metric, "data": {"result": [{"values": series}]}})


def _catalog(request: web.Request, ns: str | None) -> dict:
    state = state_of(request)
    now = state.vnow()
    vendors = []
    for vendor, regions in epstore.LAYOUT.items():
        vregions = []
        for region, label, _rows in regions:
            computes = []
            for c in COMPUTES:
                if c.vendor != vendor or c.region != region:
                    continue
                quota = None
                if ns is not None:
                    maximum = epstore.GPU_QUOTA if c.accelerator != "cpu" else epstore.CPU_QUOTA
                    quota = {"maxAccelerators": maximum,
                             "usedAccelerators": _store(request).used_accelerators(ns, c.instance_type, now)}
                computes.append(c.to_json(quota))
            vregions.append({"name": region, "label": label, "status": "available", "computes": computes})
        vendors.append({"name": vendor, "status": "available", "regions": vregions})
    return {"vendors": vendors}


async def provider_public(request: web.Request) -> web.Response:
    with state_of(request).lock:
        return json_response(_catalog(request, None))


async def provider_ns(request: web.Request) -> web.Response:
    ns = request.match_info["ns"]
    if (bad := _auth(request, ns)) is not None:
        return bad
    with state_of(request).lock:
        return json_response(_catalog(request, ns))


def ensure_store(state: State) -> EndpointStore:
    with state.lock:
        if state.store is None:
            store = EndpointStore()
            epstore.seed_store(store, state.epoch)
            state.store = store
        return state.store


def setup(app: web.Application) -> None:
    ensure_store(app[STATE_KEY])
    r = app.router
    r.add_get("/v2/provider", provider_public)
    r.add_get("/v2/provider/{ns}", provider_ns)
    r.add_get("/v2/endpoint/{ns}", list_endpoints)
    r.add_post("/v2/endpoint/{ns}", create_endpoint)
    r.add_get("/v2/endpoint/{ns}/{name}", get_endpoint)
    r.add_put("/v2/endpoint/{ns}/{name}", update_endpoint)
    r.add_delete("/v2/endpoint/{ns}/{name}", delete_endpoint)
    for kind in ("pause", "resume", "scale-to-zero"):
        r.add_post(f"/v2/endpoint/{{ns}}/{{name}}/{kind}", _action(kind))
    r.add_get("/v2/endpoint/{ns}/{name}/logs", logs)
    r.add_post("/v2/endpoint/{ns}/{name}/metrics/{metric}", metrics)

