"""How records' fields, their abstracts and papers' provenance are stored: the one place that
encodes and decodes them (schema v9), so no caller compresses or decompresses by hand.

- ``pack``/``unpack``: text of at least ``COMPRESS_FROM`` bytes is stored as a zlib BLOB (level
  6), shorter text as TEXT. SQLite's storage class is the marker: a BLOB is compressed, a TEXT is
  not, so a v8 value (always TEXT) still reads back as it was. Measured on the 10k corpus: fields
  without the abstract 387 -> 239 B, provenance 128 -> 75 B, abstracts 1,525 -> 784 B; levels 1/6/9
  within 3%; below 64 B zlib's own header and checksum eat the gain.
- Abstracts are packed with a preset dictionary (``pack_abstract``; store/abstract_dictionary.py):
  27-29% smaller than zlib alone on real abstracts. Older ones, plain zlib, read back as they were.
- A record's abstract is kept once in ``abstracts``, content-addressed (a 16-byte BLAKE2b of its
  text), and the record names it by ``records.abstract_hash``: the same listing text in many files,
  and a paper's records that share their abstract, store it once, whatever the paper's own
  abstract becomes later.
- Since schema v11 a paper's abstract is kept there too: ``papers.abstract_hash`` names it (it is
  always one of its records' abstracts), and ``papers.abstract`` stays NULL unless another program
  writes text into it, which then wins. Read it only through ``PAPER_ABSTRACT_SQL`` and
  ``read_abstract``.
- Blocking keys (``match_keys.key``) are 64-bit integers (``key_code``): a key's 8-byte BLAKE2b,
  its lowest bit set for the untitled keys (``u|``), so that they can still be told apart in SQL.
  ``papers.title_key`` is the 8-byte BLAKE2b of the folded title (``title_code``), as a BLOB (the
  column's TEXT affinity would turn an integer into its digits). Both are only ever compared for
  equality; at 2.7M papers two titles share a code with a probability of about 2e-7.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from paperdeck.store import abstract_dictionary

if TYPE_CHECKING:  # annotations only: reading a file (the load's worker) imports this, never sqlite3
    import sqlite3

COMPRESS_FROM = 64  # bytes of UTF-8
LEVEL = 6
# Abstracts, with the dictionary: level 4 packs one in 42 us against 89 at 6, for 608 bytes on
# average against 581 (measured on 4,000 of the benchmark's abstracts). Packing was a fifth of the
# worker process's time a record during a load; 27 bytes an abstract is 1% of a paper's share.
ABSTRACT_LEVEL = 4

# A record's fields, as ``read_fields`` takes them: select this for the record ``r``.
RECORD_FIELDS_SQL = "r.fields, (SELECT a.text FROM abstracts a WHERE a.hash = r.abstract_hash)"


# A paper's abstract, as ``read_abstract`` takes it: select this for the paper ``p``.
PAPER_ABSTRACT_SQL = "p.abstract, (SELECT a.text FROM abstracts a WHERE a.hash = p.abstract_hash)"
UNTITLED_KEY_SQL = "key & 1 = 1"  # the match_keys rows of untitled keys (``key_code`` of a ``u|`` key)


def pack(text: str | None) -> str | bytes | None:
    if text is None:
        return None
    data = text.encode()
    if len(data) < COMPRESS_FROM:
        return text
    packed = zlib.compress(data, LEVEL)
    return packed if len(packed) < len(data) else text


def unpack(value: str | bytes | None) -> str | None:
    if isinstance(value, bytes):
        if len(value) > 6 and value[1] & FDICT:  # packed with a preset dictionary (``pack_abstract``)
            dictionary = abstract_dictionary.DICTIONARIES.get(int.from_bytes(value[2:6], "big"))
            if dictionary is None:
                raise ValueError("an abstract packed with a dictionary this paperdeck does not have "
                                 "(written by a newer paperdeck?)")
            inflate = zlib.decompressobj(zdict=dictionary)
            return (inflate.decompress(value) + inflate.flush()).decode()
        return zlib.decompress(value).decode()
    return value


FDICT = 0x20  # the zlib header's flag for a preset dictionary


@lru_cache(maxsize=1)
def _abstract_deflater():
    # memLevel 8 (zlib's default): a smaller state to copy for each abstract (83 us against 93 at 9)
    return zlib.compressobj(ABSTRACT_LEVEL, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY, abstract_dictionary.CURRENT)


def pack_abstract(text: str) -> str | bytes:
    """An abstract as ``abstracts.text`` keeps it: zlib with the preset dictionary of research
    prose (store/abstract_dictionary.py), which ``unpack`` reads by the id in the stream."""
    data = text.encode()
    if len(data) < COMPRESS_FROM:
        return text
    deflate = _abstract_deflater().copy()  # primed with the dictionary once, not for every abstract
    packed = deflate.compress(data) + deflate.flush()
    return packed if len(packed) < len(data) else text


def pack_json(value: object) -> str | bytes:
    return pack(json.dumps(value, ensure_ascii=False))


def unpack_json(value: str | bytes | None, default: object = None) -> object:
    text = unpack(value)
    return default if text is None else json.loads(text)


def abstract_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def read_abstract(own: str | bytes | None, kept: str | bytes | None) -> str | None:
    """A paper's abstract from the two values ``PAPER_ABSTRACT_SQL`` selects: text another program
    wrote into ``papers.abstract`` wins; else the ``abstracts`` row the paper names."""
    if own is not None:
        return own.decode("utf-8", "replace") if isinstance(own, bytes) else str(own)
    return unpack(kept)


def paper_abstract_hash(abstract: str | None) -> bytes | None:
    """``papers.abstract_hash`` for a paper's abstract (None: it has none)."""
    return abstract_hash(abstract) if abstract else None


@lru_cache(maxsize=1 << 16)  # a load asks for a key's code when it looks it up, files it, writes it
def key_code(key: str) -> int:
    """``match_keys.key`` for a blocking key: a signed 64-bit BLAKE2b of it, lowest bit 1 for an
    untitled key (``u|...``). Two keys sharing a code only add a candidate that matching then scores."""
    code = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little", signed=True)
    return (code & ~1) | (1 if key.startswith("u|") else 0)


@lru_cache(maxsize=1 << 14)
def title_code(key: str) -> bytes:
    """``papers.title_key`` for a title key (``store.text.title_key``): what equal titles share."""
    return hashlib.blake2b(key.encode(), digest_size=8).digest()


def pack_record(fields: dict) -> tuple[str | bytes, bytes | None, str | None]:
    """``(records.fields, records.abstract_hash, the abstract)`` for a record's fields: the abstract
    goes to ``abstracts`` (``store_abstracts``), the rest is packed."""
    abstract = fields.get("abstract")
    if isinstance(abstract, str) and abstract:
        rest = {name: value for name, value in fields.items() if name != "abstract"}
        return pack_json(rest), abstract_hash(abstract), abstract
    return pack_json(fields), None, None


def store_abstracts(conn: sqlite3.Connection, abstracts: Iterable[tuple[bytes, str]]) -> None:
    """Keep each ``(hash, text)`` once (those already stored are not packed again)."""
    distinct = dict(abstracts)
    if not distinct:
        return
    hashes = list(distinct)
    known: set[bytes] = set()
    for start in range(0, len(hashes), 500):
        batch = hashes[start:start + 500]
        known.update(row[0] for row in conn.execute(
            f"SELECT hash FROM abstracts WHERE hash IN ({', '.join('?' * len(batch))})", batch))
    conn.executemany("INSERT OR IGNORE INTO abstracts (hash, text) VALUES (?, ?)",
                     [(key, pack_abstract(text)) for key, text in distinct.items() if key not in known])


def store_packed_abstracts(conn: sqlite3.Connection, abstracts: Iterable[tuple[bytes, str | bytes]]) -> None:
    """``store_abstracts`` of abstracts ``pack`` packed already (a load packs them in its worker process)."""
    conn.executemany("INSERT OR IGNORE INTO abstracts (hash, text) VALUES (?, ?)", dict(abstracts).items())


def read_fields(fields: str | bytes, abstract: str | bytes | None) -> dict:
    """A record's fields as ``pack_record`` took them, from the two values ``RECORD_FIELDS_SQL`` selects."""
    values = json.loads(unpack(fields))
    if abstract is not None:
        values["abstract"] = unpack(abstract)
    return values


def drop_unused_abstracts(conn: sqlite3.Connection, candidates: Iterable[bytes]) -> None:
    """Abstracts among ``candidates`` that no record and no paper names any more (a reloaded file's
    old ones) go; a paper kept without listings (it carries user data) keeps its abstract."""
    candidates = list(set(candidates))
    if not candidates:
        return
    referenced: set[bytes] = set()
    for start in range(0, len(candidates), 500):
        batch = candidates[start:start + 500]
        referenced.update(row[0] for row in conn.execute(
            f"SELECT DISTINCT abstract_hash FROM records WHERE abstract_hash IN ({', '.join('?' * len(batch))})", batch))
        referenced.update(row[0] for row in conn.execute(
            f"SELECT DISTINCT abstract_hash FROM papers WHERE abstract_hash IN ({', '.join('?' * len(batch))})", batch))
    conn.executemany("DELETE FROM abstracts WHERE hash = ?", [(key,) for key in candidates if key not in referenced])
