"""Papers: folding records in, and reading stored papers back."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from paperwire.records import PaperRecord
from paperwire.store.models import Paper, PaperFilter, UpsertResult


class PaperNotFound(LookupError):
    """No paper has the paperwire id or arXiv id asked for."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"no paper with id {ref!r} (give a paperwire id or an arXiv id)")
        self.ref = ref


class Papers(Protocol):
    """The papers of one store.

    Every engine guarantees:

    - Identity: one paper per arXiv id, per paperwire id and per (source, source id);
      records that name the same paper (by the rules of :mod:`paperwire.store.merge`)
      fold into it, also when two writers send them at once.
    - Atomicity: ``upsert`` writes a whole batch or nothing.
    - Derived data stays in step with a paper's text, in the transaction that changes it:
      the keyword index (:class:`~paperwire.store.interfaces.keyword.KeywordSearch`)
      always searches the stored title, abstract and authors, and a paper whose title
      or abstract changes loses its vector (it is listed as missing one again,
      :class:`~paperwire.store.interfaces.vectors.Vectors`).
    - Row ids (``Paper.row_id``) are positive, unique, never reused, and given in the
      order the papers of one batch were read; concurrent writers never share one.
    """

    def upsert(self, records: Sequence[object]) -> UpsertResult:
        """Fold records into the store in one transaction (all or nothing).

        Each item is a :class:`PaperRecord`, or what ``row_preparer()`` made of one.
        """
        ...

    def row_preparer(self) -> Callable[[PaperRecord], object] | None:
        """A pure function (importable by ``module:name``) that readies a record for
        ``upsert`` ahead of the write, in a reader process; None when the engine has none."""
        ...

    def get(self, ref: str) -> Paper:
        """A paper by paperwire id, arXiv id (with or without version) or a source id
        naming one paper only; :class:`PaperNotFound` else."""
        ...

    def get_many(self, row_ids: Sequence[int]) -> dict[int, Paper]:
        """Papers by row id (ids of no paper are left out)."""
        ...

    def newest(
        self, selection: PaperFilter = PaperFilter(), *, limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        """Papers newest first (by published date, else when first seen; then row id)."""
        ...

    def iterate(self, selection: PaperFilter = PaperFilter()) -> Iterator[Paper]:
        """Every selected paper in row id order, streamed in chunks (for export)."""
        ...

    def count(self) -> int:
        """How many papers are stored."""
        ...

    def stats(self) -> dict[str, object]:
        """Counts of papers in total, by source, by primary category and by month."""
        ...

    def filter_row_ids(
        self, selection: PaperFilter, *, within: Sequence[int] | None = None
    ) -> list[int]:
        """Row ids of the papers the filter selects, among ``within`` if given (in no
        particular order)."""
        ...
