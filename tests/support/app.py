"""The real app (``HFTUIApp``) pointed at a server, as every Pilot and snapshot test builds it."""

from __future__ import annotations


def hftui_app(base_url: str | None = None, token=None, *, settings=None, first_screen: str | None = None,
              demo: bool = False, **settings_kw):
    """``HFTUIApp`` on ``settings`` (or fresh Settings with ``settings_kw``), pointed at ``base_url`` if given.

    ``token``: the token (a string or a ``Secret``) as if resolved from "test", or None for no token at all.
    """
    from hftui.app import HFTUIApp
    from hftui.auth import ResolvedToken, Secret
    from hftui.config import Settings

    if settings is None:
        settings = Settings(**settings_kw)
    if base_url is not None:
        settings = settings.with_base_url(base_url)
    if isinstance(token, str):
        token = Secret(token)
    resolved = ResolvedToken(token, "test") if token is not None else None
    return HFTUIApp(settings, resolved, demo=demo, first_screen=first_screen)
