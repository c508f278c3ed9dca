"""Replay VCR cassettes (shared/fixtures/recorded) through an httpx2 MockTransport."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import yaml

from hftui.client._http import MockResponse, MockTransport


@dataclass
class Replay:
    """Serves the cassette's responses in order, matched by method and path.

    ``seen`` keeps every request the client sent (to check paths/headers).
    """

    interactions: list[dict]
    used: set[int] = field(default_factory=set)
    seen: list = field(default_factory=list)

    @classmethod
    def load(cls, path) -> Replay:
        with open(path, encoding="utf-8") as fh:
            return cls(yaml.safe_load(fh)["interactions"])

    def transport(self) -> MockTransport:
        return MockTransport(self.handle)

    def handle(self, request):
        self.seen.append(request)
        for i, it in enumerate(self.interactions):
            if i in self.used:
                continue
            rec = it["request"]
            parts = urlsplit(rec["uri"])
            if rec["method"] == request.method and parts.path == request.url.path \
                    and parts.hostname == request.url.host:
                self.used.add(i)
                return self._response(it["response"])
        return MockResponse(599, text=f"no recorded interaction for {request.method} {request.url}")

    @staticmethod
    def _response(resp: dict):
        headers = []
        for name, values in (resp.get("headers") or {}).items():
            if name.lower() in ("content-encoding", "transfer-encoding", "content-length"):
                continue  # the recorded body is already decoded
            for v in values:
                headers.append((name, v))
        body = resp["body"]["string"]
        if isinstance(body, str):
            body = body.encode("utf-8")
        return MockResponse(resp["status"]["code"], headers=headers, content=body)

    def request_body(self, method: str, path_part: str) -> object:
        for it in self.interactions:
            if it["request"]["method"] == method and path_part in it["request"]["uri"]:
                return it["request"]["body"]
        return None
