"""User settings: a small JSON file in the user config directory, overridable from the environment."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from store.cite import STYLES
from store.clipboard import ROUTES


@dataclass
class Settings:
    cite_style: str = "bibtex"  # what `c` copies
    clipboard: str = "auto"  # auto, system or osc52


def settings_path() -> Path:
    return platformdirs.user_config_path("paperdeck") / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """The settings file's values, then ``PAPERDECK_CITE_STYLE`` and ``PAPERDECK_CLIPBOARD``; bad values are ignored."""
    settings = Settings()
    path = path or settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    style = os.environ.get("PAPERDECK_CITE_STYLE") or data.get("cite_style")
    route = os.environ.get("PAPERDECK_CLIPBOARD") or data.get("clipboard")
    if style in STYLES:
        settings.cite_style = style
    if route in ROUTES:
        settings.clipboard = route
    return settings
