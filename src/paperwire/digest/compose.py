"""Choosing a digest's papers, without I/O.

A digest has sections: trending today (the same for everyone), then one per topic and
one per category of the subscriber. Each lists up to ``per_section`` papers, best first,
that this subscriber has never been sent; a paper appears in the first section that
wants it and no later one. A digest whose sections are all empty is empty.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass

TRENDING = "trending"
TOPIC = "topic"
CATEGORY = "category"


@dataclass(frozen=True, slots=True)
class Section:
    kind: str
    title: str
    papers: tuple[int, ...]

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "title": self.title, "papers": list(self.papers)}

    @classmethod
    def from_json(cls, value: dict[str, object]) -> Section:
        papers = value.get("papers") or []
        assert isinstance(papers, list)
        return cls(str(value["kind"]), str(value["title"]), tuple(int(p) for p in papers))


@dataclass(frozen=True, slots=True)
class DigestContent:
    sections: tuple[Section, ...]

    @property
    def paper_ids(self) -> list[int]:
        return [paper for section in self.sections for paper in section.papers]

    @property
    def is_empty(self) -> bool:
        return not any(section.papers for section in self.sections)


def compose_digest(
    trending: Sequence[int],
    topics: Sequence[tuple[str, Sequence[int]]],
    categories: Sequence[tuple[str, Sequence[int]]],
    already_sent: Set[int],
    *,
    per_section: int,
) -> DigestContent:
    """The sections of one digest; every candidate list is best first."""
    taken: set[int] = set()

    def pick(kind: str, title: str, candidates: Sequence[int]) -> Section:
        chosen: list[int] = []
        for paper in candidates:
            if len(chosen) == per_section:
                break
            if paper in already_sent or paper in taken:
                continue
            chosen.append(paper)
            taken.add(paper)
        return Section(kind, title, tuple(chosen))

    sections = [pick(TRENDING, "Trending today", trending)]
    sections += [pick(TOPIC, topic, hits) for topic, hits in topics]
    sections += [pick(CATEGORY, category, hits) for category, hits in categories]
    return DigestContent(tuple(sections))
