"""While a large paste is read and previewed (in a worker): how far it has got, and Esc to stop
waiting. The app stays responsive behind it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import LoadingIndicator, Static


class ReadingScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    ReadingScreen { align: center middle; }
    #reading-body { width: 60; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    #reading-spinner { height: 1; }
    #reading-text { height: auto; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Stop waiting", id="reading.cancel",
                        tooltip="Close; nothing is stored")]

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size_text = f"{size / 1024:,.0f} KB" if size >= 1024 else f"{size} characters"

    def compose(self) -> ComposeResult:
        with Vertical(id="reading-body") as body:
            body.border_title = "Reading the paste"
            body.border_subtitle = "Esc stops waiting (nothing is stored)"
            yield LoadingIndicator(id="reading-spinner")
            yield Static(Text(f"{self.size_text}: recognising the layout…"), id="reading-text")

    def show_progress(self, records: int, papers: int) -> None:
        done = (f"{records:,} records matched against the library so far…" if records
                else "recognising the layout and reading its records…")
        self.query_one("#reading-text", Static).update(Text(f"{self.size_text}: {done}"))
