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

    prebuilt = False
    """Built and styled off screen (``HFTUIApp.prebuild``) and not shown yet."""

    if TYPE_CHECKING:
        @property
        def app(self) -> HFTUIApp: ...

    def prepare_spares(self) -> None:
        """Build, in the background, what this screen opens anew on a key (after the app's warm-up)."""

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles a screen every time it is shown (~0.1–0.3 s on a form). A prebuilt
        # screen shown for the first time was styled with the stylesheet in force: skip that pass.
        # Runs before Screen's own handler (Textual dispatches along the MRO, subclass first).
        # Private counters of Textual's: if a release renames them, the screen is restyled as usual.
        styled_with = getattr(self, "_css_update_count", None)
        if self.prebuilt and styled_with is not None and styled_with == getattr(self.app, "_css_update_count", None):
            event.refresh_styles = False
        self.prebuilt = False


class HFModal(ModalScreen[ResultT], Generic[ResultT]):
    """A modal of hftui."""

    if TYPE_CHECKING:
        @property
        def app(self) -> HFTUIApp: ...
