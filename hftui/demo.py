"""``--demo``: the emulator on loopback, its own data folder and its own token.

Started from the command line (``hftui --demo``) or from the login screen's Esc.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hftui import clock

if TYPE_CHECKING:
    from hftui.auth import ResolvedToken
    from hftui.emulator import EmulatorHandle


def start_demo(*, seed: int = 0, speed: float = 1.0) -> tuple[EmulatorHandle, ResolvedToken]:
    """The running emulator and the token it accepts; history and settings go to a demo folder."""
    from hftui.auth import ResolvedToken, Secret
    from hftui.config import use_separate_data_dir
    from hftui.emulator import start_background

    use_separate_data_dir("demo")
    # The demo's clock starts today, so ages read naturally; a frozen UI clock
    # (screenshots, tests) keeps the emulator's fixed epoch to match it.
    epoch = None if clock.frozen() else "now"
    emulator = start_background(seed=seed, speed=speed, lazy=True, epoch=epoch)
    return emulator, ResolvedToken(Secret(emulator.token), "demo")
