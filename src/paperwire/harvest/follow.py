"""Reading ``PAPERWIRE_FOLLOW``: which sources the worker harvests. Pure functions.

Entries are comma-separated: ``arxiv:SET`` with an OAI-PMH set (``arxiv:cs:cs:LG``) or
an arXiv category that names one (``arxiv:cs.LG``, ``arxiv:stat.ML``, ``arxiv:hep-ex``),
and ``hf-daily``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Archives whose OAI-PMH sets sit under ``physics:``.
PHYSICS_ARCHIVES = frozenset(
    {
        "astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph",
        "nlin", "nucl-ex", "nucl-th", "physics", "quant-ph",
    }
)  # fmt: skip
HF_DAILY = "hf-daily"


@dataclass(frozen=True, slots=True)
class Follow:
    kind: str  # "arxiv" or "hf-daily"
    set_spec: str | None = None

    @property
    def source(self) -> str:
        return f"arxiv:{self.set_spec}" if self.kind == "arxiv" else self.kind


def category_to_set(category: str) -> str:
    """An arXiv category as its OAI-PMH set: ``cs.LG`` -> ``cs:cs:LG``, ``hep-ex`` ->
    ``physics:hep-ex``; anything with a colon is taken as a set already."""
    if ":" in category:
        return category
    archive, _, subject = category.partition(".")
    if archive in PHYSICS_ARCHIVES:
        return f"physics:{archive}:{subject}" if subject else f"physics:{archive}"
    return f"{archive}:{archive}:{subject}" if subject else archive


def parse_follow(text: str) -> list[Follow]:
    """The followed sources, in order, without repeats; ValueError names a bad entry."""
    follows: dict[str, Follow] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        if entry == HF_DAILY:
            follow = Follow(HF_DAILY)
        elif entry.startswith("arxiv:") and entry[len("arxiv:") :].strip():
            follow = Follow("arxiv", category_to_set(entry[len("arxiv:") :].strip()))
        else:
            raise ValueError(
                f"PAPERWIRE_FOLLOW: cannot follow {entry!r} (use arxiv:cs:cs:LG, arxiv:cs.LG "
                "or hf-daily)"
            )
        follows.setdefault(follow.source, follow)
    return list(follows.values())
