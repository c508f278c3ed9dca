"""Getting to the app's screens like a user: wait for the connection, switch, wait for the first polls."""

from __future__ import annotations

from tests.support.pilot import wait_until


async def connected(pilot, timeout: float = 20.0) -> None:
    """The app has checked the token and built its client (what a user waits for after start-up)."""
    app = pilot.app
    await wait_until(pilot, lambda: app.whoami is not None and app.client is not None, timeout, "the app to connect")


async def current_screen(pilot, screen_type: type | str, timeout: float = 20.0):
    """Wait until the screen on top is a mounted ``screen_type`` (a class or a class name); returns it."""
    app = pilot.app

    def matches(screen) -> bool:
        if isinstance(screen_type, str):
            return type(screen).__name__ == screen_type
        return isinstance(screen, screen_type)

    name = screen_type if isinstance(screen_type, str) else screen_type.__name__
    screen = await wait_until(pilot, lambda: app.screen if matches(app.screen) and app.screen.is_mounted else None,
                              timeout, f"the {name}")
    await pilot.pause()
    return screen


async def go(pilot, name: str, timeout: float = 20.0):
    """Switch to screen ``name`` (a key of ``hftui.app.SCREENS``) once connected, like a user; returns it."""
    from hftui.app import SCREENS

    _module, cls, _ = SCREENS[name]
    await connected(pilot, timeout)
    await pilot.app.run_action(f"switch_to('{name}')")
    return await current_screen(pilot, cls, timeout)


async def endpoints_screen(pilot, polls: int = 1, *, loaded: bool = True, timeout: float = 20.0):
    """The Endpoints screen after its first ``polls`` polls (and, if ``loaded``, a listing in the table)."""
    from hftui.screens.endpoints import EndpointsScreen

    app = pilot.app

    def ready():
        screen = app.screen
        if isinstance(screen, EndpointsScreen) and screen.poll_count >= polls and (screen.table.loaded or not loaded):
            return screen
        return None

    screen = await wait_until(pilot, ready, timeout, "the endpoints screen")
    await pilot.pause()
    return screen
