"""The SQLAlchemy Core implementation of :class:`~paperwire.store.base.Store`.

Engine-specific pieces (how a write transaction begins, the dialect's ``insert`` with
``ON CONFLICT``, month formatting, backups) are small hooks that subclasses fill in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, time
from typing import Any

import sqlalchemy as sa

from paperwire.ids import is_paper_id, parse_arxiv_id
from paperwire.records import PaperRecord, Version
from paperwire.store.base import PaperNotFound, Store
from paperwire.store.models import Paper, PaperFilter, UpsertResult
from paperwire.store.schema import (
    paper_categories,
    paper_metrics,
    paper_sources,
    paper_versions,
    papers,
)
from paperwire.store.upsert import BatchUpsert

_NEWEST_FIRST = (papers.c.sort_date.desc(), papers.c.id.desc())
_EXPORT_CHUNK = 1000


def utcnow() -> datetime:
    """Now, as the naive UTC datetime the store keeps."""
    return datetime.now(UTC).replace(tzinfo=None)


class SQLStore(Store):
    """Papers on any SQLAlchemy engine; subclasses provide the engine-specific hooks."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)

    # Engine-specific hooks -------------------------------------------------------

    def writing(self) -> AbstractContextManager[sa.Connection]:
        """A connection in a write transaction, committed on success."""
        return self.engine.begin()

    def month_of(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
        raise NotImplementedError

    def index_new_papers(self, conn: sa.Connection, rows: list[tuple[int, dict[str, Any]]]) -> None:
        """Add new papers to an engine's keyword index, in the writing transaction."""

    # Writing ------------------------------------------------------------------------

    def upsert(self, records: Sequence[PaperRecord]) -> UpsertResult:
        if not records:
            return UpsertResult()
        with self.writing() as conn:
            upsert = BatchUpsert(conn, utcnow(), self.index_new_papers)
            return upsert.run(records)

    # Reading ------------------------------------------------------------------------

    def get_paper(self, ref: str) -> Paper:
        ref = ref.strip()
        arxiv = parse_arxiv_id(ref)
        conditions = []
        if arxiv:
            conditions.append(papers.c.arxiv_id == arxiv[0])
        if is_paper_id(ref):
            conditions.append(papers.c.paper_id == ref)
        with self.engine.connect() as conn:
            for condition in conditions:
                found = self._hydrate(conn, sa.select(papers).where(condition))
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
                return self._hydrate(conn, sa.select(papers).where(papers.c.id == by_source[0]))[0]
        raise PaperNotFound(ref)

    def list_papers(
        self, selection: PaperFilter = PaperFilter(), *, limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        query = self._select(selection).order_by(*_NEWEST_FIRST).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return self._hydrate(conn, query)

    def iter_papers(self, selection: PaperFilter = PaperFilter()) -> Iterator[Paper]:
        last_id = 0
        while True:
            query = (
                self._select(selection)
                .where(papers.c.id > last_id)
                .order_by(papers.c.id)
                .limit(_EXPORT_CHUNK)
            )
            with self.engine.connect() as conn:
                chunk = self._hydrate(conn, query)
            if not chunk:
                return
            yield from chunk
            last_id = chunk[-1].row_id

    def count_papers(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one()

    def stats(self) -> dict[str, object]:
        month = self.month_of(papers.c.sort_date).label("month")
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

    def close(self) -> None:
        self.engine.dispose()

    # Helpers --------------------------------------------------------------------------

    def _select(self, selection: PaperFilter) -> sa.Select[Any]:
        query = sa.select(papers)
        if selection.since:
            query = query.where(papers.c.published >= datetime.combine(selection.since, time.min))
        if selection.until:
            query = query.where(papers.c.published <= datetime.combine(selection.until, time.max))
        if selection.category:
            query = query.where(
                sa.exists().where(
                    paper_categories.c.paper_id == papers.c.id,
                    paper_categories.c.category == selection.category,
                )
            )
        if selection.author:
            query = query.where(
                sa.cast(papers.c.authors, sa.Text).ilike(
                    f"%{_escape_like(selection.author)}%", escape="\\"
                )
            )
        return query

    def _hydrate(self, conn: sa.Connection, query: sa.Select[Any]) -> list[Paper]:
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
