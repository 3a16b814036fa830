"""The browser shows a paper's identifiers, and o opens its own page before its code."""

from paperdeck.store import open_library
from paperdeck.tui.widgets.detail_pane import DetailPane
from paperdeck.tui.widgets.search_box import SearchBox

from .conftest import AS_OF, ROOT
from .tui_helpers import make_app, paper_list, settle

ZOTERO = ROOT / "tests" / "data" / "imports" / "zotero_seeds.bib"


def detail_text(app) -> str:
    return str(app.screen.query_one(DetailPane).query_one("#detail-body").render())


async def test_detail_shows_identifiers_and_o_opens_the_arxiv_page_before_the_code(db, monkeypatch):
    with open_library(db) as lib:
        lib.load([ZOTERO], AS_OF)
    app = make_app(db)
    opened = []
    monkeypatch.setattr(app, "open_url", lambda url, **kwargs: opened.append(url))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        app.query_one(SearchBox).value = "arxiv:2605.10000"  # RankElastor, whose abstract links its code
        await settle(app, pilot)
        assert len(paper_list(app).ids) == 1
        text = detail_text(app)
        assert "arXiv:2605.10000" in text and "https://github.com/vasile-paskardlgm/RankElastor" in text
        assert text.index("https://arxiv.org/abs/2605.10000") < text.index("https://github.com/")
        await pilot.press("enter", "o")
        await pilot.pause()
        assert opened == ["https://arxiv.org/abs/2605.10000"]


async def test_a_paper_known_by_its_doi_opens_the_doi_resolver(db, monkeypatch):
    with open_library(db) as lib:
        lib.load([ZOTERO], AS_OF)
        [paper_id] = lib.search("doi:10.1145/3601512.3601701").ids
        title = lib.paper(paper_id).title
    app = make_app(db)
    opened = []
    monkeypatch.setattr(app, "open_url", lambda url, **kwargs: opened.append(url))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        app.query_one(SearchBox).value = "doi:10.1145/3601512.3601701"
        await settle(app, pilot)
        text = detail_text(app)
        assert title in text and "10.1145/3601512.3601701" in text and "conference paper" in text
        assert "Proceedings of the 48th International ACM SIGIR Conference, pp. 101–111" in text
        await pilot.press("enter", "o")
        await pilot.pause()
        assert opened == ["https://doi.org/10.1145/3601512.3601701"]
