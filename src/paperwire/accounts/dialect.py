"""Moved to :mod:`paperwire.store.sql.dialect`; kept only while ``trending.events`` imports it."""

from paperwire.store.sql.dialect import insert_ignoring_duplicates

__all__ = ["insert_ignoring_duplicates"]
