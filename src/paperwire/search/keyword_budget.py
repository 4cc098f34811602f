"""Which query words the keyword index can afford to rank by.

The keyword index ranks every paper that matches any of the words: on SQLite, bm25
costs about 2 µs per matching paper (it reads each paper's length from a table),
whatever ``LIMIT`` says.
A word found in a large share of the papers ("model", "cell" in biomedicine) therefore
costs most of a query's time and adds almost nothing to its ranking (bm25 gives it a
tiny idf). So a search ranks by words that match at most a budget of papers in all:
the query's rarest words first, then the next rarest while the sum of their paper
counts stays within the budget. The meaning side still reads the whole query.
"""

from __future__ import annotations

from collections.abc import Mapping


def affordable_terms(
    terms: tuple[str, ...], matches: Mapping[str, int], budget: int, *, keep_rarest: bool
) -> tuple[str, ...]:
    """The terms to rank by, in query order: rarest first while their match counts add
    up to at most ``budget``.

    When even the rarest is over the budget the answer is empty (the meaning side alone
    ranks such a query), or, with ``keep_rarest`` (when words are all there is: no
    vectors, or meaning found too few papers), that rarest term. ``matches`` gives each
    term's number of matching papers; a count capped just above the budget is enough.
    """
    kept: set[str] = set()
    spent = 0
    for position, term in enumerate(sorted(terms, key=lambda t: matches[t])):
        if spent + matches[term] > budget and not (keep_rarest and position == 0):
            break
        kept.add(term)
        spent += matches[term]
    return tuple(term for term in terms if term in kept)
