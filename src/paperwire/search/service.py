"""Hybrid search as a service: one per process, holding the warm model and vector index.

The web app and the CLI both call :class:`SearchService`. Keyword hits come from the
store's keyword search, vector hits from the in-process :class:`VectorIndex`; the two
lists are fused by a convex combination of normalised scores, names in short queries and
arXiv ids are promoted, and phrases, exclusions and filters apply to both sides.

Several processes share one store: before each search the service compares the store's
vector generation with its own and loads only the vectors written since (an epoch
change, i.e. a rebuild, reloads everything). Thread-safe: searches may run concurrently.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TypedDict

import numpy as np

from paperwire.search.embedding import (
    Embedder,
    IncompatibleVectorsError,
    check_compatible,
    document_text,
    load_embedder,
    vector_space_name,
)
from paperwire.search.fusion import convex_combination, promote
from paperwire.search.keyword_budget import affordable_terms
from paperwire.search.query import (
    ParsedQuery,
    QueryError,
    excluded_query,
    identifier_terms,
    keyword_query,
    parse_query,
    required_query,
)
from paperwire.search.ranking import matched_terms, title_names
from paperwire.search.snapshot import load_snapshot, save_snapshot, snapshot_root
from paperwire.search.vectors import VectorIndex
from paperwire.settings import Settings
from paperwire.store.base import Store, VectorSpace
from paperwire.store.models import Paper, PaperFilter

log = logging.getLogger(__name__)


class SearchFilters(TypedDict, total=False):
    """Keyword arguments of :meth:`SearchService.search` that narrow a search."""

    since: date | None
    until: date | None
    category: str | None
    author: str | None


MAX_LIMIT = 1000
MIN_CANDIDATES = 100
# A filtered vector search first looks for that many times the candidates it needs
# (at most MAX_FILTER_LOOK: far below a statement's parameter limit, and quick for HNSW).
FILTER_OVERFETCH = 10
MAX_FILTER_LOOK = 10_000
# Save a snapshot after catching up on this many vectors, so a restart starts warm.
SNAPSHOT_EVERY = 20_000
# How long a word's count of matching papers is reused before it is counted again.
MATCH_COUNT_SECONDS = 600.0
MATCH_COUNT_ENTRIES = 50_000

__all__ = ["MAX_LIMIT", "QueryError", "SearchHit", "SearchService"]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: the paper, its score (higher is better) and why it matched."""

    paper: Paper
    score: float
    matched_terms: tuple[str, ...] = ()
    keyword_rank: int | None = None
    vector_rank: int | None = None


class SearchService:
    """Search and "similar papers" over one store; create once, share across threads."""

    def __init__(self, settings: Settings, store: Store, *, embedder: Embedder | None = None):
        self.settings = settings
        self.store = store
        self._embedder = embedder
        self._model_lock = threading.Lock()
        self._index_lock = threading.RLock()
        self._index: VectorIndex | None = None
        self._space: VectorSpace | None = None
        self._unsaved = 0
        self._counted: dict[str, int] = {}
        self._counted_since = time.monotonic()
        self._counted_lock = threading.Lock()
        self._keyword_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="keyword")
        self.vector_problem: str | None = None
        self.snapshot_root = snapshot_root(settings.data_dir, settings.database_url)

    # Public API ------------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use (about 1 s) and kept."""
        if self._embedder is None:
            with self._model_lock:
                if self._embedder is None:
                    self._embedder = load_embedder(
                        self.settings.embedding_model,
                        max_seq_length=self.settings.embedding_max_tokens,
                        backend=self.settings.embedding_backend,
                        model_dir=str(self.settings.models_path),
                    )
        return self._embedder

    def warm_up(self) -> None:
        """Load the vector index, and the model if there are vectors to search, now
        rather than in the first search.

        Without vectors searches are keyword-only and never embed the query, so the model
        (hundreds of MB and seconds of CPU) is left for the first search that needs it.
        """
        index = self._current_index()
        if index is not None and len(index):
            self.embedder.encode_query("warm up")

    def search(
        self,
        query: str,
        *,
        since: date | None = None,
        until: date | None = None,
        category: str | None = None,
        author: str | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[SearchHit]:
        """The best papers for a query, best first; QueryError for an unusable query."""
        if not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
        if offset < 0:
            raise QueryError("offset must not be negative")
        parsed = parse_query(query)
        selection = PaperFilter(
            since=since,
            until=until,
            category=category or parsed.category,
            author=author or parsed.author,
        )
        depth = offset + limit
        candidates = max(MIN_CANDIDATES, depth)
        index = self._current_index()
        if index is None or len(index) == 0:
            keyword = self._keyword_hits(parsed, selection, candidates, keep_rarest=True)
            vector: list[tuple[int, float]] = []
        else:
            # The keyword side waits on the store, the vector side on the model and usearch,
            # all outside the GIL: side by side they take the time of the slower one.
            keyword_side = self._keyword_pool.submit(
                self._keyword_hits, parsed, selection, candidates, keep_rarest=False
            )
            vector = self._vector_hits(parsed, selection, candidates, index)
            keyword = keyword_side.result()
            if not keyword and len(vector) < candidates:
                # Meaning found too few (papers not embedded yet, a narrow filter): rank
                # by the rarest word even if the budget had left every word out.
                keyword = self._keyword_hits(parsed, selection, candidates, keep_rarest=True)
        fused = convex_combination(
            keyword, vector, vector_weight=self.settings.search_vector_weight
        )
        fused = self._promote_named(parsed, selection, fused, depth)
        page = fused[offset:depth]
        found = self.store.papers.get_many([item for item, _ in page])
        keyword_rank = {item: rank for rank, (item, _) in enumerate(keyword, start=1)}
        vector_rank = {item: rank for rank, (item, _) in enumerate(vector, start=1)}
        return [
            SearchHit(
                paper=found[item],
                score=round(score, 6),
                matched_terms=matched_terms(
                    f"{found[item].title} {found[item].abstract}", parsed.highlight_terms
                ),
                keyword_rank=keyword_rank.get(item),
                vector_rank=vector_rank.get(item),
            )
            for item, score in page
            if item in found
        ]

    def similar(self, paper_ref: str, limit: int = 10) -> list[SearchHit]:
        """The papers nearest in meaning to one paper (PaperNotFound if there is none)."""
        return self.similar_to(self.store.papers.get(paper_ref), limit)

    def similar_to(self, paper: Paper, limit: int = 10) -> list[SearchHit]:
        """The papers nearest in meaning to a paper already read from the store."""
        if not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
        index = self._current_index()
        if index is None:
            return self._similar_by_keywords(paper, limit)
        vector = index.vector(paper.row_id)
        if vector is None:
            vector = self.embedder.encode_documents([document_text(paper.title, paper.abstract)])[0]
        with self._index_lock:
            near = index.search(vector, limit + 1)
        near = [(item, score) for item, score in near if item != paper.row_id][:limit]
        found = self.store.papers.get_many([item for item, _ in near])
        return [
            SearchHit(paper=found[item], score=round(score, 6), vector_rank=rank)
            for rank, (item, score) in enumerate(near, start=1)
            if item in found
        ]

    def refresh(self) -> None:
        """Bring the in-memory vector index up to date with the store (cheap when it is)."""
        with self._index_lock:
            self._catch_up()

    def save_snapshot(self) -> None:
        """Write the vector index under the data directory (done by `paperwire index`)."""
        with self._index_lock:
            self._catch_up()
            if self._index is not None and self._space is not None:
                save_snapshot(self.snapshot_root, self._index, self._space)
                self._unsaved = 0

    # Keyword and vector sides ------------------------------------------------------------

    def _keyword_hits(
        self, parsed: ParsedQuery, selection: PaperFilter, limit: int, *, keep_rarest: bool
    ) -> list[tuple[int, float]]:
        terms = self._affordable_terms(parsed, keep_rarest=keep_rarest)
        wanted = keyword_query(parsed, terms)
        return self.store.keyword.search(wanted, selection, limit=limit) if wanted else []

    def _affordable_terms(self, parsed: ParsedQuery, *, keep_rarest: bool) -> tuple[str, ...]:
        """The query words within the keyword budget (docs/search.md)."""
        budget = self.settings.search_keyword_budget
        counts = self._match_counts(parsed.terms, budget + 1)
        return affordable_terms(parsed.terms, counts, budget, keep_rarest=keep_rarest)

    def _match_counts(self, terms: tuple[str, ...], cap: int) -> dict[str, int]:
        """Papers matching each word (at most ``cap``), remembered for a few minutes:
        counting costs up to a millisecond a word, and queries repeat words."""
        with self._counted_lock:
            if (
                time.monotonic() - self._counted_since > MATCH_COUNT_SECONDS
                or len(self._counted) > MATCH_COUNT_ENTRIES
            ):
                self._counted.clear()
                self._counted_since = time.monotonic()
            known = {t: self._counted[t] for t in terms if t in self._counted}
        unknown = [term for term in terms if term not in known]
        if unknown:
            counted = self.store.keyword.count_matches(unknown, cap)
            fresh = dict(zip(unknown, counted, strict=True))
            with self._counted_lock:
                self._counted.update(fresh)
            known.update(fresh)
        return known

    def _vector_hits(
        self,
        parsed: ParsedQuery,
        selection: PaperFilter,
        limit: int,
        index: VectorIndex,
    ) -> list[tuple[int, float]]:
        if not (parsed.terms or parsed.phrases):
            return []
        query_vector = self.embedder.encode_query(parsed.text)
        if selection == PaperFilter():
            with self._index_lock:
                hits = index.search(query_vector, limit)
        else:
            hits = self._filtered_vector_hits(index, query_vector, selection, limit)
        return self._apply_syntax(parsed, hits)

    def _filtered_vector_hits(
        self, index: VectorIndex, query_vector: np.ndarray, selection: PaperFilter, limit: int
    ) -> list[tuple[int, float]]:
        """The nearest papers the filter keeps: the filter is checked on a wide set of
        nearest papers first, and only a narrow filter (one that keeps too few of them)
        reads all its papers from the store, for an exact search over those."""
        with self._index_lock:
            wide = index.search(query_vector, min(limit * FILTER_OVERFETCH, MAX_FILTER_LOOK))
        kept = set(self.store.papers.filter_row_ids(selection, within=[item for item, _ in wide]))
        hits = [pair for pair in wide if pair[0] in kept][:limit]
        if len(hits) == limit or len(wide) >= len(index):
            return hits  # enough, or every vector was looked at
        within = np.asarray(self.store.papers.filter_row_ids(selection), dtype=np.int64)
        with self._index_lock:
            return index.search(query_vector, limit, within=within)

    def _apply_syntax(
        self, parsed: ParsedQuery, hits: list[tuple[int, float]]
    ) -> list[tuple[int, float]]:
        """Drop vector hits that lack a quoted phrase or carry an excluded word."""
        ids = [item for item, _ in hits]
        if not ids:
            return hits
        required = required_query(parsed)
        if required:
            keep = {
                item for item, _ in self.store.keyword.search(required, limit=len(ids), within=ids)
            }
            hits = [pair for pair in hits if pair[0] in keep]
        excluded = excluded_query(parsed)
        if excluded and hits:
            drop = {
                item
                for item, _ in self.store.keyword.search(
                    excluded, limit=len(hits), within=[item for item, _ in hits]
                )
            }
            hits = [pair for pair in hits if pair[0] not in drop]
        return hits

    def _promote_named(
        self,
        parsed: ParsedQuery,
        selection: PaperFilter,
        fused: list[tuple[int, float]],
        depth: int,
    ) -> list[tuple[int, float]]:
        """An arXiv id, or a name in a short query found in a title, goes first."""
        first: list[int] = []
        if parsed.arxiv_id:
            named = self._paper_by_arxiv_id(parsed.arxiv_id, selection)
            if named is not None:
                first.append(named)
                if named not in {item for item, _ in fused}:
                    fused = [(named, fused[0][1] if fused else 1.0), *fused]
        names = identifier_terms(parsed)
        if names and fused:
            window = fused[: max(depth, MIN_CANDIDATES)]
            papers = self.store.papers.get_many([item for item, _ in window])
            first += [
                item
                for item, _ in window
                if item in papers and title_names(papers[item].title, names)
            ]
        return promote(fused, first) if first else fused

    def _paper_by_arxiv_id(self, arxiv_id: str, selection: PaperFilter) -> int | None:
        from paperwire.store.base import PaperNotFound

        try:
            paper = self.store.papers.get(arxiv_id)
        except PaperNotFound:
            return None
        if selection != PaperFilter() and not self.store.papers.filter_row_ids(
            selection, within=[paper.row_id]
        ):
            return None
        return paper.row_id

    def _similar_by_keywords(self, paper: Paper, limit: int) -> list[SearchHit]:
        try:
            parsed = parse_query(paper.title.replace('"', " "))
        except QueryError:
            return []
        wanted = keyword_query(parsed, self._affordable_terms(parsed, keep_rarest=True))
        hits = self.store.keyword.search(wanted, limit=limit + 1) if wanted else []
        hits = [pair for pair in hits if pair[0] != paper.row_id][:limit]
        found = self.store.papers.get_many([item for item, _ in hits])
        return [
            SearchHit(paper=found[item], score=round(score, 6), keyword_rank=rank)
            for rank, (item, score) in enumerate(hits, start=1)
            if item in found
        ]

    # The vector index ---------------------------------------------------------------------

    def _current_index(self) -> VectorIndex | None:
        with self._index_lock:
            self._catch_up()
            return self._index if self.vector_problem is None else None

    def _catch_up(self) -> None:
        space = self.store.vectors.space()
        if space is None:
            self._index, self._space, self.vector_problem = None, None, None
            return
        if self._space is not None and space == self._space and self._index is not None:
            return
        try:
            expected = (  # an embedder handed in says what it is; else the settings do
                self._embedder.model_name
                if self._embedder is not None
                else vector_space_name(
                    self.settings.embedding_model, self.settings.embedding_backend
                )
            )
            check_compatible(space.model, space.dimension, expected, space.dimension)
        except IncompatibleVectorsError as error:
            if self.vector_problem is None:
                log.warning("vector search off: %s", error)
            self.vector_problem = str(error)
            self._space = space
            return
        self.vector_problem = None
        threshold = self.settings.search_hnsw_threshold
        if self._index is None or self._space is None or self._space.epoch != space.epoch:
            loaded = load_snapshot(self.snapshot_root, space, hnsw_threshold=threshold)
            if loaded is None:
                self._index, generation = VectorIndex(space.dimension, hnsw_threshold=threshold), 0
                self._unsaved = SNAPSHOT_EVERY  # a rebuild from the store: save it
            else:
                self._index, generation = loaded
        else:
            generation = self._space.generation
        added = self._load_since(self._index, generation)
        self._space = space
        self._unsaved += added
        if self._unsaved >= SNAPSHOT_EVERY and len(self._index):
            save_snapshot(self.snapshot_root, self._index, space)
            self._unsaved = 0

    def _load_since(self, index: VectorIndex, generation: int) -> int:
        added = 0
        while rows := self.store.vectors.since(generation, limit=20_000):
            ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            matrix = np.frombuffer(b"".join(row[2] for row in rows), dtype=np.float32)
            index.add(ids, matrix.reshape(len(rows), index.dimension))
            generation = rows[-1][1]
            added += len(rows)
        return added
