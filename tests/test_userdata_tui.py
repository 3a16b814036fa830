"""The browser shows and persists what the person added: marks, status glyphs, tag and reading filters."""

from paperdeck.tui.widgets.filter_pane import FilterPane

from .tui_helpers import make_app, paper_list, settle


def option_ids(pane: FilterPane) -> list[str]:
    return [pane.get_option_at_index(i).id for i in range(pane.option_count) if pane.get_option_at_index(i).id]


async def test_marks_survive_a_restart(db):
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("space", "space")
        await settle(app, pilot)
        marked = set(paper_list(app).marked)
        assert len(marked) == 2
    again = make_app(db)
    async with again.run_test(size=(160, 45)) as pilot:
        await settle(again, pilot)
        assert paper_list(again).marked == marked


async def test_the_filter_pane_and_the_list_show_tags_and_reading_state(db):
    from paperdeck.store import open_library

    with open_library(db) as lib:
        ids = list(lib.search("").ids)
        lib.user.tag(ids[:3], add=["thesis"])
        lib.user.set_reading(ids[:1], "read")
        lib.user.set_starred(ids[1:2], True)
    app = make_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        pane = app.query_one(FilterPane)
        options = option_ids(pane)
        assert "tag\tthesis" in options and "is\tread" in options and "is\tstarred" in options
        strip = paper_list(app).render_line(0)
        assert "✓" in strip.text  # the first paper (newest first) is read
        pane.highlighted = pane.get_option_index("tag\tthesis")
        pane.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert sorted(paper_list(app).ids) == sorted(ids[:3])


async def test_r_and_star_work_on_the_marked_papers_and_ctrl_z_undoes(running):
    app, pilot = running
    await pilot.press("space", "space", "space")  # three marked
    await settle(app, pilot)
    marked = set(paper_list(app).marked)
    await pilot.press("r", "r", "asterisk")
    await settle(app, pilot)
    notes = app.library.user.annotations(marked)
    assert {n.reading for n in notes.values()} == {"read"}
    assert all(n.starred for n in notes.values())
    assert "★" in paper_list(app).render_line(0).text
    await pilot.press("ctrl+z")
    await settle(app, pilot)
    assert not any(n.starred for n in app.library.user.annotations(marked).values())
    assert sorted(app.library.search("is:read").ids) == sorted(marked)
