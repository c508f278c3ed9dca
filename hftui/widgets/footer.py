"""A footer that is rebuilt only when what it shows changes.

Textual's ``Footer`` removes and re-mounts all its keys whenever a screen's
bindings *may* have changed: on every focus change and every screen switch.
With the 8–10 keys of an hftui screen that was about half the CPU of a switch
to Models (~55 of ~110 ms), spent on building the very same keys again.
``install()`` (called once by the app) makes every footer compare what it
would show with what it shows, once after the refresh that follows a change
(a burst of changes is one check), and skip the rebuild when they are equal.

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
        if not (self._bindings_ready and self.is_attached and screen is self.screen and screen.app.app_focus):
            forget_watchers(self)
            original(self, screen)
            return
        # One check after the refresh answers every change until then: replacing a form blurs its
        # field, refreshes the screen's bindings and focuses the new field, and the footer was
        # rebuilt for each of those passing states in turn.
        if not getattr(self, "_hftui_check_due", False):
            self._hftui_check_due = True
            self.call_after_refresh(_rebuild_if_changed, self)

    bindings_changed._hftui_stable = True
    Footer.bindings_changed = bindings_changed
    _start_keys_not_compact(Footer)


async def _rebuild_if_changed(footer: Footer, waits: int = 40) -> None:
    """Rebuild ``footer`` if what it would show is not what it shows."""
    from hftui.widgets.removal import forget_watchers

    if not footer.is_attached:
        footer._hftui_check_due = False
        return
    screen = footer.screen
    ready = getattr(screen, "keys_ready", None)
    if waits and callable(ready) and not ready():
        # The screen is between states (the Playground's new form is mounting, its field not yet
        # focused, or a model is looked up): what it would show now lasts a few frames. Look
        # again a little later (for at most ~2 s: then as it is).
        footer.set_timer(0.05, lambda: _rebuild_if_changed(footer, waits - 1))
        return
    footer._hftui_check_due = False
    now = shown(footer, screen)
    if now == getattr(footer, "_hftui_shown", None):
        return
    footer._hftui_shown = now
    await footer.recompose()
    # Each key binds its ``compact`` to the footer's, which keeps it until that value changes
    # (never): forget the keys just replaced.
    forget_watchers(footer)


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
