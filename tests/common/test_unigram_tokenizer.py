"""``common/unigram_tokenizer.py``: the same token ids as the ``tokenizers`` library for the e5
model's ``tokenizer.json``, on every title, document name and question the assistant knows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from common.query_encoder import QUERY_PROMPT
from common.unigram_tokenizer import UnigramTokenizer

ROOT = Path(__file__).resolve().parents[2]
ODD = [
    "  hai  dấu   cách  ",
    "\tTab\tvà\nxuống dòng",
    "emoji 😀🙏 ok",
    "",
    " ",
    "ꙮꙮ chữ lạ ꙮ",  # no piece: consecutive unknowns are one <unk>
    "ＡＢＣ full-width １２３",
    "ﬁ ligature",
    "<s> đặc biệt </s> <unk>",
    "▁▁ sẵn ▁ meta",
    "Đăng ký\u00a0khai sinh",
    "x\u200by",
    "Đăng ký khai sinh " * 200,  # truncated to 512 positions
]


@pytest.fixture(scope="module")
def tokenizers_pair():
    from tthc.settings import get_settings  # application environment (tests/common/__init__.py)

    path = get_settings().resolved_model_dir / "tokenizer.json"
    if not path.exists():
        pytest.skip("no converted model: run `tthc model prepare`")
    from tokenizers import Tokenizer

    library = Tokenizer.from_file(str(path))
    library.enable_truncation(512)
    library.no_padding()
    return library, UnigramTokenizer(path)


def texts() -> list[str]:
    from knowledge.store import load_procedures

    out = list(ODD)
    for p in load_procedures():
        out += [p.title, *(d.name for d in p.documents[:20])]
    for path in sorted((ROOT / "bench" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            out += [row[k] for k in ("q", "question") if isinstance(row.get(k), str)]
    return out


def test_ids_equal_the_librarys(tokenizers_pair) -> None:
    library, ours = tokenizers_pair
    different = [t for t in texts() if library.encode(QUERY_PROMPT + t).ids != ours.encode(QUERY_PROMPT + t)]
    assert different == []


def test_truncated_to_the_models_positions(tokenizers_pair) -> None:
    _, ours = tokenizers_pair
    ids = ours.encode("khai sinh " * 1000)
    assert len(ids) == 512 and ids[0] == ours.bos and ids[-1] == ours.eos


def test_not_a_unigram_tokenizer_is_refused(tmp_path) -> None:
    path = tmp_path / "tokenizer.json"
    path.write_text(json.dumps({"model": {"type": "BPE"}, "pre_tokenizer": None}), encoding="utf-8")
    with pytest.raises(ValueError, match="Unigram"):
        UnigramTokenizer(path)
