"""The action server's access to the retrieval library (loaded once per process)."""

from __future__ import annotations

import logging
import threading

from indexer.procedure_search import Retriever

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_retriever: Retriever | None = None


def get_retriever() -> Retriever:
    """The process-wide retriever over the current index (raises if no index is built)."""
    global _retriever
    with _lock:
        if _retriever is None:
            _retriever = Retriever.load()
            logger.info("retriever loaded from %s", _retriever.path)
        return _retriever
