"""The detail pane: everything the library knows of one paper, and where each piece came from."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from store.models import Paper
from store.text import counted
from tui.render import highlight, latex, plain, term_pattern

FIELD_LABELS = {"title": "title", "authors": "authors", "abstract": "abstract", "date": "date",
                "updated": "latest", "category": "category", "has_code": "code", "upvotes": "upvotes",
                "organisation": "organisation", "author_count": "author count", "announced": "announced"}


def month_name(year_month: str) -> str:
    import calendar

    year, month = year_month.split("-")
    return f"{calendar.month_name[int(month)]} {year}"


def paper_text(paper: Paper, terms: list[str], match_style: Style | str = "reverse") -> Text:
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
    if paper.date:
        facts.append(("First appeared", Text(paper.date)))
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
    for index, url in enumerate(paper.code_urls):
        out.append(f"{'Link':<15}", label)
        # OSC 8 for the terminal's own Ctrl-click, and a click action that names the link by its
        # index, so no text from the listing ever becomes part of an action string.
        out.append(url, Style(underline=True, link=url) + Style.from_meta({"@click": f"app.open_paper_link({index})"}))
        out.append("\n")

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
        if gave:
            out.append(f"\n    gave: {', '.join(gave)}", label)
        out.append("\n")
    return out


class DetailPane(VerticalScroll, can_focus=True):
    """The paper under the list's cursor, scrollable from the keyboard."""

    BINDINGS = [
        Binding("j,down", "scroll_down", "Scroll down", show=False, id="detail.down"),
        Binding("k,up", "scroll_up", "Scroll up", show=False, id="detail.up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="detail.bottom"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="detail.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="detail.page_up"),
        Binding("o", "open_link", "Open link", id="detail.open_link", tooltip="Open the paper's first link"),
    ]

    def compose(self):
        yield Static(id="detail-body")

    def show(self, paper: Paper | None, terms: list[str]) -> None:
        self.paper = paper
        body = self.query_one("#detail-body", Static)
        if paper is None:
            body.update(Text("No paper selected.", style=Style(dim=True, italic=True)))
        else:
            match_style = self.app.get_css_variables().get("accent", "yellow")
            body.update(paper_text(paper, terms, Style(bold=True, reverse=True, color=match_style)))
        self.scroll_home(animate=False)

    def action_open_link(self, index: int = 0) -> None:
        paper = getattr(self, "paper", None)
        if paper is not None and 0 <= index < len(paper.code_urls):
            self.app.open_url(paper.code_urls[index])  # the app says whether a browser took it
        else:
            self.notify("This paper has no link", severity="warning")
