"""Helpers shared by every test folder, loaded as the pytest plugin ``tests.support.plugin``.

- ``plugin``: the plugin itself (``pytest_plugins`` in ``tests/conftest.py``): registers the fixtures
  below and, once every test has run, the token scan;
- ``env``: the autouse ``isolated_env`` (own config/data/cache dirs, no machine token, a frozen clock);
- ``emulator``: ``running_emulator()`` and the ``emulator`` / ``still_emulator`` / ``settings`` /
  ``token`` fixtures;
- ``app``: ``hftui_app()``, the real app pointed at a server;
- ``pilot``: ``wait_until()`` and ``screen_text()`` for Pilot tests;
- ``screens``: waiting for / switching to the app's screens like a user;
- ``cli``: the environment that points the ``hftui`` command at a server;
- ``token_scan``: what the end-of-session token scan looks at;
- ``paths``: where the repository, the tests and the shared recorded fixtures are.

Import them as ``from tests.support.pilot import wait_until``.
"""
