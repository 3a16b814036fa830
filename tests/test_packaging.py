"""paperdeck installs as itself: one import package, ``paperdeck``, holding store/ and tui/ and the
bundled seeds; nothing under a bare name another distribution could own."""

import ast
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
                           capture_output=True, text=True)
    if built.returncode != 0:
        pytest.skip(f"the wheel could not be built here (pip wheel needs hatchling from the registry): "
                    f"{built.stderr.strip()[-300:]}")
    return next(out.glob("paperdeck-*.whl"))


def test_the_wheel_holds_one_top_level_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"paperdeck", wheel.name.split("-py")[0] + ".dist-info"}
    assert "paperdeck/store/loader.py" in names and "paperdeck/tui/app.py" in names
    assert any(name.startswith("paperdeck/store/bundled_seeds/") for name in names)
    assert not [name for name in names if "__pycache__" in name]


def test_the_installed_wheel_runs_from_its_own_files(wheel, tmp_path):
    """Installed elsewhere (not this checkout), it loads its bundled seeds and names its version."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    program = (
        "import sys; sys.path = [sys.argv[1]] + [p for p in sys.path[1:] if os.path.realpath(p) != sys.argv[2]]\n"
        "import paperdeck.store, paperdeck.tui.cli\n"
        "assert paperdeck.store.__file__.startswith(sys.argv[1]), paperdeck.store.__file__\n"
        "sys.exit(paperdeck.tui.cli.main(['--db', sys.argv[3], 'load']))\n"
    )
    result = subprocess.run([sys.executable, "-c", "import os\n" + program, str(target), str(ROOT),
                             str(tmp_path / "library.db")], capture_output=True, text=True, cwd=tmp_path,
                            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "96 new papers" in result.stdout


def test_no_module_imports_store_or_tui_by_their_bare_names():
    """Inside the repository too, everything goes through ``paperdeck``: a bare ``store`` import
    would load a second copy of the module (and, installed, fail)."""
    offenders = []
    for folder in ("store", "tui", "paperdeck", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
                offenders += [f"{path.relative_to(ROOT)}: {name}" for name in names
                              if name.split(".")[0] in ("store", "tui")]
    assert not offenders
