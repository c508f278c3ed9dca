"""Loads the suite's plugin: shared fixtures and the end-of-session token scan (see ``tests/support``)."""

pytest_plugins = ["tests.support.plugin"]
