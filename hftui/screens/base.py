"""The base of hftui's screens: ``self.app`` typed as the hftui app.

Screens read ``self.app.client``, ``self.app.settings``, ``self.app.whoami``
directly (no ``getattr`` probes): every host they run in is an
:class:`~hftui.app.HFTUIApp`, tests included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from hftui.app import HFTUIApp

ResultT = TypeVar("ResultT")


class HFScreen(Screen[ResultT], Generic[ResultT]):
    """A full screen of hftui."""

    if TYPE_CHECKING:
        @property
        def app(self) -> HFTUIApp: ...


class HFModal(ModalScreen[ResultT], Generic[ResultT]):
    """A modal of hftui."""

    if TYPE_CHECKING:
        @property
        def app(self) -> HFTUIApp: ...
