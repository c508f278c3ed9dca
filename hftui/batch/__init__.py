"""Batch runs: push a JSONL file of inputs through an endpoint, a model or a URL.

``runner`` (no Textual) does the work; ``cli`` is ``hftui batch``; the TUI's
``BatchScreen`` drives the same runner.
"""
