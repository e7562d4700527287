"""``common/text/_ngram.c``: the n-gram tables and the beam search, on small hand-made models.

Marked ``rasa_env``: the extension is built for both environments and both load it. Agreement with
the Python beam search on the real model is checked in test_restore.py.
"""

from __future__ import annotations

import itertools
import random
from array import array

import pytest

from common.text._ngram import KeySet, NGram, beam_decode
from common.text.restore import SHIFT

pytestmark = pytest.mark.rasa_env


def key(*ids: int) -> int:
    k = 0
    for i in ids:
        k = (k << SHIFT) | i
    return k


def ngram(uni: dict, bi: dict, tri: dict, unk_lp: float) -> NGram:
    def cols(table: dict, pairs: bool) -> tuple[array, ...]:
        keys = array("Q", (key(*k) for k in table))
        if pairs:
            return (
                keys,
                array("d", (v[0] for v in table.values())),
                array("d", (v[1] for v in table.values())),
            )
        return keys, array("d", table.values())

    return NGram(*cols(uni, True), *cols(bi, True), *cols(tri, False), unk_lp)


def reference_logprob(uni: dict, bi: dict, tri: dict, unk_lp: float, u: int, v: int, w: int) -> float:
    """ARPA back-off written out: P(w | u v)."""
    if (u, v, w) in tri:
        return tri[(u, v, w)]
    back = bi[(u, v)][1] if (u, v) in bi else 0.0
    if (v, w) in bi:
        return back + bi[(v, w)][0]
    if (v,) in uni:
        back += uni[(v,)][1]
    return back + (uni[(w,)][0] if (w,) in uni else unk_lp)


def random_model(rnd: random.Random, vocab: int) -> tuple[dict, dict, dict, float]:
    ids = range(1, vocab + 1)
    uni = {(i,): (-rnd.uniform(1, 5), -rnd.uniform(0, 1)) for i in ids if rnd.random() < 0.9}
    bi = {
        p: (-rnd.uniform(0, 3), -rnd.uniform(0, 1)) for p in itertools.product(ids, ids) if rnd.random() < 0.4
    }
    tri = {t: -rnd.uniform(0, 2) for t in itertools.product(ids, ids, ids) if rnd.random() < 0.15}
    return uni, bi, tri, -7.0


def test_logprob_follows_the_back_off_chain() -> None:
    rnd = random.Random(3)
    tables = random_model(rnd, 6)
    model = ngram(*tables)
    for u, v, w in itertools.product(range(0, 8), repeat=3):  # 0 and 7: unknown ids
        assert model.logprob(u, v, w) == reference_logprob(*tables, u, v, w)


def test_key_set() -> None:
    pairs = KeySet(array("Q", [key(1, 2), key(3, 4)]))
    assert key(1, 2) in pairs and key(3, 4) in pairs
    assert key(2, 1) not in pairs and 0 not in pairs and -1 not in pairs and "x" not in pairs


def exhaustive(tables, bwd_tables, options, kept, kb, bw, bos, eos) -> tuple[float, list[int]]:
    """Score of every path (forward + bw x backward trigram model, + kb for each kept option)."""
    best: tuple[float, list[int]] | None = None
    for choice in itertools.product(*(range(len(o)) for o in options)):
        ws = [options[i][j] for i, j in enumerate(choice)]
        seq = [bos, bos, *ws, eos]
        s = 0.0
        for i in range(2, len(seq)):
            s += reference_logprob(*tables, seq[i - 2], seq[i - 1], seq[i])
        back = [bos, bos, *reversed(ws), eos]
        for i in range(2, len(back)):
            s += bw * reference_logprob(*bwd_tables, back[i - 2], back[i - 1], back[i])
        s += sum(kb for i, j in enumerate(choice) if kept[i][j])
        if best is None or s > best[0] + 1e-9:
            best = (s, list(choice))
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(20))
def test_a_wide_beam_finds_the_best_path(seed: int) -> None:
    """With room for every state, the beam search is exact: it agrees with trying every path."""
    rnd = random.Random(seed)
    fwd_t, bwd_t = random_model(rnd, 6), random_model(rnd, 6)
    bos, eos = 7, 8  # ids outside the random vocabulary: reached by back-off only
    n = rnd.randint(1, 5)
    options = [rnd.sample(range(1, 7), rnd.randint(1, 3)) for _ in range(n)]
    kept = [[rnd.random() < 0.3 for _ in o] for o in options]
    ids = array("Q", (w for o in options for w in o))
    offsets = array("q", itertools.accumulate((len(o) for o in options), initial=0))
    got = beam_decode(
        ngram(*fwd_t), ngram(*bwd_t), None, ids, offsets, bytes(k for ks in kept for k in ks),
        64, 1.5, 0.0, 0.5, bos, eos,
    )  # fmt: skip
    assert got == exhaustive(fwd_t, bwd_t, options, kept, 1.5, 0.5, bos, eos)[1]


def test_word_pairs_and_ties() -> None:
    # "lam lai": làm(1) lâm(2), lại(3) lai(4); the bigram lâm lai is likelier, the pair làm lại wins
    model = ngram({(i,): (-2.0, 0.0) for i in range(1, 7)}, {(2, 4): (-0.1, 0.0)}, {}, -7.0)
    args = (array("Q", [1, 2, 3, 4]), array("q", [0, 2, 4]), bytes(4))
    assert beam_decode(model, None, None, *args, 4, 0.0, 0.0, 0.0, 7, 8) == [1, 1]
    pairs = KeySet(array("Q", [key(1, 3)]))
    assert beam_decode(model, None, pairs, *args, 4, 0.0, 5.0, 0.0, 7, 8) == [0, 0]
    # a beam of one keeps the first of two equal states (as Python's stable sort does): làm, then
    # lại and lai are equal after làm
    assert beam_decode(model, None, None, *args, 1, 0.0, 0.0, 0.0, 7, 8) == [0, 0]


@pytest.mark.parametrize(
    ("ids", "offsets", "kept", "beam", "error"),
    [
        ([1, 2], [0, 1], b"\0\0", 4, ValueError),  # offsets do not end at len(ids)
        ([1, 2], [0, 2, 2], b"\0\0", 4, ValueError),  # a token without options
        ([1, 2], [0, 2], b"\0", 4, ValueError),  # kept shorter than ids
        ([], [0], b"", 4, ValueError),  # no token
        ([1, 2], [0, 2], b"\0\0", 0, ValueError),
        ([1, 2], [0, 2], b"\0\0", 10**9, ValueError),  # a beam no model has
    ],
)
def test_bad_arguments_raise(ids, offsets, kept, beam, error) -> None:
    model = ngram({(1,): (-1.0, 0.0)}, {}, {}, -7.0)
    with pytest.raises(error):
        beam_decode(model, None, None, array("Q", ids), array("q", offsets), kept, beam, 0.0, 0.0, 0.0, 5, 6)


def test_bad_tables_raise() -> None:
    def unigrams(keys: array, lps: array) -> NGram:
        return NGram(keys, lps, None, array("Q"), array("d"), None, array("Q"), array("d"), -7.0)

    with pytest.raises(TypeError):  # values must be doubles
        unigrams(array("Q", [1]), array("f", [1.0]))
    with pytest.raises(ValueError):
        unigrams(array("Q", [1, 2]), array("d", [1.0]))
    with pytest.raises(ValueError):  # key 0 is the empty slot
        KeySet(array("Q", [0]))
    with pytest.raises(TypeError):
        beam_decode("not a model", None, None, array("Q", [1]), array("q", [0, 1]), b"\0", 1, 0, 0, 0, 5, 6)
