"""paperdeck: a keyboard-driven terminal browser for research papers pasted out of web pages.

The code lives in the repository's top-level ``store/`` (the headless core: reading, matching,
writing, searching) and ``tui/`` (the Textual browser and the command line), as the design card
fixes, and installs as this one package: ``paperdeck/store`` and ``paperdeck/tui`` are symlinks
to those folders, so the wheel holds ``paperdeck.store`` and ``paperdeck.tui`` and nothing under a
bare name another distribution could own (PyPI has ``store`` and ``tui`` projects).
"""

from pathlib import Path

_here = Path(__file__).resolve().parent
if not (_here / "store").is_dir():  # a checkout made without symlinks: reach the folders beside this one
    __path__.append(str(_here.parent))  # noqa: F821 - the package's own search path

del Path, _here
