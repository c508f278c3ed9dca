"""Inference Endpoints: hardware catalog, endpoint records and their state machine.

Pure Python (no aiohttp) so that test helpers on other threads can read and
force states under ``State.lock``. States advance lazily on a virtual clock
(``State.vnow()``): each endpoint carries a *plan*, a list of
``(state, virtual seconds or None)``; the head is the current state.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from hftui.emulator import catalog
from hftui.emulator.state import EPOCH, ORGS, USER, rfc3339

NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
STATES = ("pending", "initializing", "updating", "updateFailed", "running", "paused", "failed", "scaledToZero")
MESSAGES = {
    "pending": "Endpoint waiting to be scheduled",
    "initializing": "Endpoint is initializing",
    "updating": "Endpoint waiting for the update",
    "updateFailed": "Endpoint update failed: the new revision did not pass its health check; see logs",
    "running": "Endpoint is ready",
    "paused": "Endpoint is paused",
    "failed": "Endpoint failed to deploy",
    "scaledToZero": "Endpoint is scaled to zero",
}
# virtual seconds per transitional phase
PENDING_S, INIT_S, UPDATE_S, WAKE_S, DELETE_S = 3.0, 5.0, 4.0, 3.0, 2.0
TYPES = ("public", "authenticated", "private", "protected")
CONTAINERS = ("huggingface", "huggingfaceNeuron", "custom")
"""Image variants that are containers, not inference engines (an update may switch between them)."""
RECEIVED_KEPT = 50


# ------------------------------------------------------------ hardware catalog

_GPU = {  # instanceType: (architecture, gpu memory per accelerator, price per accelerator-hour)
    "nvidia-t4": ("Nvidia T4", 16, 0.5), "nvidia-l4": ("Nvidia L4", 24, 0.8), "nvidia-a10g": ("Nvidia A10G", 24, 1.0),
    "nvidia-l40s": ("Nvidia L40S", 48, 1.8), "nvidia-a100": ("Nvidia A100", 80, 2.5),
    "nvidia-h100": ("Nvidia H100", 80, 4.5), "nvidia-h200": ("Nvidia H200", 141, 5.0),
}
_CPU = {"intel-icl": ("Intel Ice Lake", 0.033), "intel-spr": ("Intel Sapphire Rapids", 0.05),
        "intel-xeon": ("Intel Xeon", 0.06)}
_SIZES = {"x1": 1, "x2": 2, "x4": 4, "x8": 8, "x12": 12, "x16": 16}

# vendor -> [(region, label, [(accelerator, instanceType, sizes, status)])]
LAYOUT: dict[str, list[tuple[str, str, list[tuple[str, str, tuple[str, ...], str]]]]] = {
    "aws": [
        ("us-east-1", "N. Virginia", [
            ("cpu", "intel-icl", ("x1", "x2", "x4", "x8"), "available"),
            ("cpu", "intel-spr", ("x1", "x2", "x4", "x8", "x16"), "available"),
            ("gpu", "nvidia-t4", ("x1", "x4"), "available"),
            ("gpu", "nvidia-l4", ("x1", "x4"), "available"),
            ("gpu", "nvidia-a10g", ("x1", "x4"), "available"),
            ("gpu", "nvidia-l40s", ("x1", "x4", "x8"), "low_availability"),
            ("gpu", "nvidia-a100", ("x1", "x2", "x4", "x8"), "available"),
            ("gpu", "nvidia-h100", ("x1", "x2", "x4", "x8"), "reserved"),
            ("neuron", "inf2", ("x1", "x12"), "available"),
        ]),
        ("eu-west-1", "Ireland", [
            ("cpu", "intel-icl", ("x1", "x2", "x4", "x8"), "available"),
            ("gpu", "nvidia-t4", ("x1",), "deprecated"),
            ("gpu", "nvidia-l4", ("x1", "x4"), "available"),
            ("gpu", "nvidia-a10g", ("x1", "x4"), "not_available"),
        ]),
    ],
    "gcp": [
        ("us-east4", "N. Virginia", [
            ("cpu", "intel-spr", ("x1", "x2", "x4", "x8"), "available"),
            ("gpu", "nvidia-l4", ("x1", "x4"), "available"),
            ("gpu", "nvidia-a100", ("x1", "x2", "x4", "x8"), "low_availability"),
            ("gpu", "nvidia-h100", ("x1", "x2", "x4", "x8"), "available"),
        ]),
        ("europe-west4", "Netherlands", [
            ("cpu", "intel-spr", ("x1", "x2", "x4"), "available"),
            ("gpu", "nvidia-l4", ("x1",), "available"),
        ]),
    ],
    "azure": [
        ("eastus", "Virginia", [
            ("cpu", "intel-xeon", ("x1", "x2", "x4", "x8"), "available"),
            ("gpu", "nvidia-a100", ("x1", "x2", "x4"), "low_availability"),
        ]),
    ],
}
GPU_QUOTA = 16
CPU_QUOTA = 64


@dataclass(frozen=True)
class Compute:
    vendor: str
    region: str
    accelerator: str
    instance_type: str
    instance_size: str
    status: str

    @property
    def id(self) -> str:
        return f"{self.vendor}-{self.region}-{self.instance_type}-{self.instance_size}"

    @property
    def count(self) -> int:
        return _SIZES[self.instance_size]

    @property
    def price(self) -> float:
        if self.accelerator == "gpu":
            return round(_GPU[self.instance_type][2] * self.count, 3)
        if self.accelerator == "neuron":
            return round(0.75 * self.count, 3)
        return round(_CPU[self.instance_type][1] * self.count * 2, 3)

    def to_json(self, quota: dict | None) -> dict:
        n = self.count
        if self.accelerator == "gpu":
            arch, mem, _ = _GPU[self.instance_type]
            out = {"numAccelerators": n, "numCpus": 4 + 8 * n - 1, "memoryGb": float(16 * n + 14),
                   "gpuMemoryGb": mem * n, "architecture": arch}
        elif self.accelerator == "neuron":
            out = {"numAccelerators": n, "numCpus": 4 * n, "memoryGb": float(16 * n), "gpuMemoryGb": 32 * n,
                   "architecture": "AWS Inferentia2"}
        else:
            out = {"numAccelerators": n, "numCpus": n, "memoryGb": float(2 * n), "gpuMemoryGb": None,
                   "architecture": _CPU[self.instance_type][0]}
        body = {"id": self.id, "accelerator": self.accelerator, **out, "instanceType": self.instance_type,
                "instanceSize": self.instance_size, "status": self.status, "pricePerHour": self.price}
        if quota is not None:
            body["quota"] = quota
        return body


COMPUTES: tuple[Compute, ...] = tuple(
    Compute(vendor, region, acc, itype, size, status)
    for vendor, regions in LAYOUT.items()
    for region, _label, rows in regions
    for acc, itype, sizes, status in rows
    for size in sizes
)


def find_compute(vendor: str, region: str, accelerator: str, itype: str, size: str) -> Compute | None:
    for c in COMPUTES:
        if (c.vendor, c.region, c.accelerator, c.instance_type, c.instance_size) == (
                vendor, region, accelerator, itype, size):
            return c
    return None


# ------------------------------------------------------------ endpoints

def _hex(*parts: object, n: int = 16) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:n]


def user_ref() -> dict:
    return {"id": _hex("user", USER, n=24), "name": USER}


@dataclass
class Endpoint:
    namespace: str
    data: dict  # the API object minus status
    created: float
    updated: float
    plan: list[tuple[str, float | None]]
    phase_start: float
    logs: list[tuple[float, str]] = field(default_factory=list)
    deleted_at: float | None = None
    last_request: float | None = None
    health_logged_to: float = 0.0
    engine: str = "huggingface"
    received: list[dict] = field(default_factory=list)
    """The create and update bodies as the server was sent them (secrets in clear; tests read them)."""

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def state(self) -> str:
        return self.plan[0][0]


def record_received(ep: Endpoint, body: Any) -> None:
    ep.received.append(copy.deepcopy(body))
    del ep.received[:-RECEIVED_KEPT]


def replica_name(ep: Endpoint) -> str:
    return f"{ep.name}-{_hex(ep.namespace, ep.name, 'rs', n=10)}-{_hex(ep.name, ep.created, n=5)}"


def add_log(ep: Endpoint, ts: float, line: str) -> None:
    ep.logs.append((ts, line))
    if len(ep.logs) > 5000:
        del ep.logs[:1000]


def enter_state(ep: Endpoint, state: str, ts: float) -> None:
    """Log lines and bookkeeping when ``ep`` enters ``state`` at virtual ``ts``."""
    repo = ep.data["model"].get("repository", "?")
    replica = replica_name(ep)
    if state == "initializing":
        for i, line in enumerate((
                f"Scheduling replica {replica} on {ep.data['compute']['instanceType']} "
                f"{ep.data['compute']['instanceSize']}",
                _pulling(ep),
                f"Downloading model weights from {repo} (revision {(ep.data['model'].get('revision') or 'main')[:12]})",
        )):
            add_log(ep, ts + i * 0.7, f"{replica} {line}")
    elif state == "running":
        for i, line in enumerate((
                "Loading model weights ... done",
                f"INFO Args: model_id={repo}, max_concurrent_requests=128, max_input_tokens=4095",
                "INFO Warming up model",
                "INFO Starting Webserver on 0.0.0.0:80",
                "INFO Connected",
        )):
            add_log(ep, ts - 0.5 + i * 0.1, f"{replica} {line}")
        ep.health_logged_to = ts
    elif state == "failed":
        add_log(ep, ts, f"{replica} ERROR Error when initializing model: repository {repo} could not be loaded "
                     "(OSError: model weights not found)")
        add_log(ep, ts + 0.1, f"{replica} ERROR Shard process was signaled to shutdown with signal 9")
    elif state == "updating":
        add_log(ep, ts, f"{replica} Rolling update started")
    elif state == "updateFailed":
        add_log(ep, ts, f"{replica} ERROR Update failed: new replica exited with code 1 (FAIL_UPDATE=1)")
    elif state == "paused":
        add_log(ep, ts, f"{replica} Endpoint paused by {USER}: replicas scaled to 0")
    elif state == "scaledToZero":
        add_log(ep, ts, f"{replica} Scaled to zero: no replica running")


def _pulling(ep: Endpoint) -> str:
    image = ep.data["model"].get("image")
    custom = image.get("custom") if isinstance(image, dict) else None
    url = custom.get("url") if isinstance(custom, dict) else None
    return f"Pulling custom image {url}" if isinstance(url, str) else f"Pulling image for engine '{ep.engine}'"


def advance(ep: Endpoint, now: float) -> None:
    """Move ``ep`` along its plan up to virtual time ``now``."""
    while ep.plan[0][1] is not None and now >= ep.phase_start + ep.plan[0][1]:
        at = ep.phase_start + ep.plan[0][1]  # type: ignore[operator]
        ep.plan.pop(0)
        ep.phase_start = at
        ep.updated = at
        enter_state(ep, ep.state, at)
    if ep.state == "running":
        # health checks every 30 virtual seconds make the log grow while running
        step = 30.0
        t = ep.health_logged_to + step
        lines = 0
        while t <= now and lines < 200:
            add_log(ep, t, f"{replica_name(ep)} INFO GET /health 200 OK 0.4ms")
            ep.health_logged_to = t
            t += step
            lines += 1
        if lines == 200:
            ep.health_logged_to = now
        timeout = ep.data["compute"]["scaling"].get("scaleToZeroTimeout")
        if ep.data["compute"]["scaling"].get("minReplica") == 0 and timeout:
            idle_since = max(ep.last_request or 0.0, ep.phase_start)
            if now >= idle_since + float(timeout) * 60:
                at = idle_since + float(timeout) * 60
                ep.plan = [("scaledToZero", None)]
                ep.phase_start = ep.updated = at
                enter_state(ep, "scaledToZero", at)


def to_json(ep: Endpoint, base_url: str) -> dict:
    body = copy.deepcopy(ep.data)
    state = ep.state
    scaling = body["compute"]["scaling"]
    target = 0 if state in ("paused", "scaledToZero", "failed") else max(1, int(scaling.get("minReplica") or 0))
    ready = target if state in ("running", "updating", "updateFailed") else 0
    if state == "pending":
        target = 0
    url = f"{base_url}/_ep/{ep.namespace}/{ep.name}"
    # no URL until scheduled, nor while paused (the seed: ``pause()`` -> ``url=None``); a scaled-to-zero
    # endpoint keeps its URL, since a request to it is what wakes it
    has_url = state not in ("pending", "paused") and not (state == "failed" and ep.data.get("_never_ran"))
    body.pop("_never_ran", None)
    secrets = body["model"].get("secrets")
    if isinstance(secrets, dict):
        body["model"]["secrets"] = {k: "********" for k in secrets}
    image = body["model"].get("image") or {}
    custom = image.get("custom") if isinstance(image, dict) else None
    if isinstance(custom, dict) and isinstance(custom.get("credentials"), dict):
        custom["credentials"] = {"username": custom["credentials"].get("username"), "password": "********"}
    body["status"] = {
        "createdAt": rfc3339(ep.created), "createdBy": user_ref(),
        "updatedAt": rfc3339(ep.updated), "updatedBy": user_ref(),
        "private": None, "state": state, "message": MESSAGES.get(state, state),
        "url": url if has_url else None, "readyReplica": ready, "targetReplica": target,
    }
    if state in ("failed", "updateFailed"):
        body["status"]["errorMessage"] = MESSAGES[state]
    service = body.get("privateService")
    if isinstance(service, dict) and service.get("accountId"):
        region = service.get("region") or "us-east-1"
        body["status"]["private"] = {
            "serviceName": f"com.amazonaws.vpce.{region}.vpce-svc-{_hex(ep.namespace, ep.name, 'svc', n=17)}"}
    return body


class EndpointStore:
    """All endpoints by namespace. Callers hold ``State.lock``."""

    def __init__(self) -> None:
        self.by_ns: dict[str, dict[str, Endpoint]] = {USER: {}, **{org: {} for org in ORGS}}

    def get(self, ns: str, name: str, now: float) -> Endpoint | None:
        ep = self.by_ns.get(ns, {}).get(name)
        if ep is None:
            return None
        if ep.deleted_at is not None and now >= ep.deleted_at:
            del self.by_ns[ns][name]
            return None
        advance(ep, now)
        return ep

    def list(self, ns: str, now: float) -> list[Endpoint]:
        names = list(self.by_ns.get(ns, {}))
        return [ep for n in names if (ep := self.get(ns, n, now)) is not None]

    def add(self, ep: Endpoint) -> None:
        self.by_ns.setdefault(ep.namespace, {})[ep.name] = ep

    def used_accelerators(self, ns: str, itype: str, now: float) -> int:
        total = 0
        for ep in self.list(ns, now):
            c = ep.data["compute"]
            if c["instanceType"] == itype and ep.state not in ("paused", "scaledToZero", "failed"):
                total += _SIZES.get(c["instanceSize"], 1) * max(1, int(c["scaling"].get("minReplica") or 0))
        return total


def engine_of(image: Any) -> str:
    if isinstance(image, dict) and len(image) == 1:
        return next(iter(image))
    return "huggingface"


def default_revision(repo: str) -> str:
    spec = catalog.lookup(repo)
    return spec.sha if spec else hashlib.sha1(("rev:" + repo).encode()).hexdigest()


def new_endpoint(ns: str, data: dict, now: float) -> Endpoint:
    repo = data["model"].get("repository", "")
    failing = "broken" in repo.lower()
    plan: list[tuple[str, float | None]] = [("pending", PENDING_S), ("initializing", INIT_S)]
    plan.append(("failed", None) if failing else ("running", None))
    ep = Endpoint(namespace=ns, data=data, created=now, updated=now, plan=plan, phase_start=now,
                  engine=engine_of(data["model"].get("image")))
    add_log(ep, now, f"Endpoint {ns}/{data['name']} created by {USER}; waiting to be scheduled")
    return ep


def _seed_ep(ns: str, name: str, repo: str, task: str, *, epoch: float, state: str, created_min: float,
             updated_min: float,
             vendor: str = "aws", region: str = "us-east-1", accelerator: str = "cpu", itype: str = "intel-icl",
             size: str = "x2", type_: str = "authenticated", min_replica: int = 0, max_replica: int = 1,
             scale_timeout: int | None = 15, image: dict | None = None, env: dict | None = None,
             tags: tuple[str, ...] = ("dev",), framework: str = "pytorch",
             plan_tail: list[tuple[str, float | None]] | None = None) -> Endpoint:
    created = epoch - (120 - created_min) * 60 + (int(_hex(ns, name, n=6), 16) % 1_000_000) / 1e6
    updated = epoch - (120 - updated_min) * 60 + (int(_hex(name, ns, n=6), 16) % 1_000) / 1e3
    data = {
        "name": name, "type": type_, "accountId": None,
        "provider": {"vendor": vendor, "region": region}, "healthRoute": "/health",
        "compute": {"accelerator": accelerator, "instanceType": itype, "instanceSize": size,
                    "scaling": {"minReplica": min_replica, "maxReplica": max_replica,
                                "scaleToZeroTimeout": scale_timeout,
                                "measure": {"hardwareUsage": 80}, "metric": "hardwareUsage"}},
        "model": {"repository": repo, "revision": default_revision(repo), "task": task, "framework": framework,
                  "image": image or {"huggingface": {}}, "env": env or {}, "secrets": {},
                  "command": None, "args": None},
        "route": {"domain": None, "path": None}, "cacheHttpResponses": False, "tags": list(tags),
    }
    # plan_tail, when given, starts with the current state and its remaining duration
    plan: list[tuple[str, float | None]] = list(plan_tail) if plan_tail else [(state, None)]
    ep = Endpoint(namespace=ns, data=data, created=created, updated=updated, plan=plan, phase_start=epoch,
                  engine=engine_of(data["model"]["image"]))
    if state == "failed":
        data["_never_ran"] = True
    # a history of log lines up to the virtual start
    add_log(ep, created, f"Endpoint {ns}/{name} created by {USER}; waiting to be scheduled")
    enter_state(ep, "initializing", created + 4)
    if state != "failed":
        enter_state(ep, "running", created + 60)
        for i in range(3):
            add_log(ep, created + 90 + i * 41.5, f"{replica_name(ep)} INFO POST / 200 OK {18 + i * 7}ms")
    if state in ("paused", "scaledToZero", "failed", "updating", "updateFailed"):
        enter_state(ep, state, updated)
    ep.health_logged_to = max(ep.health_logged_to, epoch)
    return ep


def seed_store(store: EndpointStore, epoch: float = EPOCH) -> None:
    """The demo endpoints, created and updated in the two hours before ``epoch``."""
    seed = functools.partial(_seed_ep, epoch=epoch)
    tgi = {"tgi": {"url": "ghcr.io/huggingface/text-generation-inference:3.3.6", "healthRoute": "/health",
                   "maxBatchTokens": 16384, "maxConcurrentRequests": 128}}
    for ep in (
        seed(USER, "gpt2-demo", "openai-community/gpt2", "text-generation", state="running",
                 created_min=41.9, updated_min=47.2),
        seed(USER, "llama-chat", "meta-llama/Llama-3.1-8B-Instruct", "text-generation", state="running",
                 created_min=12.5, updated_min=30.0, accelerator="gpu", itype="nvidia-l4", size="x1",
                 min_replica=1, max_replica=2, scale_timeout=None, image=tgi,
                 env={"MAX_INPUT_LENGTH": "4096", "MAX_TOTAL_TOKENS": "8192"}, tags=("prod", "chat")),
        seed(USER, "bert-fill", "google-bert/bert-base-uncased", "fill-mask", state="paused",
                 created_min=5.0, updated_min=55.1, type_="public"),
        seed(USER, "sentiment-api", "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
                 "text-classification", state="scaledToZero", created_min=20.3, updated_min=58.8, size="x1"),
        seed(USER, "broken-model", "demo-user/broken-model", "text-classification", state="failed",
                 created_min=70.2, updated_min=71.9, tags=("test",)),
        seed(USER, "sdxl-images", "stabilityai/stable-diffusion-xl-base-1.0", "text-to-image",
                 state="initializing", created_min=99.0, updated_min=99.4, accelerator="gpu", itype="nvidia-a10g",
                 size="x1", framework="pytorch", plan_tail=[("initializing", 25.0), ("running", None)]),
        seed(USER, "embeddings-v2", "sentence-transformers/all-MiniLM-L6-v2", "sentence-embeddings",
                 state="updating", created_min=33.3, updated_min=101.7,
                 plan_tail=[("updating", 20.0), ("running", None)], size="x1"),
        seed("acme-ml", "acme-summarizer", "facebook/bart-large-cnn", "summarization", state="running",
                 created_min=3.3, updated_min=18.0, vendor="gcp", region="us-east4", itype="intel-spr", size="x4",
                 min_replica=1, scale_timeout=None, tags=("prod",)),
        seed("acme-ml", "acme-ner", "dslim/bert-base-NER", "token-classification", state="paused",
                 created_min=8.8, updated_min=44.0, type_="private"),
        seed("acme-ml", "acme-qwen", "Qwen/Qwen2.5-7B-Instruct", "text-generation", state="updateFailed",
                 created_min=15.0, updated_min=90.0, accelerator="gpu", itype="nvidia-a100", size="x1",
                 image={"vLLM": {"url": "vllm/vllm-openai:v0.11.0", "port": 8000, "tensorParallelSize": 1}},
                 env={"FAIL_UPDATE": "1"}, framework="custom"),
        seed("demo-lab", "lab-whisper", "openai/whisper-large-v3", "automatic-speech-recognition",
                 state="running", created_min=61.0, updated_min=66.6, vendor="azure", region="eastus",
                 accelerator="gpu", itype="nvidia-a100", size="x1", type_="public", scale_timeout=60),
    ):
        store.add(ep)
