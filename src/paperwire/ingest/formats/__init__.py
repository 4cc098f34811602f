"""Source formats: each module turns one kind of file or response into records.

Every parser has the signature ``parse(stream: TextSource, path: str) ->
Iterator[PaperRecord | RecordError]``: a bad record becomes a RecordError and parsing
goes on with the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from paperwire.ingest.formats import (
    arxiv_atom,
    arxiv_snapshot,
    beir,
    hf_daily,
    jsonl,
    listing,
    oai_pmh,
)
from paperwire.ingest.formats.text_source import TextSource
from paperwire.records import PaperRecord, RecordError

Parser = Callable[[TextSource, str], Iterator[PaperRecord | RecordError]]

FORMATS: dict[str, Parser] = {
    "listing": listing.parse,
    "jsonl": jsonl.parse,
    "arxiv-snapshot": arxiv_snapshot.parse,
    "beir": beir.parse,
    "hf-daily": hf_daily.parse,
    "arxiv-atom": arxiv_atom.parse,
    "oai-pmh": oai_pmh.parse,
}

__all__ = ["FORMATS", "Parser", "TextSource"]
