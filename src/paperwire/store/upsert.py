"""Folding a batch of records into the store inside one transaction.

The rules (which record is which paper, which values win) are the pure functions of
:mod:`paperwire.store.merge`; this module does the lookups and writes around them,
with a handful of statements per batch rather than per record.

An engine may have records prepared ahead as the rows that store them (a
:class:`FastInsert`, e.g. :mod:`paperwire.store.sqlite.rows`): a record that matches
nothing stored and nothing else in its batch is then inserted from those rows as they
are, and its record is never read. Anything else takes the general path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

import sqlalchemy as sa

from paperwire.ids import make_paper_id
from paperwire.records import PaperRecord, Version
from paperwire.store.bulk import insert_many
from paperwire.store.json_text import dump_json
from paperwire.store.merge import (
    IdentityKeys,
    identity_keys,
    latest_metrics,
    merge_values,
    new_paper_id,
    new_paper_values,
    new_versions,
)
from paperwire.store.models import UpsertResult
from paperwire.store.schema import (
    paper_categories,
    paper_metrics,
    paper_sources,
    paper_versions,
    papers,
)

# The values of an ``IN`` list, bound when the statement runs (cheaper than literals).
_WANTED: sa.BindParameter[Any] = sa.bindparam("wanted", expanding=True)


class PreparedPaper(Protocol):
    """What the general path reads of a record prepared by an engine's fast path."""

    @property
    def keys(self) -> IdentityKeys: ...

    @property
    def paper_id(self) -> str: ...

    @property
    def title_key(self) -> str | None: ...

    @property
    def keyword_row(self) -> tuple[str, str, str]: ...


P = TypeVar("P", bound=PreparedPaper)


class FastInsert(Protocol[P]):
    """An engine's fast path: records prepared ahead, inserted from their rows."""

    def prepared(self, item: object) -> P | None:
        """``item`` if it is a prepared record, else None (a plain record)."""
        ...

    def as_record(self, item: P | PaperRecord) -> PaperRecord:
        """A record that folds in exactly as the one ``item`` was prepared from."""
        ...

    def insert(self, conn: sa.Connection, new: list[tuple[int, str, P]], now: datetime) -> None:
        """Insert (row id, paper id, prepared rows) as new papers with their children."""
        ...


class UpsertEngine(Protocol):
    """What folding a batch needs from the engine, inside its write transaction."""

    def allocate_paper_ids(self, conn: sa.Connection, count: int) -> range:
        """``count`` new, unused row ids for papers, ascending."""
        ...

    def index_new_papers(self, conn: sa.Connection, rows: list[tuple[int, str, str, str]]) -> None:
        """Add new papers (row id, title, abstract, authors as JSON text) to the keyword
        index, if the engine's index needs it (SQLite's FTS5 does)."""
        ...


@dataclass(slots=True, eq=False)
class _Slot(Generic[P]):
    """One paper touched by the batch: stored already (row_id set) or new."""

    values: dict[str, Any]
    row_id: int | None = None
    is_new: bool = False
    versions: dict[int, Version] = field(default_factory=dict)
    sources: set[tuple[str, str]] = field(default_factory=set)
    metrics: dict[tuple[str, str], int] = field(default_factory=dict)
    changed: bool = False
    categories_changed: bool = False
    version_rows: dict[int, Version] = field(default_factory=dict)
    source_rows: set[tuple[str, str]] = field(default_factory=set)
    metric_rows: dict[tuple[str, str], int] = field(default_factory=dict)
    # A new paper to insert from prepared rows.
    prepared: P | None = None

    @property
    def latest_version(self) -> int | None:
        return max(self.versions, default=None)


class BatchUpsert(Generic[P]):
    """Matches records to stored or new papers and writes the differences."""

    def __init__(
        self,
        conn: sa.Connection,
        now: datetime,
        engine: UpsertEngine,
        fast: FastInsert[P] | None = None,
    ) -> None:
        self.conn = conn
        self.engine = engine
        self.fast = fast
        self.now = now
        self.by_arxiv: dict[str, _Slot[P]] = {}
        self.by_paper_id: dict[str, _Slot[P]] = {}
        self.by_source: dict[tuple[str, str], _Slot[P]] = {}
        self.by_doi: dict[str, _Slot[P]] = {}
        self.by_title: dict[str, _Slot[P]] = {}
        self.slots: list[_Slot[P]] = []

    def run(self, items: Sequence[object]) -> UpsertResult:
        """Fold in each record, or the rows an engine's fast path prepared from it."""
        fast = self.fast
        prepared = [fast.prepared(item) if fast else None for item in items]
        keys = [
            ready.keys if ready is not None else identity_keys(_record(item))
            for ready, item in zip(prepared, items, strict=True)
        ]
        self._load_existing(keys)
        result = UpsertResult()
        for key, item, ready in zip(keys, items, prepared, strict=True):
            if ready is not None and self._take_prepared(ready, key):
                result.inserted += 1
            else:
                self._fold(self._as_record(ready, item), key, result)
        self._write()
        return result

    def _as_record(self, ready: P | None, item: object) -> PaperRecord:
        if ready is not None and self.fast is not None:
            return self.fast.as_record(ready)
        return _record(item)

    def _take_prepared(self, ready: P, key: IdentityKeys) -> bool:
        """A slot for a new paper written from ``ready``; False if the record matches one."""
        if self._match(key)[0] is not None:
            return False
        values = {
            "paper_id": self._unused_in_batch(ready.paper_id),
            "arxiv_id": key.arxiv_id,
            "doi": key.doi,
            "title_key": ready.title_key,
        }
        slot: _Slot[P] = _Slot(values=values, is_new=True, prepared=ready)
        slot.sources.update(key.source_keys)
        slot.source_rows.update(key.source_keys)
        self.slots.append(slot)
        self._register(slot)
        return True

    def _load_existing(self, keys: list[IdentityKeys]) -> None:
        arxiv_ids = {k.arxiv_id for k in keys if k.arxiv_id}
        paper_ids = {k.paper_id for k in keys if k.paper_id}
        dois = {k.doi for k in keys if k.doi}
        titles = {k.title_key for k in keys if k.title_key}
        source_ids = {source_id for k in keys for _, source_id in k.source_keys}
        row_ids: set[int] = set()
        for column, wanted in (
            (papers.c.arxiv_id, arxiv_ids),
            (papers.c.paper_id, paper_ids),
            (papers.c.doi, dois),
            (papers.c.title_key, titles),
        ):
            if wanted:
                found = self.conn.execute(
                    sa.select(papers.c.id).where(column.in_(_WANTED)), {"wanted": list(wanted)}
                )
                row_ids.update(found.scalars())
        if source_ids:
            wanted_pairs = {pair for k in keys for pair in k.source_keys}
            found_sources = self.conn.execute(
                # Both key columns, so the lookup uses the primary key index.
                sa.select(paper_sources).where(
                    paper_sources.c.source.in_(sa.bindparam("sources", expanding=True)),
                    paper_sources.c.source_id.in_(_WANTED),
                ),
                {
                    "sources": list({source for source, _ in wanted_pairs}),
                    "wanted": list(source_ids),
                },
            )
            row_ids.update(
                row.paper_id for row in found_sources if (row.source, row.source_id) in wanted_pairs
            )
        if row_ids:
            self._load_rows(row_ids)

    def _load_rows(self, row_ids: set[int]) -> None:
        slots: dict[int, _Slot[P]] = {}
        wanted = {"wanted": list(row_ids)}
        for row in self.conn.execute(sa.select(papers).where(papers.c.id.in_(_WANTED)), wanted):
            values = dict(row._mapping)
            slots[values.pop("id")] = _Slot(values=values, row_id=row.id)
        for row in self.conn.execute(
            sa.select(paper_versions).where(paper_versions.c.paper_id.in_(_WANTED)), wanted
        ):
            slots[row.paper_id].versions[row.version] = Version(row.version, row.created, row.size)
        for row in self.conn.execute(
            sa.select(paper_sources).where(paper_sources.c.paper_id.in_(_WANTED)), wanted
        ):
            slots[row.paper_id].sources.add((row.source, row.source_id))
        for row in self.conn.execute(
            sa.select(paper_metrics).where(paper_metrics.c.paper_id.in_(_WANTED)), wanted
        ):
            slots[row.paper_id].metrics[(row.source, row.name)] = row.value
        for slot in slots.values():
            self.slots.append(slot)
            self._register(slot)

    def _register(self, slot: _Slot[P]) -> None:
        values = slot.values
        self.by_paper_id[values["paper_id"]] = slot
        if values.get("arxiv_id"):
            self.by_arxiv[values["arxiv_id"]] = slot
        if values.get("doi"):
            self.by_doi.setdefault(values["doi"], slot)
        if values.get("title_key"):
            self.by_title.setdefault(values["title_key"], slot)
        for pair in slot.sources:
            self.by_source[pair] = slot

    def _match(self, key: IdentityKeys) -> tuple[_Slot[P] | None, bool]:
        """The slot a record belongs to, and whether it matched only by title."""
        if key.arxiv_id and key.arxiv_id in self.by_arxiv:
            return self.by_arxiv[key.arxiv_id], False
        if key.paper_id and key.paper_id in self.by_paper_id:
            return self.by_paper_id[key.paper_id], False
        for pair in key.source_keys:
            if pair in self.by_source:
                return self.by_source[pair], False
        if key.doi and key.doi in self.by_doi:
            slot = self.by_doi[key.doi]
            stored_arxiv = slot.values.get("arxiv_id")
            if not (key.arxiv_id and stored_arxiv and stored_arxiv != key.arxiv_id):
                return slot, False
        if key.title_key and key.title_key in self.by_title:
            return self.by_title[key.title_key], True
        return None, False

    def _fold(self, record: PaperRecord, key: IdentityKeys, result: UpsertResult) -> None:
        slot, by_title = self._match(key)
        if slot is not None and slot.prepared is not None:
            self._unprepare(slot, slot.prepared)
        if slot is None and record.withdrawn and not record.title:
            # A deletion notice (OAI-PMH status="deleted") for a paper never stored.
            result.unchanged += 1
            return
        if slot is None:
            paper_id = self._unused_in_batch(new_paper_id(key, record))
            values = new_paper_values(record, paper_id, self.now)
            slot = _Slot[P](values=values, is_new=True, changed=True, categories_changed=True)
            self.slots.append(slot)
            self._fold_children(slot, record, key)
            result.inserted += 1
        else:
            changes = merge_values(
                slot.values, record, stored_latest_version=slot.latest_version, fill_only=by_title
            )
            slot.values.update(changes)
            slot.categories_changed |= "categories" in changes
            if self._fold_children(slot, record, key) or changes:
                slot.changed = True
                result.updated += 1
            else:
                result.unchanged += 1
        self._register(slot)

    def _unprepare(self, slot: _Slot[P], ready: P) -> None:
        """Turn a prepared new paper into a general one, so another record can fold into it."""
        record = self._as_record(ready, ready)
        keys = ready.keys
        slot.values = new_paper_values(record, slot.values["paper_id"], self.now)
        slot.prepared = None
        slot.changed = slot.categories_changed = True
        slot.sources.clear()
        slot.source_rows.clear()
        self._fold_children(slot, record, keys)

    def _fold_children(self, slot: _Slot[P], record: PaperRecord, key: IdentityKeys) -> bool:
        versions = new_versions(slot.versions, record.versions)
        slot.versions.update(versions)
        slot.version_rows.update(versions)
        touched = bool(versions)
        for pair in key.source_keys:
            if pair not in slot.sources:
                slot.sources.add(pair)
                slot.source_rows.add(pair)
                touched = True
        for metric_key, value in latest_metrics(record).items():
            if slot.metrics.get(metric_key) != value:
                slot.metrics[metric_key] = slot.metric_rows[metric_key] = value
                touched = True
        return touched

    def _unused_in_batch(self, candidate: str) -> str:
        salt = 0
        while candidate in self.by_paper_id:
            salt += 1
            candidate = make_paper_id(f"{candidate}#{salt}")
        return candidate

    def _avoid_stored_paper_ids(self, new: list[_Slot[P]]) -> None:
        """Derived ids collide rarely (50 bits); rehash the few already taken in the store."""
        while True:
            wanted = {slot.values["paper_id"]: slot for slot in new}
            taken = (
                self.conn.execute(
                    sa.select(papers.c.paper_id).where(papers.c.paper_id.in_(_WANTED)),
                    {"wanted": list(wanted)},
                )
                .scalars()
                .all()
            )
            if not taken:
                return
            for paper_id in taken:
                slot = wanted[paper_id]
                slot.values["paper_id"] = self._unused_in_batch(make_paper_id(f"{paper_id}#"))
                self.by_paper_id[slot.values["paper_id"]] = slot

    def _write(self) -> None:
        new = [slot for slot in self.slots if slot.is_new]
        if new:
            self._avoid_stored_paper_ids(new)
            # Row ids in the order the papers were read, given rather than read back.
            row_ids = self.engine.allocate_paper_ids(self.conn, len(new))
            for slot, row_id in zip(new, row_ids, strict=True):
                slot.row_id = row_id
            general = [{**slot.values, "id": slot.row_id} for slot in new if slot.prepared is None]
            insert_many(self.conn, papers, general)
            ready = [
                (slot.row_id, slot.values["paper_id"], slot.prepared)
                for slot in new
                if slot.prepared is not None and slot.row_id is not None
            ]
            if ready and self.fast is not None:
                self.fast.insert(self.conn, ready, self.now)
            self.engine.index_new_papers(self.conn, [_keyword_row(slot) for slot in new])
        changed = [slot for slot in self.slots if slot.changed and not slot.is_new]
        if changed:
            self.conn.execute(
                papers.update().where(papers.c.id == sa.bindparam("_row_id")),
                [
                    {**slot.values, "last_updated": self.now, "_row_id": slot.row_id}
                    for slot in changed
                ],
            )
        self._write_children()

    def _write_children(self) -> None:
        recategorised = [slot for slot in self.slots if slot.categories_changed]
        if recategorised:
            self.conn.execute(
                paper_categories.delete().where(
                    paper_categories.c.paper_id.in_([slot.row_id for slot in recategorised])
                )
            )
            category_rows = [
                {"paper_id": slot.row_id, "category": category, "position": position}
                for slot in recategorised
                for position, category in enumerate(dict.fromkeys(slot.values["categories"]))
            ]
            insert_many(self.conn, paper_categories, category_rows)
        version_rows = [
            {"paper_id": slot.row_id, "version": v.number, "created": v.created, "size": v.size}
            for slot in self.slots
            for v in slot.version_rows.values()
        ]
        insert_many(
            self.conn, paper_versions, version_rows, conflict="update", update=("created", "size")
        )
        # In slot order, prepared papers included: when two papers of a batch claim one
        # source id, the first (a stored paper before a new one) keeps it.
        source_rows = [
            {"source": source, "source_id": source_id, "paper_id": slot.row_id}
            for slot in self.slots
            for source, source_id in slot.source_rows
        ]
        insert_many(self.conn, paper_sources, source_rows, conflict="ignore")
        metric_rows = [
            {
                "paper_id": slot.row_id,
                "source": source,
                "name": name,
                "value": value,
                "observed_at": self.now,
            }
            for slot in self.slots
            for (source, name), value in slot.metric_rows.items()
        ]
        insert_many(
            self.conn,
            paper_metrics,
            metric_rows,
            conflict="update",
            update=("value", "observed_at"),
        )


def _record(item: object) -> PaperRecord:
    if not isinstance(item, PaperRecord):
        raise TypeError(f"not a paper record: {type(item).__name__}")
    return item


def _keyword_row(slot: _Slot[P]) -> tuple[int, str, str, str]:
    row_id = slot.row_id or 0  # set by _write before this is called
    if slot.prepared is not None:
        title, abstract, authors = slot.prepared.keyword_row
        return (row_id, title, abstract, authors)
    values = slot.values
    return (row_id, values["title"], values["abstract"], dump_json(values["authors"]))
