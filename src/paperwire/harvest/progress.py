"""What a harvest reports as it goes, and when it is done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from paperwire.ingest.pipeline import IngestReport


@dataclass(slots=True)
class HarvestReport:
    """One harvest run: the ingest counts plus the paging it took."""

    source: str
    ingest: IngestReport = field(default_factory=IngestReport)
    pages: int = 0
    records: int = 0
    total: int | None = None
    step: str = ""
    resumed: bool = False
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return self.records / self.elapsed if self.elapsed > 0 else 0.0

    def line(self) -> str:
        """One progress line: records so far, the current resumption step, the rate."""
        total = f" of {self.total:,}" if self.total is not None else ""
        step = f", step {self.step}" if self.step else ""
        return (
            f"{self.source}: page {self.pages}, {self.records:,}{total} records{step}, "
            f"{self.rate:,.1f} records/s"
        )

    def summary(self) -> str:
        return f"{self.source}: {self.pages} page(s), {self.ingest.summary()}"


OnPage = Callable[[HarvestReport], None]
