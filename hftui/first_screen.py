"""Which screen hftui opens on: Endpoints for users who have some, Models for everyone else.

Most Hugging Face users have no Inference Endpoint: an empty Endpoints table is a poor welcome.
``first_screen(client, whoami, settings)`` lists the endpoints of the namespace the Endpoints
screen would show while the start screen still says "Connecting…" (no flash of an empty table),
and answers ``"models"`` when that list is empty. Any doubt answers ``"endpoints"``, where the
reason shows: an error, a slow answer, a namespace set in the config (someone who set one works
with endpoints). No Textual.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hftui.client import HFClient, WhoAmI
    from hftui.config import Settings

PROBE_TIMEOUT = 3.0
"""Seconds the start screen waits for the list before opening Endpoints anyway."""


async def first_screen(client: HFClient | None, whoami: WhoAmI | None, settings: Settings | None,
                       *, timeout: float = PROBE_TIMEOUT) -> str:
    """``"models"`` when the user's own namespace has no endpoint, else ``"endpoints"``."""
    if client is None or whoami is None or not whoami.name or (settings is not None and settings.namespace):
        return "endpoints"
    try:
        endpoints = await asyncio.wait_for(client.endpoints.list(whoami.name, retry=False), timeout)
    except Exception:  # an error or a slow answer: Endpoints opens and says what it is
        return "endpoints"
    return "endpoints" if endpoints else "models"
