"""Merges a person overrules: a split stays split and a join stays joined through every later load."""

import shutil
import pytest

from paperdeck.store import open_library
from paperdeck.store.decisions import DecisionError

from .conftest import AS_OF, SEEDS, assert_text_index_in_step


def merged_paper(lib):
    """A seed paper that several listings were merged into."""
    paper_id = lib.db.execute("SELECT id FROM papers WHERE source_count >= 2 ORDER BY id LIMIT 1").fetchone()[0]
    return lib.paper(paper_id)


def test_the_detail_data_says_why_each_listing_joined(seeded_library):
    paper = merged_paper(seeded_library)
    whys = [source.matched_by for source in paper.sources]
    assert "first listing" in whys  # the listing that made the paper
    assert any(why and (why == "same title" or why.startswith(("title ", "abstract "))) for why in whys)


def test_a_split_listing_gets_a_paper_of_its_own_and_stays_split_after_reloads(tmp_path):
    listings = tmp_path / "listings"
    shutil.copytree(SEEDS, listings)
    with open_library(tmp_path / "library.db") as lib:
        lib.load([listings], AS_OF)
        paper = merged_paper(lib)
        before = lib.paper_count()
        listing = paper.sources[-1]
        old, new = lib.split(listing.record_id)
        assert old == paper.id and new != old and lib.paper_count() == before + 1
        assert [s.record_id for s in lib.paper(new).sources] == [listing.record_id]
        assert listing.record_id not in [s.record_id for s in lib.paper(old).sources]
        assert lib.paper(new).sources[0].matched_by == "your split"
        assert_text_index_in_step(lib)

        def holder():
            return lib.db.execute("SELECT r.paper_id FROM records r JOIN files f ON f.id = r.file_id "
                                  "WHERE f.name = ? AND r.idx = ?", [listing.file, listing.index]).fetchone()[0]
        # Its file changed and reloaded, then every file reloaded: still split, still two papers.
        changed = listings / listing.file
        changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        lib.load([listings], AS_OF)
        assert holder() != old and lib.paper_count() == before + 1
        lib.db.execute("UPDATE files SET sha256 = 'changed'")
        lib.load([listings], AS_OF)
        assert holder() != old and lib.paper_count() == before + 1
        assert old in [p for p, in lib.db.execute("SELECT id FROM papers")]
        assert_text_index_in_step(lib)


def test_a_join_makes_one_paper_that_stays_joined_and_keeps_both_users_data(db):
    with open_library(db) as lib:
        a, b = [row[0] for row in lib.db.execute(
            "SELECT id FROM papers WHERE source_count = 1 ORDER BY id LIMIT 2")]
        lib.user.tag([a], add=["mine"])
        lib.user.set_note(b, "the other one's note")
        before = lib.paper_count()
        assert lib.join(a, [b]) == a
        assert lib.paper_count() == before - 1 and lib.paper(b) is None
        joined = lib.paper(a)
        assert len(joined.sources) == 2 and joined.sources[-1].matched_by == "your join"
        note = lib.user.annotation(a)
        assert note.tags == ("mine",) and note.note == "the other one's note"
        lib.load([SEEDS], AS_OF, )  # unchanged files: skipped; now force a reload of every file
        lib.db.execute("UPDATE files SET sha256 = 'changed'")
        lib.load([SEEDS], AS_OF)
        assert lib.paper_count() == before - 1
        assert len(lib.paper(a).sources) == 2
        assert lib.user.annotation(a).tags == ("mine",)
        assert_text_index_in_step(lib)


def test_split_and_join_refuse_what_cannot_be_done(seeded_library):
    lone = seeded_library.db.execute("SELECT id FROM papers WHERE source_count = 1 LIMIT 1").fetchone()[0]
    record = seeded_library.paper(lone).sources[0].record_id
    with pytest.raises(DecisionError, match="only listing"):
        seeded_library.split(record)
    with pytest.raises(DecisionError, match="no listing 999999"):
        seeded_library.split(999999)
    with pytest.raises(DecisionError, match="two papers or more"):
        seeded_library.join(lone, [lone])
    with pytest.raises(DecisionError, match="no paper 999999"):
        seeded_library.join(lone, [999999])


async def test_in_the_browser_m_splits_a_listing_out_and_j_joins_marked_papers(running):
    from paperdeck.tui.screens.listings_screen import ListingsScreen

    from .tui_helpers import paper_list, settle

    app, pilot = running
    lib = app.library
    merged = merged_paper(lib)
    plist = paper_list(app)
    plist.set_cursor(list(plist.ids).index(merged.id))
    before = lib.paper_count()
    await pilot.press("M")
    assert isinstance(app.screen, ListingsScreen)
    await pilot.press("down", "s")
    await settle(app, pilot)
    assert app.screen is app.main_screen and lib.paper_count() == before + 1
    assert len(lib.paper(merged.id).sources) == len(merged.sources) - 1
    # Join it back: mark the two, J.
    new = max(lib.db.execute("SELECT id FROM papers").fetchall())[0]
    plist.marked.clear()
    for paper_id in (merged.id, new):
        plist.set_cursor(list(plist.ids).index(paper_id))
        await pilot.press("space")
    await pilot.press("J")
    await pilot.pause()
    assert type(app.screen).__name__ == "ConfirmJoin"
    await pilot.press("n")  # asked first: no changes nothing
    assert lib.paper_count() == before + 1
    await pilot.press("J", "y")
    await settle(app, pilot)
    assert lib.paper_count() == before and len(lib.paper(merged.id).sources) == len(merged.sources)
    assert not plist.marked and plist.paper_id == merged.id
