"""Splitting a personal name into the parts citation styles need."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


@dataclass
class Name:
    given: str
    family: str
    particle: str = ""  # "van der" in Ludwig van der Berg: part of the family name, sorted by it
    suffix: str = ""

    @property
    def family_full(self) -> str:
        return f"{self.particle} {self.family}".strip()


def written_family_first(given: str, family: str) -> bool:
    """A name in CJK script is written family name first (王 小明), as ``split_name`` reads it."""
    words = (given + " " + family).split()
    return bool(given.strip()) and bool(words) and all(_is_cjk(word) for word in words)


def _is_cjk(word: str) -> bool:
    if word and word.isascii():  # no ASCII character is CJK; unicodedata.name() per character cost a load 0.2 s in 10k
        return False
    return all(unicodedata.name(ch, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA")) for ch in word)


def split_name(name: str) -> Name:
    """``Philip S. Yu`` -> given ``Philip S.``, family ``Yu``; ``Ludwig van der Berg`` keeps ``van der``.

    A name written ``Family, Given`` is taken as such. Names are romanised as the page gave them,
    given name first: the last word is the family name unless particles precede it.
    """
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        suffix = ""
        if "," in given:  # BibTeX's "King, Jr., Martin Luther": family, suffix, given
            suffix, _, given = given.partition(",")
        family_words = family.split()
        lead = 0
        while lead < len(family_words) - 1 and family_words[lead].islower():
            lead += 1
        return Name(given.strip(), " ".join(family_words[lead:]), " ".join(family_words[:lead]), suffix.strip())
    words = name.split(" ")
    if len(words) > 1 and all(_is_cjk(word) for word in words):
        return Name(" ".join(words[1:]), words[0])  # written in CJK script: family name first (王 小明)
    suffix = ""
    if len(words) > 2 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    if len(words) == 1:
        return Name("", words[0], suffix=suffix)
    family_start = len(words) - 1
    # BibTeX's rule: lowercase words before the last name are particles (de las Casas, van der
    # Berg); a capitalised Di or Le is a given or middle name (Xiao Di Wang).
    while family_start > 1 and words[family_start - 1].islower():
        family_start -= 1
    particle_words = [w for w in words[family_start:-1]]
    return Name(" ".join(words[:family_start]), words[-1], " ".join(particle_words), suffix)
