"""Keyword search over the papers' title, abstract and authors, by a parsed query.

Queries come as :class:`KeywordQuery` (words and phrases, no engine syntax); each
engine turns them into its own full-text query (SQLite: FTS5 ``MATCH``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from paperwire.store.models import PaperFilter


@dataclass(frozen=True, slots=True)
class KeywordQuery:
    """Which papers match: at least one of ``any_of`` (when given), every one of
    ``all_of``, and none of ``none_of``.

    Each entry is a word or a phrase, matched as a phrase after the engine's tokenizer
    (case, diacritics and word endings ignored). A query with neither ``any_of`` nor
    ``all_of`` matches nothing.
    """

    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.any_of or self.all_of)


class KeywordSearch(Protocol):
    """Full-text search over the stored papers.

    Every engine guarantees that the index is the stored text at all times: a paper is
    found by its new words, and no longer by its old ones, as soon as the transaction
    that changed it commits (see :class:`~paperwire.store.interfaces.papers.Papers`).
    """

    def search(
        self,
        query: KeywordQuery,
        selection: PaperFilter = PaperFilter(),
        *,
        limit: int = 100,
        within: Sequence[int] | None = None,
    ) -> list[tuple[int, float]]:
        """(row id, score) of the matching papers the filter keeps, best first, at most
        ``limit``; a higher score is a better match, and each paper appears once.

        ``within`` restricts the answer to those papers (to check vector hits against
        phrases and exclusions with the tokenizer of the keyword side).
        """
        ...

    def count_matches(self, phrases: Sequence[str], cap: int) -> list[int]:
        """How many papers each word or phrase matches, counting at most ``cap``: one
        count per entry, in order (repeats included)."""
        ...
