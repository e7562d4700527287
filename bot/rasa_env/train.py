"""Train the Rasa model only when its inputs changed.

Inputs hashed: config.yml, domain.yml, bot/data/**, the code of the custom NLU
components (bot/rasa_env/components/**), of the code shared with the application (common/**:
the text normaliser, the query encoder and its tokenizer), of the diacritic restorer's
training (indexer/text/train.py, which decides the restoration the tokenizer applies), the
lexicon, and the identity of the converted e5 model the sentence-embedding featurizer runs
(its weights and converter).
The model is written as ``<hash>.tar.gz`` and ``current.tar.gz`` points to it, so a
second run with the same inputs is instant.

Run in the Rasa environment: ``.venv-rasa/bin/python -m bot.rasa_env.train``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

from bot.rasa_env.settings import REPO_ROOT, get_rasa_settings

HASHED_INPUTS = (
    "config.yml",
    "domain.yml",
    "bot/data",
    "bot/rasa_env/components",
    "common",
    "indexer/text/train.py",
    "knowledge/lexicon",
)


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def embedding_model_identity(model_dir: Path) -> bytes:
    """Source weights and converter version of the converted e5 model (not its date)."""
    from common.query_encoder import STAMP_FILE

    stamp = model_dir / STAMP_FILE
    if not stamp.exists():
        raise SystemExit(f"Chưa có mô hình e5 tại {model_dir}: chạy `make model` (tthc model prepare) trước.")
    info = json.loads(stamp.read_text(encoding="utf-8"))
    return f"{info.get('source_sha256')}:{info.get('converter_version')}".encode()


def inputs_hash(root: Path = REPO_ROOT) -> str:
    digest = hashlib.sha256()
    for rel in HASHED_INPUTS:
        for file in _files(root / rel):
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    digest.update(embedding_model_identity(get_rasa_settings().embedding_model_dir))
    return digest.hexdigest()[:16]


def main() -> int:
    settings = get_rasa_settings()
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    fingerprint = inputs_hash()
    target = settings.models_dir / f"{fingerprint}.tar.gz"
    current = settings.current_model
    if target.exists():
        print(f"Rasa model up to date ({target.name}); training skipped.")
    else:
        print(f"Training Rasa model {target.name} (inputs changed)…", flush=True)
        started = time.monotonic()
        cmd = [
            str(Path(sys.executable).parent / "rasa"),
            "train",
            "--config", "config.yml",
            "--domain", "domain.yml",
            "--data", "bot/data",
            "--out", str(settings.models_dir),
            "--fixed-model-name", fingerprint,
        ]  # fmt: skip
        result = subprocess.run(cmd, cwd=REPO_ROOT, check=False)
        if result.returncode != 0 or not target.exists():
            print(
                "Rasa training failed: read the error above, fix bot/data or config.yml, "
                "then run `make rasa-model` again.",
                file=sys.stderr,
            )
            return 1
        print(f"Rasa model trained in {time.monotonic() - started:.1f} s: {target}")
    tmp = current.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target.name)
    tmp.replace(current)
    prune_old_models(settings.models_dir, keep=target)
    return 0


def prune_old_models(models_dir: Path, keep: Path, previous: int = 1) -> None:
    """Keep the current model and the ``previous`` newest others (to roll back), delete the rest."""
    others = sorted(
        (p for p in models_dir.glob("*.tar.gz") if p.is_file() and not p.is_symlink() and p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in others[previous:]:
        old.unlink()


if __name__ == "__main__":
    sys.exit(main())
