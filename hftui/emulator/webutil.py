"""Small aiohttp helpers shared by the emulator's route modules."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from hftui.emulator.state import DEMO_TOKEN, State

STATE_KEY = web.AppKey("state", State)
FAULT_KEY = web.RequestKey("fault", str)  # the fault kind armed for this request, if any


def state_of(request: web.Request) -> State:
    return request.app[STATE_KEY]


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dumps(value: Any) -> str:
    # one shared encoder: json.dumps with options builds a new one per call
    return _ENCODER.encode(value)


def json_response(value: Any, status: int = 200, headers: dict | None = None) -> web.Response:
    return web.Response(text=dumps(value), status=status, content_type="application/json", headers=headers)


def error(status: int, message: str, headers: dict | None = None, **extra: Any) -> web.Response:
    body = {"error": message, **extra}
    return json_response(body, status, headers)


def bearer(request: web.Request) -> str | None:
    value = request.headers.get("Authorization", "")
    if value[:7].lower() == "bearer ":
        token = value[7:].strip()
        return token or None
    return None


def token_state(request: web.Request) -> str:
    """``"valid"``, ``"missing"`` or ``"invalid"``."""
    token = bearer(request)
    if token is None:
        return "missing"
    return "valid" if token == DEMO_TOKEN else "invalid"


def hub_unauthorized() -> web.Response:
    message = "Invalid credentials in Authorization header"
    return error(401, message, {"X-Error-Message": message})


def router_unauthorized() -> web.Response:
    message = "Invalid username or password."
    return error(401, message, {"X-Error-Message": message,
                                "WWW-Authenticate": 'Bearer realm="Authentication required", charset="UTF-8"'})


async def read_json(request: web.Request) -> Any:
    """The JSON body; raises a 422/400 ``web.HTTPException`` on bad JSON."""
    raw = await request.read()
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise web.HTTPBadRequest(text=dumps({"error": f"Malformed JSON body: {exc}"}),
                                 content_type="application/json") from None
