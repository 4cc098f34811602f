"""The migration chain builds exactly the declared schema, safely under concurrency."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from paperwire.store.migrate import (
    SCHEMA_HEADS,
    alembic_config,
    current_revisions,
    head_revisions,
    upgrade,
)
from paperwire.store.schema import SQLITE_FTS_OBJECTS, metadata
from paperwire.store.sqlite.engine import create_sqlite_engine


def _ignore_fts(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (type_ == "table" and name in SQLITE_FTS_OBJECTS)


def test_migrations_produce_the_declared_schema(tmp_path: Path) -> None:
    engine = create_sqlite_engine(f"sqlite:///{tmp_path}/m.db")
    assert upgrade(engine) is True
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _ignore_fts, "compare_type": True}
        )
        assert compare_metadata(context, metadata) == []
    assert upgrade(engine) is False, "a current store needs no migration"


def test_downgrade_then_upgrade_round_trips(tmp_path: Path) -> None:
    engine = create_sqlite_engine(f"sqlite:///{tmp_path}/m.db")
    upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert current_revisions(engine) == set()
    upgrade(engine)
    assert current_revisions(engine) == head_revisions()


def test_processes_starting_at_once_migrate_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/race.db"
    script = (
        "import sys; from paperwire.store.open import open_store; "
        "s = open_store(sys.argv[1]); print(s.papers.count())"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
        assert out.decode().strip() == "0"
    assert current_revisions(create_sqlite_engine(url)) == head_revisions()


def test_the_schema_heads_constant_names_the_newest_migrations() -> None:
    assert head_revisions() == SCHEMA_HEADS, "update SCHEMA_HEADS in store/migrate.py"


def test_views_stored_before_view_networks_are_kept(tmp_path: Path) -> None:
    """0006 adds a column to paper_views: every view already stored survives it."""
    url = f"sqlite:///{tmp_path}/m.db"
    engine = create_sqlite_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0004")
    assert "0006" not in current_revisions(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO papers (id, paper_id, title, authors, categories, source,"
                " first_seen, sort_date, last_updated) VALUES (1, 'p1', 'A paper', '[]', '[]',"
                " 'arxiv', '2025-03-01 00:00:00', '2025-03-01 00:00:00', '2025-03-01 00:00:00')"
            )
        )
        for n in range(5):
            conn.execute(
                sa.text(
                    "INSERT INTO paper_views (paper_id, visitor_id, day, hour)"
                    " VALUES (1, :visitor, '2025-03-01', 480000)"
                ),
                {"visitor": f"visitor-{n:04d}"},
            )
    upgrade(engine)
    assert current_revisions(engine) == head_revisions()
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT visitor_id, day, hour, network FROM paper_views ORDER BY visitor_id")
        ).all()
    assert [tuple(row) for row in rows] == [
        (f"visitor-{n:04d}", "2025-03-01", 480000, None) for n in range(5)
    ]
