"""The filter pane: facets of what the search matches, with live counts; Enter toggles one."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from paperdeck.store.search import Facets
from paperdeck.store.saved_searches import SavedSearch
from paperdeck.tui.key_order import own_binding
from paperdeck.tui.render import plain, source_caption

BARS = "▁▂▃▄▅▆▇█"
SEP = "\t"
MAX_SOURCES = 15  # source lists shown, those with most matches
ACTIVE = "active:"  # option ids of active filters; their value twins below keep the plain id


def filter_token(field: str, value: str) -> str:
    """The search-language term for a filter: ``cat:IR``, ``source:"a b"``."""
    return f'{field}:"{value}"' if " " in value else f"{field}:{value}"


class FilterPane(OptionList):
    """Selecting a value narrows the list; active filters are listed first, and selecting one removes it."""

    DEFAULT_CSS = """
    FilterPane {
        width: 28;
        height: 1fr;
        max-height: 100%;
        border: round $panel-lighten-2;
        padding: 0;
    }
    FilterPane:focus {
        border: round $accent;
    }
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="filters.down"),
        Binding("k", "cursor_up", "Up", show=False, id="filters.up"),
        Binding("enter,space", "select", "Toggle filter", id="filters.toggle"),
        Binding("x,delete", "clear_filters", "Clear filters", id="filters.clear"),
    ]

    class Toggled(Message):
        def __init__(self, field: str, value: str) -> None:
            super().__init__()
            self.field = field
            self.value = value

    class Cleared(Message):
        """Every filter removed."""

    _shown: tuple[Facets, list[tuple[str, str]], list[SavedSearch]] | None = None
    _shown_width = 0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._early_actions: list[str] = []  # keys' actions typed before there was anything to move over

    def show(self, facets: Facets, active: list[tuple[str, str]], saved: list[SavedSearch] = ()) -> None:
        """Fill the pane; labels are cut to its real width, so this waits for the first layout and
        runs again whenever the width changes (sized before layout, labels read ``20… 11``).
        Saved searches come first: Enter on one puts its text in the search box."""
        shown = (facets, list(active), list(saved))
        width = self.scrollable_content_region.width
        if shown == self._shown and width == self._shown_width and self.option_count:
            return  # the same counts again (a keystroke that changed no match): nothing to rebuild
        self._shown = shown
        if width <= 0:
            return  # not laid out yet: on_resize fills it from the real width
        self._shown_width = width
        highlighted = self.highlighted_option.id if self.highlighted_option is not None else None
        options: list[Option | None] = []
        room = max(8, self.scrollable_content_region.width - 2)
        seen: set[str] = set()

        def heading(text: str) -> None:
            options.append(Option(Text(text, style=Style(bold=True)), disabled=True))


        def value(field: str, key: str, label: Text, count: int | None) -> None:
            option_id = f"{field}{SEP}{key}"
            if option_id in seen:
                return  # one option per value (OptionList refuses two of one id)
            seen.add(option_id)
            counter = f" {count}" if count is not None else ""
            label.truncate(room - 2 - len(counter), overflow="ellipsis")
            prompt = Text("  ") + label
            prompt.append(counter, Style(dim=True))
            options.append(Option(prompt, id=option_id))

        if active:
            heading("Active (Enter removes)")
            for field, key in active:
                label = plain(filter_token(field, key))
                label.truncate(room - 4, overflow="ellipsis")
                options.append(Option(Text("  × ") + label, id=f"{ACTIVE}{field}{SEP}{key}"))
        if saved:
            heading("Saved searches")
            for search in saved:
                value("saved", search.name, plain(search.name), None)
        if facets.tags or facets.starred or facets.noted or facets.unlisted or any(
                count for state, count in facets.reading.items() if state != "unread"):
            heading("Reading")
            # Only what some match has: "read 0" is an option that finds nothing.
            for state in ("unread", "reading", "read"):
                if facets.reading.get(state, 0):
                    value("is", state, Text(state), facets.reading[state])
            if facets.starred:
                value("is", "starred", Text("★ starred"), facets.starred)
            if facets.noted:
                value("has", "note", Text("✎ has a note"), facets.noted)
            if facets.unlisted:
                value("is", "unlisted", Text("no longer listed"), facets.unlisted)
        if facets.tags:
            heading("Tags")
            for name, count in facets.tags:
                value("tag", name, plain(name), count)
        heading("Category")
        for name, count in facets.categories or []:
            value("cat", name, plain(name), count)
        if not facets.categories:
            options.append(Option(Text("  none listed", style=Style(dim=True)), disabled=True))
        heading("Year")
        top = max((count for _, count in facets.years), default=1)
        for year, count in reversed(facets.years):
            bar = BARS[min(len(BARS) - 1, (count * len(BARS) - 1) // top)]
            value("year", str(year), Text(f"{year} {bar}"), count)
        heading("Code")
        value("has", "code", Text("has code"), facets.has_code)
        heading("Source list")
        # A library of hundreds of listing files: the lists holding most matches, not a page of
        # options to build on every keystroke. The rest stay one ``source:NAME`` away.
        sources = facets.sources
        if len(sources) > MAX_SOURCES:
            sources = sorted(sorted(sources, key=lambda item: -item[1])[:MAX_SOURCES])
        for name, count in sources:
            value("source", name, plain(source_caption(name, *facets.source_kinds.get(name, (None, None)))), count)
        if len(facets.sources) > len(sources):
            options.append(Option(Text(f"  … {len(facets.sources) - len(sources):,} more (source:NAME)",
                                       style=Style(dim=True)), disabled=True))
        if facets.organisations:
            heading("Organisation")
            for name, count in facets.organisations:
                value("org", name, plain(name), count)
        heading("Top authors")
        for name, count in facets.authors:
            value("author", name, plain(name), count)
        if hasattr(self, "set_options"):  # Textual 6+: the screen is laid out again only if the line count changed
            self.set_options(options)
        else:
            self.clear_options()
            self.add_options(options)
        if highlighted is not None:
            try:
                self.highlighted = self.get_option_index(highlighted)
            except Exception:  # the option is gone with the new counts
                pass
        self._replay_early_keys()

    async def _on_key(self, event: events.Key) -> None:
        # Before the first counts (the first half second of a session) the pane has nothing to
        # move over: its keys wait for them rather than vanish (`f j j Enter` typed at launch).
        action = own_binding(self, event.key) if not self.option_count else None
        if action is not None:
            event.stop()
            event.prevent_default()
            self._early_actions.append(action)
            return
        await super()._on_key(event)

    def _replay_early_keys(self) -> None:
        if not self._early_actions or not self.option_count:
            return
        early, self._early_actions = self._early_actions, []
        if self.has_focus:  # focus gone elsewhere meanwhile: they were the pane's, they go
            self.on_focus(events.Focus())  # the highlight on the first value, as focusing gives it
            self.call_later(self._run_actions, early)

    async def _run_actions(self, actions: list[str]) -> None:
        for action in actions:
            await self.run_action(action)

    def on_focus(self, event: events.Focus) -> None:
        """Enter acts at once: the highlight starts on a value, never on a group's heading."""
        option = self.highlighted_option
        if option is None or option.disabled:
            for index in range(self.option_count):
                if not self.get_option_at_index(index).disabled:
                    self.highlighted = index
                    break

    def on_resize(self, event: events.Resize) -> None:
        if self._shown is not None and self.scrollable_content_region.width != self._shown_width:
            self.show(*self._shown)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            field, _, key = event.option.id.removeprefix(ACTIVE).partition(SEP)
            self.post_message(self.Toggled(field, key))

    def action_clear_filters(self) -> None:
        self.post_message(self.Cleared())
