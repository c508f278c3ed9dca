"""Inference Endpoints API v2.

CONTRACT — methods of ``hf.endpoints`` (class EndpointsAPI):

    async list(namespace: str) -> list[Endpoint]
    async list_all() -> list[Endpoint]       # user + each org; 401/403 of an org ignored
    async get(namespace, name) -> Endpoint
    async create(namespace, spec: EndpointSpec) -> Endpoint
    async update(namespace, name, changes: EndpointUpdate) -> Endpoint   # only set fields sent
    async pause(namespace, name) -> Endpoint
    async resume(namespace, name, *, running_ok=True) -> Endpoint        # "already running" 400 -> GET
    async scale_to_zero(namespace, name) -> Endpoint
    async delete(namespace, name) -> None
    async catalog(namespace: str | None = None) -> Catalog               # /provider[/ns]
    async logs(namespace, name, *, tail: int | None = None) -> str       # bounded size
    async wait_until_running(namespace, name, *, timeout=None, poll_interval=5.0,
                             on_state: Callable[[Endpoint], None] | None = None,
                             check_health=True) -> Endpoint
        Polls GET; calls on_state each time the state changes; raises
        EndpointFailed on failed/updateFailed, WaitTimeout past timeout.

    validate_name(name) -> str | None        # error text, or None if valid
        (lowercase alphanumerics and '-', 1..32 chars, no leading/trailing '-').

    EndpointSpec (create) and EndpointUpdate (partial update) are dataclasses
    defined here with to_payload().
"""

from __future__ import annotations
