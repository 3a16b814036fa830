"""How records' fields, their abstracts and papers' provenance are stored: the one place that
encodes and decodes them (schema v9), so no caller compresses or decompresses by hand.

- ``pack``/``unpack``: text of at least ``COMPRESS_FROM`` bytes is stored as a zlib BLOB (level
  6), shorter text as TEXT. SQLite's storage class is the marker: a BLOB is compressed, a TEXT is
  not, so a v8 value (always TEXT) still reads back as it was. Measured on the 10k corpus: fields
  without the abstract 387 -> 239 B, provenance 128 -> 75 B, abstracts 1,525 -> 784 B; levels 1/6/9
  within 3%; below 64 B zlib's own header and checksum eat the gain.
- A record's abstract is kept once in ``abstracts``, content-addressed (a 16-byte BLAKE2b of its
  text), and the record names it by ``records.abstract_hash``: the same listing text in many files,
  and a paper's records that share their abstract, store it once, whatever the paper's own
  abstract becomes later.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable

COMPRESS_FROM = 64  # bytes of UTF-8
LEVEL = 6

# A record's fields, as ``read_fields`` takes them: select this for the record ``r``.
RECORD_FIELDS_SQL = "r.fields, (SELECT a.text FROM abstracts a WHERE a.hash = r.abstract_hash)"


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
        return zlib.decompress(value).decode()
    return value


def pack_json(value: object) -> str | bytes:
    return pack(json.dumps(value, ensure_ascii=False))


def unpack_json(value: str | bytes | None, default: object = None) -> object:
    text = unpack(value)
    return default if text is None else json.loads(text)


def abstract_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


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
                     [(key, pack(text)) for key, text in distinct.items() if key not in known])


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
    """Abstracts among ``candidates`` that no record names any more (a reloaded file's old ones) go."""
    candidates = list(set(candidates))
    if not candidates:
        return
    referenced: set[bytes] = set()
    for start in range(0, len(candidates), 500):
        batch = candidates[start:start + 500]
        referenced.update(row[0] for row in conn.execute(
            f"SELECT DISTINCT abstract_hash FROM records WHERE abstract_hash IN ({', '.join('?' * len(batch))})", batch))
    conn.executemany("DELETE FROM abstracts WHERE hash = ?", [(key,) for key in candidates if key not in referenced])
