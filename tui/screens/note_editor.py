"""The note editor: one paper's note in a text area. Ctrl+S saves; Esc closes, asking first when
the text was changed, so an edit is never thrown away by a stray key."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea

from paperdeck.tui.widgets.ordered_text_area import OrderedTextArea


def external_editor() -> str | None:
    """The person's own editor: $VISUAL, else $EDITOR (None when neither is set)."""
    return (os.environ.get("VISUAL") or os.environ.get("EDITOR") or "").strip() or None


def edit_externally(text: str, editor: str) -> str:
    """Run ``editor`` (a command line, as $EDITOR holds it) on a temporary file holding ``text``;
    returns the file's text when the editor exits. Raises OSError or CalledProcessError."""
    with tempfile.TemporaryDirectory(prefix="paperdeck-note-") as folder:
        path = Path(folder) / "note.md"
        # A text file ends with a newline, as editors write it: what they add starts on a line of its own.
        path.write_text(text if not text or text.endswith("\n") else text + "\n", encoding="utf-8")
        subprocess.run([*shlex.split(editor), str(path)], check=True)
        return path.read_text(encoding="utf-8").removesuffix("\n")


class UnsavedNote(ModalScreen[str]):
    """Asked on Esc with unsaved changes: returns ``save``, ``discard`` or ``edit`` (keep editing)."""

    DEFAULT_CSS = """
    UnsavedNote {
        align: center middle;
    }
    #unsaved-body {
        width: auto;
        max-width: 80;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 1 2;
    }
    """

    BINDINGS = [
        Binding("s,enter", "dismiss('save')", "Save", id="unsaved.save", priority=True),
        Binding("d", "dismiss('discard')", "Discard", id="unsaved.discard"),
        Binding("escape", "dismiss('edit')", "Keep editing", id="unsaved.edit", priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="unsaved-body") as body:
            body.border_title = "The note has changes"
            yield Static(Text("s or Enter saves them · d discards them · Esc goes back to editing"))
        yield Footer()


class NoteEditor(ModalScreen[str | None]):
    """Returns the edited text to save, or None to leave the note as it was."""

    AREA_ACTIONS = frozenset({"save", "close", "external"})  # the editor's keys, not the text's
    DEFAULT_CSS = """
    NoteEditor {
        align: center middle;
    }
    #note-body {
        width: 90%;
        max-width: 120;
        height: 80%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #note-text {
        height: 1fr;
    }
    """

    BINDINGS = [
        # The text area runs these itself, in key order (OrderedTextArea); here for the footer and the help.
        Binding("ctrl+s", "save", "Save", id="note.save", tooltip="Save the note and close"),
        Binding("escape", "close", "Close (asks if changed)", id="note.close",
                tooltip="Close; with unsaved changes, asks whether to save them"),
        Binding("ctrl+o", "external", "$EDITOR", id="note.external",
                tooltip="Edit the text in $VISUAL or $EDITOR; back here, Ctrl+S saves it"),
    ]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.paper_title = title
        self.original = note

    def compose(self) -> ComposeResult:
        with Vertical(id="note-body") as body:
            body.border_title = "Note"
            body.border_subtitle = "Ctrl+S saves · Esc closes (asks if changed)" + (
                " · Ctrl+O $EDITOR" if external_editor() else "")
            # The title is listing text: a Text, so no markup in it is read.
            yield Static(Text(self.paper_title, style=Style(bold=True), no_wrap=True, overflow="ellipsis"),
                         id="note-title")
            yield OrderedTextArea(self.original, id="note-text", soft_wrap=True, tab_behavior="indent")
        yield Footer()

    def focus_field(self) -> None:
        self.set_focus(self.query_one(TextArea))

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.move_cursor(area.document.end)
        self.focus_field()

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def action_save(self) -> None:
        self.dismiss(self.text if self.changed else None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "external" and external_editor() is None:
            return None  # shown disabled: there is no editor to hand the text to
        return True

    def action_external(self) -> None:
        editor = external_editor()
        if editor is None:
            self.notify("Set $EDITOR (or $VISUAL) to write notes in your own editor", severity="warning")
            return
        from textual.app import SuspendNotSupported

        try:
            with self.app.suspend():
                text = edit_externally(self.text, editor)
        except SuspendNotSupported:
            self.notify("This terminal cannot be handed to an editor; edit here", severity="warning")
        except (OSError, subprocess.CalledProcessError) as error:
            self.notify(f"{editor} failed ({error}); the text here is unchanged", severity="error")
        else:
            self.query_one(TextArea).load_text(text)
            self.notify("Back from the editor: Ctrl+S saves", timeout=3)

    def action_close(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return

        def answered(answer: str | None) -> None:
            if answer == "save":
                self.dismiss(self.text)
            elif answer == "discard":
                self.dismiss(None)

        self.app.push_screen(UnsavedNote(), answered)
