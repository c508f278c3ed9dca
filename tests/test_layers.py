"""The layers of design.md as checks that fail: import contracts (import-linter, read from
pyproject.toml) and "screens never build URLs" (an AST scan of the UI)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = [ROOT / "hftui" / "app.py", *sorted((ROOT / "hftui" / "screens").glob("*.py")),
      *sorted((ROOT / "hftui" / "widgets").glob("*.py"))]
# A service path or a URL being put together: what only hftui.client may do.
_URL_PIECE = re.compile(r"(/(api|v1|v2|models|endpoint|hf-inference|chat/completions)\b)|(^https?://\S*$)")
_URL_BUILDERS = {"urljoin", "urlunsplit", "urlunparse", "quote", "quote_plus", "urlencode"}


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def _url_building(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # f"{base}/api/models/{id}" or f"https://{host}"
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if node.values and any(not isinstance(v, ast.Constant) for v in node.values) and (
                    _URL_PIECE.search(literal) or literal.startswith(("http://", "https://"))):
                found.append(f"line {node.lineno}: f-string {literal!r}")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            for side in (node.left, node.right):
                if isinstance(side, ast.Constant) and isinstance(side.value, str) and _URL_PIECE.search(side.value):
                    found.append(f"line {node.lineno}: concatenation with {side.value!r}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("urllib"):
            bad = {a.name for a in node.names} & _URL_BUILDERS
            if bad:
                found.append(f"line {node.lineno}: imports {sorted(bad)} from {node.module}")
    return found


def test_screens_never_build_urls():
    offenders = {}
    for path in UI:
        found = _url_building(ast.parse(path.read_text(), str(path)))
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert not offenders, offenders


def test_the_url_scan_can_fail():
    sample = ('from urllib.parse import urljoin\n'
              'u = f"{base}/api/models/{name}"\n'
              'v = base + "/v2/endpoint/" + ns\n'
              'w = f"https://{host}"\n')
    assert len(_url_building(ast.parse(sample))) == 4
    assert not _url_building(ast.parse('s = "see https://huggingface.co/settings/tokens"\nt = f"{n} models"'))
