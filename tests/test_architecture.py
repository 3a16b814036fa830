"""store/ is the headless core: the CLI, the benchmarks and the browser use it; it uses none of them."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STORE = ROOT / "store"


@pytest.mark.parametrize("path", sorted(STORE.rglob("*.py")), ids=lambda p: str(p.relative_to(STORE)))
def test_store_imports_neither_textual_nor_tui(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            assert not name.split(".")[0] == "textual" and not name.startswith("paperdeck.tui"), \
                f"{path.name} imports {name}"


def test_import_contracts_hold():
    """The contracts in pyproject.toml's [tool.importlinter]: store imports no Textual, parsers no
    matching or database."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        pytest.skip(f"import-linter is not installed beside {sys.executable} (pip install import-linter)")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_paperdeck_load_never_imports_textual(tmp_path):
    """The command line starts fast: loading, exporting and citing import no Textual."""
    env = {**os.environ, "PAPERDECK_DB": str(tmp_path / "library.db")}
    for command in (["load", str(ROOT / "seeds")], ["export", "--format", "bibtex", "transformer"], ["cite", "transformer"]):
        result = subprocess.run([sys.executable, "-X", "importtime", "-m", "paperdeck", *command],
                                cwd=tmp_path, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-2000:]
        imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
        assert "paperdeck.store.loader" in imported or command[0] != "load"
        assert not {name for name in imported if name.split(".")[0] == "textual" or name == "paperdeck.tui.app"}, command


def test_the_browser_opens_a_library_without_sqlite_utils_or_its_dialogs(db):
    """The first paint's imports (issue 17: ≤ 0.3 s at 1M papers): the browser opens and searches
    a library with SQL alone; sqlite-utils (70 ms with its plugin scan) and the dialogs come when used."""
    probe = (
        "import sys\n"
        "from paperdeck.tui.app import PaperdeckApp\n"
        "from paperdeck.store import open_library\n"
        "from paperdeck.store.query import parse_query\n"
        f"library = open_library({str(db)!r})\n"
        "assert library.paper_count() and library.search('transformer', limit=20, ranked=False).ids\n"
        "assert library.facets(parse_query('transformer')).total\n"
        "late = [name for name in sys.modules if name.split('.')[0] == 'sqlite_utils'\n"
        "        or name.startswith(('paperdeck.tui.screens.cite_dialog', 'paperdeck.tui.screens.note_editor',\n"
        "                            'paperdeck.tui.screens.tag_dialog', 'textual.widgets._text_area'))]\n"
        "print(late)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
