"""The paper list: a virtual list over every matching paper id, one line a paper.

Like toolong's log view, it is a ``ScrollView`` that draws lines on demand: rows are fetched from
SQLite a page at a time into an LRU cache, so a million matches cost one array of ids.

Longer than most modules (~470 lines): the list's keys, its messages and its drawing are one
widget's, and each action holds until the ranked list lands (``hold_until_settled``).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from paperdeck.store.library import ListRow
from paperdeck.store.text import counted
from paperdeck.tui.render import highlight, plain, term_pattern

PAGE = 200
READING_GLYPHS = {"reading": "◐", "read": "✓"}


def status_glyph(row: ListRow) -> str:
    """One character for what the person added: starred ★, read ✓, reading ◐, a note ✎, tags #,
    no longer listed ∅ (the first that applies); a space when nothing."""
    if row.starred:
        return "★"
    if row.reading in READING_GLYPHS:
        return READING_GLYPHS[row.reading]
    if row.has_note:
        return "✎"
    if row.tagged:
        return "#"
    return " " if row.listed else "∅"


DATE_WIDTH, CATEGORY_WIDTH, VOTES_WIDTH = 10, 4, 4  # "▲999"; more votes push the row by a cell


# Actions on the cursor's row, whatever is marked: held while the ranked list is on its way.
ON_THE_ROW = ("move", "first", "last", "page", "mark")


class PaperList(ScrollView, can_focus=True):
    """Every paper the current search matches; the row under the cursor drives the detail pane."""

    DEFAULT_CSS = """
    PaperList {
        width: 1fr;
        border: round $panel-lighten-2;
        border-title-color: $text;
        border-subtitle-color: $warning;
        scrollbar-gutter: stable;
    }
    PaperList:focus {
        border: round $accent;
    }
    PaperList > .paper-list--cursor {
        background: $block-cursor-blurred-background;
        text-style: bold;
    }
    PaperList:focus > .paper-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    PaperList > .paper-list--dim {
        color: $text-muted;
    }
    PaperList > .paper-list--derived {
        text-style: italic;
    }
    PaperList > .paper-list--match {
        color: $text-warning;
        text-style: bold underline;
    }
    PaperList > .paper-list--mark {
        color: $success;
    }
    PaperList > .paper-list--status {
        color: $warning;
    }
    PaperList > .paper-list--code {
        color: $success;
    }
    PaperList > .paper-list--empty {
        color: $text-muted;
        text-style: italic;
    }
    """

    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False, id="list.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="list.up"),
        Binding("g,home", "first", "Top", show=False, id="list.top"),
        Binding("G,end", "last", "Bottom", show=False, id="list.bottom"),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="list.page_up"),
        Binding("enter", "open", "Open", id="list.open", tooltip="Read the paper under the cursor"),
        Binding("space", "mark", "Mark", id="list.mark", tooltip="Mark papers to cite them together"),
        Binding("c", "cite(False)", "Cite", id="list.cite",
                tooltip="Copy the citation (the marked papers, else the one under the cursor)"),
        Binding("C", "cite(True)", "Cite as…", id="list.cite_dialog", tooltip="Preview every style, copy one"),
        Binding("u", "unmark_all", "Unmark all", show=False, id="list.unmark", tooltip="Clear every mark"),
        Binding("r", "annotate('reading')", "Reading state", show=False, id="list.reading",
                tooltip="Cycle unread → reading → read (the marked papers, else the one under the cursor)"),
        Binding("asterisk", "annotate('star')", "Star", show=False, id="list.star",
                tooltip="Star or unstar (the marked papers, else the one under the cursor)"),
        # Priority: they open a screen, so they run in the app's key order and the keys typed next
        # reach the dialog (see SearchBox).
        Binding("t", "edit_tags", "Tag", show=False, id="list.tag", priority=True,
                tooltip="Add or remove tags (the marked papers, else the one under the cursor)"),
        Binding("n", "edit_note", "Note", show=False, id="list.note", priority=True,
                tooltip="Write the note of the paper under the cursor"),
        Binding("M", "listings", "Listings", show=False, id="list.listings",
                tooltip="The listings merged into this paper, and why; split one out"),
        Binding("J", "join", "Join marked", show=False, id="list.join",
                tooltip="Make the marked papers one paper, for good"),
        Binding("ctrl+z", "annotate('undo')", "Undo", show=False, id="list.undo",
                tooltip="Undo the last change to tags, notes, reading state or stars"),
    ]
    COMPONENT_CLASSES = {
        "paper-list--cursor", "paper-list--dim", "paper-list--derived", "paper-list--match",
        "paper-list--mark", "paper-list--code", "paper-list--empty", "paper-list--status",
    }

    class CursorMoved(Message):
        """The cursor is on another paper (or on none); ``by_search`` when a new result put it there."""

        def __init__(self, paper_id: int | None, by_search: bool = False) -> None:
            super().__init__()
            self.paper_id = paper_id
            self.by_search = by_search

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, PaperList.CursorMoved)

    class Opened(Message):
        def __init__(self, paper_id: int) -> None:
            super().__init__()
            self.paper_id = paper_id

    class CiteRequested(Message):
        """Cite these papers; ``choose`` opens the dialog of styles."""

        def __init__(self, paper_ids: list[int], choose: bool) -> None:
            super().__init__()
            self.paper_ids = paper_ids
            self.choose = choose

    class AnnotateRequested(Message):
        """Change what the person added to these papers: ``reading`` (cycle), ``star`` or ``undo``."""

        def __init__(self, paper_ids: list[int], change: str) -> None:
            super().__init__()
            self.paper_ids = paper_ids
            self.change = change

    class ListingsRequested(Message):
        def __init__(self, paper_id: int) -> None:
            super().__init__()
            self.paper_id = paper_id

    class JoinRequested(Message):
        """Join these papers into the first."""

        def __init__(self, paper_ids: list[int]) -> None:
            super().__init__()
            self.paper_ids = paper_ids

    class MoreWanted(Message):
        """The list holds the best of more matches than it has and is scrolled near their end:
        ``want`` of them, please (``extend`` brings them)."""

        def __init__(self, want: int) -> None:
            super().__init__()
            self.want = want

    class MarksChanged(Message):
        def __init__(self, marked: frozenset[int]) -> None:
            super().__init__()
            self.marked = marked

    def __init__(self, fetch_rows: Callable[[list[int]], dict[int, ListRow]], **kwargs) -> None:
        super().__init__(**kwargs)
        self.fetch_rows = fetch_rows
        self.ids: array = array("q")
        self.total = 0  # the matches there are; ``ids`` may hold only the best of them
        self._asked = 0  # how many a MoreWanted asked for, for this list
        self._to_last = False  # End was pressed before every match had arrived
        self.cursor = 0
        self.marked: set[int] = set()
        self.empty_message: list[str] = []
        # False from a keystroke until its ranked list is shown: an action on "the top paper" typed
        # meanwhile (Enter c, right after the words) is held and then acts on the best match.
        self.settled = True
        self._held: list[str] = []
        self._releasing = False  # the held actions are running: none is held again
        self._pattern = None
        self._rows: LRUCache[int, ListRow] = LRUCache(4 * PAGE)
        # Drawn rows by paper, not by position: the ranked list that follows a first screenful,
        # and a list scrolled back, mostly redraw nothing. Cleared when the words to mark change.
        self._lines: LRUCache[tuple, Strip] = LRUCache(1000)
        self._palette: dict[str, Style] | None = None  # the styles a row is drawn with

    # -- data ----------------------------------------------------------------------------------

    @property
    def paper_id(self) -> int | None:
        return self.ids[self.cursor] if 0 <= self.cursor < len(self.ids) else None

    def expect_results(self) -> None:
        """A new search is on its way: what the list shows now is not what was typed."""
        self.settled = False

    def hold_until_settled(self, action: str) -> bool:
        """Keep ``action`` until the list shows the ranked result of what was typed; True when held.
        The held actions then run in the order typed: ``Enter j j c`` cites the third best match,
        not a row of the unranked first screenful (or of the list before it). Marks are the
        person's choice of papers: what acts on them is not held, unless a key before it was."""
        if self._releasing or (self.settled and not self._held):
            return False  # (settled with actions still held: their release is on its way, this waits its turn)
        if self.marked and not self._held and action.partition("(")[0] not in ON_THE_ROW:
            return False
        self._held.append(action)
        return True

    async def _release(self) -> None:
        """The held actions, in order, and any held behind them before this ran."""
        self._releasing = True
        try:
            while self._held and self.settled:
                await self.run_action(self._held.pop(0))
        finally:
            self._releasing = False

    def drop_held(self) -> list[str]:
        held, self._held = self._held, []
        return held

    def show(self, ids: array, terms: list[str], keep_paper: int | None = None,
             empty_message: list[str] | None = None, settled: bool = True, total: int | None = None) -> None:
        """Replace the list; keep the cursor on ``keep_paper`` when it is still listed. ``settled``:
        this is the search's final list (not a first screenful with ranking to follow). ``total``:
        how many matches there are when ``ids`` holds only the best of them (more come on demand)."""
        self.ids = ids
        self.total = max(total or 0, len(ids))
        self._asked = len(ids)
        self._to_last = False
        pattern = term_pattern(terms)
        if pattern != self._pattern:
            self._lines.clear()
        self._pattern = pattern
        self.empty_message = empty_message or []
        self.cursor = 0
        if keep_paper is not None:
            try:
                self.cursor = ids.index(keep_paper)
            except ValueError:
                pass
        rows = len(ids)
        if not settled and self.scrollable_content_region.height <= rows < self.virtual_size.height:
            # A first screenful with the ranked list to follow: the list keeps its height until
            # that one lands (usually as long again). A new height lays out the whole screen,
            # 10-30 ms of the UI thread, and the next key waits behind it.
            rows = self.virtual_size.height
        self.virtual_size = Size(self.scrollable_content_region.width, rows)
        self.scroll_to(y=max(0, self.cursor - self.scrollable_content_region.height // 2), animate=False)
        self.refresh()
        self.post_message(self.CursorMoved(self.paper_id, by_search=True))
        self.settled = settled
        if settled and self._held:
            self.call_later(self._release)

    def extend(self, ids: array, total: int) -> None:
        """More of the same list (the best ``len(ids)`` of ``total``): the cursor stays on its paper."""
        if len(ids) <= len(self.ids):
            return
        paper_id = self.paper_id
        self.ids = ids
        self.total = max(total, len(ids))
        if paper_id is not None and (self.cursor >= len(ids) or ids[self.cursor] != paper_id):
            try:  # (the best few are the start of the longer list: this is only for safety)
                self.cursor = ids.index(paper_id)
            except ValueError:
                pass
        self.virtual_size = Size(self.scrollable_content_region.width, len(ids))
        if self._to_last and len(ids) >= self.total:
            self._to_last = False
            self.set_cursor(len(ids) - 1)
        self.refresh()

    def _want_more(self, index: int) -> None:
        """Near the end of what the list holds, of more matches than that: ask for more, once each."""
        have = len(self.ids)
        if self.total > have and index >= have - PAGE and self._asked <= have:
            self._asked = min(self.total, max(2 * have, have + 4 * PAGE))
            self.post_message(self.MoreWanted(self._asked))

    def take_rows(self, rows: dict[int, ListRow]) -> None:
        """Rows a worker read ahead, so drawing the list's first lines reads nothing here."""
        for paper_id, row in rows.items():
            self._rows[paper_id] = row

    def forget_rows(self) -> None:
        """The library changed under the same ids: fetch rows again."""
        self._rows.clear()
        self._lines.clear()
        self.refresh()

    def _row(self, index: int) -> ListRow | None:
        paper_id = self.ids[index]
        row = self._rows.get(paper_id)
        if row is None:
            start = max(0, index - PAGE // 4)
            page = [i for i in self.ids[start : start + PAGE] if i not in self._rows]
            for fetched_id, fetched in self.fetch_rows(page).items():
                self._rows[fetched_id] = fetched
            row = self._rows.get(paper_id)
        return row

    # -- drawing -------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.ids))
        self._lines.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_y) + y
        if not self.ids:
            return self._empty_line(y, width)
        if index >= len(self.ids):
            return Strip.blank(width, self.rich_style)
        if index >= len(self.ids) - PAGE:
            self._want_more(index)  # scrolled (by the wheel, say) near the end of what is here
        paper_id = self.ids[index]
        key = (paper_id, index == self.cursor, paper_id in self.marked, width, self.has_focus)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._draw_row(index, width)
            self._lines[key] = strip
        return strip

    def _empty_line(self, y: int, width: int) -> Strip:
        if 1 <= y <= len(self.empty_message):
            text = Text(self.empty_message[y - 1], style=self._part("paper-list--empty"))
            text.truncate(width - 2, overflow="ellipsis")
            line = Text("  ") + text
            line.truncate(width, pad=True)
            return Strip(list(line.render(self.app.console)), width)
        return Strip.blank(width, self.rich_style)

    def _part(self, name: str) -> Style:
        """A component's own rules only, so its background never covers the cursor bar. Its colour
        is taken from the full style: a partial one drops a translucent colour's blend with the
        background (``$text-muted`` came out pure white, unreadable in a light theme)."""
        partial = self.get_component_rich_style(name, partial=True)
        if partial.color is None:
            return partial
        return partial + Style(color=self.get_component_rich_style(name).color)

    def _styles(self) -> dict[str, Style]:
        """The row styles, worked out once until the CSS or the theme changes (a quarter of a row's
        drawing was asking Textual for them again)."""
        if self._palette is None:
            parts = {name: self._part(f"paper-list--{name}")
                     for name in ("dim", "mark", "status", "derived", "match", "code")}
            base = self.rich_style
            cursor = base + self.get_component_rich_style("paper-list--cursor")
            self._palette = {**parts, "base": base, "cursor": cursor,
                             "cursor-unfocused": base + Style(bgcolor=cursor.bgcolor, dim=False)}
        return self._palette

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palette = None
        self._lines.clear()

    def _draw_row(self, index: int, width: int) -> Strip:
        row = self._row(index)
        styles = self._styles()
        base = styles["base"]
        dim = styles["dim"]
        if row is None:
            return Strip([Segment(" " * width, base)], width)
        author_width = max(8, min(18, width // 6))
        fixed = 2 + 1 + author_width + 1 + DATE_WIDTH + 1 + CATEGORY_WIDTH + 2 + VOTES_WIDTH
        title_width = max(8, width - fixed)
        line = Text(no_wrap=True, end="")
        glyph = status_glyph(row)
        line.append(("●" if row.id in self.marked else " ") + (" " if glyph == " " else ""), styles["mark"])
        if glyph != " ":
            line.append(glyph, styles["status"])
        title = plain(row.title)
        if row.title_derived:
            title = Text("≈ ", style=dim) + plain(row.title, styles["derived"])
        highlight(title, self._pattern, styles["match"])
        title.truncate(title_width, overflow="ellipsis", pad=True)
        line.append_text(title)
        line.append(" ")
        if row.first_author:
            author = plain(row.first_author)
            extra = max(row.author_count or 0, row.named_authors, 1) - 1
            more = "+" if not row.authors_complete and not row.author_count else ""  # "+2+": two more named, and others
            suffix = f" +{extra}{more}" if extra > 0 or more else ""
        else:  # the listing gave only a count (or nothing)
            author = Text(counted(row.author_count, "author") if row.author_count else row.organisation or "—", style=dim)
            suffix = ""
        author.truncate(author_width - len(suffix), overflow="ellipsis")
        author.append(suffix, dim)
        highlight(author, self._pattern, styles["match"])
        author.truncate(author_width, pad=True)
        line.append_text(author)
        line.append(" ")
        line.append((row.date or (str(row.year) if row.year else "")).ljust(DATE_WIDTH), dim)
        line.append(" ")
        line.append((row.category or "")[:CATEGORY_WIDTH].ljust(CATEGORY_WIDTH), dim)
        line.append(" ◆" if row.has_code else "  ", styles["code"])
        line.append((f"▲{row.upvotes}" if row.upvotes else "").rjust(VOTES_WIDTH), dim)
        line.truncate(width, pad=True)
        style = base
        if index == self.cursor:
            style = styles["cursor" if self.has_focus else "cursor-unfocused"]
        segments = Segment.apply_style(line.render(self.app.console), style=style)
        return Strip(segments, width).simplify()

    # -- moving --------------------------------------------------------------------------------

    def set_cursor(self, index: int) -> None:
        if not self.ids:
            return
        index = max(0, min(len(self.ids) - 1, index))
        if index == self.cursor:
            return
        self.cursor = index
        self._want_more(index)
        height = self.scrollable_content_region.height
        if index < self.scroll_y:
            self.scroll_to(y=index, animate=False)
        elif index >= self.scroll_y + height:
            self.scroll_to(y=index - height + 1, animate=False)
        self.refresh()
        self.post_message(self.CursorMoved(self.paper_id))

    def action_move(self, delta: int) -> None:
        if not self.hold_until_settled(f"move({delta})"):
            self.set_cursor(self.cursor + delta)

    def action_first(self) -> None:
        if not self.hold_until_settled("first"):
            self.set_cursor(0)

    def action_last(self) -> None:
        if self.hold_until_settled("last"):
            return
        if self.total > len(self.ids):  # the last of every match: asked for, gone to when it arrives
            self._to_last = True
            if self._asked < self.total:
                self._asked = self.total
                self.post_message(self.MoreWanted(self.total))
        self.set_cursor(len(self.ids) - 1)

    def action_page(self, direction: int) -> None:
        if not self.hold_until_settled(f"page({direction})"):
            self.set_cursor(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_open(self) -> None:
        if self.hold_until_settled("open"):
            return
        if self.paper_id is not None:
            self.post_message(self.Opened(self.paper_id))

    def action_mark(self) -> None:
        if self.hold_until_settled("mark"):
            return
        paper_id = self.paper_id
        if paper_id is None:
            return
        self.marked.symmetric_difference_update({paper_id})
        self.post_message(self.MarksChanged(frozenset(self.marked)))
        self.set_cursor(self.cursor + 1) if self.cursor + 1 < len(self.ids) else self.refresh()

    def action_cite(self, choose: bool) -> None:
        if self.hold_until_settled(f"cite({choose})"):
            return
        if self.marked:
            # Marked papers in list order, then any marked ones the current search hides.
            listed = [i for i in self.ids if i in self.marked]
            ids = listed + sorted(self.marked.difference(listed))
        elif self.paper_id is not None:
            ids = [self.paper_id]
        else:
            self.notify("No paper to cite", severity="warning")
            return
        self.post_message(self.CiteRequested(ids, choose))

    def chosen_ids(self) -> list[int]:
        """The marked papers in list order (then marked ones the search hides), else the cursor's."""
        if self.marked:
            listed = [i for i in self.ids if i in self.marked]
            return listed + sorted(self.marked.difference(listed))
        return [self.paper_id] if self.paper_id is not None else []

    def action_annotate(self, change: str) -> None:
        if change != "undo" and self.hold_until_settled(f"annotate({change!r})"):
            return
        ids = self.chosen_ids()
        if ids or change == "undo":
            self.post_message(self.AnnotateRequested(ids, change))

    async def action_edit_tags(self) -> None:
        if self.hold_until_settled("edit_tags"):
            return
        await self.app.edit_tags(self.chosen_ids())

    async def action_edit_note(self) -> None:
        if self.hold_until_settled("edit_note"):
            return
        if self.paper_id is not None:
            await self.app.edit_note(self.paper_id)

    def action_listings(self) -> None:
        if self.hold_until_settled("listings"):
            return
        if self.paper_id is not None:
            self.post_message(self.ListingsRequested(self.paper_id))

    def action_join(self) -> None:
        from paperdeck.tui.screens.confirm_join import ConfirmJoin

        if len(self.marked) < 2:
            self.notify("Mark the papers to join with Space (two or more), then J", severity="warning")
            return
        ids = self.chosen_ids()
        rows = self.fetch_rows(ids)
        titles = [rows[i].title if i in rows else f"paper {i}" for i in ids]

        def answered(join: bool | None) -> None:
            if join:
                self.post_message(self.JoinRequested(ids))
        self.app.push_screen(ConfirmJoin(titles, titles[ids.index(min(ids))]), answered)

    def action_unmark_all(self) -> None:
        if self.marked:
            self.marked.clear()
            self._lines.clear()
            self.refresh()
            self.post_message(self.MarksChanged(frozenset()))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = int(self.scroll_y) + offset.y
        if index < len(self.ids):
            self.set_cursor(index)
            if event.chain >= 2:
                self.action_open()

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()
