"""A restoration model trained once per test session into a temporary folder (~30 s)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from common.text.restore import Restorer, reset_restorer
from indexer.text.train import build

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("text"), quiet=True)


@pytest.fixture(scope="session")
def restorer(model_path) -> Restorer:
    return Restorer.load(model_path)


@pytest.fixture
def with_model(model_path):
    """analyze() uses the session model (through TTHC_TEXT_MODEL)."""
    old = os.environ.get("TTHC_TEXT_MODEL")
    os.environ["TTHC_TEXT_MODEL"] = str(model_path)
    reset_restorer()
    yield model_path
    if old is None:
        os.environ.pop("TTHC_TEXT_MODEL", None)
    else:
        os.environ["TTHC_TEXT_MODEL"] = old
    reset_restorer()


@pytest.fixture
def without_model(tmp_path, monkeypatch):
    monkeypatch.delenv("TTHC_TEXT_MODEL", raising=False)
    monkeypatch.setenv("TTHC_VAR_DIR", str(tmp_path))
    reset_restorer()
    yield
    reset_restorer()
