"""The base of hftui's screens: ``self.app`` typed as the hftui app.

Screens read ``self.app.client``, ``self.app.settings``, ``self.app.whoami``
directly (no ``getattr`` probes): every host they run in is an
:class:`~hftui.app.HFTUIApp`, tests included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from textual import events
from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from hftui.app import HFTUIApp

ResultT = TypeVar("ResultT")


class HFScreen(Screen[ResultT], Generic[ResultT]):
    """A full screen of hftui."""

    _styled_as: tuple | None = None
    """What the app's styles depended on when this screen was last styled as a whole while not
    shown (prebuilt, warmed up, or just left); None while it is shown."""

    if TYPE_CHECKING:
        @property
        def app(self) -> HFTUIApp: ...

    def prepare_spares(self) -> None:
        """Build, in the background, what this screen opens anew on a key (after the app's warm-up)."""

    def has_first_data(self) -> bool:
        """It shows what it loads first: the app's warm-up waits for that before building other screens."""
        return True

    def mark_styled(self) -> None:
        """This screen was just styled as a whole (off screen): showing it need not do it again."""
        self._styled_as = self._style_inputs()
        if self._styled_as is not None:
            self._css_update_count = self._styled_as[0]  # Textual's own check (``switch_mode``) agrees

    def _style_inputs(self) -> tuple | None:
        """What, besides the screen's own nodes, its styles depend on: the stylesheet's version and
        the app's classes and pseudo-classes (focus, dark, ansi...). A change to a node of a hidden
        screen is styled when it happens (``App.update_styles``); these are not. Private counter of
        Textual's: if a release renames it, None, and the screen is restyled as usual."""
        version = getattr(self.app, "_css_update_count", None)
        if version is None:
            return None
        return version, self.app.pseudo_classes, frozenset(self.app.classes)

    def _on_screen_suspend(self) -> None:
        self._styled_as = self._style_inputs()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles a screen every time it is shown: 0.1–0.3 s for a form or the Playground,
        # on every switch. What changed in the screen while it was hidden was styled as it
        # changed; only what the app's styles depend on may have moved, so that is compared.
        # Runs before Screen's own handler (Textual dispatches along the MRO, subclass first).
        styled_as, self._styled_as = self._styled_as, None
        if styled_as is not None and styled_as == self._style_inputs():
            event.refresh_styles = False


class HFModal(ModalScreen[ResultT], Generic[ResultT]):
    """A modal of hftui."""

    if TYPE_CHECKING:
        @property
        def app(self) -> HFTUIApp: ...
