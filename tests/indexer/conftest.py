"""Fixtures of the indexer tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def real():
    """The retriever over the built index of the committed knowledge base."""
    from indexer.procedure_search import Retriever

    try:
        return Retriever.load()
    except FileNotFoundError:
        pytest.skip("no index: run `tthc model prepare && tthc index`")
