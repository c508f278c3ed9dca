"""The aiohttp application: routes from every module plus the fault middleware."""

from __future__ import annotations

import asyncio
import json
import logging
import re

from aiohttp import web

from hftui.emulator import hub, router
from hftui.emulator.generation import GENERATION_ERROR
from hftui.emulator.state import State, parse_fault
from hftui.emulator.webutil import FAULT_KEY, STATE_KEY, error, json_response

log = logging.getLogger("hftui.emulator")

HTML_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
_MODEL_IN_PATH = re.compile(r"/(?:hf-inference/models|api/models|status|_ep)/([^/]+(?:/[^/]+)?)")


def _model_from_path(path: str) -> str:
    match = _MODEL_IN_PATH.search(path)
    if not match:
        return "emulator/model"
    return re.sub(r"/(v1|pipeline|revision).*$", "", match.group(1))


def fault_response(kind: str, arg: float | None, request: web.Request) -> web.StreamResponse | None:
    path = request.path
    hub = path.startswith("/api/")
    if kind == "401":
        message = "Invalid credentials in Authorization header"
        return error(401, message, {"X-Error-Message": message})
    if kind == "402":
        return error(402, "You have exceeded your monthly included credits for Inference Providers. "
                          "Subscribe to PRO to get 20x more monthly included credits.")
    if kind == "403":
        message = ("This authentication method does not have sufficient permissions to call Inference "
                   "Providers on behalf of user demo-user" if not hub else "Access to this resource is disabled.")
        return error(403, message, {"X-Error-Message": message})
    if kind == "404":
        headers = {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"} if hub else None
        return error(404, "Repository not found" if hub else "Not Found", headers)
    if kind == "429":
        wait = int(arg) if arg else 2
        headers = {"Retry-After": str(wait)}
        if hub:
            headers.update({"ratelimit": f'"api";r=0;t={wait}',
                            "ratelimit-policy": '"fixed window";"api";q=1000;w=300'})
        return error(429, "Rate limit reached. You reached the 'api' rate limit; retry later.", headers)
    if kind == "503":
        estimated = arg if arg is not None else 20.0
        return error(503, f"Model {_model_from_path(path)} is currently loading", estimated_time=estimated,
                     headers={"Retry-After": str(int(estimated))})
    if kind == "500":
        return error(500, "Internal Server Error")
    if kind == "html":
        return web.Response(status=502, text=HTML_502, content_type="text/html")
    if kind == "malformed":
        return web.Response(status=200, text='{"error": "truncated', content_type="application/json")
    return None


async def _cut_response(request: web.Request, resp: web.Response) -> web.StreamResponse:
    body = resp.body if isinstance(resp.body, (bytes, bytearray)) else b""
    if not body:
        body = b'{"error": "cut"}'
    out = web.StreamResponse(status=resp.status, headers={k: v for k, v in resp.headers.items()
                                                           if k.lower() not in ("content-length",)})
    out.content_length = len(body)
    await out.prepare(request)
    await out.write(bytes(body[: max(1, len(body) // 2)]))
    await asyncio.sleep(0.01)
    if request.transport is not None:
        request.transport.abort()
    return out


async def _wants_stream(request: web.Request) -> bool:
    if request.path.endswith("/generate_stream"):
        return True
    if request.method != "POST" or not request.can_read_body:
        return False
    try:
        body = json.loads(await request.read() or b"null")
    except ValueError:  # includes UnicodeDecodeError
        return False
    return isinstance(body, dict) and body.get("stream") is True


@web.middleware
async def fault_middleware(request: web.Request, handler):
    state: State = request.app[STATE_KEY]
    fault = parse_fault(request.headers.get("X-Emulator-Fault")) or parse_fault(request.query.get("emulator_fault"))
    if fault is None:
        fault = state.take_fault(request.method, request.path)
    kind = arg = None
    if fault:
        kind, arg = fault
        if kind == "slow":
            await asyncio.sleep(arg if arg is not None else 5.0)
        elif kind == "malformed" and await _wants_stream(request):
            pass  # the stream itself carries a broken event (see generation.end_with_fault)
        elif (resp := fault_response(kind, arg, request)) is not None:
            return resp
        request[FAULT_KEY] = kind
    try:
        resp = await handler(request)
    except web.HTTPException:
        raise
    except asyncio.CancelledError:
        raise
    except ConnectionResetError:
        # the client went away mid-answer (a cancelled stream): nothing to send, nothing to log
        return web.Response(status=499)
    except Exception as exc:  # noqa: BLE001 - the emulator must never crash on bad input
        log.exception("emulator handler failed on %s %s", request.method, request.path)
        return json_response({"error": f"Internal emulator error: {type(exc).__name__}"}, 500)
    if request.path.startswith("/api/") and not resp.prepared and "ratelimit" not in resp.headers:
        resp.headers.update(state.ratelimit_headers())
    generating = not request.path.startswith(("/api/", "/v2/"))
    if kind == "stream_error" and generating and isinstance(resp, web.Response) and not resp.prepared \
            and resp.status < 400:
        # not a stream: the same failure as a plain TGI error answer
        return error(424, GENERATION_ERROR, error_type="generation")
    if kind == "cut" and isinstance(resp, web.Response) and not resp.prepared:
        return await _cut_response(request, resp)
    return resp


@web.middleware
async def request_id_middleware(request: web.Request, handler):
    """Every answer carries a request id (the Hub's ``Root=1-…`` form on ``/api``), as the real hosts do."""
    resp = await handler(request)
    if not resp.prepared and not any(k.lower() == "x-request-id" for k in resp.headers):
        rid = request.app[STATE_KEY].next_id()
        resp.headers["X-Request-Id"] = f"Root=1-{rid[:8]}-{rid[8:20]}{rid[:12]}" if request.path.startswith(
            "/api/") else rid
    return resp


LEGACY_GONE = ("https://api-inference.huggingface.co is no longer supported. "
               "Please use https://router.huggingface.co/hf-inference instead.")


async def legacy_gone(request: web.Request) -> web.Response:
    """The retired api-inference host's paths (``/models/{id}``, ``/pipeline/{task}/{id}``): 410 Gone."""
    return error(410, LEGACY_GONE)


async def not_found(request: web.Request) -> web.Response:
    return error(404, f"Not Found: {request.method} {request.path}")


def build_app(state: State) -> web.Application:
    from hftui.emulator import deployed, endpoints

    app = web.Application(middlewares=[request_id_middleware, fault_middleware], client_max_size=64 * 1024 * 1024)
    app[STATE_KEY] = state
    hub.setup(app)
    router.setup(app)
    endpoints.setup(app)
    deployed.setup(app)
    app.router.add_route("*", "/models/{tail:.+}", legacy_gone)
    app.router.add_route("*", "/pipeline/{tail:.+}", legacy_gone)
    app.router.add_route("*", "/{tail:.*}", not_found)
    return app

