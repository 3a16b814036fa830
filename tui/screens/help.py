"""The help screen: every key, generated from the bindings themselves so it cannot go stale."""

from __future__ import annotations

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {"down": "↓", "up": "↑", "pagedown": "PgDn", "pageup": "PgUp", "home": "Home", "end": "End",
             "enter": "Enter", "escape": "Esc", "space": "Space", "question_mark": "?", "slash": "/",
             "tab": "Tab", "asterisk": "*", "shift+tab": "Shift+Tab", "delete": "Del"}


def key_label(keys: str) -> str:
    parts = []
    for key in keys.split(","):
        key = key.strip()
        if key.startswith("ctrl+"):
            parts.append("Ctrl+" + KEY_NAMES.get(key[5:], key[5:].upper()))
        else:
            parts.append(KEY_NAMES.get(key, key))
    return " / ".join(parts)


def bindings_table(sections: list[tuple[str, list]], keymap: dict[str, str] | None = None) -> Table:
    """Each binding's key (as remapped by ``keymap``), what it does, and the id ``[keys]`` remaps it by."""
    keymap = keymap or {}
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style=Style(bold=True), no_wrap=True)
    table.add_column()
    table.add_column(style=Style(dim=True), no_wrap=True)
    for title, bindings in sections:
        table.add_row(Text(title, style=Style(underline=True, bold=True)), "", "")
        for binding in bindings:
            if isinstance(binding, tuple):
                binding = Binding(*binding)
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            table.add_row(key_label(keys), binding.tooltip or binding.description, binding.id or "")
        table.add_row("", "", "")
    return table


class HelpScreen(ModalScreen[None]):
    """Every binding of paperdeck, by where it works."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    #help-body {
        width: 90%;
        max-width: 110;
        height: 90%;
        border: round $accent;
        padding: 0 2;
        background: $surface;
    }
    """

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close")]

    def __init__(self, sections: list[tuple[str, list]], keymap: dict[str, str] | None = None,
                 settings_file: str = "settings.toml") -> None:
        super().__init__()
        self.sections = sections
        self.keymap = keymap or {}
        self.settings_file = settings_file

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "paperdeck keys"
            body.border_subtitle = "Esc closes"
            yield Static(
                Text.assemble(
                    ("Search as you type. Free words match title, authors and abstract, in any order, "
                     "with typos forgiven.\nField terms: author:NAME  cat:IR  year:2023  year:2020..2024  "
                     "has:code  source:FILE  org:NAME  arxiv:ID  doi:DOI  \"exact phrase\"\n"
                     "In the list, ≈ marks a title derived from the abstract (the listing gave none), "
                     "◆ a paper with code, ▲ upvotes, ● a marked paper; after the first author, +2 is two "
                     "more authors, +2+ two more named and others the listing left out (et al.).\n"
                     f"Remap a key in {self.settings_file} by the id in the right-hand column: "
                     "[keys] then e.g. \"list.cite\" = \"y\".\n", Style(dim=True)),
                )
            )
            yield Static(bindings_table(self.sections, self.keymap))
