"""The clipboard routes, tested for real: OSC 52 through tmux, pyperclip through xclip on Xvfb."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import json

import bibtexparser
import pytest

from paperdeck.store import clipboard
from paperdeck.store.cite import CSL_STYLES, STYLES, pandoc_path
from paperdeck.store.cite import formatted
from paperdeck.store.cite.csl import csl_item
from paperdeck.store.settings import Settings

from .test_e2e_tmux import PAPERDECK, Tmux
from .tui_helpers import make_app, paper_list, settle


def citing_app(db):
    """The browser with BibTeX as the default style and the clipboard forced to OSC 52."""
    app = make_app(db)
    app.settings = Settings(cite_style="bibtex", clipboard="osc52")
    return app


async def show_crocodile(app, pilot):
    await settle(app, pilot)
    app.query_one("#search").value = "crocodile"
    await settle(app, pilot)


async def test_c_copies_bibtex_of_the_paper_under_the_cursor(db):
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await show_crocodile(app, pilot)
        await pilot.press("c")
        entries = bibtexparser.parse_string(app.clipboard).entries
        assert [e.key for e in entries] == ["lin2024crocodile"]
        assert app.clipboard == app.last_copied


async def test_marked_papers_are_copied_as_one_bibliography(db):
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        plist = paper_list(app)
        await pilot.press("space", "j", "space", "space")
        assert len(plist.marked) == 3
        await pilot.press("c")
        keys = [e.key for e in bibtexparser.parse_string(app.clipboard).entries]
        assert keys == [app.library.cite_keys([i])[i] for i in plist.ids if i in plist.marked]
        await pilot.press("u")
        assert not plist.marked


async def rendered_preview(app, pilot) -> str:
    """The dialog's preview once its worker has rendered the highlighted style (a state, not a time)."""
    for _ in range(1000):
        preview = str(app.screen.query_one("#cite-text").render())
        if not preview.startswith("Rendering"):
            return preview
        await pilot.pause(0.01)
    raise AssertionError(f"the preview never arrived: {preview!r}")


async def test_cite_dialog_previews_and_copies_the_chosen_style(db):
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await show_crocodile(app, pilot)
        await pilot.press("C")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CiteDialog"
        await pilot.press("j", "j", "j", "j")  # BibTeX, BibLaTeX, RIS, CSL-JSON, then APA
        preview = await rendered_preview(app, pilot)
        assert "Lin, Z., Pan, J." in preview
        await pilot.press("enter")
        await pilot.pause()
        assert app.clipboard.startswith("Lin, Z., Pan, J.") and "(2024)" in app.clipboard
        await pilot.press("C", "escape")
        assert app.screen.__class__.__name__ != "CiteDialog"


def test_pyperclip_failure_is_a_message_not_a_traceback(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # no xclip, xsel or wl-copy to be found
    sent = []
    assert clipboard.copy("hello", "auto", sent.append).startswith("terminal clipboard (OSC 52")
    assert sent == ["hello"]
    with pytest.raises(clipboard.ClipboardError) as error:
        clipboard.copy("hello", "system", sent.append)
    assert "no system clipboard" in str(error.value)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
@pytest.mark.parametrize("setting, notice", [
    ("on", "terminal clipboard (OSC 52)"),
    ("external", "tmux's paste buffer, and through tmux the terminal clipboard"),  # tmux's default
    ("off", "tmux's paste buffer (prefix ]); for the terminal clipboard too"),
])
def test_a_copy_inside_tmux_reaches_its_paste_buffer_whatever_set_clipboard_says(tmp_path, setting, notice):
    """With set-clipboard on tmux stores the app's OSC 52 itself; with external (the default) or off
    it drops it, so the text goes to tmux's paste buffer too, and the notice says which happened."""
    tmux = Tmux(tmp_path)
    db = tmp_path / "fresh.db"
    try:
        tmux.run("new-session", "-d", "-s", tmux.session, "-x", "160", "-y", "45", "sleep 60")
        tmux.run("set-option", "-g", "set-clipboard", setting)
        env = f"-u COLUMNS -u LINES -u DISPLAY -u WAYLAND_DISPLAY PAPERDECK_DB={db} PAPERDECK_CLIPBOARD=osc52 TERM=xterm-256color"
        tmux.run("new-window", "-t", tmux.session, f"env {env} {PAPERDECK} --as-of 2026-11-22")
        tmux.run("resize-window", "-t", tmux.session, "-x", "160", "-y", "45")
        tmux.wait_for("Papers 96")
        tmux.keys("/")
        tmux.wait_for("Leave search")
        tmux.keys("crocodile", literal=True)
        tmux.wait_for("Papers 1 ")
        tmux.keys("Enter")
        tmux.keys("c")
        copied = tmux.wait_for("Copied")
        toast = " ".join(line.split("▌", 1)[1].rstrip(" │") for line in copied.splitlines() if "▌" in line)
        assert notice in " ".join(toast.split()), toast
        assert (setting == "off") == ("set-clipboard on" in toast)  # advice only where it is needed
        assert len(tmux.run("list-buffers").splitlines()) == 1  # one copy, one buffer
        buffer = tmux.run("show-buffer")
        entries = bibtexparser.parse_string(buffer).entries
        assert [e.key for e in entries] == ["lin2024crocodile"]
    finally:
        subprocess.run(["tmux", "-S", tmux.socket, "kill-server"], capture_output=True)


@pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xclip")),
                    reason="needs Xvfb and xclip (.ci/run installs them with apt-get)")
def test_pyperclip_route_with_xclip_on_xvfb(monkeypatch):
    display = f":{90 + os.getpid() % 9}"
    server = subprocess.Popen(["Xvfb", display, "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        monkeypatch.setenv("DISPLAY", display)
        for _ in range(100):  # until the X server answers
            probe = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True)
            if "open display" not in probe.stderr:
                break
            time.sleep(0.1)
        route = clipboard.copy("@misc{x, title={Zoë}}", "auto", lambda text: pytest.fail("fell back to OSC 52"))
        assert route == "system clipboard"
        pasted = ""
        for _ in range(50):  # xclip serves the selection from a child it forks; give it a moment
            pasted = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True,
                                    timeout=5).stdout
            if pasted:
                break
            time.sleep(0.1)
        assert pasted == "@misc{x, title={Zoë}}"
    finally:
        server.terminate()
        server.wait(timeout=5)


@pytest.mark.skipif(not pandoc_path(), reason="pandoc (the CSL processor) is not installed; pip install pypandoc-binary")
async def test_a_resting_cursor_renders_its_citations_ahead_and_the_dialog_opens_with_them(db, monkeypatch):
    """The formatted styles of the paper under a resting cursor are rendered in the background, so
    the dialog's previews need no pandoc run of their own; a formatted style opened cold says
    "Rendering…" (the UI thread never waits for pandoc) until its text arrives."""
    app = citing_app(db)
    app.settings = Settings(cite_style="apa", clipboard="osc52")
    async with app.run_test(size=(160, 45)) as pilot:
        formatted._cache.clear()
        await show_crocodile(app, pilot)
        paper = app.library.paper(paper_list(app).paper_id)
        items = json.dumps([csl_item(paper, paper.citation_key)], ensure_ascii=False, sort_keys=True)
        for _ in range(1000):  # the rest timer fires, then its worker renders six styles
            if all((items, style) in formatted._cache for style in CSL_STYLES):
                break
            await pilot.pause(0.01)
        assert all((items, style) in formatted._cache for style in CSL_STYLES)
        runs = []
        original = formatted.pandoc_references
        monkeypatch.setattr(formatted, "pandoc_references",
                            lambda *args, **kwargs: runs.append(args) or original(*args, **kwargs))
        await pilot.press("C")
        assert "Lin, Z., Pan, J." in await rendered_preview(app, pilot)
        await app.workers.wait_for_complete()
        await pilot.press("escape", "c")
        assert runs == [] and app.clipboard.startswith("Lin, Z., Pan, J.")


# What each style guide prints for an author list, written from the guides (not from paperdeck):
# APA 7 (10.2, 9.8: up to 20 names, initials, "&"; a list the listing truncates ends "et al."), MLA 9
# (5.37: one name, then "et al." for three or more), Chicago 18 author-date (13.76: more than six
# names, the first three and "et al."), IEEE (more than six: the first and "et al."; a truncated
# list shorter than that: all it shows and "et al."), Harvard, Cite
# Them Right (four or more: the first and "et al."), Vancouver / Citing Medicine (more than six: the
# first six and "et al."; initials without stops or hyphens).
def _initials(given: str, stop: str = ".", hyphen: str = "-") -> str:
    parts = [part for part in given.replace("-", " - ").split() if part]
    return "".join(hyphen if part == "-" else part[0] + stop for part in parts)


def style_guide_authors(style: str, names: list[str], truncated: bool) -> str:
    people = [(n.rsplit(" ", 1)[1], n.rsplit(" ", 1)[0]) for n in names]  # (family, given): simple names
    apa = [f"{family}, {' '.join(_initials(g) for g in given.split())}" for family, given in people]
    if style == "apa":
        return ", ".join(apa[:19]) + ", et al." if truncated or len(people) > 20 else None
    if style == "mla":
        family, given = people[0]
        return f"{family}, {given}, et al."
    if style == "chicago":
        (f1, g1), *rest = people[:3]
        return f"{f1}, {g1}, " + ", ".join(f"{g} {f}" for f, g in rest) + ", et al."
    if style == "ieee":  # a truncated list of under seven names may be seven or more: all it shows, et al.
        ieee = [f"{' '.join(_initials(g) for g in given.split())} {family}" for family, given in people]
        return f"{ieee[0]} et al.," if len(people) > 6 else ", ".join(ieee) + ", et al.,"
    if style == "harvard":
        return f"{apa[0]} et al."
    if style == "vancouver":
        return ", ".join(f"{family} {_initials(given, '', '')}" for family, given in people[:6]) + ", et al."


PARTICLES = {  # "Diego de las Casas" and "Jean-Pierre Dupont Jr.", both named in full
    "apa": "de las Casas, D., & Dupont, J.-P., Jr. (2023).",
    "mla": "de las Casas, Diego, and Jean-Pierre Dupont Jr. “On the Convergence",
    "ieee": "D. de las Casas and J.-P. Dupont Jr., “On the Convergence",
    "harvard": "de las Casas, D. and Dupont, J.-P., Jr. (2023)",
    "vancouver": "de las Casas D, Dupont JP Jr. On the Convergence",
}


@pytest.mark.skipif(not pandoc_path(), reason="the formatted styles render through pandoc (pypandoc-binary)")
async def test_c_copies_the_style_guides_author_lists(db, tmp_path):
    """The seed papers with the longest (and truncated) author list and a short truncated one, and a
    pasted listing's particles and suffix: ``c`` in each formatted style copies the guide's form."""
    from paperdeck.store import open_library

    layouts = Path(__file__).parent / "data" / "layouts" / "arxiv_search_oneline.txt"
    with open_library(db) as library:
        library.load([layouts])
    app = citing_app(db)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        for query in ('"Practice on Long Behavior"', "RankUp", "author:casas"):
            app.query_one("#search").value = query
            await settle(app, pilot)
            paper = app.library.papers([paper_list(app).ids[0]])[0]
            for style in CSL_STYLES:
                app.settings.cite_style = style
                await pilot.press("c")
                copied = app.clipboard
                if query == "author:casas":
                    if style in PARTICLES:
                        assert PARTICLES[style] in copied, (style, copied)
                    continue
                assert not paper.authors_complete
                expected = style_guide_authors(style, paper.authors, truncated=True)
                assert expected in copied, (style, expected, copied)
                assert "others" not in copied and copied.rstrip().endswith((".", ".”", ")")), (style, copied)


async def test_cite_dialog_reads_a_long_preview_by_keyboard(db):
    """The 25-author entry's BibTeX is longer than the preview at 80x24: PgDn scrolls it while the
    style list keeps the focus; g/G go to the first and last style; Tab does not lose the list."""
    from textual.containers import VerticalScroll
    from textual.widgets import OptionList

    app = citing_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.query_one("#search").value = '"Practice on Long Behavior"'
        await settle(app, pilot)
        await pilot.press("C")
        await pilot.pause()
        dialog = app.screen
        styles, preview = dialog.query_one(OptionList), dialog.query_one("#cite-preview", VerticalScroll)
        await pilot.press("G", "g")
        assert styles.highlighted_option.id == "bibtex"
        await pilot.press("tab")
        assert app.focused is styles
        assert preview.max_scroll_y > 0 and preview.scroll_y == 0
        await pilot.press("pagedown")
        for _ in range(200):  # the scroll animates: wait for it to move
            if preview.scroll_y > 0:
                break
            await pilot.pause(0.01)
        assert preview.scroll_y > 0 and styles.highlighted_option.id == "bibtex"
        await pilot.press("G")
        assert styles.highlighted_option.id == STYLES[-1]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not dialog and app.last_copied



async def test_the_cite_dialog_only_ever_shows_the_highlighted_style(db, monkeypatch):
    """Opened on APA (the default style), the preview says "Rendering APA 7…" and then shows APA:
    never, even for a frame, the text of the style at the top of the list (found by a new user)."""
    from textual.widgets import Static

    app = make_app(db)
    app.settings = Settings(cite_style="apa", clipboard="osc52")
    shown = []
    update = Static.update

    def recording(self, content="", *args, **kwargs):
        if self.id == "cite-text":
            shown.append(str(content))
        return update(self, content, *args, **kwargs)

    monkeypatch.setattr(Static, "update", recording)
    async with app.run_test(size=(80, 24)) as pilot:
        await show_crocodile(app, pilot)
        await pilot.press("C")
        preview = await rendered_preview(app, pilot)
        assert "Lin, Z., Pan, J." in preview
        assert shown and all(text == "Rendering APA 7…" or "Lin, Z., Pan, J." in text for text in shown), shown
