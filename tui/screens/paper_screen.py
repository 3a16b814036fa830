"""One paper, full screen: for reading, and the only detail view on a narrow terminal."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from paperdeck.store.models import Paper
from paperdeck.store.userdata import Annotation
from paperdeck.tui.widgets.detail_pane import DetailPane
from paperdeck.tui.widgets.paper_list import PaperList


class PaperScreen(Screen[None]):
    DEFAULT_CSS = """
    PaperScreen #paper-detail {
        padding: 1 2;
        border: none;
    }
    """

    BINDINGS = [
        Binding("escape,q,backspace", "dismiss", "Back", id="paper.back"),
        Binding("c", "cite(False)", "Cite", id="paper.cite", tooltip="Copy this paper's citation"),
        Binding("C", "cite(True)", "Cite as…", id="paper.cite_dialog", tooltip="Preview every style, copy one"),
    ]

    def __init__(self, paper: Paper, terms: list[str], note: Annotation | None = None) -> None:
        super().__init__()
        self.paper = paper
        self.terms = terms
        self.note = note  # what the person added, shown under the facts

    def compose(self) -> ComposeResult:
        yield DetailPane(id="paper-detail")
        yield Footer()

    def on_mount(self) -> None:
        detail = self.query_one(DetailPane)
        detail.show(self.paper, self.terms, self.note)
        detail.focus()

    def action_cite(self, choose: bool) -> None:
        self.post_message(PaperList.CiteRequested([self.paper.id], choose))
