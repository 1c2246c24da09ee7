"""Offline gazetteer of French communes (search by name or postcode).

Data: ``data/communes.tsv.gz`` (see ``data/README.md``), ~35,000 current communes
of metropolitan France and the overseas departments, plus the municipal
arrondissements of Paris, Lyon and Marseille. Loaded lazily, once per process
(``functools.cache``); nothing here touches the network or the database.

Search rules:

- a query made of digits is a postcode prefix ("75", "7501", "75011"); for a full
  postcode, municipal arrondissements come before their city;
- otherwise the query is matched against names, ignoring case, accents,
  hyphens, apostrophes and spaces ("evry" finds "Évry-Courcouronnes"), with
  "St"/"Ste" read as "Saint"/"Sainte"; it may match the start of the name or of
  any word in it ("abergement" finds "L'Abergement-Clémenciat");
- ranking: names starting with the query first, then names with a later word
  starting with it; within each group larger populations first;
- a query mixing a name and a postcode prefix ("Saint-Denis 974") keeps the name
  matches having such a postcode.
"""

from __future__ import annotations

import csv
import gzip
import heapq
import io
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

__all__ = ["DATA_FILE", "Commune", "all_communes", "get", "normalize", "search"]

DATA_FILE: Final = Path(__file__).parent / "data" / "communes.tsv.gz"
MAX_LIMIT: Final = 100
MAX_QUERY_LENGTH: Final = 100

_SPLIT = re.compile(r"[^0-9a-z]+")
_POSTCODE = re.compile(r"^[0-9]{1,5}$")
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"}
    | dict.fromkeys("\u2018\u2019\u02bc\u2010\u2011\u2013\u2014\u00a0", " ")
)
_ABBREVIATIONS: Final = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
}
_HIGH: Final = "\uffff"


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune (or a municipal arrondissement) and its public centre.

    ``lat``/``lng`` is the town hall position when known, else the centroid of
    the commune; ``postcode`` is the first of ``postcodes`` ("" when none).
    """

    code: str
    name: str
    postcode: str
    lat: float
    lng: float
    population: int
    department: str
    postcodes: tuple[str, ...] = ()
    is_arrondissement: bool = False


def _words(text: str) -> list[str]:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
        text = text.encode("ascii", "ignore").decode("ascii")
    text = text.lower()
    return [w for w in _SPLIT.split(text) if w]


def normalize(text: str, *, partial: bool = False) -> str:
    """Search key of a name: lowercase ASCII letters and digits, no separators.

    "St"/"Ste" become "saint"/"sainte". With ``partial`` (a query being typed)
    the last word is left as typed unless followed by a separator, so "st"
    can still be the start of "Strasbourg".
    """
    words = _words(text)
    last = len(words) - 1
    keep_last = partial and bool(text) and text[-1].isalnum()
    return "".join(
        w if (keep_last and i == last) else _ABBREVIATIONS.get(w, w)
        for i, w in enumerate(words)
    )


@dataclass(frozen=True, slots=True)
class _Index:
    communes: tuple[Commune, ...]  # ordered by population desc, then name
    by_code: dict[str, Commune]
    full_keys: list[str]  # sorted full-name keys
    full_refs: list[int]  # position in ``communes`` of each full key
    word_keys: list[str]  # sorted keys starting at a later word of the name
    word_refs: list[int]
    postcode_keys: list[str]  # sorted postcodes
    postcode_refs: list[int]


def _load_rows() -> list[Commune]:
    with DATA_FILE.open("rb") as raw:
        text = gzip.decompress(raw.read()).decode("utf-8")
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader)
    if header[:8] != [
        "code",
        "name",
        "postcodes",
        "lat",
        "lng",
        "population",
        "department",
        "kind",
    ]:
        raise RuntimeError(f"Unexpected header in {DATA_FILE}: {header}")
    communes = []
    for code, name, postcodes, lat, lng, population, department, kind in reader:
        pcs = tuple(postcodes.split())
        communes.append(
            Commune(
                code=code,
                name=name,
                postcode=pcs[0] if pcs else "",
                lat=float(lat),
                lng=float(lng),
                population=int(population),
                department=department,
                postcodes=pcs,
                is_arrondissement=kind == "A",
            )
        )
    return communes


@cache
def _index() -> _Index:
    communes = sorted(_load_rows(), key=lambda c: (-c.population, c.name, c.code))
    full: list[tuple[str, int]] = []
    word: list[tuple[str, int]] = []
    post: list[tuple[str, int]] = []
    for i, c in enumerate(communes):
        words = [_ABBREVIATIONS.get(w, w) for w in _words(c.name)]
        full.append(("".join(words), i))
        word.extend(("".join(words[j:]), i) for j in range(1, len(words)))
        post.extend((pc, i) for pc in c.postcodes)
    full.sort()
    word.sort()
    post.sort()
    return _Index(
        communes=tuple(communes),
        by_code={c.code: c for c in communes},
        full_keys=[k for k, _ in full],
        full_refs=[r for _, r in full],
        word_keys=[k for k, _ in word],
        word_refs=[r for _, r in word],
        postcode_keys=[k for k, _ in post],
        postcode_refs=[r for _, r in post],
    )


def _prefix_range(keys: list[str], prefix: str) -> tuple[int, int]:
    return bisect_left(keys, prefix), bisect_left(keys, prefix + _HIGH)


def _postcode_matches(idx: _Index, prefix: str) -> set[int]:
    lo, hi = _prefix_range(idx.postcode_keys, prefix)
    return set(idx.postcode_refs[lo:hi])


def _name_scores(idx: _Index, key: str) -> dict[int, int]:
    """Candidate position -> score (lower is better) for a normalized name key."""
    n = len(idx.communes)  # positions are population ranks: 0..n-1
    scores: dict[int, int] = {}
    lo, hi = _prefix_range(idx.word_keys, key)
    for ref in idx.word_refs[lo:hi]:
        scores[ref] = n + ref
    lo, hi = _prefix_range(idx.full_keys, key)
    scores.update((ref, ref) for ref in idx.full_refs[lo:hi])
    return scores


def search(q: str, limit: int = 10) -> list[Commune]:
    """Communes matching ``q`` by name or postcode prefix, best first.

    Returns at most ``limit`` (capped at 100) communes; an empty or unmatched
    query gives an empty list, never an error.
    """
    if not isinstance(q, str) or limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    q = q.strip()[:MAX_QUERY_LENGTH]
    if not q:
        return []
    idx = _index()
    n = len(idx.communes)

    if _POSTCODE.match(q):
        refs = _postcode_matches(idx, q)
        if len(q) == 5:  # arrondissements before the city they belong to
            ranked = heapq.nsmallest(
                limit, refs, key=lambda r: (not idx.communes[r].is_arrondissement, r)
            )
        else:
            ranked = heapq.nsmallest(limit, refs)
        return [idx.communes[r] for r in ranked]

    # Split off postcode-like tokens ("Saint-Denis 974", "75011 Paris").
    tokens = q.split()
    digits = [t for t in tokens if _POSTCODE.match(t) and len(t) >= 2]
    if digits and len(digits) < len(tokens):
        name_part = " ".join(t for t in tokens if t not in digits)
        if q[-1].isspace():
            name_part += " "
    else:
        digits = []
        name_part = q
    key = normalize(name_part, partial=True)
    if not key:
        return []
    scores = _name_scores(idx, key)
    if not digits:
        # Also try the abbreviation expanded ("st" -> "saint") for the last word.
        expanded = normalize(name_part)
        if expanded != key:
            for ref, score in _name_scores(idx, expanded).items():
                scores[ref] = min(score + 2 * n, scores.get(ref, score + 2 * n))
    if digits:
        allowed = set.intersection(*(_postcode_matches(idx, d) for d in digits))
        scores = {r: s for r, s in scores.items() if r in allowed}
    ranked = heapq.nsmallest(limit, scores, key=scores.__getitem__)
    return [idx.communes[r] for r in ranked]


def get(code: str) -> Commune | None:
    """Commune by INSEE code ("75056", "2A004", "97411"), or ``None``."""
    if not isinstance(code, str):
        return None
    return _index().by_code.get(code.strip().upper())


def all_communes() -> tuple[Commune, ...]:
    """Every commune, largest population first (loads the data if needed)."""
    return _index().communes
