"""The SQLite engine: connections (``engine``), FTS5 keyword search (``fts``), the
fast-ingest rows (``rows``), backups (``backup``) and the store that plugs them in
(``store``).

Nothing is imported here: the ingest reader process imports ``rows`` alone, without
SQLAlchemy.
"""
