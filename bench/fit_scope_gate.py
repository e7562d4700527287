"""Fit the scope gate (``indexer/scope_gate.py``) on development data and print its constants.

Questions some record answers: the dev sets of ``../shared/eval`` (each also folded to no
diacritics) and ``indexer/data``, the in-KB rows of ``bench/data/coverage_calibration*``, the stories of
``bench/data/story_questions_dev.jsonl``, the short chat questions of ``short_questions_dev.jsonl``
and the everyday questions of ``everyday_dev2.jsonl`` and ``everyday_dev3.jsonl``.
Questions no record answers: the out-of-coverage rows of those calibration sets and the dev sets'
out-of-domain rows. Blind sets (``*_blind*``) are never read here.

Prints 5-fold cross-validated rejection rates at each threshold, the weights on the raw measures
(paste them into ``indexer/scope_gate.py``), and the current gate's figures on each set.

    .venv/bin/python bench/fit_scope_gate.py [--target-rejected 0.03]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.evaluate import load_sets
from indexer.procedure_search import Retriever
from indexer.query import fold
from indexer.scope_gate import FEATURES
from tthc.settings import get_settings

DATA = Path(__file__).resolve().parent / "data"
EVERYDAY = ["story_questions_dev", "short_questions_dev", "everyday_dev2", "everyday_dev3"]


def labelled_questions() -> list[tuple[str, str, int]]:
    """(set, question, 1 when no record answers it)."""
    out: list[tuple[str, str, int]] = []
    for name, rows in load_sets(get_settings().eval_dir).items():
        for row in rows:
            if row.get("kind") == "none":
                out.append((name, row["q"], 1))
                continue
            out.append((name, row["q"], 0))
            if row.get("kind", "procedure") == "procedure" and fold(row["q"]) != row["q"]:
                out.append((name, fold(row["q"]), 0))
    for name in EVERYDAY:  # stories; short chat; everyday questions (all answerable)
        for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append((name, json.loads(line)["q"], 0))
    for path in sorted(DATA.glob("coverage_calibration*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((path.stem, row["q"], 0 if row["in_kb"] else 1))
    return out


def rates(p: np.ndarray, y: np.ndarray, threshold: float) -> tuple[float, float]:
    """(share of answerable questions rejected, share of unanswerable ones rejected)."""
    rejected = p >= threshold
    return float(rejected[y == 0].mean()), float(rejected[y == 1].mean())


def main() -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--target-rejected", type=float, default=0.04, help="most everyday answerable questions rejected"
    )
    args = parser.parse_args()
    retriever = Retriever.load()
    items = labelled_questions()
    evidence = [retriever.search(q, k=5).evidence for _, q, _ in items]
    # the model weighs procedures; a notice answers by its own rule (ScopeGate.notice_min_coverage)
    keep = [i for i, e in enumerate(evidence) if e is not None and not e.notice]
    X = np.array([[getattr(evidence[i], f) for f in FEATURES] for i in keep])
    y = np.array([items[i][2] for i in keep])
    sets = np.array([items[i][0] for i in keep])
    print(f"{len(y)} questions: {int((y == 0).sum())} answerable, {int((y == 1).sum())} not")

    mean, std = X.mean(axis=0), X.std(axis=0) + 1e-9

    def fit(Xs, ys):
        return LogisticRegression(C=1.0, max_iter=2000).fit((Xs - mean) / std, ys)

    cv = np.zeros(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        cv[test] = fit(X[train], y[train]).predict_proba((X[test] - mean) / std)[:, 1]
    # the threshold is chosen on everyday questions (calibration, stories, short chat): the dev
    # sets' questions close to a title are rarely rejected, and would make any threshold look safe
    everyday = np.isin(sets, EVERYDAY) | np.char.startswith(sets.astype(str), "coverage_calibration")
    print("threshold  answerable rejected (all / everyday)  unanswerable rejected   (5-fold cross-validated)")
    for t in np.arange(0.3, 0.951, 0.05):
        a, b = rates(cv, y, t)
        print(
            f"  {t:.2f}          {a:.3f} / {rates(cv[everyday], y[everyday], t)[0]:.3f}                  {b:.3f}"
        )
    chosen = next(
        (
            round(float(t), 2)
            for t in np.arange(0.05, 0.951, 0.01)
            if rates(cv[everyday], y[everyday], t)[0] <= args.target_rejected
        ),
        0.95,
    )
    print(f"\ncross-validated at {chosen}, by set:")
    report(cv >= chosen, y, sets)

    model = fit(X, y)
    weights = model.coef_[0] / std
    bias = model.intercept_[0] - float((model.coef_[0] * mean / std).sum())
    print(
        f"\nconstants for indexer/scope_gate.py (threshold: least with ≤ {args.target_rejected} of everyday answerable questions rejected):"
    )
    print("WEIGHTS = {" + ", ".join(f'"{f}": {w:.3f}' for f, w in zip(FEATURES, weights, strict=True)) + "}")
    print(f"BIAS = {bias:.3f}\nTHRESHOLD = {chosen}")

    gate = retriever.scope_gate
    print(f"\nthe gate as committed (threshold {gate.threshold}), by set:")
    everything = [i for i, e in enumerate(evidence) if e is not None]
    rejected = np.array([gate.rejects(evidence[i]) for i in everything])
    report(rejected, np.array([items[i][2] for i in everything]), np.array([items[i][0] for i in everything]))
    return 0


def report(rejected: np.ndarray, y: np.ndarray, sets: np.ndarray) -> None:
    """Share of answerable and unanswerable questions rejected, by set."""
    for name in sorted(set(sets)):
        m = sets == name
        a, b = rejected[m & (y == 0)], rejected[m & (y == 1)]
        parts = [f"answerable rejected {a.mean():.3f} (n={a.size})" if a.size else ""]
        parts += [f"unanswerable rejected {b.mean():.3f} (n={b.size})" if b.size else ""]
        print(f"  {name:<40} " + "  ".join(x for x in parts if x))


if __name__ == "__main__":
    sys.exit(main())
