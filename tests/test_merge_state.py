"""The load's merge state in memory (store/merge_state.py) gives the same library as the per-record
path (``Loader(memory=False)``): the same papers with the same ids and provenance, the same authors,
records, blocking keys and full-text index, and user data on the same papers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from paperdeck.store import open_library
from paperdeck.store.loader import Loader

from .conftest import AS_OF, ROOT, SEEDS, assert_text_index_in_step

IMPORTS = ROOT / "tests" / "data" / "imports"
LAYOUTS = ROOT / "tests" / "data" / "layouts"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """benchmarks/make_corpus.py's 2,000 papers, in every listing layout it writes."""
    folder = tmp_path_factory.mktemp("corpus") / "c2k"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_corpus.py"), "2000", str(folder),
                    "--per-file", "300"], check=True, capture_output=True)
    return folder


def library_state(lib) -> dict:
    """Everything a load writes, with authors by name (their ids are only the order they came in)."""
    conn = lib.db.conn
    assert_text_index_in_step(lib)

    def rows(sql: str) -> list[tuple]:
        return conn.execute(sql).fetchall()

    return {
        "papers": rows("SELECT * FROM papers ORDER BY id"),
        "authors": rows("SELECT pa.paper_id, pa.position, a.name FROM paper_authors pa "
                        "JOIN authors a ON a.id = pa.author_id ORDER BY pa.paper_id, pa.position"),
        "author names": rows("SELECT name FROM authors ORDER BY name"),
        "records": rows("SELECT r.id, f.path, r.idx, r.format, r.fields, r.paper_id, r.matched_by "
                        "FROM records r JOIN files f ON f.id = r.file_id ORDER BY r.id"),
        "keys": rows("SELECT key, paper_id FROM match_keys ORDER BY key, paper_id"),
        "text": lib.searcher.index.all_ids(),  # the search index holds every paper (their text: in "papers")
        "user papers": rows("SELECT paper_id, reading, starred, note FROM user_papers ORDER BY paper_id"),
        "user tags": rows("SELECT paper_id, tag FROM user_tags ORDER BY paper_id, tag"),
    }


def load_both(tmp_path: Path, steps) -> tuple[dict, dict, list]:
    """Run ``steps(lib, memory)`` on two fresh libraries, in memory and record by record."""
    states, reports = [], []
    for memory in (True, False):
        with open_library(tmp_path / f"memory_{memory}.db") as lib:
            reports.append(steps(lib, memory))
            states.append(library_state(lib))
    return states[0], states[1], reports


def assert_same(in_memory: dict, per_record: dict) -> None:
    for name in per_record:
        assert in_memory[name] == per_record[name], f"{name} differ"


def test_seeds_corpus_and_reference_files_merge_as_record_by_record(tmp_path, corpus):
    def steps(lib, memory):
        reports = []
        # The seeds, then a corpus whose papers are new, then exports of the seed papers by
        # identifier and title, then pasted pages in other layouts: every rule of matching is used.
        for paths in ([SEEDS], [corpus], sorted(IMPORTS.glob("zotero_seeds.*")) + [IMPORTS / "varied.bib"],
                      [LAYOUTS]):
            report = Loader(lib.db, AS_OF, memory=memory).load(paths)
            reports.append((report.papers_new, report.papers_merged, len(report.failed)))
        return reports

    in_memory, per_record, (memory_counts, record_counts) = load_both(tmp_path, steps)
    assert memory_counts == record_counts
    assert len(in_memory["papers"]) > 2000 and sum(merged for _, merged, _ in memory_counts) > 1000
    assert_same(in_memory, per_record)


def test_user_data_stays_on_the_same_papers(tmp_path, corpus):
    """Tags, notes and stars on seed papers stay put when a load in memory merges new listings into
    them, and when a file is loaded again (the per-record path in both)."""
    edited = tmp_path / "edited"
    edited.mkdir()
    first_seed = sorted(SEEDS.glob("*.txt"))[0]
    lines = first_seed.read_text(encoding="utf-8").splitlines()
    (edited / first_seed.name).write_text("\n".join(lines[: len(lines) // 2]) + "\n", encoding="utf-8")

    def steps(lib, memory):
        Loader(lib.db, AS_OF, memory=memory).load([SEEDS])
        ids = [paper_id for (paper_id,) in lib.db.conn.execute("SELECT id FROM papers ORDER BY id")]
        lib.user.tag(ids[::7], add=["to-read"])
        lib.user.set_starred(ids[::11], True)
        lib.user.set_note(ids[3], "the baseline we compare with")
        Loader(lib.db, AS_OF, memory=memory).load([corpus, *sorted(IMPORTS.glob("zotero_seeds.*"))])
        Loader(lib.db, AS_OF, memory=memory).load([edited / first_seed.name])
        return None

    in_memory, per_record, _ = load_both(tmp_path, steps)
    assert in_memory["user tags"] and in_memory["user papers"]
    assert_same(in_memory, per_record)


def test_a_dry_run_in_memory_previews_what_a_load_would_do(tmp_path, corpus):
    """Each file of a dry run is rolled back, so the state forgets what it took in: the next file is
    matched against the library as it is, as the per-record path does (the preview says the same of
    every record), and the library is unchanged."""
    def steps(lib, memory):
        Loader(lib.db, AS_OF, memory=memory).load([SEEDS])
        report = Loader(lib.db, AS_OF, memory=memory, dry_run=True).load([corpus, IMPORTS / "zotero_seeds.bib"])
        return [(file.path, file.records, file.taken) for file in report.files], report.papers_new, report.papers_merged

    in_memory, per_record, (memory_report, record_report) = load_both(tmp_path, steps)
    assert memory_report == record_report and memory_report[2] > 0
    assert_same(in_memory, per_record)


def test_a_load_in_memory_notes_its_papers_for_search_and_leaves_the_schema_as_it_found_it(tmp_path, corpus):
    """The in-memory write lifts the per-row search triggers for its batch (store/merge_state.py
    ``search_noted_once``): every paper it writes is noted and the generation moves on in the same
    transaction, the triggers are there again after it, and a trigger of someone else's keeps firing."""
    from paperdeck.store import search_index

    with open_library(tmp_path / "library.db") as lib:
        Loader(lib.db, AS_OF).load([SEEDS])
        conn = lib.db.conn
        conn.execute("CREATE TABLE audit (paper_id INTEGER)")
        schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        generation, _ = search_index.library_state(conn)
        known = {paper_id for (paper_id,) in conn.execute("SELECT id FROM papers")}
        Loader(lib.db, AS_OF).load([corpus / sorted(p.name for p in corpus.iterdir())[0]])
        added = {paper_id for (paper_id,) in conn.execute("SELECT id FROM papers")} - known
        assert added
        assert conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() == schema
        assert search_index.library_state(conn)[0] > generation
        noted = {paper_id for (paper_id,) in conn.execute("SELECT paper_id FROM search_dirty")}
        assert added <= noted
        assert_text_index_in_step(lib)  # caught up from what was noted: every paper, found by its title

        conn.execute("CREATE TRIGGER audit_papers AFTER INSERT ON papers BEGIN "
                     "INSERT INTO audit (paper_id) VALUES (new.id); END")
        Loader(lib.db, AS_OF).load([corpus / sorted(p.name for p in corpus.iterdir())[1]])
        audited = {paper_id for (paper_id,) in conn.execute("SELECT paper_id FROM audit")}
        assert audited and audited == {paper_id for (paper_id,) in conn.execute("SELECT id FROM papers")} - known - added
        assert_text_index_in_step(lib)


def test_a_card_list_previewed_in_the_worker_stores_what_it_would_without(tmp_path, corpus):
    """A card list is parsed in the loading process with the names the library knows; the worker's
    preview (parsed without them) only lends the keys and packed rows of records that come out alike."""
    from paperdeck.store.loader import KnownNames
    from paperdeck.store.models import LibraryHints
    from paperdeck.store.reading import prepare_file

    cards = sorted(corpus.glob("cards_*"))[0]
    with open_library(tmp_path / "library.db") as lib:
        Loader(lib.db, AS_OF).load([path for path in corpus.iterdir() if not path.name.startswith("cards_")])
        hints = LibraryHints(known_names=KnownNames(lib.db))
        plain, previewed = prepare_file(cards, None, AS_OF), prepare_file(cards, None, AS_OF, in_worker=True)
        assert plain.result is None and previewed.previewed and previewed.abstract_keys
        for prepared in (plain, previewed):
            prepared.parse(AS_OF, hints)
    assert [r.fields() for r in previewed.result.records] == [r.fields() for r in plain.result.records]
    assert previewed.packed == plain.packed and previewed.abstract_keys == plain.abstract_keys
