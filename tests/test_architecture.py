"""store/ is the headless core: the CLI, the benchmarks and the browser use it; it uses none of them."""

import ast
from pathlib import Path

import pytest

STORE = Path(__file__).resolve().parent.parent / "store"


@pytest.mark.parametrize("path", sorted(STORE.rglob("*.py")), ids=lambda p: str(p.relative_to(STORE)))
def test_store_imports_neither_textual_nor_tui(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            assert not name.split(".")[0] in ("textual", "tui"), f"{path.name} imports {name}"
