"""The two environments stay apart: every module of ``bot.rasa_env`` (what Rasa runs) and of
``common`` (code both environments share) imports in the Rasa environment (Python 3.10) without
pulling in the application's packages, which need Python 3.11 (pydantic-settings, FastAPI,
torch); ``common`` does not pull in Rasa either.

Each package is imported in a fresh interpreter, module by module (``pkgutil.walk_packages``),
so what another test imported does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rasa")

REPO_ROOT = Path(__file__).resolve().parents[3]

# the application's own packages and what only its environment installs
APP_ONLY = (
    "tthc",
    "api",
    "indexer",
    "knowledge",
    "bot.actions",
    "pydantic_settings",
    "fastapi",
    "torch",
    "sentence_transformers",
    "faiss",
)

IMPORT_ALL = """
import importlib, json, pkgutil, sys

package = importlib.import_module(sys.argv[1])
modules = [package.__name__]
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(info.name)
    modules.append(info.name)
print(json.dumps({"modules": modules, "loaded": sorted(sys.modules)}))
"""


def imported_by(package: str) -> tuple[list[str], set[str]]:
    run = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, package],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    return out["modules"], set(out["loaded"])


def pulled(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == n or m.startswith(n + ".") for n in names))


def test_python_is_the_rasa_environments() -> None:
    assert sys.version_info[:2] == (3, 10)


def test_every_rasa_side_module_imports_without_the_application() -> None:
    modules, loaded = imported_by("bot.rasa_env")
    expected = {
        "bot.rasa_env.components.linear_intent_classifier",
        "bot.rasa_env.components.sentence_embedding_featurizer",
        "bot.rasa_env.components.vietnamese_tokenizer",
        "bot.rasa_env.lock_store",
        "bot.rasa_env.nlu_report",
        "bot.rasa_env.server",
        "bot.rasa_env.settings",
        "bot.rasa_env.tensorflow_stand_in",
        "bot.rasa_env.tracker_store",
        "bot.rasa_env.train",
    }
    assert expected <= set(modules)
    assert pulled(loaded, APP_ONLY) == []


def test_every_shared_module_imports_without_either_side() -> None:
    modules, loaded = imported_by("common")
    assert {"common.text.normalize", "common.text.personal_data", "common.query_encoder"} <= set(modules)
    assert pulled(loaded, (*APP_ONLY, "bot", "rasa", "rasa_sdk", "tensorflow")) == []
