"""Bringing a database to the current schema, safely with several processes starting at once.

Migrations run under a lock: a file lock beside a SQLite database, an advisory lock on
PostgreSQL. The second process to get the lock finds the schema current and does nothing.

Every command opens the store, so checking that the schema is current reads the
version table against ``SCHEMA_HEADS`` without loading Alembic (a third of a second);
Alembic is imported only to migrate.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from filelock import FileLock

from paperwire.store.sqlite.engine import sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision of each migration branch; a test holds it to the scripts.
SCHEMA_HEADS = frozenset({"0002", "0003", "0005", "0006", "0007", "0008"})
_PG_LOCK_KEY = 0x7061_7065  # "pape": one advisory lock id for paperwire migrations


def alembic_config(connection: sa.Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revisions() -> set[str]:
    """The newest revision of each migration branch (one per capability that adds tables)."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> set[str]:
    """Every revision this release has a migration script for: a store at any of them
    can be opened (and brought up to date); a store at any other was made by a newer
    release."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def current_revisions(engine: sa.Engine) -> set[str]:
    """The revisions the database is at (none for a new database)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return set()
        return set(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def is_current(engine: sa.Engine) -> bool:
    return current_revisions(engine) == SCHEMA_HEADS


@contextmanager
def _migration_lock(engine: sa.Engine) -> Iterator[None]:
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if path is None:
            yield
            return
        with FileLock(str(path) + ".migrate.lock", timeout=120):
            yield
    else:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
                conn.commit()


def upgrade(engine: sa.Engine, revision: str = "heads") -> bool:
    """Apply pending migrations; True when any ran."""
    if revision == "heads" and is_current(engine):
        return False
    with _migration_lock(engine):
        if revision == "heads" and is_current(engine):
            return False
        from alembic import command

        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
    return True
