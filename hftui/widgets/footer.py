"""A footer that is rebuilt only when what it shows changes.

Textual's ``Footer`` removes and re-mounts all its keys whenever a screen's
bindings *may* have changed: on every focus change and every screen switch.
With the 8–10 keys of an hftui screen that was about half the CPU of a switch
to Models (~55 of ~110 ms), spent on building the very same keys again.
``install()`` (called once by the app) makes every footer compare what it
would show with what it shows and skip the rebuild when they are equal.
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

    original = Footer.bindings_changed
    if getattr(original, "_hftui_stable", False):
        return

    def bindings_changed(self: Footer, screen: Screen) -> None:
        if self._bindings_ready and self.is_attached and screen is self.screen and screen.app.app_focus:
            now = shown(self, screen)
            if now == getattr(self, "_hftui_shown", None):
                return
            self._hftui_shown = now
        original(self, screen)

    bindings_changed._hftui_stable = True
    Footer.bindings_changed = bindings_changed
