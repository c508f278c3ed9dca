"""The Endpoints screen's ``a`` and ``e``: open the create / update form, take in what it made.

A create form is built ahead, in the background (``spare.Spare``): ``a`` then shows
a built screen instead of composing ~40 widgets and restyling them (~0.5 s). Each
spare is used once, so a fresh ``a`` is a fresh form; the next is built once the
form closed and the app is idle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hftui.client import Catalog, Endpoint
    from hftui.screens.endpoint_form import EndpointFormScreen
    from hftui.screens.spare import Spare
    from hftui.widgets.endpoint_table import EndpointTable

ALL = "*"
"""Namespace value meaning the user and every org."""


class FormOpener:
    """Mixed into ``EndpointsScreen`` (which provides what is declared below)."""

    if TYPE_CHECKING:
        from hftui.app import HFTUIApp

        app: HFTUIApp
        namespace: str
        catalog: Catalog | None
        table: EndpointTable
        _spare_form: Spare[EndpointFormScreen]

        def _current(self) -> Endpoint | None: ...
        def _post_stats(self) -> None: ...
        def poll_now(self) -> None: ...

    def _create_form(self) -> tuple[tuple[str | None, int], Callable[[], EndpointFormScreen]]:
        """What a create form is built for (a spare's key), and how it is built."""
        from hftui.screens.endpoint_form import EndpointFormScreen

        whoami = self.app.whoami
        namespace = self.namespace if self.namespace != ALL else whoami.name if whoami else None
        catalog = self.catalog
        return (namespace, id(catalog)), lambda: EndpointFormScreen(namespace=namespace, catalog=catalog)

    def prepare_spares(self) -> None:
        self._spare_form.prepare(*self._create_form())

    def action_create(self) -> None:
        key, build = self._create_form()
        self.app.push_screen(self._spare_form.take(key) or build(), self._form_done)

    def action_update(self) -> None:
        ep = self._current()
        if ep is None:
            return
        from hftui.screens.endpoint_form import EndpointFormScreen

        self.app.push_screen(EndpointFormScreen(namespace=ep.namespace, catalog=self.catalog, endpoint=ep),
                             self._form_done)

    def _form_done(self, result: Endpoint | None) -> None:
        if self._spare_form.enabled:  # the one just used is gone: build the next
            self.prepare_spares()
        if result is not None:
            self.table.update_one(result)
            self.table.move_cursor_to(result.key)
            self._post_stats()
            self.poll_now()
