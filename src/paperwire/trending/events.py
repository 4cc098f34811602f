"""Recording attention: views (once per visitor or signed-in reader per paper per UTC
day, and a few per network) and marks (upvote, save: one per signed-in user per paper,
undoable)."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, datetime
from typing import Literal

from paperwire.accounts.models import UnknownUser
from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.interfaces.attention import MarkingUserNotFound
from paperwire.store.models import Paper

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
    return store.attention.add_network_view(
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
    return store.attention.add_view(
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
    try:
        if on:
            store.attention.set_mark(user_id, row_id, kind, at=naive_utc(now))
        else:
            store.attention.unset_mark(user_id, row_id, kind)
    except MarkingUserNotFound as error:
        raise UnknownUser(str(error)) from error


def saved_papers(store: Store, user_id: int, *, limit: int = 500) -> list[Paper]:
    """The user's saved papers, most recently saved first."""
    row_ids = store.attention.saved_row_ids(user_id, limit=limit)
    by_id = store.papers.get_many(row_ids)
    return [by_id[row_id] for row_id in row_ids if row_id in by_id]


def upvote_counts(store: Store, paper_ids: list[str]) -> dict[str, int]:
    """Upvotes per paperwire id: local upvotes plus the latest imported upvote total.

    Imported totals from several sources are not added up (they may count the same
    people); the largest is taken.
    """
    return {
        paper_id: count.local + count.imported
        for paper_id, count in store.attention.upvote_counts(paper_ids).items()
    }
