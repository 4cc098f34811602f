"""A view's network is stored only as a keyed hash (the table, read directly)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from paperwire.records import PaperRecord
from paperwire.store.base import Store
from paperwire.store.schema import paper_views
from paperwire.trending import record_view
from paperwire.trending.events import network_hash

NOW = datetime(2025, 3, 1, 12, 0)
KEY = "test-secret-key-that-is-long-enough-0123456789"
OFFICE = "203.0.113.0/24"


def test_only_a_keyed_hash_of_the_network_is_stored(store: Store) -> None:
    store.papers.upsert(
        [PaperRecord(source="arxiv", title="Paper", arxiv_id="2502.00001", published=NOW)]
    )
    paper_id = store.papers.get("2502.00001").paper_id
    record_view(
        store, paper_id, "visitor-aaaa", network=OFFICE, secret_key=KEY, network_cap=3, now=NOW
    )
    with store.engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(sa.select(paper_views))]
    (row,) = rows
    assert "203.0.113" not in repr(rows)
    stored = row[-1]
    assert stored == network_hash(KEY, OFFICE, NOW.date())
    assert len(stored) == 32 and int(stored, 16) >= 0
    assert network_hash("another-installation-key-0123456789", OFFICE, NOW.date()) != stored
    assert network_hash(KEY, OFFICE, NOW.date() + timedelta(days=1)) != stored, "not linkable"
