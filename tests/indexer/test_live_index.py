"""``indexer/live_index.py``: one index life cycle per process — validated, swapped in the
background, the last good build kept. A tiny real build, with the bag-of-syllables encoder."""

from __future__ import annotations

import logging
import shutil
import time

import pytest

from indexer import live_index
from indexer.build import build_index, switch_current
from indexer.procedure_search import Retriever
from indexer.validate import IndexInvalid
from tests.indexer.rawcorpus import load_raw_procedures, load_seed_notices
from tests.indexer.test_retrieval import CODES, QueryEnc, SyllableEncoder


@pytest.fixture(scope="module")
def corpus():
    return load_raw_procedures(codes=CODES), load_seed_notices()


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch):
    monkeypatch.setattr(Retriever, "_shared_query_encoder", classmethod(lambda cls, manifest: QueryEnc()))
    live_index.reset()
    yield
    live_index.reset()


def _build(root, procs, notices):
    return build_index(
        procs, notices, index_root=root, encoder=SyllableEncoder(), known=[], quiet=True, log=lambda s: None
    )


def _truncate_docs(build):
    data = (build / "docs.jsonl").read_bytes()
    (build / "docs.jsonl").write_bytes(data[: len(data) // 2])


def test_a_damaged_build_never_serves(tmp_path, corpus):
    build = _build(tmp_path, *corpus)
    _truncate_docs(build)
    with pytest.raises(IndexInvalid, match=r"docs\.jsonl"):
        live_index.retriever(tmp_path)
    assert not live_index.healthy(tmp_path)
    with pytest.raises(IndexInvalid):
        live_index.check_at_startup(tmp_path)


def test_no_index_yet_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="tthc index"):
        live_index.retriever(tmp_path)


def test_a_rebuild_is_swapped_in_the_background_and_a_damaged_one_rejected(tmp_path, corpus, caplog):
    procs, notices = corpus
    first = _build(tmp_path, procs, notices)
    old = live_index.retriever(tmp_path)
    assert Retriever.load(tmp_path) is old  # every consumer goes through the same life cycle
    changed = [
        p.model_copy(update={"title": p.title + " (sửa)"}) if i == 0 else p for i, p in enumerate(procs)
    ]
    second = _build(tmp_path, changed, notices)
    assert second != first
    assert live_index.retriever(tmp_path) is old  # served while the new build loads
    deadline = time.monotonic() + 30
    while live_index.retriever(tmp_path).path != second and time.monotonic() < deadline:
        time.sleep(0.05)
    new = live_index.retriever(tmp_path)
    assert new.path == second and new is not old
    damaged = tmp_path / "damaged0000000001"
    shutil.copytree(second, damaged)
    _truncate_docs(damaged)
    with caplog.at_level(logging.ERROR, logger="tthc.index"):
        switch_current(tmp_path, damaged.name)
        deadline = time.monotonic() + 30  # validation runs in the background (slower on a busy machine)
        while "damaged0000000001 rejected" not in caplog.text and time.monotonic() < deadline:
            assert live_index.retriever(tmp_path) is new
            time.sleep(0.05)
    assert "damaged0000000001 rejected" in caplog.text
    assert live_index.retriever(tmp_path) is new
    assert live_index.healthy(tmp_path)


def test_a_build_folder_is_loaded_as_it_is(tmp_path, corpus):
    build = _build(tmp_path, *corpus)
    assert live_index.retriever(build).path == build
