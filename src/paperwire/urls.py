"""Paths of this site and links to arXiv built from stored ids, always quoted.

The store keeps only canonical ids (``store.merge`` refuses others, migration 0007
renamed the ones stored before), but a path is built here from whatever it is given:
an id is quoted as one path segment, so no id can climb out of ``/papers/``.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from paperwire.ids import is_arxiv_id, is_paper_id

# What a paper whose id cannot be a path segment links to (no paper has this id).
NO_PATH = "-"


def paper_path(paper_id: str, action: str = "") -> str:
    """``/papers/<id>`` or ``/papers/<id>/<action>``, the id quoted as one segment.

    An empty id, "." or ".." cannot be quoted into a segment (browsers resolve ``%2e%2e``
    as ``..``), so it gets ``NO_PATH``, which answers 404.
    """
    if is_paper_id(paper_id):
        segment = paper_id
    else:
        segment = quote(paper_id, safe="")
        if not segment.strip("."):
            segment = NO_PATH
    path = f"/papers/{segment}"
    return f"{path}/{action}" if action else path


def arxiv_url(kind: Literal["abs", "pdf"], arxiv_id: str | None) -> str | None:
    """arXiv's abstract or PDF page of a canonical arXiv id; None for anything else."""
    if not arxiv_id or not is_arxiv_id(arxiv_id):
        return None
    return f"https://arxiv.org/{kind}/{quote(arxiv_id, safe='/')}"
