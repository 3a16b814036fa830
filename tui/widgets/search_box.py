"""The search box: live search as you type, with the field terms of the search language."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

PLACEHOLDER = "/ search title, authors, abstract · author:yu cat:IR year:2020..2024 has:code source:004"


class SearchBox(Input):
    """Esc leaves the box (the search stays); Enter jumps to the first result."""

    BINDINGS = [
        Binding("escape", "leave", "Leave search", id="search.leave", tooltip="Back to the list; Esc again clears"),
        Binding("down", "leave", "To results", show=False, id="search.down"),
    ]

    class Left(Message):
        """The user is done typing for now."""

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder=PLACEHOLDER, **kwargs)

    def action_leave(self) -> None:
        self.post_message(self.Left())
