import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# The same examples on every run, so CI is deterministic; HYPOTHESIS_PROFILE=explore hunts with fresh ones.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

from paperdeck.store import open_library
from paperdeck.store.paths import bundled_seeds

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
# The seeds were copied on or before this day; pinning it keeps year-less dates stable.
AS_OF = dt.date(2026, 11, 22)


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def seed_lines(prefix: str) -> list[str]:
    return seed(prefix).read_text(encoding="utf-8").splitlines()


def assert_text_index_in_step(lib) -> None:
    """The search index's own check (store/search_index.py ``verify``, what ``paperdeck check``
    runs) that it holds exactly the library's papers at the library's generation."""
    from paperdeck.store import search_index

    lib.searcher.index.refresh()  # caught up from search_dirty, as the next search would
    assert search_index.verify(lib.path) == ([], "in step with papers (generation, every id, papers found by their titles, facet counts)")


@pytest.fixture(autouse=True)
def isolated_from_the_developer(monkeypatch, tmp_path_factory):
    """No test reads or writes the settings, library or clipboard of whoever runs the suite:
    every ``PAPERDECK_*`` variable goes, the config and data folders (settings.toml, the default
    library) point at a temporary place, and no editor or browser of theirs is started."""
    for name in list(os.environ):
        if name.startswith("PAPERDECK_"):
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    for name in ("EDITOR", "VISUAL", "BROWSER", "TMUX"):  # (TMUX: a copy would fill their tmux's buffer)
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def library(tmp_path):
    lib = open_library(tmp_path / "library.db")
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> Path:
    """One library file loaded from the seeds; tests copy it rather than load again."""
    path = tmp_path_factory.mktemp("seeded") / "library.db"
    with open_library(path) as lib:
        report = lib.load([bundled_seeds()], AS_OF)
        assert not report.failed
        assert_text_index_in_step(lib)
    return path


@pytest.fixture
def db(seeded_db, tmp_path) -> Path:
    """A private copy of the seeded library file."""
    path = tmp_path / "library.db"
    shutil.copy(seeded_db, path)
    return path


@pytest.fixture
async def running(db):
    """The browser running on a private copy of the seeded library at 160x45, settled on its first
    screen: ``app, pilot = running``."""
    from .tui_helpers import make_app, settle

    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        yield app, pilot


@pytest.fixture
def seeded_library(db):
    lib = open_library(db)
    yield lib
    lib.close()
