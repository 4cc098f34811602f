"""A record as the SQLite rows that store it as a new paper, made ahead of the write.

Turning a record into what SQLite stores (ISO datetimes, JSON text, 0/1, the derived
paper id) costs more Python time than SQLite spends writing it, and a store has one
writer. ``prepare`` is a pure function, so a large file's reader process runs it next
to the parsing and sends the rows instead of the record; the writer then only checks
identities and hands the tuples to ``executemany`` (``BatchUpsert``'s fast path).

A record that turns out to be an existing paper, or to share a key with another record
of its batch, takes the general path: ``as_record`` turns its rows back into a record
that folds in exactly as the original would.

Values are converted exactly as the general path converts them (``bulk.insert_many``
with SQLAlchemy's SQLite types); ``tests/store/test_prepared_rows.py`` holds the two
paths to the same stored rows.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from paperwire.records import Metric, PaperRecord, Version
from paperwire.store.clock import iso_datetime, naive_utc
from paperwire.store.json_text import dump_json
from paperwire.store.merge import (
    IdentityKeys,
    identity_keys,
    latest_metrics,
    new_paper_id,
    new_paper_values,
    new_versions,
)

if TYPE_CHECKING:
    import sqlalchemy as sa

# ``papers`` columns in the order of ``NewPaperRows.columns``, after the row's stamps.
CONTENT_COLUMNS = (
    "arxiv_id",
    "doi",
    "title_key",
    "title",
    "abstract",
    "authors",
    "categories",
    "primary_category",
    "published",
    "updated",
    "journal_ref",
    "comments",
    "license",
    "abs_url",
    "pdf_url",
    "code_url",
    "source",
    "withdrawn",
)
_TITLE_KEY = CONTENT_COLUMNS.index("title_key")
_STAMP_COLUMNS = ("id", "paper_id", "first_seen", "last_updated", "sort_date")
INSERT_PAPER = (
    f"INSERT INTO papers ({', '.join(_STAMP_COLUMNS + CONTENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (len(_STAMP_COLUMNS) + len(CONTENT_COLUMNS)))})"
)
INSERT_CATEGORY = "INSERT INTO paper_categories (paper_id, category, position) VALUES (?, ?, ?)"
INSERT_VERSION = "INSERT INTO paper_versions (paper_id, version, created, size) VALUES (?, ?, ?, ?)"
INSERT_METRIC = (
    "INSERT INTO paper_metrics (paper_id, source, name, value, observed_at) VALUES (?, ?, ?, ?, ?)"
)
# A stand-in for the write's own time, which only the writer knows.
_NOW = datetime(1, 1, 1)


class NewPaperRows(NamedTuple):
    """Everything inserting one record as a new paper writes, ready for the driver.

    ``first_seen`` and ``last_updated`` are None unless the record carries them (an
    export does); the writer fills in its own time. ``published`` is the sort date
    when set, else ``first_seen``.
    """

    keys: IdentityKeys
    paper_id: str
    first_seen: str | None
    last_updated: str | None
    published: str | None
    columns: tuple[Any, ...]
    keyword_row: tuple[str, str, str]
    categories: tuple[str, ...]
    versions: tuple[tuple[int, str | None, str | None], ...]
    metrics: tuple[tuple[str, str, int], ...]

    @property
    def title_key(self) -> str | None:
        key: str | None = self.columns[_TITLE_KEY]
        return key


def _iso(value: datetime | None) -> str | None:
    return None if value is None else iso_datetime(value)


def prepare(record: PaperRecord) -> NewPaperRows | PaperRecord:
    """The rows that store ``record`` as a new paper; a deletion notice (a withdrawn
    record without a title) never makes a paper, and is returned as it is."""
    if record.withdrawn and not record.title:
        return record
    keys = identity_keys(record)
    paper_id = new_paper_id(keys, record)
    values = new_paper_values(record, paper_id, _NOW)
    authors = dump_json(values["authors"])
    published = _iso(cast(datetime | None, values["published"]))
    columns = (  # in CONTENT_COLUMNS order
        values["arxiv_id"],
        values["doi"],
        values["title_key"],
        values["title"],
        values["abstract"],
        authors,
        dump_json(values["categories"]),
        values["primary_category"],
        published,
        _iso(cast(datetime | None, values["updated"])),
        values["journal_ref"],
        values["comments"],
        values["license"],
        values["abs_url"],
        values["pdf_url"],
        values["code_url"],
        values["source"],
        int(cast(bool, values["withdrawn"])),
    )
    return NewPaperRows(
        keys=keys,
        paper_id=paper_id,
        first_seen=_iso(naive_utc(record.first_seen)),
        last_updated=_iso(naive_utc(record.last_updated)),
        published=published,
        columns=columns,
        keyword_row=(cast(str, values["title"]), cast(str, values["abstract"]), authors),
        categories=tuple(dict.fromkeys(cast(list[str], values["categories"]))),
        versions=tuple(
            (v.number, _iso(v.created), v.size) for v in new_versions({}, record.versions).values()
        ),
        metrics=tuple(
            (source, name, value) for (source, name), value in latest_metrics(record).items()
        ),
    )


def as_record(item: NewPaperRows | PaperRecord) -> PaperRecord:
    """A record that folds into a stored paper as the one ``item`` was prepared from.

    Lost on the way is only what storing never reads: which source id was the record's
    own (``source_id``) and which its extra ones, and time zones (all UTC).
    """
    if isinstance(item, PaperRecord):
        return item
    column = dict(zip(CONTENT_COLUMNS, item.columns, strict=True))
    return PaperRecord(
        source=column["source"],
        title=column["title"],
        abstract=column["abstract"],
        arxiv_id=column["arxiv_id"],
        authors=json.loads(column["authors"]),
        categories=json.loads(column["categories"]),
        published=_datetime(column["published"]),
        updated=_datetime(column["updated"]),
        doi=column["doi"],
        journal_ref=column["journal_ref"],
        comments=column["comments"],
        license=column["license"],
        abs_url=column["abs_url"],
        pdf_url=column["pdf_url"],
        code_url=column["code_url"],
        versions=[Version(n, _datetime(created), size) for n, created, size in item.versions],
        metrics=[Metric(name, value, source) for source, name, value in item.metrics],
        withdrawn=bool(column["withdrawn"]),
        paper_id=item.keys.paper_id,
        first_seen=_datetime(item.first_seen),
        last_updated=_datetime(item.last_updated),
        extra_sources=list(item.keys.source_keys),
    )


def _datetime(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class SQLiteFastInsert:
    """The SQLite store's fast path for :class:`~paperwire.store.upsert.BatchUpsert`:
    new papers inserted from their prepared tuples with driver-level ``executemany``."""

    def prepared(self, item: object) -> NewPaperRows | None:
        return item if isinstance(item, NewPaperRows) else None

    def as_record(self, item: NewPaperRows | PaperRecord) -> PaperRecord:
        return as_record(item)

    def insert(
        self, conn: sa.Connection, new: list[tuple[int, str, NewPaperRows]], now: datetime
    ) -> None:
        now_text = iso_datetime(now)  # as prepared rows store it
        paper_rows = []
        for row_id, paper_id, ready in new:
            first_seen = ready.first_seen or now_text
            paper_rows.append(
                (
                    row_id,
                    paper_id,
                    first_seen,
                    ready.last_updated or now_text,
                    ready.published or first_seen,
                    *ready.columns,
                )
            )
        conn.exec_driver_sql(INSERT_PAPER, paper_rows)
        for sql, params in (
            (INSERT_CATEGORY, [(i, c, n) for i, _, r in new for n, c in enumerate(r.categories)]),
            (INSERT_VERSION, [(i, *version) for i, _, r in new for version in r.versions]),
            (INSERT_METRIC, [(i, *metric, now_text) for i, _, r in new for metric in r.metrics]),
        ):
            if params:
                conn.exec_driver_sql(sql, params)
