"""Alembic environment: runs on the connection paperwire hands it (see store.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.schema import SchemaItem

from paperwire.store.schema import SQLITE_FTS_OBJECTS, metadata


def include_object(
    obj: SchemaItem,
    name: str | None,
    type_: str,
    reflected: bool,
    compare_to: SchemaItem | None,
) -> bool:
    """The FTS5 virtual table and its shadow tables are not in the declared metadata."""
    return not (type_ == "table" and name in SQLITE_FTS_OBJECTS)


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
