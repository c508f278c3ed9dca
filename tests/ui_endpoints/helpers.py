"""Helpers shared by the ui_endpoints tests."""

from __future__ import annotations

from hftui.client.models import Endpoint

from tests.support.app import hftui_app
from tests.support.pilot import wait_until


def make_app(emulator, *, token: bool = True, first_screen: str | None = None, **settings_kw):
    """The real app on ``emulator`` (with its token unless ``token=False``)."""
    return hftui_app(emulator.base_url, emulator.token if token else None, first_screen=first_screen, **settings_kw)


async def poll_once(pilot, screen):
    """Force one poll and wait until it finished."""
    before = screen.poll_count
    screen.poll_now()
    await wait_until(pilot, lambda: screen.poll_count > before, what="a poll")
    await pilot.pause()


def endpoint(name: str, state: str = "running", ready: int = 1, ns: str = "ns", **status) -> Endpoint:
    """An endpoint as the API lists it (``status`` adds or overrides status fields)."""
    return Endpoint.from_json({
        "name": name, "type": "authenticated",
        "provider": {"vendor": "aws", "region": "us-east-1"},
        "compute": {"accelerator": "cpu", "instanceType": "intel-icl", "instanceSize": "x2",
                    "scaling": {"minReplica": 0, "maxReplica": 2}},
        "model": {"repository": f"org/{name}", "task": "text-generation"},
        "status": {"state": state, "readyReplica": ready, "targetReplica": 1, "updatedAt": "2026-10-26T12:00:00Z",
                   "url": f"https://{name}.x.aws.endpoints.huggingface.cloud", **status},
    }, ns)
