"""What a listing may plausibly hold, and how large a file paperdeck reads: beyond these, input is
reported as a problem on its line (or the file is refused) instead of stored or read into memory."""

from __future__ import annotations

import os

# The most authors a paper has had is about 5,000 (a 2015 physics paper); a count far above that is
# damage or a hostile file, and SQLite's integers end at 2**63 - 1.
MAX_AUTHOR_COUNT = 100_000
# Papers are dated from the first scientific journals on; later than next year is a typo.
FIRST_YEAR = 1665

# A listing file larger than this is refused before it is read: the loader holds a file's text and
# its lines in memory (about four times the file's size). $PAPERDECK_MAX_FILE_MB raises it.
DEFAULT_MAX_FILE_MB = 256
MAX_FILE_ENV = "PAPERDECK_MAX_FILE_MB"


def max_file_bytes() -> int:
    """The size limit for one listing file, from $PAPERDECK_MAX_FILE_MB when it is a positive number."""
    text = os.environ.get(MAX_FILE_ENV, "").strip()
    try:
        megabytes = float(text) if text else DEFAULT_MAX_FILE_MB
    except ValueError:
        megabytes = DEFAULT_MAX_FILE_MB
    if megabytes <= 0:
        megabytes = DEFAULT_MAX_FILE_MB
    return int(megabytes * 1024 * 1024)
