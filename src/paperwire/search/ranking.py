"""Ranking rules on top of fusion, as pure functions: names in titles, hit explanations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def title_names(title: str, names: Sequence[str]) -> bool:
    """True when every name (e.g. "amc", "gpt-4") appears in the title as whole words."""
    if not names:
        return False
    title_words = words_of(title)
    joined = " " + " ".join(title_words) + " "
    return all(f" {' '.join(words_of(name))} " in joined for name in names if words_of(name))


def matched_terms(text: str, terms: Iterable[str]) -> tuple[str, ...]:
    """Which query words and phrases occur in a text (prefix match, as a light stemmer)."""
    words = words_of(text)
    joined = " " + " ".join(words) + " "
    found = []
    for term in terms:
        pieces = words_of(term)
        if pieces and f" {' '.join(pieces)}" in joined:
            found.append(term)
    return tuple(found)
