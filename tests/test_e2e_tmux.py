"""paperdeck as a person runs it: in a real terminal (tmux), typing, reading the screen."""

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"),
]
PAPERDECK = Path(sys.executable).parent / "paperdeck"


class Tmux:
    def __init__(self, tmp_path: Path):
        self.socket = str(tmp_path / "tmux.sock")
        self.session = f"pd{uuid.uuid4().hex[:8]}"

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null", *args], check=True, capture_output=True,
                              text=True).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def wait_until_gone(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while text in self.screen():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} is still on the screen:\n{self.screen()}")
            time.sleep(0.2)

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)


@pytest.fixture
def tmux(tmp_path):
    session = Tmux(tmp_path)
    yield session
    subprocess.run(["tmux", "-S", session.socket, "kill-server"], capture_output=True)


def test_search_for_a_typo_in_a_real_terminal(tmux, tmp_path):
    db = tmp_path / "fresh.db"
    # pytest exports COLUMNS/LINES for its own output; the app must measure the real terminal.
    env = f"-u COLUMNS -u LINES PAPERDECK_DB={db} TERM=xterm-256color"
    tmux.run("new-session", "-d", "-s", tmux.session, "-x", "160", "-y", "45",
             f"env {env} {PAPERDECK} --as-of 2026-11-22")
    tmux.run("resize-window", "-t", tmux.session, "-x", "160", "-y", "45")
    tmux.wait_for("Papers 96")
    tmux.wait_for("Welcome to paperdeck")  # a fresh library gets the bundled seeds, and says so
    tmux.wait_until_gone("Welcome to paperdeck")
    tmux.keys("/")
    tmux.wait_for("Leave search")  # the search box has focus
    tmux.keys("crocodle", literal=True)
    screen = tmux.wait_for("Papers 1 ")
    assert "Crocodile: Cross Experts" in screen
    tmux.keys("Enter")  # to the first result; the detail pane shows it beside the list
    screen = tmux.wait_for("Multi-domain learning (MDL)")
    tmux.keys("Enter")  # into the detail pane, then to its end: the sources it was merged from
    tmux.wait_for("Open link")
    tmux.keys("End")
    screen = tmux.wait_for("002_4369a9b39a05733a.txt")
    assert "001_71992ec5251ab252.txt" in screen
    tmux.keys("q")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if subprocess.run(["tmux", "-S", tmux.socket, "has-session", "-t", tmux.session],
                          capture_output=True).returncode != 0:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("paperdeck did not quit on q")
    assert db.exists()


def test_tag_and_note_in_a_real_terminal_with_the_persons_editor(tmux, tmp_path):
    """t and n as a person uses them, the note passing through $EDITOR (a script that adds a line),
    then the library read back by paperdeck export after the browser quits."""
    import json

    db = tmp_path / "fresh.db"
    editor = tmp_path / "editor.sh"
    editor.write_text('printf "from my editor\\n" >> "$1"\n')
    env = f"-u COLUMNS -u LINES -u VISUAL PAPERDECK_DB={db} TERM=xterm-256color EDITOR='sh {editor}'"
    tmux.run("new-session", "-d", "-s", tmux.session, "-x", "160", "-y", "45",
             f"env {env} {PAPERDECK} --as-of 2026-11-22")
    tmux.run("resize-window", "-t", tmux.session, "-x", "160", "-y", "45")
    tmux.wait_for("Papers 96")
    tmux.keys("/")
    tmux.wait_for("Leave search")
    tmux.keys("crocodile", literal=True)
    tmux.wait_for("Papers 1 ")
    tmux.keys("Enter")
    tmux.wait_for("Multi-domain learning (MDL)")
    tmux.keys("t")
    tmux.wait_for("Tags of 1 paper")
    tmux.keys("reptiles +to-read", literal=True)
    tmux.keys("Enter")
    tmux.wait_for("#reptiles")
    tmux.keys("n")
    tmux.wait_for("Ctrl+S saves")
    tmux.keys("typed here", literal=True)
    tmux.keys("C-o")  # the terminal goes to the editor and comes back
    tmux.wait_for("Back from the editor")
    tmux.keys("C-s")
    tmux.wait_for("Note saved")
    screen = tmux.wait_for("from my editor")  # the detail pane shows the saved note
    assert "typed here" in screen
    tmux.keys("q")
    deadline = time.monotonic() + 10
    while subprocess.run(["tmux", "-S", tmux.socket, "has-session", "-t", tmux.session],
                         capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "paperdeck did not quit on q"
        time.sleep(0.2)
    out = subprocess.run([str(PAPERDECK), "--db", str(db), "export", "tag:reptiles", "has:note"],
                         capture_output=True, text=True, check=True).stdout
    [paper] = json.loads(out)
    assert paper["tags"] == ["reptiles", "to-read"]
    assert paper["note"] == "typed here\nfrom my editor"
