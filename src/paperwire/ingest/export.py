"""Stored papers back into records: the other half of paperwire's own JSON lines format."""

from __future__ import annotations

from datetime import UTC, datetime

from paperwire.records import Metric, PaperRecord, Version
from paperwire.store.models import Paper


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


def paper_to_record(paper: Paper) -> PaperRecord:
    """A record that, ingested into an empty store, recreates ``paper`` exactly."""
    return PaperRecord(
        source=paper.source,
        title=paper.title,
        abstract=paper.abstract,
        arxiv_id=paper.arxiv_id,
        authors=list(paper.authors),
        categories=list(paper.categories),
        published=_aware(paper.published),
        updated=_aware(paper.updated),
        doi=paper.doi,
        journal_ref=paper.journal_ref,
        comments=paper.comments,
        license=paper.license,
        abs_url=paper.abs_url,
        pdf_url=paper.pdf_url,
        code_url=paper.code_url,
        versions=[Version(v.number, _aware(v.created), v.size) for v in paper.versions],
        metrics=[
            Metric(name, value, source) for (source, name), value in sorted(paper.metrics.items())
        ],
        withdrawn=paper.withdrawn,
        paper_id=paper.paper_id,
        first_seen=_aware(paper.first_seen),
        last_updated=_aware(paper.last_updated),
        extra_sources=list(paper.sources),
    )
