"""Store: one schema on SQLite (and later PostgreSQL) behind the Store interface."""
