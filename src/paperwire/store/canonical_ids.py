"""Canonical ids for papers stored before ids were checked (run by migration 0007).

Until then a paperwire JSON-lines record's ``paper_id``, and any record's ``arxiv_id``,
was stored as given, so a stored id could hold "../" or "?" and climb out of
``/papers/`` in a link. For each stored paper:

- an arXiv id that is not canonical becomes its canonical form when it has one
  ("arXiv:2401.01234v2" becomes "2401.01234") and no other paper holds that; otherwise
  it is dropped (the paper keeps its title, sources and DOI);
- a paperwire id that is not canonical is replaced by the id a store fed the same paper
  would derive (from its arXiv id, else a source id, its DOI or its title), made unique.
  Links to the old, malformed id stop working; well-formed ids are not touched.

The tables are named here rather than imported from ``schema``, so that the migration
keeps working as the declared schema grows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from paperwire.ids import is_arxiv_id, is_paper_id, make_paper_id, parse_arxiv_id

log = logging.getLogger(__name__)

_papers = sa.table(
    "papers",
    sa.column("id"),
    sa.column("paper_id"),
    sa.column("arxiv_id"),
    sa.column("doi"),
    sa.column("title_key"),
    sa.column("title"),
    sa.column("source"),
)
_sources = sa.table(
    "paper_sources", sa.column("source"), sa.column("source_id"), sa.column("paper_id")
)
_CHUNK = 50_000


@dataclass(slots=True)
class IdRepairs:
    """How many stored ids were changed."""

    renamed: int = 0
    arxiv_canonicalised: int = 0
    arxiv_dropped: int = 0


def odd_rows(conn: sa.Connection) -> list[tuple[int, str, str | None]]:
    """(row id, paper id, arXiv id) of every paper with an id that is not canonical."""
    found: list[tuple[int, str, str | None]] = []
    last = 0
    while True:
        query = (
            sa.select(_papers.c.id, _papers.c.paper_id, _papers.c.arxiv_id)
            .where(_papers.c.id > last)
            .order_by(_papers.c.id)
            .limit(_CHUNK)
        )
        chunk = conn.execute(query).all()
        if not chunk:
            return found
        found += [
            (row_id, paper_id, arxiv_id)
            for row_id, paper_id, arxiv_id in chunk
            if not is_paper_id(paper_id) or (arxiv_id is not None and not is_arxiv_id(arxiv_id))
        ]
        last = chunk[-1][0]


def canonicalise_ids(conn: sa.Connection) -> IdRepairs:
    """Give every stored paper canonical ids (see the module's docstring)."""
    repairs = IdRepairs()
    for row_id, paper_id, arxiv_id in odd_rows(conn):
        if arxiv_id is not None and not is_arxiv_id(arxiv_id):
            arxiv_id = _repair_arxiv_id(conn, row_id, arxiv_id)
            if arxiv_id is None:
                repairs.arxiv_dropped += 1
            else:
                repairs.arxiv_canonicalised += 1
        if not is_paper_id(paper_id):
            new_id = _unused_paper_id(conn, make_paper_id(_identity(conn, row_id, arxiv_id)))
            _update(conn, row_id, paper_id=new_id)
            repairs.renamed += 1
            log.warning("paper %d: id %r is now %r", row_id, paper_id[:80], new_id)
    return repairs


def _update(conn: sa.Connection, row_id: int, **values: str | None) -> None:
    conn.execute(sa.update(_papers).where(_papers.c.id == row_id).values(**values))


def _repair_arxiv_id(conn: sa.Connection, row_id: int, arxiv_id: str) -> str | None:
    parsed = parse_arxiv_id(arxiv_id)
    canonical = parsed[0] if parsed and is_arxiv_id(parsed[0]) else None
    if canonical is not None:
        holder = conn.execute(
            sa.select(_papers.c.id).where(_papers.c.arxiv_id == canonical, _papers.c.id != row_id)
        ).first()
        if holder is not None:
            canonical = None
    _update(conn, row_id, arxiv_id=canonical)
    log.warning("paper %d: arXiv id %r is now %r", row_id, arxiv_id[:80], canonical)
    return canonical


def _identity(conn: sa.Connection, row_id: int, arxiv_id: str | None) -> str:
    """The identity ``store.merge.new_paper_id`` would derive the id from."""
    if arxiv_id is not None:
        return f"arxiv:{arxiv_id}"
    paper = conn.execute(
        sa.select(_papers.c.source, _papers.c.doi, _papers.c.title_key, _papers.c.title).where(
            _papers.c.id == row_id
        )
    ).one()
    source = conn.execute(
        sa.select(_sources.c.source, _sources.c.source_id)
        .where(_sources.c.paper_id == row_id)
        .order_by(_sources.c.source != paper.source, _sources.c.source, _sources.c.source_id)
        .limit(1)
    ).first()
    if source is not None:
        return f"{source.source}:{source.source_id}"
    if paper.doi:
        return f"doi:{paper.doi}"
    return f"title:{paper.title_key or paper.title}"


def _unused_paper_id(conn: sa.Connection, candidate: str) -> str:
    salt = 0
    while conn.execute(sa.select(_papers.c.id).where(_papers.c.paper_id == candidate)).first():
        salt += 1
        candidate = make_paper_id(f"{candidate}#{salt}")
    return candidate
