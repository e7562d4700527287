"""The e5 model's tokenizer (XLM-R's SentencePiece Unigram, from ``tokenizer.json``) in plain Python.

The ``tokenizers`` library holds this 250,002-piece vocabulary in far more memory than needed;
here it is one dictionary (piece → id) and one array of scores, which matters in the process
that answers questions (``bench/bench_memory.py``). The steps are those ``tokenizer.json`` declares, done the way
the library does them (``tokenizers/src/models/unigram/model.rs``, ``encode_optimized``):

1. the special tokens (``<s>``, ``</s>``, ``<pad>``, ``<unk>``) written in the text are split out;
2. normaliser: NFKC, runs of spaces collapsed to one;
3. pre-tokeniser (Metaspace): spaces become ``▁``, one is prepended, and the text is split before
   each ``▁``;
4. model: Viterbi over the pieces, the best total score; a character no piece covers is ``<unk>``
   (score: the lowest piece score − 10), consecutive unknowns fused into one; ties keep the first
   candidate, as the library does;
5. ``<s> … </s>`` around the ids, truncated to the model's 512 positions.

``tests/common/test_unigram_tokenizer.py`` checks the ids equal the library's on every title,
document name and question of the knowledge base and the evaluation sets.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from array import array
from pathlib import Path

UNK_PENALTY = 10.0  # the library's K_UNK_PENALTY
MAX_POSITIONS = 512
_SPACES = re.compile(" {2,}")
META = "▁"


class UnigramTokenizer:
    """Token ids of a text, as the ``tokenizers`` library gives them for this ``tokenizer.json``.

    :param path: the model's ``tokenizer.json`` (a Unigram model with the Metaspace pre-tokeniser).
    :param max_length: positions kept, ``<s>`` and ``</s>`` included.
    """

    def __init__(self, path: Path | str, max_length: int = MAX_POSITIONS):
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
        model = spec["model"]
        if model.get("type") != "Unigram" or (spec.get("pre_tokenizer") or {}).get("type") != "Metaspace":
            raise ValueError(f"{path}: not a Unigram model with the Metaspace pre-tokeniser")
        if max_length < 3:
            raise ValueError("max_length leaves no room for a token between <s> and </s>")
        self.ids: dict[str, int] = {}
        self.scores = array("d")
        for i, (piece, score) in enumerate(model["vocab"]):
            self.ids.setdefault(piece, i)
            self.scores.append(score)
        self.unk_id: int = model["unk_id"]
        self.unk_score = min(self.scores) - UNK_PENALTY
        self.longest = max(len(piece) for piece in self.ids)
        self.special = {t["content"]: t["id"] for t in spec.get("added_tokens", []) if t.get("special")}
        self._special_split = (
            re.compile("(" + "|".join(map(re.escape, self.special)) + ")") if self.special else None
        )
        self.bos, self.eos = self.ids["<s>"], self.ids["</s>"]
        self.max_length = max_length

    def encode(self, text: str) -> list[int]:
        """``<s>``, the ids of ``text``, ``</s>``."""
        ids: list[int] = []
        parts = self._special_split.split(text) if self._special_split else [text]
        for part in parts:
            if part in self.special:
                ids.append(self.special[part])
            elif part:
                for word in self._pre_tokens(_SPACES.sub(" ", unicodedata.normalize("NFKC", part))):
                    ids += self._viterbi(word)
        return [self.bos, *ids[: self.max_length - 2], self.eos]

    @staticmethod
    def _pre_tokens(text: str) -> list[str]:
        if not text:
            return []
        text = text.replace(" ", META)
        if not text.startswith(META):
            text = META + text
        cuts = [i for i, ch in enumerate(text) if ch == META] + [len(text)]
        return [text[a:b] for a, b in itertools.pairwise(cuts) if b > a]

    def _viterbi(self, word: str) -> list[int]:
        n = len(word)
        best = [0.0] * (n + 1)
        start: list[int | None] = [None] * (n + 1)
        piece_id = [0] * (n + 1)
        ids, scores = self.ids, self.scores
        for i in range(n):
            if i and start[i] is None:
                continue  # unreachable (cannot happen: every character has a piece or <unk>)
            covered = False
            for j in range(i + 1, min(n, i + self.longest) + 1):
                pid = ids.get(word[i:j])
                if pid is None:
                    continue
                score = best[i] + scores[pid]
                if start[j] is None or score > best[j]:
                    best[j], start[j], piece_id[j] = score, i, pid
                covered = covered or j == i + 1
            if not covered:
                score = best[i] + self.unk_score
                if start[i + 1] is None or score > best[i + 1]:
                    best[i + 1], start[i + 1], piece_id[i + 1] = score, i, self.unk_id
        out: list[int] = []
        end, unknown = n, False
        while end > 0:
            begin = start[end]
            pid = piece_id[end]
            if pid == self.unk_id:
                if not unknown:  # consecutive unknowns are one <unk>
                    out.append(pid)
                unknown = True
            else:
                out.append(pid)
                unknown = False
            end = begin
        out.reverse()
        return out
