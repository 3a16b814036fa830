"""The note editor: one paper's note in a text area. Ctrl+S saves; Esc closes, asking first when
the text was changed, so an edit is never thrown away by a stray key."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea


class UnsavedNote(ModalScreen[str]):
    """Asked on Esc with unsaved changes: returns ``save``, ``discard`` or ``edit`` (keep editing)."""

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


class NoteArea(TextArea):
    """The text area, with every key handled here in the order typed (see SearchBox): Ctrl+S and Esc
    act on the text typed before them, and a Backspace never lands after the letters that follow it."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key in ("ctrl+s", "escape"):
            event.stop()
            event.prevent_default()
            await self.screen.run_action("save" if event.key == "ctrl+s" else "close")
            return
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            event.stop()
            event.prevent_default()
            await self.run_action(binding.action)
            return
        await super()._on_key(event)


class NoteEditor(ModalScreen[str | None]):
    """Returns the edited text to save, or None to leave the note as it was."""

    BINDINGS = [
        # The text area runs these itself, in key order (NoteArea); here for the footer and the help.
        Binding("ctrl+s", "save", "Save", id="note.save", tooltip="Save the note and close"),
        Binding("escape", "close", "Close (asks if changed)", id="note.close",
                tooltip="Close; with unsaved changes, asks whether to save them"),
    ]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.paper_title = title
        self.original = note

    def compose(self) -> ComposeResult:
        with Vertical(id="note-body") as body:
            body.border_title = "Note"
            body.border_subtitle = "Ctrl+S saves · Esc closes (asks if changed)"
            # The title is listing text: a Text, so no markup in it is read.
            yield Static(Text(self.paper_title, style=Style(bold=True), no_wrap=True, overflow="ellipsis"),
                         id="note-title")
            yield NoteArea(self.original, id="note-text", soft_wrap=True, tab_behavior="indent")
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
