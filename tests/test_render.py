"""How stored values are worded on screen (tui/render.py)."""

from paperdeck.tui.render import source_caption


def test_a_listing_named_by_a_machine_is_called_what_it_is():
    assert source_caption("004_04395dc698908d36.txt", "daily_papers", "Apr 14") == "daily papers 004, Apr 14"
    assert source_caption("001_71992ec5251ab252.txt", "arxiv", None) == "arXiv 001"
    assert source_caption("f81d4fae7dec11d0a76500a0c91e6bf6.html", "some_new_layout", None) == \
        "some new layout f81d4f"


def test_a_listing_named_by_a_person_keeps_its_name():
    assert source_caption("cs.IR-march.txt", "arxiv", "cs.IR") == "cs.IR-march.txt"
    assert source_caption("000_ad910b2872e6f041.txt", None, None) == "000_ad910b2872e6f041.txt"
