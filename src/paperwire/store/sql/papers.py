"""Papers in engine-neutral SQL: :class:`~paperwire.store.interfaces.papers.Papers`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from paperwire.ids import parse_arxiv_id
from paperwire.records import PaperRecord, Version
from paperwire.store.clock import utcnow
from paperwire.store.interfaces.papers import PaperNotFound
from paperwire.store.models import Paper, PaperFilter, UpsertResult
from paperwire.store.schema import (
    paper_categories,
    paper_metrics,
    paper_sources,
    paper_versions,
    papers,
)
from paperwire.store.upsert import BatchUpsert

if TYPE_CHECKING:
    from paperwire.store.sql import SQLStore

_NEWEST_FIRST = (papers.c.sort_date.desc(), papers.c.id.desc())
_EXPORT_CHUNK = 1000


class SQLPapers:
    """Papers on any SQLAlchemy engine; the store supplies its engine's hooks (id
    allocation, keyword indexing, a fast insert path)."""

    def __init__(self, store: SQLStore) -> None:
        self.store = store
        self.engine = store.engine

    def upsert(self, records: Sequence[object]) -> UpsertResult:
        if not records:
            return UpsertResult()
        with self.store.writing() as conn:
            upsert = BatchUpsert(conn, utcnow(), self.store, self.store.fast_insert())
            return upsert.run(records)

    def row_preparer(self) -> Callable[[PaperRecord], object] | None:
        return self.store.row_preparer()

    def get(self, ref: str) -> Paper:
        ref = ref.strip()
        arxiv = parse_arxiv_id(ref)
        conditions = []
        if arxiv:
            conditions.append(papers.c.arxiv_id == arxiv[0])
        # Any shape: a paper stored before ids were checked is still found by its own id.
        conditions.append(papers.c.paper_id == ref)
        with self.engine.connect() as conn:
            for condition in conditions:
                found = _hydrate(conn, sa.select(papers).where(condition))
                if found:
                    return found[0]
            by_source = (
                conn.execute(
                    sa.select(paper_sources.c.paper_id).where(paper_sources.c.source_id == ref)
                )
                .scalars()
                .all()
            )
            if len(set(by_source)) == 1:
                return _hydrate(conn, sa.select(papers).where(papers.c.id == by_source[0]))[0]
        raise PaperNotFound(ref)

    def get_many(self, row_ids: Sequence[int]) -> dict[int, Paper]:
        if not row_ids:
            return {}
        with self.engine.connect() as conn:
            found = _hydrate(conn, sa.select(papers).where(papers.c.id.in_(list(row_ids))))
        return {paper.row_id: paper for paper in found}

    def newest(
        self, selection: PaperFilter = PaperFilter(), *, limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        query = select_papers(selection).order_by(*_NEWEST_FIRST).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return _hydrate(conn, query)

    def iterate(self, selection: PaperFilter = PaperFilter()) -> Iterator[Paper]:
        last_id = 0
        while True:
            query = (
                select_papers(selection)
                .where(papers.c.id > last_id)
                .order_by(papers.c.id)
                .limit(_EXPORT_CHUNK)
            )
            with self.engine.connect() as conn:
                chunk = _hydrate(conn, query)
            if not chunk:
                return
            yield from chunk
            last_id = chunk[-1].row_id

    def count(self) -> int:
        with self.engine.connect() as conn:
            total: int = conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one()
        return total

    def stats(self) -> dict[str, object]:
        month = self.store.month_of(papers.c.sort_date).label("month")
        with self.engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one()
            by_source = conn.execute(
                sa.select(papers.c.source, sa.func.count()).group_by(papers.c.source)
            ).all()
            by_category = conn.execute(
                sa.select(papers.c.primary_category, sa.func.count())
                .group_by(papers.c.primary_category)
                .order_by(sa.func.count().desc())
            ).all()
            by_month = conn.execute(
                sa.select(month, sa.func.count()).group_by(month).order_by(month)
            ).all()
        return {
            "papers": total,
            "by_source": {source: count for source, count in by_source},
            "by_category": {category or "(none)": count for category, count in by_category},
            "by_month": {key: count for key, count in by_month},
        }

    def filter_row_ids(
        self, selection: PaperFilter, *, within: Sequence[int] | None = None
    ) -> list[int]:
        if selection.category and selection == PaperFilter(category=selection.category):
            # From the category index alone, without reading paper rows (tens of µs each
            # at a million papers).
            query = sa.select(paper_categories.c.paper_id).where(
                paper_categories.c.category == selection.category
            )
            if within is not None:
                query = query.where(paper_categories.c.paper_id.in_(list(within)))
        else:
            query = select_papers(selection).with_only_columns(papers.c.id)
            if within is not None:
                query = query.where(papers.c.id.in_(list(within)))
        with self.engine.connect() as conn:
            return [int(row_id) for row_id in conn.execute(query).scalars()]


def select_papers(selection: PaperFilter) -> sa.Select[Any]:
    """``SELECT papers`` restricted by the filter (dates, category, author)."""
    query = sa.select(papers)
    if selection.since:
        query = query.where(papers.c.published >= datetime.combine(selection.since, time.min))
    if selection.until:
        query = query.where(papers.c.published <= datetime.combine(selection.until, time.max))
    if selection.category:
        query = query.where(in_category(selection.category, papers.c.id))
    if selection.author:
        query = query.where(
            sa.cast(papers.c.authors, sa.Text).ilike(
                f"%{_escape_like(selection.author)}%", escape="\\"
            )
        )
    return query


def in_category(category: str, paper_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """The paper is in the category: one lookup in ``paper_categories``' primary key."""
    return sa.exists().where(
        paper_categories.c.paper_id == paper_id, paper_categories.c.category == category
    )


def _hydrate(conn: sa.Connection, query: sa.Select[Any]) -> list[Paper]:
    rows = conn.execute(query).all()
    if not rows:
        return []
    found = {row.id: _paper_from_row(row) for row in rows}
    ids = list(found)
    for row in conn.execute(
        sa.select(paper_versions)
        .where(paper_versions.c.paper_id.in_(ids))
        .order_by(paper_versions.c.version)
    ):
        found[row.paper_id].versions.append(Version(row.version, row.created, row.size))
    for row in conn.execute(
        sa.select(paper_sources)
        .where(paper_sources.c.paper_id.in_(ids))
        .order_by(paper_sources.c.source, paper_sources.c.source_id)
    ):
        found[row.paper_id].sources.append((row.source, row.source_id))
    for row in conn.execute(sa.select(paper_metrics).where(paper_metrics.c.paper_id.in_(ids))):
        found[row.paper_id].metrics[(row.source, row.name)] = row.value
    return [found[row.id] for row in rows]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _paper_from_row(row: sa.Row[Any]) -> Paper:
    values = row._mapping
    return Paper(
        paper_id=values["paper_id"],
        title=values["title"],
        abstract=values["abstract"],
        authors=list(values["authors"]),
        categories=list(values["categories"]),
        source=values["source"],
        first_seen=values["first_seen"],
        last_updated=values["last_updated"],
        arxiv_id=values["arxiv_id"],
        published=values["published"],
        updated=values["updated"],
        doi=values["doi"],
        journal_ref=values["journal_ref"],
        comments=values["comments"],
        license=values["license"],
        abs_url=values["abs_url"],
        pdf_url=values["pdf_url"],
        code_url=values["code_url"],
        withdrawn=bool(values["withdrawn"]),
        row_id=values["id"],
    )
