"""Naming the current search (Ctrl+S): it is then one Enter away in the filter pane, and
``paperdeck export --saved NAME`` away on the command line."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Footer, Input, Static

from paperdeck.store.saved_searches import SavedSearchError, clean_name


class SaveSearchDialog(ModalScreen[str | None]):
    """Returns the name to save the search under, or None when cancelled."""

    DEFAULT_CSS = """
    SaveSearchDialog { align: center middle; }
    #save-search-body { width: 70%; max-width: 90; height: auto; border: round $accent;
                        background: $surface; padding: 0 1; }
    #save-search-input { margin: 1 0 0 0; }
    #save-search-error { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="save_search.cancel"),
        # Not a priority binding: the box's own Enter, so it runs after the letters typed before it.
        Binding("enter", "apply", "Save", id="save_search.apply", tooltip="Save the search under this name"),
    ]

    def __init__(self, query: str, names: list[str]) -> None:
        super().__init__()
        self.search_query = query
        self.names = names

    def compose(self) -> ComposeResult:
        with Vertical(id="save-search-body") as body:
            body.border_title = "Save search"
            body.border_subtitle = "Enter saves · Esc cancels · → completes a name in use (replaces it)"
            query = Text("Search: ", style=Style(dim=True))
            query.append(self.search_query, Style(bold=True))  # user text: data, never markup
            yield Static(query, id="save-search-query")
            yield Input(placeholder="a name, e.g. thesis reading", id="save-search-input",
                        suggester=SuggestFromList(self.names, case_sensitive=False))
            yield Static(id="save-search-error")
        yield Footer()

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    def action_apply(self) -> None:
        try:
            name = clean_name(self.query_one(Input).value)
        except SavedSearchError as error:
            self.query_one("#save-search-error", Static).update(Text(str(error), style=Style(color="red")))
            return
        self.dismiss(name)
