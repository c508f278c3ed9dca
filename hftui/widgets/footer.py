"""A footer that is rebuilt only when what it shows changes.

Textual's ``Footer`` removes and re-mounts all its keys whenever a screen's
bindings *may* have changed: on every focus change and every screen switch.
With the 8–10 keys of an hftui screen that was about half the CPU of a switch
to Models (~55 of ~110 ms), spent on building the very same keys again.
``install()`` (called once by the app) makes every footer compare what it
would show with what it shows and skip the rebuild when they are equal.

When a rebuild is due, each new key restyled itself twice as it mounted: its
``compact`` starts True (adding a class) and the footer's binding then sets it
to the footer's False (removing it), ~2 ms each, 20–40 per rebuild. ``install()``
also starts each key bound to its footer's ``compact`` at False, the footer's
own default: a footer that is not compact binds the same value and nothing is
restyled; a compact one sets True and restyles once, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widgets import Footer


def shown(footer: Footer, screen: Screen) -> tuple:
    """Everything ``Footer.compose`` draws: the shown bindings (key, label, text, state, tip, group)."""
    app = screen.app
    keys = tuple((binding.key, app.get_key_display(binding), binding.description, binding.action, enabled,
                  tooltip, binding.group)
                 for _node, binding, enabled, tooltip in screen.active_bindings.values()
                 if binding.show or binding.key == app.COMMAND_PALETTE_BINDING)
    return keys, footer.compact, footer.show_command_palette, app.ENABLE_COMMAND_PALETTE


def install() -> None:
    """Patch ``Footer.bindings_changed`` for every footer of every screen. Idempotent."""
    from textual.widgets import Footer

    from hftui.widgets.removal import forget_watchers

    original = Footer.bindings_changed
    if getattr(original, "_hftui_stable", False):
        return

    def bindings_changed(self: Footer, screen: Screen) -> None:
        if self._bindings_ready and self.is_attached and screen is self.screen and screen.app.app_focus:
            now = shown(self, screen)
            if now == getattr(self, "_hftui_shown", None):
                return
            self._hftui_shown = now
        # Each key binds its ``compact`` to the footer's, which keeps it until that value changes
        # (never): forget the keys of the rebuild before this one.
        forget_watchers(self)
        original(self, screen)

    bindings_changed._hftui_stable = True
    Footer.bindings_changed = bindings_changed
    _start_keys_not_compact(Footer)


def _start_keys_not_compact(footer_class: type) -> None:
    # FooterKey lives in a private module of Textual: if a release moves it, keys stay as they are.
    import sys

    key_class = getattr(sys.modules.get(footer_class.__module__), "FooterKey", None)
    compact = getattr(key_class, "compact", None) if key_class is not None else None
    if key_class is None or compact is None:
        return
    original_bind = key_class.data_bind

    def data_bind(self, *args, **kwargs):
        if "compact" in kwargs:  # bound to its footer's: start from the footer's default (the
            self.set_reactive(compact, False)  # command palette's key is not bound and stays as it is)
        return original_bind(self, *args, **kwargs)

    key_class.data_bind = data_bind
