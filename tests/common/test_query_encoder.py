"""``common/query_encoder.py``: the int8 e5 query encoder, in both environments (marked ``rasa_env``:
the Rasa environment's intent featurizer runs it too). Its agreement with the fp32 model is
checked in tests/indexer/test_embedding_model.py."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from common.query_encoder import ONNX_FILE, STAMP_FILE, OnnxQueryEncoder

pytestmark = pytest.mark.rasa_env

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def encoder() -> OnnxQueryEncoder:
    # the default of both environments' settings (tthc.settings, bot.rasa_env.settings)
    var_dir = Path(os.environ.get("TTHC_VAR_DIR") or REPO_ROOT / "var")
    model_dir = Path(os.environ.get("TTHC_MODEL_DIR") or var_dir / "models" / "multilingual-e5-small")
    if not (model_dir / ONNX_FILE).exists():
        pytest.skip("no converted model: run `tthc model prepare`")
    return OnnxQueryEncoder(model_dir)


def test_questions_become_unit_vectors_close_by_meaning(encoder: OnnxQueryEncoder) -> None:
    vectors = encoder.encode(["đăng ký khai sinh", "làm giấy khai sinh cho con", "một tô phở bao nhiêu tiền"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert np.array_equal(encoder.encode(["đăng ký khai sinh"])[0], vectors[0])


def test_passages_are_refused(encoder: OnnxQueryEncoder) -> None:
    with pytest.raises(ValueError, match="questions"):
        encoder.encode(["một đoạn văn"], is_query=False)


def test_a_folder_without_the_converted_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / STAMP_FILE).write_text("{}")
    with pytest.raises(FileNotFoundError, match="tthc model prepare"):
        OnnxQueryEncoder(tmp_path)


class CountingEncoder:
    """Wraps the real encoder and counts the texts it is asked to encode."""

    def __init__(self, encoder: OnnxQueryEncoder) -> None:
        self.encoder, self.calls = encoder, []

    def encode(self, texts: list[str], is_query: bool = True) -> np.ndarray:
        self.calls.extend(texts)
        return self.encoder.encode(texts, is_query)


def test_the_cache_encodes_a_repeated_text_once_and_forgets_the_oldest(encoder: OnnxQueryEncoder) -> None:
    from common.query_encoder import CachedQueryEncoder

    counting = CountingEncoder(encoder)
    cached = CachedQueryEncoder(counting, size=2)
    first = cached("xin chào")
    assert np.array_equal(cached("xin chào"), first) and counting.calls == ["xin chào"]
    assert np.array_equal(first, encoder.encode(["xin chào"])[0])
    cached("lệ phí bao nhiêu")
    cached("mất bao lâu")  # the third text: "xin chào", used least recently, is dropped
    cached("xin chào")
    assert counting.calls == ["xin chào", "lệ phí bao nhiêu", "mất bao lâu", "xin chào"]
