"""Where the library lives and where the bundled seed listings are."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "paperdeck"


def default_db_path() -> Path:
    """``$PAPERDECK_DB``, else ``library.db`` in the user data directory."""
    env = os.environ.get("PAPERDECK_DB")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_data_path(APP_NAME) / "library.db"


def bundled_seeds() -> Path:
    """The seed listings: packaged into the wheel, or the checkout's ``seeds/`` when editable."""
    packaged = Path(__file__).parent / "bundled_seeds"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "seeds"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("paperdeck's bundled seed listings are missing from this installation")
