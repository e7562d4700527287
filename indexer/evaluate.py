"""``tthc eval``: retrieval and answer quality on every dev set.

Sets: every ``*.jsonl`` in ``settings.eval_dir`` whose lines carry ``codes`` (procedures)
or ``sources`` (notices), plus the project's own harder questions in
``indexer/data/*.jsonl`` (same format; ``"kind": "none"`` marks out-of-domain
questions that must get ``no_match``).

Metrics: Recall@1, Recall@5, MRR (procedures: any acceptable code; notices: the notice's
file), notices' hit@3, fact accuracy (share of questions with ``facts`` whose composed answer
contains every fact, compared after NFC, case-folding, whitespace collapsing and 71,3 ≡ 71.3),
broken down by query style. Style ``folded-copy`` re-asks every accented procedure question
without diacritics, so "unaccented vs accented" compares the same questions.

Usable first replies (sets whose lines carry ``core``, see ``shared/eval/README.md``): through
the answer policy the bot uses (:mod:`indexer.answer_policy`), the first reply answers directly
with an acceptable code, names every core group in its first 12 lines, fits in 1,800 characters,
writes levels with diacritics, and the follow-up "mất bao lâu?" stays on the procedure
(:func:`usable_checks`; ``bench/eval_bot.py`` applies the same checks to the running bot).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

from indexer.query import fold, has_diacritics

OWN_DATA = Path(__file__).resolve().parent / "data"
_ABBR = re.compile(r"\b(cccd|cmnd|gplx|bhyt|bhxh|gcn|qsdd|ubnd|hk|kt3|dkkd|mst|cmt|sdd|đk|dk|tp|hcc)\b", re.I)


def norm_fact(s: str) -> str:
    s = unicodedata.normalize("NFC", s).casefold()
    s = re.sub(r"(?<=\d),(?=\d)", ".", s)
    return re.sub(r"\s+", " ", s).strip()


def styles(q: str) -> list[str]:
    out = []
    out.append("accented" if has_diacritics(q) else "no-diacritics")
    if _ABBR.search(q) or any(len(w) >= 3 and w.isupper() for w in q.split()):
        out.append("abbreviation")
    if len(q.split()) >= 14:
        out.append("long")
    return out


USABLE_MAX_CHARS = 1800
USABLE_CORE_LINES = 12
USABLE_FOLLOW_UP = "mất bao lâu?"
_HEADING_CODE = re.compile(r"\(mã ([0-9A-Za-z.\-]+)[,)]")
_LEVEL_NO_DIACRITICS = re.compile(r"\bc[aấ]p (?:xa|tinh|bo|huyen)\b", re.IGNORECASE)


def heading_code(text: str) -> str | None:
    """The code a reply answers about: the one in its first line's "(mã …)"."""
    m = _HEADING_CODE.search(text.splitlines()[0]) if text else None
    return m.group(1) if m else None


def usable_checks(first: str, follow_up: str, row: dict) -> dict[str, bool]:
    """The criteria of a usable first reply (README of the dev sets), each True or False."""
    head = norm_fact("\n".join(first.splitlines()[:USABLE_CORE_LINES]))
    checks = {
        "direct": heading_code(first) in row["codes"],
        "core": all(any(norm_fact(s) in head for s in group) for group in row["core"]),
        "short": len(first) <= USABLE_MAX_CHARS,
        "levels": not _LEVEL_NO_DIACRITICS.search(first),
        "follow_up": heading_code(follow_up) in row["codes"],
    }
    checks["usable"] = all(checks.values())
    return checks


def review_aliases(retriever, knowledge_dir: Path | None = None) -> list[str]:
    """Everyday names (``knowledge/aliases/``) that would pull another procedure: searched
    alone, the best hit is not one of the entry's codes (or their level variants), or another
    procedure scores almost as well. Each line is for a person to review, not a verdict."""
    from knowledge.store import alias_files, read_alias_file

    problems = []
    for path in alias_files(knowledge_dir):
        for entry in read_alias_file(path):
            own = set(entry.codes)
            for code in entry.codes:
                p = retriever.get_procedure(code)
                own |= set(p.same_as) if p else set()
            for text in entry.texts():
                res = retriever.search(text, k=5)
                top = res.hits[0] if res.hits and not res.no_match else None
                rivals = [h.code for h in res.ambiguous if h.code not in own]
                if top is None or top.code not in own or rivals:
                    got = f"{top.code} {top.title[:60]}" if top else "no match"
                    problems.append(
                        f"{path.name}: {text!r} ({entry.codes[0]}) → {got}"
                        + (f"; close: {', '.join(rivals)}" if rivals else "")
                    )
    return problems


def load_sets(eval_dir: Path, own: bool = True) -> dict[str, list[dict]]:
    sets: dict[str, list[dict]] = {}
    paths = sorted(Path(eval_dir).glob("*.jsonl"))
    if own and OWN_DATA.exists():
        paths += sorted(OWN_DATA.glob("*.jsonl"))
    for path in paths:
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            if "q" in d and ("codes" in d or "sources" in d or d.get("kind") == "none"):
                rows.append(d)
        if rows:
            name = path.stem if path.parent != OWN_DATA else f"own:{path.stem}"
            sets[name] = rows
    return sets


def _rank(item: dict, hits) -> int | None:
    if item.get("kind") == "notice":
        want = set(item["sources"])
        for i, h in enumerate(hits):
            if h.kind == "notice" and h.source in want:
                return i
        return None
    want = set(item.get("codes", []))
    for i, h in enumerate(hits):
        if h.kind == "procedure" and h.code in want:
            return i
    return None


class Acc:
    def __init__(self):
        self.n = 0
        self.r1 = self.r3 = self.r5 = self.mrr = 0.0
        self.nomatch = 0

    def add(self, rank: int | None, no_match: bool = False):
        self.n += 1
        if rank is not None:
            self.r1 += rank < 1
            self.r3 += rank < 3
            self.r5 += rank < 5
            self.mrr += 1 / (rank + 1)
        self.nomatch += no_match

    def row(self) -> dict:
        n = max(self.n, 1)
        return {
            "n": self.n,
            "R@1": self.r1 / n,
            "R@3": self.r3 / n,
            "R@5": self.r5 / n,
            "MRR": self.mrr / n,
            "no_match": self.nomatch / n,
        }


def run_usable(retriever, rows: list[dict]) -> tuple[dict[str, float], list[str]]:
    """Share of ``rows`` meeting each usable-reply criterion through the answer policy."""
    from indexer.answer_policy import answer_follow_up, answer_question

    totals: dict[str, int] = defaultdict(int)
    misses = []
    for row in rows:
        first = answer_question(retriever, row["q"])
        follow = answer_follow_up(retriever, USABLE_FOLLOW_UP, context=first.context)
        checks = usable_checks(first.answer.text, follow.answer.text, row)
        for name, ok in checks.items():
            totals[name] += ok
        if not checks["usable"]:
            misses.append(f"[usable] {row['q']!r} fails {[k for k, v in checks.items() if not v]}")
    return {name: n / max(len(rows), 1) for name, n in totals.items()}, misses


def run_eval(retriever, eval_dir: Path, own: bool = True, k: int = 10, verbose: bool = False) -> dict:
    from indexer.answer_policy import answer_question

    sets = load_sets(eval_dir, own=own)
    table: dict[str, Acc] = defaultdict(Acc)
    facts_ok = facts_n = 0
    ood_n = ood_ok = 0
    misses = []
    usable = {}
    for name, rows in sets.items():
        if rows and all("core" in row for row in rows):
            usable[name], bad = run_usable(retriever, rows)
            misses += bad if verbose else []
        for item in rows:
            variants = [(item["q"], styles(item["q"]))]
            if item.get("kind") == "procedure" and has_diacritics(item["q"]):
                variants.append((fold(item["q"]), ["folded-copy"]))
            for q, sty in variants:
                res = retriever.search(q, k=k)
                if item.get("kind") == "none":
                    ood_n += 1
                    ood_ok += res.no_match
                    if not res.no_match and verbose:
                        misses.append(f"[ood] {q!r} → {res.hits[0].code} {res.hits[0].title[:60]}")
                    continue
                rank = _rank(item, res.hits)
                kind = item.get("kind", "procedure")
                keys = [f"{kind}:ALL", f"{kind}:{name}"] + [f"{kind}:style={s}" for s in sty]
                if sty == ["folded-copy"]:
                    keys = [f"{kind}:style=folded-copy"]
                for key in keys:
                    table[key].add(rank, res.no_match)
                if (rank is None or rank > 0) and verbose:
                    got = res.hits[0].code + " " + res.hits[0].title[:60] if res.hits else "-"
                    misses.append(
                        f"[{name}] {q!r} want {item.get('codes') or item.get('sources')} rank={rank} top={got}"
                    )
                if item.get("facts") and sty != ["folded-copy"]:
                    ans = answer_question(retriever, q, response=res).answer
                    text = norm_fact(ans.text)
                    ok = all(norm_fact(f) in text for f in item["facts"])
                    facts_n += 1
                    facts_ok += ok
                    if not ok and verbose:
                        misses.append(
                            f"[facts] {q!r} missing {[f for f in item['facts'] if norm_fact(f) not in text]}"
                        )
    return {
        "table": {key: acc.row() for key, acc in sorted(table.items())},
        "facts": {"n": facts_n, "accuracy": facts_ok / facts_n if facts_n else None},
        "out_of_domain": {"n": ood_n, "no_match_rate": ood_ok / ood_n if ood_n else None},
        "usable": usable,
        "misses": misses,
    }


def print_report(rep: dict) -> None:
    print(f"{'set / style':48} {'n':>4} {'R@1':>6} {'R@3':>6} {'R@5':>6} {'MRR':>6} {'no-match':>8}")
    for key, r in rep["table"].items():
        print(
            f"{key:48} {r['n']:>4} {r['R@1']:>6.3f} {r['R@3']:>6.3f} {r['R@5']:>6.3f} {r['MRR']:>6.3f} {r['no_match']:>8.3f}"
        )
    f = rep["facts"]
    if f["n"]:
        print(f"facts: {f['accuracy']:.3f} of {f['n']} answers contain every expected fact")
    o = rep["out_of_domain"]
    if o["n"]:
        print(f"out-of-domain: no_match on {o['no_match_rate']:.3f} of {o['n']} questions")
    for name, shares in rep.get("usable", {}).items():
        print(f"usable first replies, {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in shares.items()))
    for m in rep["misses"]:
        print("  miss", m)
