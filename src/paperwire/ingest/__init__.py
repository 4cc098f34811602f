"""Ingest: read sources into :class:`PaperRecord` values and upsert them into the store."""
