"""The SQLAlchemy Core implementation of :class:`~paperwire.store.base.Store`.

Engine-specific pieces (how a write transaction begins, the dialect's ``insert`` with
``ON CONFLICT``, month formatting, backups) are small hooks that subclasses fill in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from paperwire.ids import parse_arxiv_id
from paperwire.records import PaperRecord, Version
from paperwire.store.base import (
    HarvestCheckpoint,
    PaperNotFound,
    RequestSlot,
    SlotGrant,
    Store,
    VectorSpace,
    VectorSpaceMismatch,
    grant_request_slot,
    release_request_slot,
)
from paperwire.store.clock import naive_utc, utcnow
from paperwire.store.models import Paper, PaperFilter, UpsertResult
from paperwire.store.schema import (
    harvest_checkpoints,
    paper_categories,
    paper_metrics,
    paper_sources,
    paper_vectors,
    paper_versions,
    papers,
    request_slots,
    vector_space,
)
from paperwire.store.sql.attention import SQLAttention
from paperwire.store.sql.trending import SQLTrendingScores
from paperwire.store.upsert import BatchUpsert

_NEWEST_FIRST = (papers.c.sort_date.desc(), papers.c.id.desc())
_EXPORT_CHUNK = 1000


class SQLStore(Store):
    """Papers on any SQLAlchemy engine; subclasses provide the engine-specific hooks."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        self.attention = SQLAttention(self)
        self.trending = SQLTrendingScores(self)

    # Engine-specific hooks -------------------------------------------------------

    def writing(self) -> AbstractContextManager[sa.Connection]:
        """A connection in a write transaction, committed on success."""
        return self.engine.begin()

    def month_of(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
        raise NotImplementedError

    def index_new_papers(self, conn: sa.Connection, rows: list[tuple[int, str, str, str]]) -> None:
        """Add new papers (row id, title, abstract, authors as JSON text) to an engine's
        keyword index, in the writing transaction."""

    # Writing ------------------------------------------------------------------------

    def upsert(self, records: Sequence[PaperRecord | Any]) -> UpsertResult:
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
        # Any shape: a paper stored before ids were checked is still found by its own id.
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

    # Harvest --------------------------------------------------------------------------

    def reserve_request_slot(
        self,
        host: str,
        holder: str,
        now: datetime,
        lease: timedelta,
        dead_holder: str | None = None,
    ) -> SlotGrant:
        with self.writing() as conn:
            current = _request_slot(conn, host)
            slot, grant = grant_request_slot(current, holder, naive_utc(now), lease, dead_holder)
            _save_request_slot(conn, host, slot, insert=current is None)
        return SlotGrant(grant.granted, grant.at.replace(tzinfo=UTC), grant.holder)

    def release_request_slot(self, host: str, holder: str, free_at: datetime) -> None:
        with self.writing() as conn:
            current = _request_slot(conn, host)
            slot = release_request_slot(current, holder, naive_utc(free_at))
            _save_request_slot(conn, host, slot, insert=current is None)

    def get_harvest_checkpoint(self, source: str) -> HarvestCheckpoint | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(harvest_checkpoints).where(harvest_checkpoints.c.source == source)
            ).first()
        return _checkpoint_from_row(row) if row else None

    def save_harvest_checkpoint(self, checkpoint: HarvestCheckpoint) -> None:
        values = {
            field: getattr(checkpoint, field) for field in HarvestCheckpoint.__dataclass_fields__
        }
        values["last_success"] = naive_utc(checkpoint.last_success)
        values["updated_at"] = utcnow()
        with self.writing() as conn:
            table = harvest_checkpoints
            changed = conn.execute(
                table.update().where(table.c.source == checkpoint.source).values(values)
            ).rowcount
            if not changed:
                conn.execute(table.insert().values(values))

    def list_harvest_checkpoints(self) -> list[HarvestCheckpoint]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(harvest_checkpoints).order_by(harvest_checkpoints.c.source)
            ).all()
        return [_checkpoint_from_row(row) for row in rows]

    # Search ---------------------------------------------------------------------------

    def get_papers(self, row_ids: Sequence[int]) -> dict[int, Paper]:
        if not row_ids:
            return {}
        with self.engine.connect() as conn:
            found = self._hydrate(conn, sa.select(papers).where(papers.c.id.in_(list(row_ids))))
        return {paper.row_id: paper for paper in found}

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
            query = self._select(selection).with_only_columns(papers.c.id)
            if within is not None:
                query = query.where(papers.c.id.in_(list(within)))
        with self.engine.connect() as conn:
            return conn.execute(query).scalars().all()  # type: ignore[return-value]

    def vector_space(self) -> VectorSpace | None:
        with self.engine.connect() as conn:
            return _space(conn)

    def reset_vectors(self, model: str, dimension: int) -> VectorSpace:
        with self.writing() as conn:
            old = _space(conn)
            conn.execute(paper_vectors.delete())
            conn.execute(vector_space.delete())
            space = VectorSpace(model, dimension, (old.epoch if old else 0) + 1, 0)
            conn.execute(vector_space.insert().values(id=1, **_space_values(space)))
        return space

    def save_vectors(
        self, model: str, dimension: int, rows: Sequence[tuple[int, bytes]]
    ) -> VectorSpace:
        with self.writing() as conn:
            space = _space(conn)
            if space is None:
                space = VectorSpace(model, dimension, 1, 0)
                conn.execute(vector_space.insert().values(id=1, **_space_values(space)))
            elif (space.model, space.dimension) != (model, dimension):
                raise VectorSpaceMismatch(
                    f"the store holds vectors of {space.model!r} (dim {space.dimension}), "
                    f"not {model!r} (dim {dimension}): rebuild with `paperwire index --rebuild`"
                )
            if not rows:
                return space
            ids = [row_id for row_id, _ in rows]
            conn.execute(paper_vectors.delete().where(paper_vectors.c.paper_id.in_(ids)))
            # Papers deleted since they were read are skipped, not an error.
            present = set(
                conn.execute(sa.select(papers.c.id).where(papers.c.id.in_(ids))).scalars()
            )
            values = [
                {"paper_id": row_id, "seq": space.generation + n, "vector": blob}
                for n, (row_id, blob) in enumerate(
                    ((r, b) for r, b in rows if r in present), start=1
                )
            ]
            if values:
                conn.execute(paper_vectors.insert(), values)
                space = VectorSpace(model, dimension, space.epoch, values[-1]["seq"])
                conn.execute(
                    vector_space.update()
                    .where(vector_space.c.id == 1)
                    .values(generation=space.generation)
                )
        return space

    def vectors_since(self, seq: int, *, limit: int = 10_000) -> list[tuple[int, int, bytes]]:
        query = (
            sa.select(paper_vectors.c.paper_id, paper_vectors.c.seq, paper_vectors.c.vector)
            .where(paper_vectors.c.seq > seq)
            .order_by(paper_vectors.c.seq)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(row[0], row[1], row[2]) for row in conn.execute(query)]

    def papers_without_vectors(
        self, *, after: int = 0, limit: int = 256
    ) -> list[tuple[int, str, str]]:
        query = (
            sa.select(papers.c.id, papers.c.title, papers.c.abstract)
            .where(papers.c.id > after, ~_has_vector())
            .order_by(papers.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(row[0], row[1], row[2]) for row in conn.execute(query)]

    def count_without_vectors(self) -> int:
        query = sa.select(sa.func.count()).select_from(papers).where(~_has_vector())
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    # Helpers --------------------------------------------------------------------------

    def _select(self, selection: PaperFilter) -> sa.Select[Any]:
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


def in_category(category: str, paper_id: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """The paper is in the category: one lookup in ``paper_categories``' primary key."""
    return sa.exists().where(
        paper_categories.c.paper_id == paper_id, paper_categories.c.category == category
    )


def _has_vector() -> sa.ColumnElement[bool]:
    return sa.exists().where(paper_vectors.c.paper_id == papers.c.id)


def _space(conn: sa.Connection) -> VectorSpace | None:
    row = conn.execute(sa.select(vector_space).where(vector_space.c.id == 1)).first()
    if row is None:
        return None
    return VectorSpace(row.model, row.dimension, row.epoch, row.generation)


def _space_values(space: VectorSpace) -> dict[str, object]:
    return {
        "model": space.model,
        "dimension": space.dimension,
        "epoch": space.epoch,
        "generation": space.generation,
    }


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


# Harvest helpers ----------------------------------------------------------------------


def _request_slot(conn: sa.Connection, host: str) -> RequestSlot | None:
    row = conn.execute(
        sa.select(request_slots).where(request_slots.c.host == host).with_for_update()
    ).first()
    return RequestSlot(row.next_at, row.holder, row.lease_until) if row else None


def _save_request_slot(conn: sa.Connection, host: str, slot: RequestSlot, *, insert: bool) -> None:
    values = {"next_at": slot.next_at, "holder": slot.holder, "lease_until": slot.lease_until}
    if insert:
        conn.execute(request_slots.insert().values(host=host, **values))
    else:
        conn.execute(request_slots.update().where(request_slots.c.host == host).values(values))


def _checkpoint_from_row(row: sa.Row[Any]) -> HarvestCheckpoint:
    values = row._mapping
    last_success = values["last_success"]
    return HarvestCheckpoint(
        source=values["source"],
        harvested_until=values["harvested_until"],
        last_success=last_success.replace(tzinfo=UTC) if last_success else None,
        run_from=values["run_from"],
        run_server_date=values["run_server_date"],
        resumption_token=values["resumption_token"],
        run_records=values["run_records"],
        last_error=values["last_error"],
    )
