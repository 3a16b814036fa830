"""The tag dialog: one line that adds and removes tags on the chosen papers (``+ml -todo survey``)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Footer, Input, Static

from paperdeck.store.userdata import UserDataError, parse_tag_edit


class SuggestTag(Suggester):
    """Completes the word being typed (after ``+`` or ``-``) from the tags in use, most used first.

    Textual's ``SuggestFromList`` completes the whole line; here each word is its own tag.
    """

    def __init__(self, tags: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)  # matched case-blind below, typed case kept
        self.tags = tags

    async def get_suggestion(self, value: str) -> str | None:
        if not value or value[-1] in " ,":
            return None
        word = value.replace(",", " ").split(" ")[-1].lstrip("+-")
        if not word:
            return None
        folded = word.casefold()
        for tag in self.tags:
            if tag.casefold().startswith(folded) and len(tag) > len(word):
                return value + tag[len(word):]
        return None


class TagDialog(ModalScreen[tuple[list[str], list[str]] | None]):
    """Returns the tags to add and to remove, or None when closed without a change."""

    DEFAULT_CSS = """
    TagDialog {
        align: center middle;
    }
    #tag-body {
        width: 80%;
        max-width: 90;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #tag-input {
        margin: 1 0 0 0;
    }
    #tag-error {
        height: auto;
    }
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="tag.cancel"),
        # Not a priority binding: the box's own Enter, so it runs after the letters typed before it.
        Binding("enter", "apply", "Apply", id="tag.apply", tooltip="Add the plain and +names, remove the -names"),
    ]

    def __init__(self, count: int, current: list[tuple[str, int]], in_use: list[str]) -> None:
        """``current``: the chosen papers' tags and how many of them carry each; ``in_use``: every tag."""
        super().__init__()
        self.count = count
        self.current = current
        self.in_use = in_use

    def compose(self) -> ComposeResult:
        with Vertical(id="tag-body") as body:
            body.border_title = f"Tags of {self.count} paper{'s' if self.count != 1 else ''}"
            body.border_subtitle = "Enter applies · Esc cancels · → completes"
            yield Static(self.current_text(), id="tag-current")
            yield Input(placeholder="name +name adds · -name removes", suggester=SuggestTag(self.in_use),
                        id="tag-input")
            yield Static(id="tag-error")
        yield Footer()

    def current_text(self) -> Text:
        if not self.current:
            return Text("No tags yet.", style=Style(dim=True, italic=True))
        text = Text("Now: ", style=Style(dim=True))
        for index, (name, carriers) in enumerate(self.current):
            if index:
                text.append("  ")
            text.append(name, Style(bold=True))  # a tag is user text: appended as data, never markup
            if carriers != self.count:
                text.append(f" ({carriers} of {self.count})", Style(dim=True))
        return text

    def focus_field(self) -> None:
        self.set_focus(self.query_one(Input))

    def on_mount(self) -> None:
        self.focus_field()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def action_apply(self) -> None:
        text = self.query_one(Input).value
        try:
            add, remove = parse_tag_edit(text)
        except UserDataError as error:
            self.query_one("#tag-error", Static).update(Text(str(error), style=Style(color="red")))
            return
        self.dismiss((add, remove) if add or remove else None)
