"""Hub routes: whoami, model search / info, tasks, model cards, legacy status."""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import quote, urlencode

from aiohttp import web

from hftui.emulator import catalog
from hftui.emulator.catalog import ModelSpec
from hftui.emulator.state import ORGS, USER
from hftui.emulator.webutil import error, hub_unauthorized, json_response, state_of, token_state

SORT_KEYS = ("downloads", "likes", "trendingScore", "createdAt", "lastModified")
ALL_EXPAND = ("author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt", "disabled",
              "downloads", "downloadsAllTime", "evalResults", "gated", "gguf", "inference",
              "inferenceProviderMapping", "lastModified", "library_name", "likes", "mask_token", "model-index",
              "pipeline_tag", "private", "safetensors", "sha", "siblings", "spaces", "tags", "transformersInfo",
              "trendingScore", "widgetData", "usedStorage", "resourceGroup")


def _oid(seed: str) -> str:
    import hashlib

    return hashlib.md5(seed.encode()).hexdigest()[:24]


def whoami_body() -> dict:
    return {
        "type": "user", "id": _oid("user:" + USER), "name": USER, "fullname": "Demo User",
        "email": "demo-user@example.com", "emailVerified": True, "canPay": True, "billingMode": "prepaid",
        "periodEnd": 1793491200, "isPro": True, "avatarUrl": "/avatars/0d3f8e3b1b6c4a2d9e7f5a1c3b2d4e6f.svg",
        "orgs": [
            {"type": "org", "id": _oid("org:acme-ml"), "name": "acme-ml", "fullname": "ACME Machine Learning",
             "email": None, "canPay": True, "periodEnd": None, "avatarUrl": "/avatars/acme.svg",
             "isEnterprise": True, "roleInOrg": "admin"},
            {"type": "org", "id": _oid("org:demo-lab"), "name": "demo-lab", "fullname": "Demo Lab",
             "email": None, "canPay": False, "periodEnd": None, "avatarUrl": "/avatars/demo-lab.svg",
             "isEnterprise": False, "roleInOrg": "write"},
        ],
        "auth": {"type": "access_token", "accessToken": {
            "displayName": "hftui-demo", "role": "fineGrained", "createdAt": "2026-07-23T10:27:03.276Z",
            "fineGrained": {
                "canReadGatedRepos": True, "global": ["discussion.write", "post.write"],
                "scoped": [
                    {"entity": {"_id": _oid("user:" + USER), "type": "user", "name": USER},
                     "permissions": ["repo.content.read", "repo.write", "inference.serverless.write",
                                     "inference.endpoints.infer.write", "inference.endpoints.write",
                                     "user.billing.read"]},
                    *({"entity": {"_id": _oid("org:" + org), "type": "org", "name": org},
                       "permissions": ["repo.content.read", "inference.serverless.write",
                                       "inference.endpoints.infer.write", "inference.endpoints.write"]}
                      for org in ORGS),
                ]}}},
    }


async def whoami(request: web.Request) -> web.Response:
    if token_state(request) != "valid":
        return hub_unauthorized()
    return json_response(whoami_body())


def _trending(spec: ModelSpec) -> int:
    return int(spec.likes ** 0.5) + (spec.downloads // 200_000) % 37


def _mapping(spec: ModelSpec, *, as_dict: bool):
    entries = spec.provider_entries()
    if as_dict:
        return {e["provider"]: {"status": e["status"], "providerId": e["providerId"], "task": e["task"]}
                for e in entries}
    return [{**e, "adapter": None, "adapterWeightsPath": None, "type": "single-model"} for e in entries]


def full_info(spec: ModelSpec, *, dict_mapping: bool | None = None) -> dict:
    """Every property; ``expand`` picks from it."""
    info: dict = {
        "_id": spec.object_id, "id": spec.id, "modelId": spec.id, "author": spec.author, "sha": spec.sha,
        "lastModified": spec.modified, "createdAt": spec.created, "private": spec.private, "gated": spec.gated,
        "disabled": False, "downloads": spec.downloads, "downloadsAllTime": spec.downloads * 9,
        "likes": spec.likes, "trendingScore": _trending(spec), "library_name": spec.library,
        "pipeline_tag": spec.pipeline_tag, "tags": catalog.tags_for(spec),
        "widgetData": catalog.widget_data(spec), "model-index": None,
        "config": {"architectures": [spec.id.split("/")[-1].split("-")[0].capitalize() + "Model"],
                   "model_type": spec.id.split("/")[-1].split("-")[0].lower()},
        "cardData": {"language": list(spec.languages), "license": spec.license, "pipeline_tag": spec.pipeline_tag,
                     "library_name": spec.library},
        "transformersInfo": {"auto_model": "AutoModel", "pipeline_tag": spec.pipeline_tag,
                             "processor": "AutoTokenizer"} if spec.library == "transformers" else None,
        "siblings": [{"rfilename": f} for f in (".gitattributes", "README.md", "config.json",
                                                  "model.safetensors", "tokenizer.json")],
        "spaces": [], "usedStorage": (spec.params or 50_000_000) * 4,
        "baseModels": None, "childrenModelCount": 0, "evalResults": None, "gguf": None, "resourceGroup": None,
        "inferenceProviderMapping": _mapping(spec, as_dict=spec.dict_mapping if dict_mapping is None else dict_mapping),
    }
    if spec.tokenizer_mask:
        info["mask_token"] = spec.tokenizer_mask
    if spec.params:
        info["safetensors"] = {"parameters": {"F32" if spec.params < 1_000_000_000 else "BF16": spec.params},
                               "total": spec.params}
    if spec.inference_warm:
        info["inference"] = "warm"
    return info


def _project(spec: ModelSpec, expand: list[str] | None, *, in_list: bool, full: bool = False) -> dict:
    info = full_info(spec, dict_mapping=False if in_list else None)
    if expand:
        # only the asked-for keys; absent ones (e.g. ``inference`` of a cold model) stay absent
        out = {"_id": info["_id"], "id": info["id"]}
        out.update((key, info[key]) for key in expand if key in info)
        return out
    if in_list and not full:
        return {k: info[k] for k in ("_id", "id", "modelId", "likes", "trendingScore", "private", "downloads",
                                     "tags", "pipeline_tag", "library_name", "createdAt") if k in info}
    out = dict(info)
    for key in ("inferenceProviderMapping", "downloadsAllTime", "trendingScore", "baseModels",
                "childrenModelCount", "evalResults", "gguf", "resourceGroup"):
        out.pop(key, None)
    return out


def _expand_params(query) -> list[str] | None:
    values = query.getall("expand", []) + query.getall("expand[]", [])
    out: list[str] = []
    for v in values:
        out.extend(x for x in v.split(",") if x)
    return out or None


def _bad_expand(expand: list[str]) -> web.Response | None:
    for key in expand:
        if key not in ALL_EXPAND:
            return error(400, f'"expand" must be one of {list(ALL_EXPAND)}; got "{key}"')
    return None


async def list_models(request: web.Request) -> web.Response:
    state = state_of(request)
    auth = token_state(request)
    if auth == "invalid":
        return hub_unauthorized()
    q = request.query
    expand = _expand_params(q)
    if expand and (bad := _bad_expand(expand)):
        return bad
    if expand and any(q.get(k) for k in ("full", "cardData", "config")):
        return error(400, "Cannot use `expand` together with `full`, `cardData` or `config`")
    search = (q.get("search") or "").lower()
    author = (q.get("author") or "").lower()
    filters: list[str] = []
    for v in q.getall("filter", []) + q.getall("filter[]", []):
        filters.extend(x.strip().lower() for x in v.split(",") if x.strip())
    pipeline = q.get("pipeline_tag")
    warm_only = q.get("inference") == "warm"
    providers_q = q.get("inference_provider")
    gated = q.get("gated")
    try:
        param_range = _param_range(q.get("num_parameters"))
    except ValueError:
        return error(400, '"num_parameters" must look like "min:6B,max:128B"')
    sort = q.get("sort") or "trendingScore"
    if sort not in SORT_KEYS:
        return error(400, f'"sort" must be one of {list(SORT_KEYS)}')
    try:
        limit = int(q.get("limit") or 1000)
    except ValueError:
        return error(400, '"limit" must be an integer')
    limit = max(1, min(1000, limit))
    offset = 0
    cursor = q.get("cursor")
    if cursor:
        try:
            offset = int(json.loads(base64.urlsafe_b64decode(cursor + "==").decode())["o"])
        except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError):
            return error(400, "Invalid cursor")

    def keep(spec: ModelSpec) -> bool:
        if spec.private and auth != "valid":
            return False
        if search and search not in spec.id.lower():
            return False
        if author and spec.author.lower() != author:
            return False
        if pipeline and spec.pipeline_tag != pipeline:
            return False
        tags = {t.lower() for t in catalog.tags_for(spec)} | {spec.pipeline_tag, spec.library}
        if any(f not in tags for f in filters):
            return False
        if warm_only and not spec.inference_warm:
            return False
        if providers_q:
            wanted = {p.strip() for p in providers_q.split(",") if p.strip()}
            live = set(spec.live_providers())
            if "all" in wanted:
                if not live:
                    return False
            elif not (live & wanted):
                return False
        if gated in ("true", "false") and bool(spec.gated) != (gated == "true"):
            return False
        if param_range is not None:
            lo, hi = param_range
            if spec.params is None or not lo <= spec.params <= hi:
                return False
        return True

    def sort_key(spec: ModelSpec):
        info = {"downloads": spec.downloads, "likes": spec.likes, "trendingScore": _trending(spec),
                "createdAt": spec.created, "lastModified": spec.modified}
        return info[sort]

    models = sorted((m for m in catalog.MODELS if keep(m)), key=lambda m: (sort_key(m), m.id), reverse=True)
    page = models[offset:offset + limit]
    truthy = ("true", "1", "True")
    full = q.get("full") in truthy
    body = [_project(m, expand, in_list=True, full=full) for m in page]
    if not full and not expand:  # the legacy "more fields" switches
        for key in ("cardData", "config"):
            if q.get(key) in truthy:
                for item, spec in zip(body, page, strict=True):
                    item[key] = full_info(spec)[key]
    headers = state.ratelimit_headers()
    headers["X-Total-Count"] = str(len(models))
    if offset + limit < len(models):
        token = base64.urlsafe_b64encode(json.dumps({"o": offset + limit}).encode()).decode().rstrip("=")
        params = [(k, v) for k, v in q.items() if k != "cursor"] + [("cursor", token)]
        headers["Link"] = f'<{state.base_url}/api/models?{urlencode(params)}>; rel="next"'
    return json_response(body, headers=headers)


_UNITS = {"": 1, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}


def _param_range(value: str | None) -> tuple[float, float] | None:
    """``"min:6B,max:128B"`` → (6e9, 1.28e11); either bound may be missing."""
    if not value:
        return None
    lo, hi = 0.0, float("inf")
    for part in value.split(","):
        key, _, amount = part.strip().partition(":")
        amount = amount.strip().upper()
        unit = amount[-1:] if amount[-1:] in _UNITS and amount[-1:] else ""
        number = float(amount[: len(amount) - len(unit)]) * _UNITS[unit]
        if key == "min":
            lo = number
        elif key == "max":
            hi = number
        else:
            raise ValueError(part)
    return lo, hi


def _split_model_path(tail: str) -> tuple[str, str | None]:
    if "/revision/" in tail:
        repo, rev = tail.split("/revision/", 1)
        return repo, rev
    return tail, None


def _repo_missing(auth: str) -> web.Response:
    """Unknown or private repo: 404 with a token; 401 without one (the Hub does not reveal existence)."""
    if auth == "invalid":
        return hub_unauthorized()
    headers = {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
    return error(404 if auth == "valid" else 401, "Repository not found", headers)


async def model_info(request: web.Request) -> web.Response:
    state = state_of(request)
    auth = token_state(request)
    if auth == "invalid":
        return hub_unauthorized()
    repo, rev = _split_model_path(request.match_info["tail"].strip("/"))
    if repo in catalog.RENAMED:
        target = f"/api/models/{catalog.RENAMED[repo]}" + (f"/revision/{quote(rev, safe='')}" if rev else "")
        if request.query_string:
            target += "?" + request.query_string
        return web.Response(status=307, text=f"Temporary Redirect. Redirecting to {target}",
                            headers={"Location": target, **state.ratelimit_headers()})
    spec = catalog.lookup(repo)
    if spec is None or (spec.private and auth != "valid"):
        return _repo_missing(auth)
    if rev is not None and rev not in ("main", spec.sha, spec.sha[:7]):
        return error(404, f"Invalid rev id: {rev}", {"X-Error-Code": "RevisionNotFound",
                                                    "X-Error-Message": f"Invalid rev id: {rev}"})
    expand = _expand_params(request.query)
    if expand and (bad := _bad_expand(expand)):
        return bad
    return json_response(_project(spec, expand, in_list=False), headers=state.ratelimit_headers())


TASK_LABELS = {"fill-mask": "Fill-Mask", "zero-shot-classification": "Zero-Shot Classification",
               "text-to-image": "Text-to-Image", "image-to-text": "Image-to-Text"}
"""The Hub's spelling where it is not the id title-cased."""


def _task_entry(task: str, label: str) -> dict:
    """One task of ``/api/tasks``: the Hub's TaskData shape (huggingface.js), keyed by its id."""
    return {"datasets": [], "demo": {"inputs": [], "outputs": []}, "isPlaceholder": False, "metrics": [],
            "models": [], "spaces": [], "summary": f"{label}: models of the emulator's catalog.",
            "widgetModels": [], "youtubeId": "", "id": task, "label": label, "libraries": []}


def tasks_body() -> dict[str, dict]:
    """``GET /api/tasks``: per task, its models and ``widgetModels`` (the recommended ones clients use
    when no model is given); a recommended model answers on hf-inference right away (warm)."""
    out: dict[str, dict] = {}

    def add(task: str, spec: ModelSpec) -> None:
        entry = out.setdefault(task, _task_entry(task, TASK_LABELS.get(task, task.replace("-", " ").title())))
        entry["models"].append({"description": spec.summary, "id": spec.id})
        if spec.on_hf_inference and spec.warm and not entry["widgetModels"]:
            entry["widgetModels"].append(spec.id)
        if spec.library not in entry["libraries"]:
            entry["libraries"].append(spec.library)

    for spec in catalog.MODELS:
        if spec.private:
            continue
        add(spec.pipeline_tag, spec)
        if spec.is_chat:
            add("conversational", spec)
    return out


async def tasks(request: web.Request) -> web.Response:
    return json_response(tasks_body(), headers=state_of(request).ratelimit_headers())


async def readme(request: web.Request) -> web.Response:
    auth = token_state(request)
    if auth == "invalid":
        return hub_unauthorized()
    repo = request.match_info["repo"].strip("/")
    repo = catalog.RENAMED.get(repo, repo)
    spec = catalog.lookup(repo)
    if spec is None or (spec.private and auth != "valid"):
        return _repo_missing(auth)
    return web.Response(text=catalog.model_card(spec), content_type="text/markdown",
                        headers={"X-Repo-Commit": spec.sha, "ETag": f'"{spec.sha}"'})


def legacy_status_body(spec: ModelSpec, state) -> dict:
    framework = "text-generation-inference" if spec.tgi else spec.library
    compute: object = "cpu"
    if spec.compute != "cpu":
        count, _, gpu = spec.compute.partition("-")
        compute = {"gpu": {"gpu": gpu.replace("-", ""), "count": int(count)}}
    if spec.too_big or not spec.on_hf_inference:
        return {"loaded": False, "state": "TooBig", "compute_type": compute, "framework": framework}
    loaded = spec.warm or state.loading.get(spec.id) == 0.0
    return {"loaded": loaded, "state": "Loaded" if loaded else "Loadable", "compute_type": compute,
            "framework": framework}


async def legacy_status(request: web.Request) -> web.Response:
    auth = token_state(request)
    if auth == "invalid":
        return hub_unauthorized()
    repo = request.match_info["tail"].strip("/")
    spec = catalog.resolve(repo)
    if spec is None or (spec.private and auth != "valid"):
        return error(404, f"Model {repo} does not exist")
    return json_response(legacy_status_body(spec, state_of(request)))


async def legacy_framework(request: web.Request) -> web.Response:
    fw = request.match_info["framework"]
    out = []
    for spec in catalog.MODELS:
        name = "text-generation-inference" if spec.tgi else spec.library
        if name == fw and spec.on_hf_inference:
            out.append({"model_id": spec.id, "task": spec.pipeline_tag, "framework": name, "compute_type": "cpu"})
    return json_response(out)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/whoami-v2", whoami)
    app.router.add_get("/api/whoami", whoami)
    app.router.add_get("/api/models", list_models)
    app.router.add_get("/api/models/{tail:.+}", model_info)
    app.router.add_get("/api/tasks", tasks)
    app.router.add_get("/status/{tail:.+}", legacy_status)
    app.router.add_get("/framework/{framework}", legacy_framework)
    app.router.add_get(r"/{repo:.+?}/raw/main/README.md", readme)
    app.router.add_get(r"/{repo:.+?}/resolve/main/README.md", readme)

