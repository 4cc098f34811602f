"""What one run of digests shares: new papers, their vectors and words, trending today.

Loaded once per run (``paperwire digest run``, or a worker round), so that composing
each of thousands of digests costs one small query (the papers this subscriber was
already sent) plus array arithmetic over papers already in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from paperwire import trending
from paperwire.digest.compose import DigestContent, compose_digest
from paperwire.digest.topics import Candidates, match_topic, topic_terms
from paperwire.search.embedding import document_text
from paperwire.settings import Settings
from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.interfaces.deliveries import Claim
from paperwire.store.interfaces.subscriptions import StoredTopic
from paperwire.store.models import Paper

# Papers older than this never count as new, however long a subscriber was away.
MAX_LOOKBACK = timedelta(days=7)
FIRST_DIGEST_WINDOW = timedelta(hours=24)
TRENDING_DEPTH = 100


class DigestContext:
    """Candidates for every digest composed at ``now``; reusable across many digests."""

    def __init__(self, store: Store, settings: Settings, now: datetime) -> None:
        self.store = store
        self.settings = settings
        self.now = naive_utc(now)
        self.per_section = settings.digest_papers_per_section
        space = store.vectors.space()
        self.model = space.model if space else None
        self.trending = [
            entry.paper.row_id
            for entry in trending.top(store, "day", limit=TRENDING_DEPTH, now=self.now)
        ]
        self.candidates, self.categories = self._load_candidates(space.dimension if space else 0)
        self._day_scores = store.digest_sources.day_scores()
        self._topic_cache: dict[tuple[str, bytes | None], tuple[np.ndarray, np.ndarray]] = {}
        self._papers: dict[int, Paper] = {}

    # Composing ---------------------------------------------------------------------------

    def compose(self, claim: Claim) -> DigestContent:
        """The digest of one claimed delivery, never repeating a paper already sent."""
        since = self.since(claim.last_digest_at)
        topics = [(topic.text, self.topic_hits(topic, since)) for topic in claim.topics]
        categories = [(name, self.category_hits(name, since)) for name in claim.categories]
        # Every candidate a section may reach: a subscriber who was sent the top of a
        # list (trending changes slowly) gets papers from far down it.
        wanted = set(self.trending)
        for _, hits in topics + categories:
            wanted.update(hits)
        already = self._already_sent(claim.subscriber_id, wanted)
        return compose_digest(
            self.trending, topics, categories, already, per_section=self.per_section
        )

    def since(self, last_digest_at: datetime | None) -> datetime:
        """Papers that arrived after this are new to a subscriber."""
        floor = self.now - MAX_LOOKBACK
        if last_digest_at is None:
            return max(floor, self.now - FIRST_DIGEST_WINDOW)
        return max(floor, naive_utc(last_digest_at))

    def topic_hits(self, topic: StoredTopic, since: datetime) -> list[int]:
        """Row ids of new papers on a topic, best first."""
        usable = topic.vector if topic.model and topic.model == self.model else None
        key = (topic.text.casefold(), usable)
        if key not in self._topic_cache:
            vector = np.frombuffer(usable, dtype=np.float32) if usable is not None else None
            if vector is not None and vector.shape[0] != self.candidates.vectors.shape[1]:
                vector = None
            found = match_topic(
                self.candidates,
                topic_terms(topic.text),
                vector,
                vector_weight=self.settings.digest_topic_vector_weight,
                threshold=self.settings.digest_topic_threshold,
            )
            self._topic_cache[key] = (
                self.candidates.row_ids[found.positions],
                self.candidates.arrived[found.positions],
            )
        row_ids, arrived = self._topic_cache[key]
        return row_ids[arrived > _seconds(since)].tolist()

    def category_hits(self, category: str, since: datetime) -> list[int]:
        """New papers in a category: trending today first, then newest first."""
        positions = self.categories.get(category, [])
        cutoff = _seconds(since)
        fresh = [p for p in positions if self.candidates.arrived[p] > cutoff]
        fresh.sort(
            key=lambda p: (
                -self._day_scores.get(int(self.candidates.row_ids[p]), 0.0),
                -self.candidates.arrived[p],
            )
        )
        return [int(self.candidates.row_ids[p]) for p in fresh]

    def papers(self, row_ids: Sequence[int]) -> dict[int, Paper]:
        """Hydrated papers, fetched once per run."""
        missing = [row_id for row_id in row_ids if row_id not in self._papers]
        if missing:
            self._papers.update(self.store.papers.get_many(missing))
        return {row_id: self._papers[row_id] for row_id in row_ids if row_id in self._papers}

    # Loading -----------------------------------------------------------------------------

    def _load_candidates(self, dimension: int) -> tuple[Candidates, dict[str, list[int]]]:
        arrivals = self.store.digest_sources.arrivals(self.now - MAX_LOOKBACK)
        stored = self.store.vectors.of([paper.row_id for paper in arrivals]) if dimension else {}
        vectors = np.zeros((len(arrivals), dimension), dtype=np.float32)
        has_vector = np.zeros(len(arrivals), dtype=bool)
        by_category: dict[str, list[int]] = {}
        for position, paper in enumerate(arrivals):
            vector = stored.get(paper.row_id)
            if vector is not None and vector.shape[0] == dimension:
                vectors[position] = vector
                has_vector[position] = True
            for category in paper.categories:
                by_category.setdefault(category, []).append(position)
        candidates = Candidates.build(
            [paper.row_id for paper in arrivals],
            [_seconds(paper.first_seen) for paper in arrivals],
            [document_text(paper.title, paper.abstract) for paper in arrivals],
            vectors,
            has_vector,
        )
        return candidates, by_category

    def _already_sent(self, subscriber_id: int, wanted: set[int]) -> set[int]:
        return self.store.deliveries.already_sent(subscriber_id, list(wanted))


def _seconds(moment: datetime) -> float:
    """POSIX seconds of a naive UTC datetime (``timestamp()`` alone would read it as local)."""
    return moment.replace(tzinfo=UTC).timestamp()
