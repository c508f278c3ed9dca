"""Where things are: the repository, the tests, and the shared fixtures (``shared/`` beside the repo, as in CI)."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
RECORDED = ROOT.parent / "shared" / "fixtures" / "recorded"
SHAPES = RECORDED.parent / "shapes"
