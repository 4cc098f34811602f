"""Ids reach URLs: the store keeps only canonical ones, and migration 0007 repairs the
ones stored before they were checked."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from paperwire.ids import is_paper_id, make_paper_id
from paperwire.records import PaperRecord
from paperwire.store.base import Store
from paperwire.store.migrate import upgrade
from paperwire.store.open import open_store
from paperwire.store.schema import papers
from paperwire.store.sqlite.rows import prepare

ODD_PAPER_ID = "../account/digest/unsubscribe?x="


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("paper_id", ODD_PAPER_ID),
        ("paper_id", "../logout?x="),
        ("paper_id", "abcdefghij\n"),
        ("paper_id", "ABCDEFGHIJ"),
        ("arxiv_id", "2401.01234v2"),
        ("arxiv_id", "arXiv:2401.01234"),
        ("arxiv_id", "../../account"),
        ("arxiv_id", "2401.01234\n"),
        ("arxiv_id", "\uff12\uff14\uff10\uff11.\uff10\uff11\uff12\uff13\uff14"),
    ],
)
def test_the_store_refuses_a_non_canonical_id(store: Store, field: str, value: str) -> None:
    record = PaperRecord(source="paperwire", source_id="s1", title="Odd", **{field: value})
    with pytest.raises(ValueError, match=field):
        store.papers.upsert([record])
    with pytest.raises(ValueError, match=field):
        prepare(record)  # the fast ingest path's reader process
    assert store.papers.count() == 0


def test_the_store_keeps_canonical_ids(store: Store) -> None:
    store.papers.upsert(
        [
            PaperRecord(source="paperwire", title="A", paper_id="abcdefghij"),
            PaperRecord(source="arxiv", title="B", arxiv_id="math.GT/0309136"),
            PaperRecord(source="arxiv", title="C", arxiv_id="2401.01234"),
        ]
    )
    assert store.papers.get("abcdefghij").title == "A"
    assert store.papers.get("math.GT/0309136v2").title == "B"
    assert store.papers.get("2401.01234").title == "C"


def _insert_as_before(store: Store, record: PaperRecord, **stored: str | None) -> int:
    """Store ``record`` and then give it the ids main stored as given: how a store made
    before ids were checked looks."""
    store.papers.upsert([record])
    row_id = store.papers.get(record.source_id or record.arxiv_id or "").row_id
    with store.writing() as conn:
        conn.execute(sa.update(papers).where(papers.c.id == row_id).values(**stored))
    return row_id


def _ids(store: Store, row_id: int) -> tuple[str, str | None]:
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(papers.c.paper_id, papers.c.arxiv_id).where(papers.c.id == row_id)
        ).one()
    return row.paper_id, row.arxiv_id


def test_migration_0007_gives_stored_papers_canonical_ids(database_url: str) -> None:
    store = open_store(database_url)
    kept = PaperRecord(source="arxiv", source_id="2401.00001", arxiv_id="2401.00001", title="K")
    store.papers.upsert([kept])
    kept_id = store.papers.get("2401.00001").paper_id
    odd = _insert_as_before(
        store,
        PaperRecord(source="paperwire", source_id="odd-1", title="Odd"),
        paper_id=ODD_PAPER_ID,
    )
    odd_arxiv = _insert_as_before(
        store,
        PaperRecord(source="paperwire", source_id="odd-2", title="Odd arXiv"),
        paper_id="../logout?x=",
        arxiv_id="arXiv:2402.00002v3",
    )
    versioned = _insert_as_before(
        store,
        PaperRecord(source="arxiv", source_id="2403.00003", arxiv_id="2403.00003", title="V"),
        arxiv_id="2403.00003v2",
    )
    versioned_id = _ids(store, versioned)[0]
    taken = _insert_as_before(
        store,
        PaperRecord(source="paperwire", source_id="odd-3", title="Taken"),
        arxiv_id="2401.00001v1",
    )
    junk = _insert_as_before(
        store,
        PaperRecord(source="paperwire", source_id="odd-4", title="Junk"),
        arxiv_id="../../account",
    )
    store.close()

    # A store from before migration 0007: its version table does not name it.
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version WHERE version_num = '0007'"))
    assert upgrade(engine) is True
    engine.dispose()

    store = open_store(database_url)
    new_id, arxiv_id = _ids(store, odd)
    assert is_paper_id(new_id) and arxiv_id is None
    assert new_id == make_paper_id("paperwire:odd-1"), "derived as a clean store would"
    assert store.papers.get(new_id).title == "Odd"
    # A canonical arXiv id hidden in a malformed one is kept, and names the paper.
    assert _ids(store, odd_arxiv) == (make_paper_id("arxiv:2402.00002"), "2402.00002")
    # Well-formed paperwire ids, and so their old URLs, do not change.
    assert _ids(store, versioned) == (versioned_id, "2403.00003")
    assert store.papers.get("2401.00001").paper_id == kept_id
    # An arXiv id another paper holds, or none at all, is dropped.
    assert _ids(store, taken)[1] is None
    assert _ids(store, junk)[1] is None
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(papers.c.paper_id, papers.c.arxiv_id)).all()
    assert all(is_paper_id(paper_id) for paper_id, _ in stored)
    store.close()
