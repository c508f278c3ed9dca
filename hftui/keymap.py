"""Key bindings: ids, the user's ``[keymap]`` overrides, and the rules.

Every ``Binding`` in hftui has a dotted ``id`` (``endpoints.pause``) and a
``tooltip``; users remap with a ``[keymap]`` table in ``config.toml``::

    [keymap]
    "endpoints.pause" = "P"
    "app.quit" = "ctrl+q,f10"

``apply_keymap(app, settings.keymap)`` hands that to ``App.set_keymap``.
No default key is a terminal-multiplexer prefix (``FORBIDDEN_DEFAULT_KEYS``):
tmux and screen users would lose them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding

FORBIDDEN_DEFAULT_KEYS = frozenset({"ctrl+a", "ctrl+b"})


def binding(key: str, action: str, description: str, *, id: str, tooltip: str = "", show: bool = True,
            priority: bool = False, key_display: str | None = None) -> Binding:
    """A Binding that always has an id and a tooltip (the description when none is given)."""
    return Binding(key, action, description, show=show, priority=priority, key_display=key_display,
                   tooltip=tooltip or description, id=id)


def normalize(keymap: Mapping[str, str] | None) -> dict[str, str]:
    """Drop empty entries and stray whitespace (``"P, shift+p"`` -> ``"P,shift+p"``)."""
    out: dict[str, str] = {}
    for binding_id, keys in (keymap or {}).items():
        parts = [k.strip() for k in str(keys).split(",") if k.strip()]
        if binding_id and parts:
            out[str(binding_id).strip()] = ",".join(parts)
    return out


def binding_ids(classes: Iterable[type]) -> dict[str, Binding]:
    """Every id declared in the BINDINGS of ``classes`` (and their bases)."""
    found: dict[str, Binding] = {}
    for cls in classes:
        for klass in cls.__mro__:
            for b in klass.__dict__.get("BINDINGS", ()) or ():
                if isinstance(b, Binding) and b.id:
                    found.setdefault(b.id, b)
    return found


def apply_keymap(app, keymap: Mapping[str, str] | None) -> dict[str, str]:
    """Apply the user's overrides; returns what was applied."""
    cleaned = normalize(keymap)
    if cleaned:
        app.set_keymap(cleaned)
    return cleaned
