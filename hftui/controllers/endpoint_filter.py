"""The Endpoints table's ``/`` filter as a predicate over endpoints (no Textual)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hftui.client.models import Endpoint


def make_filter(text: str, faults_only: bool, with_namespace: bool = False) -> Callable[[Endpoint], bool] | None:
    """``/`` text -> predicate over name, model and state (and namespace in the all-namespaces view).

    ``!`` inverts; a regex when the text has regex characters and compiles, else a substring.
    """
    text = text.strip()
    invert = text.startswith("!")
    if invert:
        text = text[1:].strip()
    match: Callable[[str], bool] | None = None
    if text:
        needle = text.lower()
        try:
            pattern = re.compile(text, re.IGNORECASE) if re.escape(text) != text else None
        except re.error:
            pattern = None
        if pattern is not None:
            match = lambda s: pattern.search(s) is not None  # noqa: E731
        else:
            match = lambda s: needle in s.lower()  # noqa: E731
    if match is None and not faults_only:
        return None

    def predicate(ep: Endpoint) -> bool:
        if faults_only and not ep.state.is_fault:
            return False
        if match is None:
            return True
        hit = match(ep.name) or match(ep.repository or "") or match(ep.raw_state) \
            or (with_namespace and match(ep.namespace))
        return not hit if invert else hit

    return predicate
