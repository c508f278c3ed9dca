"""Text-generation on models not served by TGI (wire doc 3.4).

A plain transformers pipeline refuses TGI-only parameters (``watermark``,
``stop``, ``details``…) whenever they are present, even false, with a 400
naming them: "The following `model_kwargs` are not used by the model:
['watermark', 'stop'] …". The client then drops the named parameters and
asks once more, as huggingface_hub does, and remembers the refusal per URL
so the next call leaves them out at once (and does not try to stream: such
a model cannot).
"""

from __future__ import annotations

import re
from collections import OrderedDict

from hftui.client.errors import BadRequest, HFError

_REFUSED = re.compile(r"model_kwargs`? (?:are|is) not used by the model:\s*\[([^\]]*)\]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
MAX_REMEMBERED = 256


def refused_parameters(exc: HFError) -> list[str]:
    """The parameter names a 400 "model_kwargs are not used" lists (empty for any other error).

    The message is server text: only identifier-like names are kept.
    """
    if not isinstance(exc, BadRequest) or exc.status != 400:
        return []
    match = _REFUSED.search(exc.message)
    if not match:
        return []
    names: list[str] = []
    for part in match.group(1).split(","):
        name = part.strip().strip("'\"")
        if _NAME.fullmatch(name) and name not in names:
            names.append(name)
    return names


class RefusedParameters:
    """Per URL: the parameters a non-TGI model refused (bounded, oldest forgotten first)."""

    def __init__(self) -> None:
        self._by_url: OrderedDict[str, frozenset[str]] = OrderedDict()

    def known_plain(self, url: str) -> bool:
        """True once ``url`` was seen refusing TGI parameters (it is not TGI: it cannot stream)."""
        return url in self._by_url

    def add(self, url: str, names: list[str]) -> None:
        self._by_url[url] = self._by_url.get(url, frozenset()) | frozenset(names)
        self._by_url.move_to_end(url)
        while len(self._by_url) > MAX_REMEMBERED:
            self._by_url.popitem(last=False)

    def strip(self, url: str, parameters: dict) -> tuple[dict, list[str]]:
        """``parameters`` without those ``url`` refused before, and the names taken out."""
        refused = self._by_url.get(url)
        if not refused:
            return parameters, []
        dropped = [k for k in parameters if k in refused]
        if not dropped:
            return parameters, []
        return {k: v for k, v in parameters.items() if k not in refused}, dropped
