"""What one run of digests reads once and shares: papers that arrived, today's scores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Arrival:
    """A paper first seen recently, with what topic matching reads."""

    row_id: int
    title: str
    abstract: str
    first_seen: datetime
    categories: tuple[str, ...]


class DigestSources(Protocol):
    def arrivals(self, since: datetime) -> list[Arrival]:
        """Papers first seen after ``since`` (naive UTC) and not withdrawn, by row id."""
        ...

    def day_scores(self) -> dict[int, float]:
        """Each paper's trending score of the day period (papers without one left out)."""
        ...
