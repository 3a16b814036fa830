"""LaTeX as abstracts carry it (``\\textbf{x}``, ````quotes''``, ``\\&``, ``$x^2$``), shown as text.

Whole-text LaTeX converters treat a bare ``%`` as a comment and ``\\"`` as an umlaut, and pasted
abstracts are full of both; so only the constructs listings use are converted, and pylatexenc is
given just the math segments.
"""

from __future__ import annotations

import re
from functools import lru_cache

STYLE_COMMANDS = {"textbf": "bold", "textit": "italic", "emph": "italic", "textsl": "italic",
                  "texttt": "", "underline": "underline", "textrm": "", "text": "", "mathrm": "",
                  "textsc": "", "mathbf": "bold", "mathit": "italic"}
_STYLED = re.compile(r"\\(" + "|".join(STYLE_COMMANDS) + r")\{([^{}]*)\}")
_ESCAPED = re.compile(r"\\([%&_#$])")
# Math: "$k$", "$x^2$", "$100\\%$", "$100%$". Not prices: "$100 and $200" (space inside the pair),
# "$5-$10" (a digit right after the closing dollar).
_COMMAND_MATH = re.compile(r"(?<!\\)\$(?![\d\s])([^$\n]*?[\\^_{}][^$\n]*?)(?<!\\)\$")  # "$\\sim$3x"
_MATH = re.compile(r"(?<![\\\w$])\$([^\s$](?:[^$\n]{0,200}?[^\s$\\])?)(?<!\\)\$(?![\d\w])")
_QUOTES = [(re.compile(r"``"), "\u201c"), (re.compile(r"''"), "\u201d"), (re.compile(r'\\"(?=\s|$)'), "\u201d")]


@lru_cache(maxsize=1)
def _math_converter():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=False)


def _math(match: re.Match) -> str:
    inner = match.group(1)
    if not re.search(r"[\\^_{}]", inner):
        return inner  # "$k$", "$100%$": the dollars only say "math"
    try:
        return _math_converter().latex_to_text(inner).strip()
    except Exception:  # pylatexenc on malformed input: keep the source rather than lose it
        return inner


def to_spans(text: str) -> list[tuple[str, str]]:
    """``(text, style)`` pieces, style one of "", "bold", "italic", "underline"."""
    spans: list[tuple[str, str]] = []
    position = 0
    for match in _STYLED.finditer(text):
        if match.start() > position:
            spans.append((_plain(text[position : match.start()]), ""))
        spans.append((_plain(match.group(2)), STYLE_COMMANDS[match.group(1)]))
        position = match.end()
    if position < len(text):
        spans.append((_plain(text[position:]), ""))
    return [span for span in spans if span[0]]


def _plain(text: str) -> str:
    text = _COMMAND_MATH.sub(_math, text)
    text = _MATH.sub(_math, text)
    text = _ESCAPED.sub(r"\1", text)
    for pattern, replacement in _QUOTES:
        text = pattern.sub(replacement, text)
    return text


def to_text(text: str) -> str:
    return "".join(piece for piece, _ in to_spans(text))
