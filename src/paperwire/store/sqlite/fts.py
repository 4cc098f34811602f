"""Keyword search on SQLite: FTS5 over title, abstract and authors, ranked by bm25.

The engine-neutral :class:`~paperwire.store.interfaces.keyword.KeywordQuery` becomes an
FTS5 ``MATCH`` expression here, and nowhere else. The index ``papers_fts`` is an
external-content table over ``papers``: new papers are added in bulk by the writer
(:func:`index_new_papers`), and triggers of migration 0001 keep updates and deletes in
step in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import sqlalchemy as sa

from paperwire.store.interfaces.keyword import KeywordQuery
from paperwire.store.models import PaperFilter
from paperwire.store.schema import papers
from paperwire.store.sql.papers import in_category, select_papers

_FTS = sa.table("papers_fts", sa.column("rowid"))
# bm25 weights of the indexed columns (title, abstract, authors), from the SciFact benchmark.
FTS_WEIGHTS = (2.0, 1.0, 1.0)
# SQLite's default limit on the SELECTs of one compound statement.
_MAX_COMPOUND_SELECT = 500


def fts_string(text: str) -> str:
    """A word or phrase as an FTS5 string (the tokenizer splits it into a phrase)."""
    return '"' + text.replace('"', '""') + '"'


def match_expression(query: KeywordQuery) -> str | None:
    """The FTS5 expression: any of ``any_of``, all of ``all_of``, none of ``none_of``;
    None when the query asks for nothing."""
    parts: list[str] = []
    if query.any_of:
        parts.append("(" + " OR ".join(map(fts_string, query.any_of)) + ")")
    parts.extend(map(fts_string, query.all_of))
    if not parts:
        return None
    expression = " AND ".join(parts)
    if query.none_of:
        expression = f"({expression}) NOT (" + " OR ".join(map(fts_string, query.none_of)) + ")"
    return expression


def index_new_papers(conn: sa.Connection, rows: list[tuple[int, str, str, str]]) -> None:
    """One executemany into FTS5: about twice as fast as a per-row insert trigger.

    The update and delete triggers need the indexed values to match the stored ones:
    authors come serialised as the column is.
    """
    conn.exec_driver_sql(
        "INSERT INTO papers_fts(rowid, title, abstract, authors) VALUES (?, ?, ?, ?)", rows
    )


class SQLiteKeywordSearch:
    """:class:`~paperwire.store.interfaces.keyword.KeywordSearch` with FTS5."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def search(
        self,
        query: KeywordQuery,
        selection: PaperFilter = PaperFilter(),
        *,
        limit: int = 100,
        within: Sequence[int] | None = None,
    ) -> list[tuple[int, float]]:
        """FTS5 ``MATCH`` ranked by bm25 (negated, so higher is better), filters joined in
        (paper rows are read only for dates and authors: a category is checked in its own
        index, far cheaper per matching paper)."""
        match = match_expression(query)
        if match is None:
            return []
        bm25 = sa.func.bm25(sa.literal_column("papers_fts"), *FTS_WEIGHTS)
        on_paper_rows = replace(selection, category=None)
        if on_paper_rows == PaperFilter():
            statement = sa.select(_FTS.c.rowid, bm25)
        else:
            statement = (
                select_papers(on_paper_rows)
                .with_only_columns(_FTS.c.rowid, bm25)
                .join_from(papers, _FTS, _FTS.c.rowid == papers.c.id)
            )
        statement = statement.where(sa.literal_column("papers_fts").op("MATCH")(match))
        if selection.category:
            statement = statement.where(in_category(selection.category, _FTS.c.rowid))
        if within is not None:
            statement = statement.where(_FTS.c.rowid.in_(list(within)))
        statement = statement.order_by(bm25).limit(limit)
        with self.engine.connect() as conn:
            return [(row[0], -float(row[1])) for row in conn.execute(statement)]

    def count_matches(self, phrases: Sequence[str], cap: int) -> list[int]:
        """One statement for all: an unranked FTS5 scan reads its posting list lazily,
        so each count stops after ``cap`` rows."""
        one = "SELECT count(*) FROM (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ? LIMIT ?)"
        counts: list[int] = []
        with self.engine.connect() as conn:
            for start in range(0, len(phrases), _MAX_COMPOUND_SELECT):
                chunk = phrases[start : start + _MAX_COMPOUND_SELECT]
                sql = " UNION ALL ".join(f"SELECT {n}, ({one})" for n in range(len(chunk)))
                parameters = tuple(value for text in chunk for value in (fts_string(text), cap))
                counted: dict[int, int] = {
                    int(n): int(count) for n, count in conn.exec_driver_sql(sql, parameters).all()
                }
                counts.extend(int(counted[n]) for n in range(len(chunk)))
        return counts
