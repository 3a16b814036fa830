"""README documents every command, format, style and key, as sqlite-utils' test_docs does."""

from pathlib import Path

import pytest

from paperdeck.store.cite import STYLES
from paperdeck.tui.cli import build_parser
from paperdeck.tui.cli_export import EXPORT_FORMATS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def commands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return list(action.choices)


@pytest.mark.parametrize("command", commands())
def test_every_command_is_documented(command):
    assert f"paperdeck {command}" in README


@pytest.mark.parametrize("name", [*STYLES, *EXPORT_FORMATS])
def test_every_style_and_format_is_documented(name):
    assert f"`{name}`" in README


def test_quick_start_is_two_commands():
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert len([line for line in block.splitlines() if line.strip()]) == 2
