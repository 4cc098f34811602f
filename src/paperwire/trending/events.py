"""Recording attention: views (once per visitor or signed-in reader per paper per UTC
day, and a few per network) and marks (upvote, save: one per signed-in user per paper,
undoable)."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa

from paperwire.accounts.dialect import insert_ignoring_duplicates
from paperwire.accounts.models import UnknownUser
from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.models import Paper
from paperwire.store.schema import paper_marks, paper_metrics, papers, users
from paperwire.store.views import add_network_view, add_view

MarkKind = Literal["upvote", "save"]
MARK_KINDS: frozenset[str] = frozenset({"upvote", "save"})
_VISITOR = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class InvalidVisitor(ValueError):
    """A visitor id that is not one the web app could have issued."""


def epoch_hour(moment: datetime) -> int:
    """Hours since 1970-01-01 (naive UTC): the bucket views are counted in."""
    return int((moment - datetime(1970, 1, 1)).total_seconds() // 3600)


def network_hash(secret_key: str, network: str, day: date) -> str:
    """The keyed hash a view's network is stored as (never the network itself).

    The day is part of it, so the table cannot follow one network from day to day;
    without the secret key the hash says nothing about the network.
    """
    message = f"paperwire.view-network\x00{day.isoformat()}\x00{network}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def record_view(
    store: Store,
    paper_ref: str,
    visitor_id: str,
    *,
    network: str,
    secret_key: str,
    network_cap: int,
    now: datetime,
) -> bool:
    """Count one anonymous view; False when it does not count.

    It counts once per visitor per paper per UTC day, and for at most ``network_cap``
    visitors of ``network`` (the client's IPv4 /24 or IPv6 /64, ``web.networks``) per
    paper per day: a fresh cookie per request buys nothing past that. PaperNotFound for
    an unknown paper, InvalidVisitor for a malformed visitor id.
    """
    if not _VISITOR.match(visitor_id):
        raise InvalidVisitor("a visitor id is 8 to 64 letters, digits, '-' or '_'")
    row_id = store.papers.get(paper_ref).row_id
    now = naive_utc(now)
    day = now.date()
    return add_network_view(
        store,
        row_id,
        visitor_id,
        day=day,
        hour=epoch_hour(now),
        network=network_hash(secret_key, network, day),
        network_cap=network_cap,
    )


def record_reader_view(store: Store, paper_ref: str, user_id: int, *, now: datetime) -> bool:
    """Count a signed-in reader's view, once per user per paper per UTC day.

    Outside the network cap: readers in one office are each counted. PaperNotFound for
    an unknown paper.
    """
    row_id = store.papers.get(paper_ref).row_id
    now = naive_utc(now)
    return add_view(
        store,
        row_id,
        f"user:{user_id}",  # ':' is never in a cookie's visitor id
        day=now.date(),
        hour=epoch_hour(now),
    )


def set_mark(
    store: Store, user_id: int, paper_ref: str, kind: MarkKind, on: bool, *, now: datetime
) -> None:
    """Turn a user's upvote or save of a paper on or off (idempotent either way).

    Turning a mark off deletes it, so undoing takes it out of every score; turning it
    on again counts it as new. PaperNotFound, UnknownUser, ValueError for a bad kind.
    """
    if kind not in MARK_KINDS:
        raise ValueError(f"unknown mark {kind!r}: use one of {sorted(MARK_KINDS)}")
    row_id = store.papers.get(paper_ref).row_id
    with store.writing() as conn:
        if conn.execute(sa.select(users.c.id).where(users.c.id == user_id)).first() is None:
            raise UnknownUser(f"no user with id {user_id}")
        if on:
            insert_ignoring_duplicates(
                conn,
                paper_marks,
                {
                    "user_id": user_id,
                    "paper_id": row_id,
                    "kind": kind,
                    "created_at": naive_utc(now),
                },
            )
        else:
            conn.execute(
                sa.delete(paper_marks).where(
                    paper_marks.c.user_id == user_id,
                    paper_marks.c.paper_id == row_id,
                    paper_marks.c.kind == kind,
                )
            )


def marks_for(store: Store, user_id: int, paper_ids: list[str]) -> dict[str, set[str]]:
    """For each paperwire id asked for, the kinds of mark the user has on it (maybe none)."""
    found: dict[str, set[str]] = {paper_id: set() for paper_id in paper_ids}
    if not paper_ids:
        return found
    query = (
        sa.select(papers.c.paper_id, paper_marks.c.kind)
        .join(paper_marks, paper_marks.c.paper_id == papers.c.id)
        .where(paper_marks.c.user_id == user_id, papers.c.paper_id.in_(paper_ids))
    )
    with store.engine.connect() as conn:
        for paper_id, kind in conn.execute(query):
            found[paper_id].add(kind)
    return found


def saved_papers(store: Store, user_id: int, *, limit: int = 500) -> list[Paper]:
    """The user's saved papers, most recently saved first."""
    query = (
        sa.select(paper_marks.c.paper_id)
        .where(paper_marks.c.user_id == user_id, paper_marks.c.kind == "save")
        .order_by(paper_marks.c.created_at.desc(), paper_marks.c.paper_id.desc())
        .limit(limit)
    )
    with store.engine.connect() as conn:
        row_ids = list(conn.execute(query).scalars())
    by_id = store.papers.get_many(row_ids)
    return [by_id[row_id] for row_id in row_ids if row_id in by_id]


def upvote_counts(store: Store, paper_ids: list[str]) -> dict[str, int]:
    """Upvotes per paperwire id: local upvotes plus the latest imported upvote total.

    Imported totals from several sources are not added up (they may count the same
    people); the largest is taken.
    """
    counts = dict.fromkeys(paper_ids, 0)
    if not paper_ids:
        return counts
    local = (
        sa.select(papers.c.paper_id, sa.func.count())
        .join(paper_marks, paper_marks.c.paper_id == papers.c.id)
        .where(paper_marks.c.kind == "upvote", papers.c.paper_id.in_(paper_ids))
        .group_by(papers.c.paper_id)
    )
    imported = (
        sa.select(papers.c.paper_id, sa.func.max(paper_metrics.c.value))
        .join(paper_metrics, paper_metrics.c.paper_id == papers.c.id)
        .where(paper_metrics.c.name == "upvotes", papers.c.paper_id.in_(paper_ids))
        .group_by(papers.c.paper_id)
    )
    with store.engine.connect() as conn:
        for query in (local, imported):
            for paper_id, count in conn.execute(query):
                counts[paper_id] += int(count)
    return counts
