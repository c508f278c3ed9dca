"""Key bindings: ids, the user's ``[keymap]`` overrides, and the rules.

Every ``Binding`` in hftui has a dotted ``id`` (``endpoints.pause``) and a
``tooltip``; users remap with a ``[keymap]`` table in ``config.toml``::

    [keymap]
    "endpoints.pause" = "P"
    "app.quit" = "ctrl+q,f10"

``apply_keymap(app, settings.keymap)`` hands that to ``App.set_keymap``.
No default key is a terminal-multiplexer prefix (``FORBIDDEN_DEFAULT_KEYS``):
tmux and screen users would lose them.

The keys themselves are checked when the config is read (``hftui.config``:
printable key names only); ``check_keymap`` checks the ids, which only the
UI modules know, before the app starts: a typo is an error, not a silent no-op.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding

from hftui.config import ConfigError

FORBIDDEN_DEFAULT_KEYS = frozenset({"ctrl+a", "ctrl+b"})


def binding(key: str, action: str, description: str, *, id: str, tooltip: str = "", show: bool = True,
            priority: bool = False, key_display: str | None = None) -> Binding:
    """A Binding that always has an id and a tooltip (the description when none is given)."""
    return Binding(key, action, description, show=show, priority=priority, key_display=key_display,
                   tooltip=tooltip or description, id=id)


def normalize(keymap: Mapping[str, str] | None) -> dict[str, str]:
    """Drop stray whitespace (``"P, shift+p"`` -> ``"P,shift+p"``) and entries that are not printable keys.

    ``load_settings`` already refused those with a message; this keeps a keymap
    built in code from putting a control character into the footer or help.
    """
    from hftui.config import parse_keys

    out: dict[str, str] = {}
    for binding_id, keys in (keymap or {}).items():
        try:
            cleaned = parse_keys(",".join(k for k in str(keys).split(",") if k.strip()))
        except ValueError:
            continue
        if binding_id:
            out[str(binding_id).strip()] = cleaned
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


class KeymapError(ConfigError):
    """A ``[keymap]`` entry names no binding; the message lists the close matches."""


def known_binding_ids() -> set[str]:
    """Every binding id of the app, its screens and widgets, and Textual's own widgets they use."""
    import importlib
    import pkgutil

    import hftui.app
    import hftui.screens
    import hftui.widgets
    from textual.dom import DOMNode

    for package in (hftui.screens, hftui.widgets):
        for module in pkgutil.iter_modules(package.__path__):
            try:
                importlib.import_module(f"{package.__name__}.{module.name}")
            except ImportError:  # a screen that cannot load has no keys to remap either
                continue
    ids: set[str] = set()
    pending: list[type] = [DOMNode, hftui.app.HFTUIApp]
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        ids.update(b.id for b in cls.__dict__.get("BINDINGS", ()) or () if isinstance(b, Binding) and b.id)
        pending.extend(cls.__subclasses__())
    return ids


def check_keymap(keymap: Mapping[str, str] | None, source: object = None) -> None:
    """Raise ``KeymapError`` for an id no binding has, naming it and the ids it is close to."""
    import difflib

    from hftui.sanitize import one_line

    unknown = [str(i) for i in normalize(keymap) if i]
    if not unknown:
        return
    known = known_binding_ids()
    unknown = [i for i in unknown if i not in known]
    if not unknown:
        return
    where = f"{one_line(str(source), 300)}: " if source else ""
    parts = []
    for binding_id in unknown:
        close = difflib.get_close_matches(binding_id, sorted(known), n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(close)}?)" if close else " (no binding has that id)"
        parts.append(f"{one_line(repr(binding_id), 90)}{hint}")
    raise KeymapError(f"{where}keymap: unknown binding id {'; '.join(parts)}")
