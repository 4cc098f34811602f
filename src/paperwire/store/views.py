"""Storing views: one per visitor, paper and UTC day, and a few per network.

The rule is checked and the row written in one write transaction. On SQLite every
write transaction is serialised (``BEGIN IMMEDIATE``), so two views from one network
cannot both take the last place under the cap; an engine without that guarantee must
lock the paper's views for the check.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from paperwire.store.base import Store
from paperwire.store.bulk import dialect_insert
from paperwire.store.schema import paper_views


def add_view(store: Store, paper_row_id: int, visitor_id: str, *, day: date, hour: int) -> bool:
    """Store a view unless the visitor already viewed the paper that day; True if stored."""
    return _add(store, paper_row_id, visitor_id, day, hour, None, 0)


def add_network_view(
    store: Store,
    paper_row_id: int,
    visitor_id: str,
    *,
    day: date,
    hour: int,
    network: str,
    network_cap: int,
) -> bool:
    """Store an anonymous view; True if stored.

    Not stored when the visitor already viewed the paper that day, or when ``network``
    (a keyed hash) already holds ``network_cap`` views of the paper that day.
    """
    return _add(store, paper_row_id, visitor_id, day, hour, network, network_cap)


def _add(
    store: Store,
    paper_row_id: int,
    visitor_id: str,
    day: date,
    hour: int,
    network: str | None,
    network_cap: int,
) -> bool:
    seen = sa.select(sa.literal(1)).where(
        paper_views.c.paper_id == paper_row_id,
        paper_views.c.visitor_id == visitor_id,
        paper_views.c.day == day,
    )
    from_network = sa.select(sa.func.count()).where(
        paper_views.c.paper_id == paper_row_id,
        paper_views.c.day == day,
        paper_views.c.network == network,
    )
    row = {
        "paper_id": paper_row_id,
        "visitor_id": visitor_id,
        "day": day,
        "hour": hour,
        "network": network,
    }
    with store.writing() as conn:
        if conn.execute(seen).first() is not None:
            return False
        if network is not None and conn.execute(from_network).scalar_one() >= network_cap:
            return False
        insert = dialect_insert(conn.dialect.name, paper_views).values(row)
        return conn.execute(insert.on_conflict_do_nothing()).rowcount == 1
