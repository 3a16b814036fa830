"""The detail pane: everything the library knows of one paper, and where each piece came from."""

from __future__ import annotations

import datetime as dt

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from paperdeck.store.models import Paper
from paperdeck.store.text import counted
from paperdeck.store.userdata import Annotation
from paperdeck.tui.render import highlight, latex, multiline, plain, term_pattern
from paperdeck.tui.widgets.paper_list import PaperList

FIELD_LABELS = {"title": "title", "authors": "authors", "abstract": "abstract", "date": "date",
                "updated": "latest", "category": "category", "has_code": "code", "upvotes": "upvotes",
                "organisation": "organisation", "author_count": "author count", "announced": "announced",
                "arxiv_id": "arXiv id", "doi": "DOI", "entry_type": "entry type", "venue": "venue",
                "volume": "volume", "issue": "issue", "pages": "pages", "publisher": "publisher",
                "keywords": "keywords", "issued": "year"}
ENTRY_TYPES = {"article": "journal article", "inproceedings": "conference paper", "conference": "conference paper",
               "incollection": "book chapter", "inbook": "book chapter", "phdthesis": "PhD thesis",
               "mastersthesis": "master's thesis", "techreport": "technical report", "misc": "other (misc)",
               "unpublished": "unpublished", "online": "web page"}


def month_name(year_month: str) -> str:
    import calendar

    year, month = year_month.split("-")
    return f"{calendar.month_name[int(month)]} {year}"


def changed_on(stamp: str | None) -> str:
    """A stored UTC time as the local day and minute it means to the reader."""
    try:
        moment = dt.datetime.fromisoformat(stamp or "")
    except ValueError:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def annotation_text(note: Annotation, pattern, match_style: Style | str) -> Text:
    """What the person added: reading state (and when), star, tags and note. One quiet line when
    nothing yet. All of it user text: appended as data, never parsed as markup."""
    label = Style(dim=True)
    out = Text()
    if not note.carries_data:
        out.append(f"{'Yours':<15}", label)
        out.append("unread, no tags, no note\n", label)
        # A line of its own: in a narrow pane a hint run on after the state wrapped mid-phrase.
        out.append("  r reading · * star · t tags · n note\n", Style(dim=True, italic=True))
        return out
    out.append(f"{'Reading':<15}", label)
    out.append(note.reading, Style(bold=note.reading != "unread"))
    when = changed_on(note.reading_changed)
    if when:
        out.append(f" since {when}", label)
    out.append("\n")
    if note.starred:
        out.append(f"{'Star':<15}", label)
        out.append("★ starred\n")
    if note.tags:
        out.append(f"{'Tags':<15}", label)
        for index, name in enumerate(note.tags):
            out.append("  " if index else "")
            out.append_text(plain("#" + name, Style(bold=True)))
        out.append("\n")
    if note.note:
        out.append("\nNote\n", Style(bold=True))
        out.append_text(highlight(multiline(note.note), pattern, match_style))
        out.append("\n")
    return out


def paper_text(paper: Paper, terms: list[str], match_style: Style | str = "reverse",
               note: Annotation | None = None) -> Text:
    """The detail of one paper as Rich Text; every piece of paper text goes in as plain data."""
    pattern = term_pattern(terms)
    label = Style(dim=True)
    out = Text()
    title = plain(paper.title, Style(bold=True))
    out.append_text(highlight(title, pattern, match_style))
    if paper.title_derived:
        out.append("\n(no title on the listing: named from its abstract)", Style(dim=True, italic=True))
    out.append("\n\n")

    count = paper.known_author_count
    if paper.authors:
        names = highlight(plain(", ".join(paper.authors)), pattern, match_style)
        out.append_text(names)
        if not paper.authors_complete:
            hidden = (count or 0) - len(paper.authors)
            more = f" and {hidden} more" if hidden > 0 else " et al."
            out.append(f"{more} (the listing shows {len(paper.authors)} of them)", Style(dim=True))
    elif count:
        out.append(counted(count, "author"), Style(italic=True))
        out.append(" (the listing gives only the count)", Style(dim=True))
    else:
        out.append("Authors unknown", Style(dim=True, italic=True))
    out.append("\n\n")

    facts: list[tuple[str, Text]] = []
    if paper.arxiv_id:
        version = f"  (v{paper.arxiv_version})" if paper.arxiv_version else ""
        facts.append(("arXiv", plain(f"arXiv:{paper.arxiv_id}{version}")))
    if paper.doi:
        facts.append(("DOI", plain(paper.doi)))
    if paper.entry_type:
        facts.append(("Type", plain(ENTRY_TYPES.get(paper.entry_type, paper.entry_type))))
    if paper.venue:
        where = paper.venue
        details = [f"vol. {paper.volume}" if paper.volume else "", f"no. {paper.issue}" if paper.issue else "",
                   f"pp. {paper.pages}" if paper.pages else ""]
        facts.append(("Venue", plain(", ".join([where, *filter(None, details)]))))
    if paper.publisher and not (paper.arxiv_id and paper.publisher == "arXiv"):
        facts.append(("Publisher", plain(paper.publisher)))
    if paper.keywords:
        facts.append(("Keywords", plain(", ".join(paper.keywords))))
    if paper.date:
        facts.append(("First appeared", Text(paper.date)))
    elif paper.issued:
        facts.append(("Published", Text(month_name(paper.issued) if "-" in paper.issued else paper.issued)))
    if paper.updated and paper.updated != paper.date:
        facts.append(("Latest version", Text(paper.updated)))
    if paper.announced:
        facts.append(("Announced", Text(month_name(paper.announced))))
    if paper.category:
        facts.append(("Category", plain(paper.category)))
    if paper.organisation:
        facts.append(("Organisation", plain(paper.organisation)))
    if paper.upvotes:
        facts.append(("Upvotes", Text(str(paper.upvotes))))
    if paper.has_code and not paper.code_urls:
        facts.append(("Code", Text("yes (the listing marks it)")))
    for label_text, value in facts:
        out.append(f"{label_text:<15}", label)
        out.append_text(value)
        out.append("\n")
    page = paper.page_url
    for index, url in enumerate(paper.links):  # the paper's own page first: what o opens
        out.append(f"{'Paper' if url == page else 'Link':<15}", label)
        # OSC 8 for the terminal's own Ctrl-click, and a click action that names the link by its
        # index, so no text from the listing ever becomes part of an action string.
        out.append(url, Style(underline=True, link=url) + Style.from_meta({"@click": f"app.open_paper_link({index})"}))
        out.append("\n")

    if note is not None:
        out.append("\n")
        out.append_text(annotation_text(note, pattern, match_style))
    out.append("\nAbstract\n", Style(bold=True))
    if paper.abstract:
        out.append_text(highlight(latex(paper.abstract), pattern, match_style))
    else:
        out.append("No abstract on any listing.", Style(dim=True, italic=True))
    out.append("\n\nSources\n", Style(bold=True))
    for source in paper.sources:
        gave = [FIELD_LABELS[name] for name, record_id in paper.provenance.items()
                if record_id == source.record_id and name in FIELD_LABELS]
        out.append("• ")
        out.append_text(plain(source.file))
        out.append(f"  #{source.index + 1}, lines {source.line_start}-{source.line_end}", label)
        out.append(f"  {source.format.replace('_', ' ')}", label)
        out.append(f"  listing {source.record_id}", label)
        if source.matched_by and len(paper.sources) > 1:
            out.append(f"\n    merged: {source.matched_by}", label)
        if gave:
            out.append(f"\n    gave: {', '.join(gave)}", label)
        out.append("\n")
    return out


class DetailPane(VerticalScroll, can_focus=True):
    """The paper under the list's cursor, scrollable from the keyboard."""

    DEFAULT_CSS = """
    DetailPane {
        border: round $panel-lighten-2;
        padding: 0 1;
    }
    DetailPane:focus {
        border: round $accent;
    }
    """

    BINDINGS = [
        Binding("j,down", "scroll_down", "Scroll down", show=False, id="detail.down"),
        Binding("k,up", "scroll_up", "Scroll up", show=False, id="detail.up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="detail.bottom"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="detail.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="detail.page_up"),
        Binding("o", "open_link", "Open link", id="detail.open_link",
                tooltip="Open the paper's arXiv or DOI page, else its first link"),
        # Priority: they open a screen, so they run in the app's key order (see SearchBox).
        Binding("t", "edit_tags", "Tag", show=False, id="detail.tag", priority=True,
                tooltip="Add or remove this paper's tags"),
        Binding("n", "edit_note", "Note", show=False, id="detail.note", priority=True,
                tooltip="Write this paper's note"),
        Binding("r", "annotate('reading')", "Reading state", show=False, id="detail.reading",
                tooltip="Cycle this paper's reading state: unread → reading → read"),
        Binding("asterisk", "annotate('star')", "Star", show=False, id="detail.star",
                tooltip="Star or unstar this paper"),
    ]
    paper: Paper | None = None

    def compose(self):
        yield Static(id="detail-body")

    def show(self, paper: Paper | None, terms: list[str], note: Annotation | None = None,
             keep_scroll: bool = False) -> None:
        """Show ``paper`` with ``note``, what the person added to it (None: not shown)."""
        self.paper = paper
        body = self.query_one("#detail-body", Static)
        if paper is None:
            body.update(Text("No paper selected.", style=Style(dim=True, italic=True)))
        else:
            match_style = self.app.get_css_variables().get("accent", "yellow")
            body.update(paper_text(paper, terms, Style(bold=True, reverse=True, color=match_style), note))
        if not keep_scroll:
            self.scroll_home(animate=False)

    async def action_edit_tags(self) -> None:
        if self.paper is not None:
            await self.app.edit_tags([self.paper.id])

    async def action_edit_note(self) -> None:
        if self.paper is not None:
            await self.app.edit_note(self.paper.id)

    def action_annotate(self, change: str) -> None:
        if self.paper is not None:
            self.post_message(PaperList.AnnotateRequested([self.paper.id], change))

    def action_open_link(self, index: int = 0) -> None:
        paper = self.paper
        if paper is not None and 0 <= index < len(paper.links):  # its arXiv page or DOI first, then code
            self.app.open_url(paper.links[index])  # the app says whether a browser took it
        else:
            self.notify("This paper has no link", severity="warning")
