"""Where the shared fixtures live (``shared/`` beside the repo, as in CI)."""

from pathlib import Path

RECORDED = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "recorded"
SHAPES = RECORDED.parent / "shapes"
