"""The clipboard routes, tested for real: OSC 52 through tmux, pyperclip through xclip on Xvfb."""

import os
import shutil
import subprocess
import time

import json

import bibtexparser
import pytest

from paperdeck.store import clipboard
from paperdeck.store.cite import CSL_STYLES, pandoc_path
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
def test_osc52_reaches_tmux_buffer(tmp_path):
    tmux = Tmux(tmp_path)
    db = tmp_path / "fresh.db"
    try:
        tmux.run("new-session", "-d", "-s", tmux.session, "-x", "160", "-y", "45", "sleep 60")
        tmux.run("set-option", "-g", "set-clipboard", "on")
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
        tmux.wait_for("Copied")
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
