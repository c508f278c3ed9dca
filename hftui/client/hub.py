"""Hub API: ``hf.hub`` (``HubAPI``): whoami, model search, model info and serving status,
model cards, and the Hub's tasks with their recommended models.
"""

from __future__ import annotations

SORTS = ("trending", "downloads", "likes", "lastModified")

import asyncio
import functools
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from hftui.client._http import join_url
from hftui.client.errors import HFError, InvalidResponse, NotFound
from hftui.client.models import LegacyStatus, ModelInfo, ModelPage, WhoAmI

if TYPE_CHECKING:
    from hftui.client.core import HFClient

SORT_KEYS = {"trending": "trendingScore", "downloads": "downloads", "likes": "likes",
             "lastModified": "lastModified", "trendingScore": "trendingScore", "createdAt": "createdAt"}
SEARCH_EXPAND = ("pipeline_tag", "downloads", "likes", "lastModified", "inference", "inferenceProviderMapping",
                 "library_name", "tags", "trendingScore")
INFO_EXPAND = ("author", "pipeline_tag", "library_name", "tags", "downloads", "likes", "lastModified", "createdAt",
               "inference", "inferenceProviderMapping", "mask_token", "gated", "private", "sha", "cardData",
               "trendingScore", "disabled")
MAX_PAGE_ITEMS = 1000
"""The Hub caps pages at about 1000; a server sending more (ignoring ``limit``) is cut here."""
_REPO_ID = re.compile(r"\w[\w.-]{0,95}(/\w[\w.-]{0,95})?")
"""A model id as the Hub spells them (anything else from the server is not used as a model)."""
_LINK_NEXT = re.compile(r'<([^>]*)>\s*;[^,]*\brel\s*=\s*"?next"?', re.IGNORECASE)


@functools.lru_cache(maxsize=512)  # on every inference request's path
def repo_path(model_id: str) -> str:
    """A repo id in a URL path: '/' kept, everything else escaped."""
    return quote(model_id.strip().strip("/"), safe="/")


def next_link(header: str | None) -> str | None:
    if not header:
        return None
    m = _LINK_NEXT.search(header)
    return m.group(1).strip() if m else None


def json_of(response, what: str):
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidResponse(f"{what}: the server did not answer with valid JSON",
                              status=response.status_code) from None


RECOMMENDED_FOR = {"chat-completion": ("conversational", "text-generation"),
                   "conversational": ("conversational", "text-generation")}
"""The Hub tasks whose recommended model serves a client task, when its name is not the Hub's."""


class HubAPI:
    def __init__(self, client: HFClient) -> None:
        self._c = client
        self._tasks: dict[str, dict] | None = None
        self._tasks_lock = asyncio.Lock()

    @property
    def _base(self) -> str:
        return self._c.settings.hub_url.rstrip("/")

    async def whoami(self, *, refresh: bool = False) -> WhoAmI:
        """Cached per client: the Hub rate-limits ``whoami-v2`` hard."""
        c = self._c
        if c._whoami is not None and not refresh:
            return c._whoami
        async with c._whoami_lock:
            if c._whoami is not None and not refresh:
                return c._whoami
            response = await c.request("GET", f"{self._base}/api/whoami-v2", service="hub")
            data = json_of(response, "whoami")
            if not isinstance(data, dict) or not isinstance(data.get("name"), str):
                raise InvalidResponse("whoami: unexpected answer", status=response.status_code)
            c._whoami = WhoAmI.from_json(data)
            return c._whoami

    async def search_models(self, *, search: str | None = None, task: str | None = None, sort: str = "trending",
                            limit: int = 50, servable_only: bool = False, provider: str | None = None,
                            author: str | None = None) -> ModelPage:
        """One page of models; ``sort``: trending, downloads, likes or lastModified. ``servable_only``:
        served by a live provider, warm or not (``provider`` narrows it). ``next_url`` from the Link header."""
        params: list[tuple[str, str]] = []
        if search:
            params.append(("search", search))
        if author:
            params.append(("author", author))
        if task:
            params.append(("pipeline_tag", task))
        if provider:
            params.append(("inference_provider", provider))
        elif servable_only:
            # "served now": warm, or mapped live on any provider. inference=warm would drop a model a
            # provider serves but that is not loaded (a cold hf-inference one); "all" keeps both.
            params.append(("inference_provider", "all"))
        params.append(("sort", SORT_KEYS.get(sort, sort)))
        params.append(("limit", str(max(1, int(limit)))))
        params.extend(("expand[]", e) for e in SEARCH_EXPAND)
        return await self._page(f"{self._base}/api/models", params)

    async def next_models(self, next_url: str) -> ModelPage:
        # Followed verbatim; the token goes along only if it points at the configured Hub.
        return await self._page(next_url, None)

    async def _page(self, url: str, params) -> ModelPage:
        response = await self._c.request("GET", url, service="hub", params=params)
        data = json_of(response, "model search")
        if not isinstance(data, list):
            raise InvalidResponse("model search: expected a list of models", status=response.status_code)
        models = [ModelInfo.from_json(d) for d in data[:MAX_PAGE_ITEMS] if isinstance(d, dict)]
        nxt = next_link(response.headers.get("link"))
        if nxt:
            # A malformed (or non-http) next link ends the paging; the page itself is good.
            nxt = join_url(str(response.url), nxt)
        return ModelPage(models=models, next_url=nxt)

    async def model_info(self, model_id: str) -> ModelInfo:
        """Full info with inference status and provider mapping; follows renames on the same host.
        ``legacy_status`` is filled when the server offers ``/status/{id}`` (never an error)."""
        url = f"{self._base}/api/models/{repo_path(model_id)}"
        params = [("expand[]", e) for e in INFO_EXPAND]
        info_task = self._c.request("GET", url, service="hub-repo", params=params, follow_same_host=True)
        if self._offers_legacy_status():
            response, legacy = await asyncio.gather(info_task, self.legacy_status(model_id))
        else:
            response, legacy = await info_task, None
        data = json_of(response, "model info")
        if not isinstance(data, dict):
            raise InvalidResponse("model info: expected an object", status=response.status_code)
        info = ModelInfo.from_json(data)
        if legacy is not None:
            from dataclasses import replace

            info = replace(info, legacy_status=legacy)
        return info

    def _offers_legacy_status(self) -> bool:
        # The real router never had /status; only the emulator and look-alikes offer it.
        host = urlsplit(self._c.settings.inference_url).hostname or ""
        return host != "router.huggingface.co"

    async def legacy_status(self, model_id: str) -> LegacyStatus | None:
        url = f"{self._c.settings.inference_url.rstrip('/')}/status/{repo_path(model_id)}"
        try:
            response = await self._c.request("GET", url, service="inference", retry=False)
            data = json.loads(response.content)
        except (HFError, ValueError, UnicodeDecodeError, RecursionError):
            return None
        if not isinstance(data, dict) or not ({"loaded", "state"} & data.keys()):
            return None
        return LegacyStatus.from_json(data)

    async def model_card(self, model_id: str, *, max_bytes: int = 200_000) -> str:
        """The README, cut at ``max_bytes``; "" when there is none."""
        url = f"{self._base}/{repo_path(model_id)}/raw/main/README.md"
        try:
            # Renamed repos redirect here too; the body is bounded by Settings.max_body_bytes.
            response = await self._c.request("GET", url, service="hub-repo", follow_same_host=True)
        except NotFound:
            return ""
        return response.content[:max_bytes].decode("utf-8", "replace")

    async def tasks(self) -> dict[str, dict]:
        """``/api/tasks`` (task id -> its data: models, widgetModels, …), fetched once per client."""
        if self._tasks is not None:
            return self._tasks
        async with self._tasks_lock:
            if self._tasks is None:
                response = await self._c.request("GET", f"{self._base}/api/tasks", service="hub")
                data = json_of(response, "tasks")
                if not isinstance(data, dict):
                    raise InvalidResponse("tasks: expected an object keyed by task", status=response.status_code)
                self._tasks = {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, dict)}
        return self._tasks

    async def recommended_model(self, task: str) -> str | None:
        """The Hub's recommended model of a task (its first ``widgetModels``), as huggingface_hub
        picks when no model is given; chat-completion uses ``conversational``, then ``text-generation``."""
        tasks = await self.tasks()
        for name in RECOMMENDED_FOR.get(task, (task,)):
            widget = (tasks.get(name) or {}).get("widgetModels")
            first = widget[0] if isinstance(widget, list) and widget else None
            if isinstance(first, str) and _REPO_ID.fullmatch(first.strip()):
                return first.strip()
        return None
