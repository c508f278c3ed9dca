"""The last HTTP exchange of a call, kept for a "raw" view: what was sent, what came back.

    recorder = ExchangeRecorder()
    await hf.inference.run(task, target, record, options=CallOptions(recorder=recorder))
    recorder.last            # Exchange: method, url, headers, body excerpt; status, headers, body excerpt

The client calls ``sent`` with the headers it puts on the wire and
``received`` with each response; a call that asks again (a loading model, an
endpoint waking) keeps its last exchange. Credentials never enter it: the
``authorization`` (a token, a named server's key) and other credential
headers are masked when recorded (``Bearer ***``). Bodies are cut to
``BODY_BYTES``; their full size is kept. The values are as the wire has
them: whoever shows them cleans them (``hftui.sanitize``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

BODY_BYTES = 8192
"""The most of a body kept (request or response)."""
MAX_HEADERS = 64
SECRET_HEADERS = frozenset(("authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"))


def _mask(name: str, value: str) -> str:
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, rest = value.partition(" ")
    return f"{scheme} ***" if rest and scheme.isalpha() else "***"


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for n, (name, value) in enumerate(headers.items()):
        if n >= MAX_HEADERS:
            break
        out[str(name).lower()] = _mask(str(name), str(value))
    return out


@dataclass
class Exchange:
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes = b""
    request_size: int = 0
    status: int | None = None
    """None while no answer came (a connection that failed)."""
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    response_size: int | None = None
    """None for a stream (its body went to the stream's reader, not here)."""
    streamed: bool = False


class ExchangeRecorder:
    """``CallOptions.recorder``: keeps the last exchange of the calls made with it."""

    def __init__(self) -> None:
        self.last: Exchange | None = None

    def sent(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> None:
        body = body or b""
        self.last = Exchange(method, str(url), _headers(headers), bytes(body[:BODY_BYTES]), len(body))

    def received(self, response: Any, *, streamed: bool = False) -> None:
        ex = self.last
        if ex is None:
            return
        ex.status = response.status_code
        ex.response_headers = _headers(response.headers)
        ex.streamed = streamed
        if streamed:
            ex.response_body, ex.response_size = b"", None
        else:
            content = response.content or b""
            ex.response_body, ex.response_size = bytes(content[:BODY_BYTES]), len(content)


__all__ = ["BODY_BYTES", "Exchange", "ExchangeRecorder"]
