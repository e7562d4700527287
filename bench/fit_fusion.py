"""Fit the match-feature boosts of the fusion (``Fusion.boosts`` in ``indexer/procedure_search.py``)
on development questions and print them.

Each question's candidates are the procedures the fusion scores; a pairwise logistic model learns
how much each match feature (``MATCH_FEATURES``) should add to the reciprocal-rank score so the
labelled procedure ranks above the others. The weights are printed in fusion units (the
reciprocal-rank score has weight 1), with 5-fold cross-validated Recall@1 of the first procedure
(its group) against the current boosts. Blind sets (``*_blind*``) are never read here.

Questions: the procedure dev sets of ``../shared/eval`` and ``indexer/data`` (each also folded to no
diacritics), the stories, short chat and everyday dev sets of ``bench/data``.

    .venv/bin/python bench/fit_fusion.py [--candidates 20]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.evaluate import load_sets
from indexer.procedure_search import MATCH_FEATURES, Retriever
from indexer.query import fold
from tthc.settings import get_settings

DATA = Path(__file__).resolve().parent / "data"
EVERYDAY = ["story_questions_dev", "short_questions_dev", "everyday_dev2", "everyday_dev3"]


def labelled_questions() -> list[tuple[str, str, set[str]]]:
    """(set, question, acceptable codes) for every dev question a procedure answers."""
    out: list[tuple[str, str, set[str]]] = []
    for name, rows in load_sets(get_settings().eval_dir).items():
        for row in rows:
            if row.get("kind", "procedure") != "procedure" or not row.get("codes"):
                continue
            out.append((name, row["q"], set(row["codes"])))
            if fold(row["q"]) != row["q"]:
                out.append((name, fold(row["q"]), set(row["codes"])))
    for name in EVERYDAY:
        path = DATA / f"{name}.jsonl"
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    out.append((name, row["q"], set(row["codes"])))
    return out


class Capture:
    """What one search fused: the reciprocal-rank scores and the match features of its candidates."""

    def __init__(self, r: Retriever):
        self.base: dict[int, float] = {}
        self.features: dict[int, np.ndarray] = {}
        reciprocal, features = r._reciprocal_ranks, r.match_features

        def reciprocal_ranks(*args):
            self.base = reciprocal(*args)
            return self.base

        def match_features(*args):
            self.base = dict(self.base)  # the search reorders its own copy
            self.features = features(*args)
            return self.features

        r._reciprocal_ranks = reciprocal_ranks
        r.match_features = match_features


def candidates(r: Retriever, cap: Capture, q: str, gold: set[str], n: int):
    """(base scores, features, 1 for acceptable) of the question's first ``n`` procedures by the
    current fusion, or None when no acceptable procedure is among them."""
    r.search(q, k=5)
    boosts = np.asarray(r.fusion.boosts)
    score = {d: cap.base[d] + float(x @ boosts) for d, x in cap.features.items()}
    docs = sorted(score, key=score.get, reverse=True)[:n]
    ok = np.array([r.docs[d]["id"] in gold for d in docs])
    if not ok.any():
        return None
    return np.array([cap.base[d] for d in docs]), np.stack([cap.features[d] for d in docs]), ok


def fit(items, sets: list[str], l2: float) -> np.ndarray:
    """Pairwise logistic regression on [base, features] differences (acceptable − other); each
    question weighs the same, and each dev set as much as the others together (so the short
    questions of the shared dev sets count as much as the many everyday ones)."""
    diffs, weights = [], []
    per_set = {s: sets.count(s) for s in set(sets)}
    for (base, x, ok), name in zip(items, sets, strict=True):
        z = np.column_stack([base, x])
        pairs = [z[i] - z[~ok] for i in np.flatnonzero(ok)]
        n_pairs = sum(len(p) for p in pairs)
        diffs.extend(pairs)
        weights.extend([np.full(len(p), 1.0 / (n_pairs * per_set[name])) for p in pairs])
    d = np.concatenate(diffs)
    sw = np.concatenate(weights)
    sw = sw / sw.sum()
    scale = d.std(axis=0) + 1e-9
    d = d / scale
    w = np.zeros(d.shape[1])
    for _ in range(3000):  # gradient descent on the weighted logistic loss, all pairs at once
        p = 1.0 / (1.0 + np.exp(np.clip(d @ w, -30, 30)))
        grad = -(d * (sw * p)[:, None]).sum(axis=0) + l2 * w
        w -= 0.5 * grad
    w = w / scale
    return w[1:] / w[0]  # in fusion units: the reciprocal-rank score has weight 1


def recall_at_1(items, boosts: np.ndarray) -> float:
    return float(np.mean([ok[int(np.argmax(base + x @ boosts))] for base, x, ok in items]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--l2", type=float, default=1e-3)
    args = parser.parse_args()
    r = Retriever.load()
    cap = Capture(r)
    questions = labelled_questions()
    items, sets, missed = [], [], 0
    for i, (name, q, gold) in enumerate(questions):
        item = candidates(r, cap, q, gold, args.candidates)
        if item is None:
            missed += 1
        else:
            items.append(item)
            sets.append(name)
        if (i + 1) % 200 == 0:
            print(f"  {i + 1}/{len(questions)} questions", file=sys.stderr)
    print(f"{len(items)} questions with an acceptable procedure among {args.candidates}; {missed} without")
    current = np.asarray(r.fusion.boosts)
    rng = np.random.default_rng(0)
    fold_of = rng.integers(0, 5, len(items))
    cv_cur, cv_fit = [], []
    for k in range(5):
        train = [i for i, f in enumerate(fold_of) if f != k]
        test = [items[i] for i, f in enumerate(fold_of) if f == k]
        w = fit([items[i] for i in train], [sets[i] for i in train], args.l2)
        cv_cur.append(recall_at_1(test, current) * len(test))
        cv_fit.append(recall_at_1(test, w) * len(test))
    n = len(items)
    print(
        f"cross-validated R@1 among these: current boosts {sum(cv_cur) / n:.3f}, fitted {sum(cv_fit) / n:.3f}"
    )
    w = fit(items, sets, args.l2)
    for name in dict.fromkeys(sets):
        part = [it for it, s in zip(items, sets, strict=True) if s == name]
        print(
            f"  {name:<36} n={len(part):>4}  current {recall_at_1(part, current):.3f}  fitted {recall_at_1(part, w):.3f}"
        )
    print("boosts (Fusion fields, fusion units):")
    for feat, value, now in zip(MATCH_FEATURES, w, current, strict=True):
        print(f"  {feat:<18} {value:+.4f}   (now {now:+.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
