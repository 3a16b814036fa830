"""``python -m paperdeck``: the same program as the ``paperdeck`` command (the code lives in store/ and tui/)."""
