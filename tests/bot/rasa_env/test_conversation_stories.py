"""Conversation tests: `rasa test core` on tests/stories with the trained model.

Checks, for every behaviour of the dialogue, that the citizen's words are read as the
right intent and that the right action follows (answers' contents: tests/e2e).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rasa")

REPO_ROOT = Path(__file__).resolve().parents[3]
MODEL = REPO_ROOT / "var" / "rasa" / "models" / "current.tar.gz"

pytestmark = pytest.mark.slow


def test_every_conversation_story_passes(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make rasa-model`")
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "test",
            "core",
            "--stories",
            str(REPO_ROOT / "tests" / "stories"),
            "--model",
            str(MODEL),
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:] + failed
    assert "None of the test stories failed" in failed, failed
