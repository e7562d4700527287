"""NLU cross-validation report: intent F1 per intent, with and without diacritics.

Runs ``rasa test nlu --cross-validation`` twice — on ``bot/data/nlu`` as written and
on a copy whose examples are stripped of diacritics (how many citizens type) — and
writes ``bot/results/<variant>/`` (Rasa's reports) plus ``bot/results/SUMMARY.md``.

Run in the Rasa environment: ``make nlu-report`` (about 10 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from bot.rasa_env.settings import REPO_ROOT
from common.text.normalize import fold

RESULTS_DIR = REPO_ROOT / "bot" / "results"
NLU_DIR = REPO_ROOT / "bot" / "data" / "nlu"
_ENTITY = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")


def fold_example(example: str) -> str:
    """Strip diacritics from an example's text but not from its entity annotations."""
    out, last = [], 0
    for match in _ENTITY.finditer(example):
        out.append(fold(example[last : match.start()]))
        out.append(f"[{fold(match.group(1))}]{match.group(2)}")
        last = match.end()
    out.append(fold(example[last:]))
    return "".join(out)


def write_folded_copy(target: Path) -> None:
    for path in sorted(NLU_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in data.get("nlu", []):
            if "examples" in block and "intent" in block:
                lines = [ln[2:] for ln in block["examples"].splitlines() if ln.startswith("- ")]
                block["examples"] = "".join(f"- {fold_example(ln)}\n" for ln in lines)
        (target / path.name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def cross_validate(data_dir: Path, out: Path, folds: int) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [
        str(Path(sys.executable).parent / "rasa"), "test", "nlu",
        "--nlu", str(data_dir),
        "--config", str(REPO_ROOT / "config.yml"),
        "--cross-validation", "--folds", str(folds),
        "--out", str(out),
    ]  # fmt: skip
    print(f"==> {' '.join(cmd)}", flush=True)
    subprocess.run(cmd, cwd=REPO_ROOT, check=True)
    return json.loads((out / "intent_report.json").read_text(encoding="utf-8"))


_AVERAGES = ("macro avg", "weighted avg", "micro avg", "accuracy")


def summary_table(reports: dict[str, dict]) -> str:
    first = next(iter(reports.values()))
    intents = sorted(k for k, v in first.items() if isinstance(v, dict) and k not in _AVERAGES)
    lines = [
        "| intent | " + " | ".join(f"F1 {name}" for name in reports) + " | support |",
        "|---|" + "---|" * len(reports) + "---|",
    ]
    for intent in [*intents, "macro avg", "weighted avg"]:
        cells = [f"{report.get(intent, {}).get('f1-score', float('nan')):.3f}" for report in reports.values()]
        lines.append(
            f"| {intent} | " + " | ".join(cells) + f" | {first.get(intent, {}).get('support', '')} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    reports = {"with diacritics": cross_validate(NLU_DIR, RESULTS_DIR / "with_diacritics", args.folds)}
    with tempfile.TemporaryDirectory() as tmp:
        write_folded_copy(Path(tmp))
        reports["without diacritics"] = cross_validate(
            Path(tmp), RESULTS_DIR / "without_diacritics", args.folds
        )
    text = (
        f"# NLU cross-validation ({args.folds} folds)\n\n"
        "Produced by `make nlu-report` (bot/rasa_env/nlu_report.py). The second column uses a copy of\n"
        "bot/data/nlu with every example stripped of diacritics.\n\n" + summary_table(reports) + "\n"
    )
    (RESULTS_DIR / "SUMMARY.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
