"""Typed views of what the Hub and the Endpoints API return.

Every ``from_json`` is tolerant: unknown keys are ignored, missing or
wrongly-typed ones become None/defaults, so one odd field never breaks a
screen. The raw dict is kept (``raw``) for "show the JSON" views.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from hftui.sanitize import safe_url

# --- small tolerant accessors -------------------------------------------------


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _int(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def _float(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    return float(v) if isinstance(v, (int, float)) else None


def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


_FRACTION = re.compile(r"(\.\d{1,9})")


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 with up to 9 fractional digits (Endpoints sends nanoseconds)."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    m = _FRACTION.search(text)
    if m:  # datetime wants at most 6 digits
        text = text[: m.start()] + m.group(1)[:7] + text[m.end():]
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


# --- Hub ------------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    name: str
    fullname: str | None = None
    role_in_org: str | None = None
    is_enterprise: bool = False


@dataclass(frozen=True)
class WhoAmI:
    name: str
    type: str = "user"
    fullname: str | None = None
    orgs: tuple[Org, ...] = ()
    token_name: str | None = None
    token_role: str | None = None
    """``read``, ``write``, ``fineGrained`` (or None for OAuth apps)."""
    permissions: frozenset[str] = frozenset()
    """Fine-grained permissions scoped to the user (empty for classic tokens)."""
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Any) -> WhoAmI:
        d = _dict(d)
        orgs = tuple(
            Org(name=o["name"], fullname=_str(o.get("fullname")), role_in_org=_str(o.get("roleInOrg")),
                is_enterprise=bool(o.get("isEnterprise")))
            for o in _list(d.get("orgs")) if isinstance(o, dict) and isinstance(o.get("name"), str)
        )
        token = _dict(_dict(d.get("auth")).get("accessToken"))
        perms: set[str] = set()
        fine = _dict(token.get("fineGrained"))
        for scoped in _list(fine.get("scoped")):
            for p in _list(_dict(scoped).get("permissions")):
                if isinstance(p, str):
                    perms.add(p)
        for p in _list(fine.get("global")):
            if isinstance(p, str):
                perms.add(p)
        return cls(
            name=_str(d.get("name")) or "?",
            type=_str(d.get("type")) or "user",
            fullname=_str(d.get("fullname")),
            orgs=orgs,
            token_name=_str(token.get("displayName")),
            token_role=_str(token.get("role")),
            permissions=frozenset(perms),
            raw=d,
        )

    @property
    def namespaces(self) -> list[str]:
        """The user's own namespace first, then each org."""
        return [self.name, *(o.name for o in self.orgs)]

    def missing_permission(self, permission: str) -> bool:
        """True only when a fine-grained token provably lacks ``permission``."""
        return self.token_role == "fineGrained" and permission not in self.permissions


@dataclass(frozen=True)
class ProviderMapping:
    provider: str
    status: str  # live | staging | error | other
    task: str | None = None
    provider_id: str | None = None

    @property
    def live(self) -> bool:
        return self.status == "live"


def parse_provider_mapping(value: Any) -> tuple[ProviderMapping, ...]:
    """Accept both the dict form and the list form (wire doc 2.3)."""
    out: list[ProviderMapping] = []
    if isinstance(value, dict):
        for name, entry in value.items():
            e = _dict(entry)
            out.append(ProviderMapping(str(name), _str(e.get("status")) or "unknown",
                                       _str(e.get("task")), _str(e.get("providerId"))))
    elif isinstance(value, list):
        for entry in value:
            e = _dict(entry)
            name = _str(e.get("provider"))
            if name:
                out.append(ProviderMapping(name, _str(e.get("status")) or "unknown",
                                           _str(e.get("task")), _str(e.get("providerId"))))
    return tuple(out)


@dataclass(frozen=True)
class LegacyStatus:
    """The api-inference era ``/status/<model>`` shape (emulator / lookalikes only)."""

    loaded: bool | None
    state: str | None
    compute_type: str | None
    framework: str | None
    error: str | None = None

    @classmethod
    def from_json(cls, d: Any) -> LegacyStatus:
        d = _dict(d)
        ct = d.get("compute_type")
        if isinstance(ct, dict):  # {"gpu": {"gpu": "a100", "count": 8}}
            parts = []
            for kind, spec in ct.items():
                spec = _dict(spec)
                parts.append(f"{kind} {spec.get('gpu', '')} x{spec.get('count', 1)}".replace("  ", " "))
            ct = ", ".join(parts)
        loaded = d.get("loaded")
        return cls(loaded=loaded if isinstance(loaded, bool) else None, state=_str(d.get("state")),
                   compute_type=_str(ct), framework=_str(d.get("framework")), error=_str(d.get("error")))


@dataclass(frozen=True)
class ModelInfo:
    """A model, from search results or model-info. Absent fields are None."""

    id: str
    pipeline_tag: str | None = None
    library_name: str | None = None
    license: str | None = None
    tags: tuple[str, ...] = ()
    downloads: int | None = None
    likes: int | None = None
    trending_score: float | None = None
    last_modified: datetime | None = None
    created_at: datetime | None = None
    inference: str | None = None
    """``warm`` when served by at least one provider now."""
    providers: tuple[ProviderMapping, ...] = ()
    mask_token: str | None = None
    gated: str | bool | None = None
    private: bool | None = None
    sha: str | None = None
    legacy_status: LegacyStatus | None = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Any) -> ModelInfo:
        d = _dict(d)
        tags = tuple(t for t in _list(d.get("tags")) if isinstance(t, str))
        license_ = _str(_dict(d.get("cardData")).get("license"))
        if not license_:
            license_ = next((t.split(":", 1)[1] for t in tags if t.startswith("license:")), None)
        gated = d.get("gated")
        return cls(
            id=_str(d.get("id")) or _str(d.get("modelId")) or "?",
            pipeline_tag=_str(d.get("pipeline_tag")),
            library_name=_str(d.get("library_name")),
            license=license_,
            tags=tags,
            downloads=_int(d.get("downloads")),
            likes=_int(d.get("likes")),
            trending_score=_float(d.get("trendingScore")),
            last_modified=parse_time(d.get("lastModified")),
            created_at=parse_time(d.get("createdAt")),
            inference=_str(d.get("inference")),
            providers=parse_provider_mapping(d.get("inferenceProviderMapping")),
            mask_token=_str(d.get("mask_token")),
            gated=gated if isinstance(gated, (str, bool)) else None,
            private=d.get("private") if isinstance(d.get("private"), bool) else None,
            sha=_str(d.get("sha")),
            raw=d,
        )

    @property
    def warm(self) -> bool:
        return self.inference == "warm"

    @property
    def live_providers(self) -> tuple[ProviderMapping, ...]:
        return tuple(p for p in self.providers if p.live)

    @property
    def hf_inference(self) -> ProviderMapping | None:
        """The hf-inference mapping if it is live (serving status for that route)."""
        return next((p for p in self.providers if p.provider == "hf-inference" and p.live), None)

    @property
    def servable(self) -> bool:
        return self.warm or bool(self.live_providers)


@dataclass(frozen=True)
class ModelPage:
    models: list[ModelInfo]
    next_url: str | None
    """The ``Link: rel="next"`` URL, followed verbatim; None on the last page."""


# --- Endpoints ----------------------------------------------------------------


class EndpointState(str, Enum):
    PENDING = "pending"
    INITIALIZING = "initializing"
    UPDATING = "updating"
    UPDATE_FAILED = "updateFailed"
    RUNNING = "running"
    PAUSED = "paused"
    FAILED = "failed"
    SCALED_TO_ZERO = "scaledToZero"
    OTHER = "other"

    @classmethod
    def parse(cls, value: Any) -> EndpointState:
        try:
            return cls(value)
        except ValueError:
            return cls.OTHER

    @property
    def is_fault(self) -> bool:
        return self in (EndpointState.FAILED, EndpointState.UPDATE_FAILED)

    @property
    def is_transitional(self) -> bool:
        """Moving by itself towards another state: watched (spinner), not waited on by the user."""
        return self in (EndpointState.PENDING, EndpointState.INITIALIZING, EndpointState.UPDATING)

    @property
    def is_idle(self) -> bool:
        """States an endpoint does not leave by itself (scaled to zero: until a request comes)."""
        return self in (EndpointState.PAUSED, EndpointState.SCALED_TO_ZERO)

    @property
    def is_billed(self) -> bool:
        """Replicas may be charged: starting ones while initializing, and the old ones an
        ``updating`` or ``updateFailed`` endpoint keeps serving on. ``cost.billed_replicas``
        counts them; every other state bills nothing."""
        return self in (EndpointState.INITIALIZING, EndpointState.RUNNING, EndpointState.UPDATING,
                        EndpointState.UPDATE_FAILED)


@dataclass(frozen=True)
class Endpoint:
    namespace: str
    name: str
    state: EndpointState
    raw_state: str
    type: str | None = None
    vendor: str | None = None
    region: str | None = None
    accelerator: str | None = None
    instance_type: str | None = None
    instance_size: str | None = None
    min_replica: int | None = None
    max_replica: int | None = None
    scale_to_zero_timeout: int | None = None
    repository: str | None = None
    revision: str | None = None
    task: str | None = None
    framework: str | None = None
    image: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    secrets: dict = field(default_factory=dict)
    message: str | None = None
    url: str | None = None
    """``status.url`` when it is a plain http(s) URL (``sanitize.safe_url``), else None."""
    url_invalid: bool = False
    """The server sent a ``status.url`` that is not one (controls, spaces, another scheme): it is
    neither used, shown nor copied, and the UI says so instead of "no URL yet"."""
    ready_replica: int | None = None
    target_replica: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    health_route: str | None = None
    tags: tuple[str, ...] = ()
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        """Stable row key: ``namespace/name``."""
        return f"{self.namespace}/{self.name}"

    @property
    def image_kind(self) -> str | None:
        """The ``model.image`` variant: ``huggingface`` (the default container), ``custom``, or an
        engine (``tgi``, ``vLLM``, ``llamacpp``, …); None when the server sent no (or no valid) image."""
        if len(self.image) == 1:
            kind = next(iter(self.image))
            return kind if isinstance(kind, str) else None
        return None

    @property
    def image_settings(self) -> dict:
        """The fields of the image variant (``url``, ``port``, ``healthRoute``, ``env``, …); {} if none."""
        kind = self.image_kind
        return _dict(self.image.get(kind)) if kind else {}

    @classmethod
    def from_json(cls, d: Any, namespace: str | None = None) -> Endpoint:
        d = _dict(d)
        provider = _dict(d.get("provider"))
        compute = _dict(d.get("compute"))
        scaling = _dict(compute.get("scaling"))
        model = _dict(d.get("model"))
        status = _dict(d.get("status"))
        raw_state = _str(status.get("state")) or "unknown"
        raw_url = status.get("url")
        url = safe_url(raw_url)
        ns = namespace or _str(d.get("namespace")) or _str(_dict(status.get("createdBy")).get("name")) or "?"
        return cls(
            namespace=ns,
            name=_str(d.get("name")) or "?",
            state=EndpointState.parse(raw_state),
            raw_state=raw_state,
            type=_str(d.get("type")),
            vendor=_str(provider.get("vendor")),
            region=_str(provider.get("region")),
            accelerator=_str(compute.get("accelerator")),
            instance_type=_str(compute.get("instanceType")),
            instance_size=_str(compute.get("instanceSize")),
            min_replica=_int(scaling.get("minReplica")),
            max_replica=_int(scaling.get("maxReplica")),
            scale_to_zero_timeout=_int(scaling.get("scaleToZeroTimeout")),
            repository=_str(model.get("repository")),
            revision=_str(model.get("revision")),
            task=_str(model.get("task")),
            framework=_str(model.get("framework")),
            image=_dict(model.get("image")),
            env=_dict(model.get("env")),
            secrets=_dict(model.get("secrets")),
            message=_str(status.get("message")),
            url=url,
            url_invalid=url is None and raw_url not in (None, ""),
            ready_replica=_int(status.get("readyReplica")),
            target_replica=_int(status.get("targetReplica")),
            created_at=parse_time(status.get("createdAt")),
            updated_at=parse_time(status.get("updatedAt")),
            health_route=_str(d.get("healthRoute")),
            tags=tuple(t for t in _list(d.get("tags")) if isinstance(t, str)),
            raw=d,
        )


@dataclass(frozen=True)
class Compute:
    """One hardware option of the catalog, with its place and price."""

    id: str
    vendor: str
    region: str
    accelerator: str
    instance_type: str
    instance_size: str
    num_accelerators: int = 1
    num_cpus: int | None = None
    memory_gb: float | None = None
    gpu_memory_gb: float | None = None
    architecture: str | None = None
    status: str = "available"
    price_per_hour: float | None = None
    quota_max: int | None = None
    quota_used: int | None = None

    @property
    def deployable(self) -> bool:
        if self.status in ("deprecated", "not_available", "notAvailable"):
            return False
        if self.quota_max is not None and self.quota_used is not None:
            return self.quota_max - self.quota_used >= self.num_accelerators
        return True

    @property
    def label(self) -> str:
        """e.g. ``gpu · nvidia-l4 · x1 · $0.80/h``."""
        price = f"${self.price_per_hour:.2f}/h" if self.price_per_hour is not None else "price ?"
        return f"{self.accelerator} · {self.instance_type} · {self.instance_size} · {price}"


@dataclass(frozen=True)
class Region:
    vendor: str
    name: str
    label: str | None
    status: str
    computes: tuple[Compute, ...]


@dataclass(frozen=True)
class Catalog:
    regions: tuple[Region, ...]

    @classmethod
    def from_json(cls, d: Any) -> Catalog:
        regions: list[Region] = []
        for v in _list(_dict(d).get("vendors")):
            v = _dict(v)
            vendor = _str(v.get("name"))
            if not vendor:
                continue
            for r in _list(v.get("regions")):
                r = _dict(r)
                rname = _str(r.get("name"))
                if not rname:
                    continue
                computes = []
                for c in _list(r.get("computes")):
                    c = _dict(c)
                    quota = _dict(c.get("quota"))
                    if not (_str(c.get("instanceType")) and _str(c.get("instanceSize"))):
                        continue
                    computes.append(Compute(
                        id=_str(c.get("id")) or f"{vendor}-{rname}-{c.get('instanceType')}-{c.get('instanceSize')}",
                        vendor=vendor, region=rname,
                        accelerator=_str(c.get("accelerator")) or "cpu",
                        instance_type=c["instanceType"], instance_size=c["instanceSize"],
                        num_accelerators=_int(c.get("numAccelerators")) or 1,
                        num_cpus=_int(c.get("numCpus")), memory_gb=_float(c.get("memoryGb")),
                        gpu_memory_gb=_float(c.get("gpuMemoryGb")), architecture=_str(c.get("architecture")),
                        status=_str(c.get("status")) or "available",
                        price_per_hour=_float(c.get("pricePerHour")),
                        quota_max=_int(quota.get("maxAccelerators")), quota_used=_int(quota.get("usedAccelerators")),
                    ))
                regions.append(Region(vendor, rname, _str(r.get("label")), _str(r.get("status")) or "available",
                                      tuple(computes)))
        return cls(tuple(regions))

    @property
    def vendors(self) -> list[str]:
        return list(dict.fromkeys(r.vendor for r in self.regions))

    def regions_of(self, vendor: str) -> list[Region]:
        return [r for r in self.regions if r.vendor == vendor]

    def computes(self) -> list[Compute]:
        return [c for r in self.regions for c in r.computes]

    def find(self, vendor: str | None, region: str | None, instance_type: str | None,
             instance_size: str | None) -> Compute | None:
        for c in self.computes():
            if (c.vendor, c.region, c.instance_type, c.instance_size) == (vendor, region, instance_type, instance_size):
                return c
        return None

    def hourly_cost(self, endpoint: Endpoint) -> float | None:
        """Price of one replica-hour of this endpoint's hardware, if known."""
        c = self.find(endpoint.vendor, endpoint.region, endpoint.instance_type, endpoint.instance_size)
        return c.price_per_hour if c else None
