"""The search box: live search as you type, with the field terms of the search language."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input

from paperdeck.tui.key_order import own_binding

PLACEHOLDER = "/ search title, authors, abstract · author:yu cat:IR year:2020..2024 has:code source:004"


class SearchBox(Input):
    """Esc leaves the box (the search stays); Enter jumps to the first result.

    The keys that leave are priority bindings, so they run in the app's own key order: the focus has
    moved before the app routes the next key. A key typed right after Enter therefore reaches the
    list (``c`` cites), never the box, however busy the machine is.
    """

    DEFAULT_CSS = """
    SearchBox {
        border: none;
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    SearchBox:focus {
        border: none;
        background: $primary 25%;
    }
    """

    BINDINGS = [
        Binding("enter", "submit", "Jump to the first result", show=False, id="search.submit", priority=True),
        Binding("escape", "leave", "Leave search", id="search.leave", priority=True,
                tooltip="Back to the list; Esc again clears"),
        Binding("down", "leave", "To results", show=False, id="search.down", priority=True),
    ]

    # The box's text width is its virtual size, new at every key; as Widget declares it, each new
    # one lays out the whole screen (10-30 ms of the UI thread at every keystroke, before the list
    # can repaint). One line without scrollbars: nothing around the box moves, a repaint will do.
    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, results: str, **kwargs) -> None:
        """``results``: the id of the list that leaving the box goes to (a PaperList)."""
        super().__init__(placeholder=PLACEHOLDER, **kwargs)
        self.results = results

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        # Told now, in the keys' order, not when the screen reads Changed: a `j` typed right after
        # Enter must wait for the new list, not move the old one.
        if self.is_mounted:
            self._results().expect_results()

    def _results(self):
        return self.screen.query_one(f"#{self.results}")

    async def _on_key(self, event: events.Key) -> None:
        # The box's editing keys (Backspace, arrows, Ctrl+W...) run here, in the order the keys came.
        # As plain bindings they would run only once the key had bubbled up to the app, after the
        # letters typed behind them were already inserted: "year" + Backspace x4 + "cat" read "yecat".
        action = own_binding(self, event.key)
        if action is not None:
            event.stop()
            event.prevent_default()
            await self.run_action(action)
            return
        await super()._on_key(event)

    def go_to_results(self) -> None:
        # Screen.set_focus, not Widget.focus: focus() defers the move to a later turn of the loop.
        self.screen.set_focus(self._results())

    async def action_submit(self) -> None:
        self.go_to_results()
        await self._results().run_action("first")  # in the keys' order: the keys after Enter count from the top
        await super().action_submit()

    def action_leave(self) -> None:
        self.go_to_results()
