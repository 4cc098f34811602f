"""What one input record may hold. Pure constants and checks.

The limits keep one broken or hostile record from taking an ingest's memory, or the
size of every page and feed that shows the paper. Real metadata is far inside them:
the largest arXiv author list in the samples has 3,303 names, its longest author entry
512 characters and its longest line 125 KB.
"""

from __future__ import annotations

from paperwire.records import PaperRecord

# Bytes of one record as read (a line of a JSON lines file, an XML record); the default
# of the PAPERWIRE_INGEST_MAX_RECORD_BYTES setting.
MAX_RECORD_BYTES = 1 << 20
# A format read whole (the Hugging Face daily-papers JSON array) may hold this many
# records' worth of bytes.
WHOLE_FILE_RECORDS = 16
MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 32_000
MAX_AUTHORS = 10_000
# Not 300: arXiv's own metadata for 2506.02197 has one "author" of 512 characters (some
# 37 names joined by "and"), and a real paper must not be lost to a limit. Pages cut a
# name at 300 characters when they show it (display.py).
MAX_AUTHOR_CHARS = 1_000


def check_fields(record: PaperRecord) -> None:
    """Raise ValueError, saying which, when a field of ``record`` is over its limit.

    Lengths are of the normalised text, so hard wrapping and TeX do not count.
    """
    title, abstract, authors = record.title, record.abstract, record.authors
    if len(title) > MAX_TITLE_CHARS:
        raise ValueError(_over("title", len(title), MAX_TITLE_CHARS, "characters"))
    if len(abstract) > MAX_ABSTRACT_CHARS:
        raise ValueError(_over("abstract", len(abstract), MAX_ABSTRACT_CHARS, "characters"))
    if len(authors) > MAX_AUTHORS:
        raise ValueError(_over("author list", len(authors), MAX_AUTHORS, "names"))
    if authors and max(map(len, authors)) > MAX_AUTHOR_CHARS:
        longest = max(authors, key=len)
        raise ValueError(
            _over(
                f"author {authors.index(longest) + 1}", len(longest), MAX_AUTHOR_CHARS, "characters"
            )
        )


def _over(what: str, size: int, limit: int, unit: str) -> str:
    return f"{what} has {size:,} {unit}, over the limit of {limit:,}"
