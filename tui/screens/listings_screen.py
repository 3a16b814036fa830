"""One paper's listings, and why each was merged into it (``M``): a wrong merge is undone here by
splitting a listing out into a paper of its own, for good."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from paperdeck.store.models import Paper
from paperdeck.tui.render import plain


class ListingsScreen(ModalScreen[int | None]):
    """Returns the id of the listing to split out of the paper, or None."""

    DEFAULT_CSS = """
    ListingsScreen { align: center middle; }
    #listings-body { width: 90%; max-width: 130; height: auto; max-height: 80%; border: round $accent;
                     background: $surface; padding: 0 1; }
    #listings-options { height: auto; max-height: 20; }
    #listings-hint { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("j", "move(1)", "Down", show=False, id="listings.down"),
        Binding("k", "move(-1)", "Up", show=False, id="listings.up"),
        Binding("s", "split", "Split out", id="listings.split", tooltip="Make the highlighted listing a paper of its own"),
        Binding("escape,q", "dismiss(None)", "Close", id="listings.close"),
    ]

    def __init__(self, paper: Paper) -> None:
        super().__init__()
        self.paper = paper

    def compose(self) -> ComposeResult:
        with Vertical(id="listings-body") as body:
            body.border_title = f"Listings of paper {self.paper.id}"
            body.border_subtitle = "s splits the highlighted listing out · Esc closes"
            title = Text("")
            title.append_text(plain(self.paper.title))  # listing text: data, never markup
            title.stylize(Style(bold=True))
            yield Static(title, id="listings-title")
            yield OptionList(*(self._option(source) for source in self.paper.sources), id="listings-options")
            hint = ("A split listing becomes a paper of its own, and no later load merges it back. "
                    "To join papers instead, mark them in the list (Space) and press J.")
            yield Static(Text(hint), id="listings-hint")
        yield Footer()

    def _option(self, source) -> Option:
        text = Text()
        text.append(f"{source.record_id:>6}  ", Style(dim=True))
        text.append_text(plain(source.file))
        text.append(f" #{source.index + 1}, lines {source.line_start}-{source.line_end}, {source.format}",
                    Style(dim=True))
        text.append(f"  merged: {source.matched_by or 'not recorded (an earlier paperdeck)'}")
        return Option(text, id=str(source.record_id))

    def on_mount(self) -> None:
        self.set_focus(self.query_one(OptionList))

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if delta > 0 else options.action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_split()

    def action_split(self) -> None:
        options = self.query_one(OptionList)
        if len(self.paper.sources) < 2:
            self.notify("This paper has one listing: there is nothing to split it from", severity="warning")
            return
        if options.highlighted is None:
            return
        self.dismiss(int(options.get_option_at_index(options.highlighted).id))
