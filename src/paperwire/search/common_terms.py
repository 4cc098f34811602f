"""Words so common in a store that they cannot tell its papers apart.

An FTS5 ``OR`` query reads the whole posting list of every word it names; a word in
most papers ("model", "cell" in biomedicine) costs most of a query's time and adds
almost nothing to its ranking (bm25 gives it a tiny idf). Such words are left out of
the keyword side of a search; the meaning side still reads the whole query.

Words are compared as the keyword index stores them: lower case, without diacritics,
Porter-stemmed, exactly as FTS5's ``porter unicode61 remove_diacritics 2`` tokenizer.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_PIECE = re.compile(r"[^\W_]+")
_stemmer = snowballstemmer.stemmer("porter")


@lru_cache(maxsize=65_536)
def index_token(word: str) -> str:
    """A word as the keyword index stores it."""
    plain = "".join(
        char
        for char in unicodedata.normalize("NFKD", word.lower())
        if not unicodedata.combining(char)
    )
    return str(_stemmer.stemWord(plain))


def drop_common(terms: tuple[str, ...], common: frozenset[str]) -> tuple[str, ...]:
    """The terms worth asking the keyword index for; all of them if every one is common.

    A term of several pieces ("covid-19") is common only when each piece is.
    """
    if not common:
        return terms
    kept = tuple(
        term
        for term in terms
        if not all(index_token(piece) in common for piece in _PIECE.findall(term) or [term])
    )
    return kept or terms
