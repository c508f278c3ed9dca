"""A screen built ahead of its key, used once: the create form opens as fast as a built screen shows.

    spare = Spare(owner)                        # owner: the screen whose key opens it
    spare.prepare(key, lambda: FormScreen(...)) # builds it in the background, once the app is idle
    screen = spare.take(key) or FormScreen(...) # None unless a spare for this key is ready

A spare is handed out once and never reused: what it shows is what a newly
built screen shows (a fresh form is a fresh form). ``key`` says what it was
built for (a namespace and its catalog, say); a spare for another key is
never handed out. Spares are only made once ``prepare`` was called (the app
calls its screens' ``prepare_spares`` after its warm-up, which tests and
screenshots switch off).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from hftui.screens.base import HFScreen

    S = TypeVar("S", bound=HFScreen)
else:
    S = TypeVar("S")

log = logging.getLogger(__name__)


class Spare(Generic[S]):
    """See the module docstring."""

    def __init__(self, owner: HFScreen) -> None:
        self._owner = owner
        self._key: Hashable = None
        self._screen: S | None = None
        self._ready = False
        self.enabled = False
        """``prepare`` was called once: the app wants spares (``renew`` does nothing until then)."""

    def prepare(self, key: Hashable, build: Callable[[], S]) -> None:
        """Build a spare for ``key`` in the background unless one is there already."""
        self.enabled = True
        if self._screen is not None and self._key == key:
            return
        self.discard()
        screen = build()
        self._key, self._screen, self._ready = key, screen, False
        self._owner.run_worker(self._prebuild(screen), group="spare", exit_on_error=False,
                               description=f"build a spare {type(screen).__name__}")

    def take(self, key: Hashable) -> S | None:
        """The ready spare built for ``key`` (it is no longer the spare), or None."""
        screen = self._screen
        if screen is None or not self._ready or self._key != key:
            return None
        self._screen = None
        return screen

    def discard(self) -> None:
        screen, self._screen = self._screen, None
        if screen is not None and screen.is_running:
            screen.remove()

    async def _prebuild(self, screen: S) -> None:
        app = self._owner.app
        await app.until_idle()
        if self._screen is not screen:  # discarded or taken meanwhile (taken: only once ready)
            return
        try:
            await app.prebuild(screen)
        except Exception:  # the next open builds its own screen, as without a spare
            log.debug("building a spare %s failed", type(screen).__name__, exc_info=True)
            if self._screen is screen:
                self.discard()
            return
        if self._screen is screen:
            self._ready = True
