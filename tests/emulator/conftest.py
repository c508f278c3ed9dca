"""Helpers for the emulator's own tests: plain httpx2 clients over loopback."""

from __future__ import annotations

import io

import httpx2
import pytest


@pytest.fixture
def client(emulator):
    with httpx2.Client(base_url=emulator.base_url, headers={"Authorization": f"Bearer {emulator.token}"},
                       timeout=15) as c:
        yield c


@pytest.fixture
def anon(emulator):
    with httpx2.Client(base_url=emulator.base_url, timeout=15) as c:
        yield c


def _make_png(width: int = 64, height: int = 48, colour=(30, 60, 200)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def _sse_data(text: str) -> list[str]:
    """Payloads of ``data:`` lines (with or without the space)."""
    return [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]


@pytest.fixture
def make_png():
    return _make_png


@pytest.fixture
def sse_data():
    return _sse_data
