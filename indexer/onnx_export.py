"""Export of the int8 query encoder's graph (``tthc model prepare``; torch, application only).

The graph is exported from the sentence-transformers model itself (transformer → mean
pooling → L2 normalisation, so the output is the embedding) when ``tthc model prepare``
converts the weights, and stored in the model folder as :data:`common.query_encoder.ONNX_FILE`,
where :class:`common.query_encoder.OnnxQueryEncoder` runs it. Sentence Transformers' own ONNX
backend needs ``optimum``, which does not support the installed ``transformers``; the export
and the quantisation here use torch and onnxruntime directly.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path

from common.query_encoder import ONNX_FILE


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
