"""Asked before ``J`` joins papers: a join is for good (every later load keeps them together), so
the papers are named first. ``y`` or Enter joins; ``n`` or Esc changes nothing."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from paperdeck.tui.render import plain

SHOWN = 8


class ConfirmJoin(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmJoin { align: center middle; }
    #join-body { width: 80%; max-width: 100; height: auto; border: round $warning; background: $surface;
                 padding: 0 1; }
    """
    BINDINGS = [
        Binding("y,enter", "dismiss(True)", "Join", id="join.confirm", priority=True),
        Binding("n,escape", "dismiss(False)", "Cancel", id="join.cancel", priority=True),
    ]

    def __init__(self, titles: list[str], keep: str) -> None:
        super().__init__()
        self.titles = titles
        self.keep = keep

    def compose(self) -> ComposeResult:
        with Vertical(id="join-body") as body:
            body.border_title = f"Join {len(self.titles)} papers into one?"
            body.border_subtitle = "y or Enter joins · n or Esc cancels"
            text = Text()
            for title in self.titles[:SHOWN]:
                text.append("• ")
                text.append_text(plain(title))  # listing text: data, never markup
                text.append("\n")
            if len(self.titles) > SHOWN:
                text.append(f"… and {len(self.titles) - SHOWN} more\n", Style(dim=True))
            text.append("\nThey become one paper (the oldest, ", Style(dim=True))
            text.append_text(plain(self.keep))
            text.append("), with every listing, tag and note; every later load keeps them together. "
                        "M then s splits a listing out again (Ctrl+Z does not undo a join).", Style(dim=True))
            yield Static(text)
        yield Footer()
