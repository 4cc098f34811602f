"""The fixtures of tests/digest live in digestworld.py (importable by a unique name)."""

from digestworld import demo_db, embedder, smtp, world  # noqa: F401
