"""The one way a process builds its warm search service (and with it the embedder)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from paperwire.settings import Settings

if TYPE_CHECKING:
    from paperwire.search.embedding import Embedder
    from paperwire.search.service import SearchService
    from paperwire.store.base import Store


def offline_models() -> None:
    """Never fetch model files in this process unless the environment says otherwise
    (the model is packaged; the CLI's search and indexing commands run offline)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def build_search_service(
    settings: Settings, store: Store, *, embedder: Embedder | None = None
) -> SearchService:
    """A search service over ``store``; its model loads on first use. The search modules
    (numpy, the model runtime) are imported here, not when a command starts."""
    from paperwire.search.service import SearchService

    return SearchService(settings, store, embedder=embedder)
