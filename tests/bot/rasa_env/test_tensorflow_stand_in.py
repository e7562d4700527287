"""bot/rasa_env/tensorflow_stand_in.py: the served bot loads and answers without TensorFlow; a config
that names a TensorFlow component keeps the real library. Each case runs in a fresh
interpreter of the Rasa environment (the stand-in must be in place before Rasa is imported)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rasa")

from bot.rasa_env.tensorflow_stand_in import pipeline_needs_tensorflow

REPO_ROOT = Path(__file__).resolve().parents[3]
MODEL = REPO_ROOT / "var" / "rasa" / "models" / "current.tar.gz"

SERVE = """
import asyncio, sys
from pathlib import Path
from bot.rasa_env.tensorflow_stand_in import install
assert install(Path("config.yml"))
from bot.rasa_env.server import apply_runtime_fixes
apply_runtime_fixes()
from rasa.core.agent import load_agent
agent = asyncio.run(load_agent(model_path=sys.argv[1]))
parsed = asyncio.run(agent.parse_message("đăng ký khai sinh cần giấy tờ gì"))
answer = asyncio.run(agent.handle_text("xin chào", sender_id="kiem-thu"))
import tensorflow
print(parsed["intent"]["name"], bool(answer), type(tensorflow).__name__)
"""


@pytest.mark.skipif(not MODEL.exists(), reason="no trained model (make rasa-model)")
def test_the_bot_loads_and_answers_with_the_stand_in() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SERVE, str(MODEL)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[-3:] == ["ask_procedure", "True", "_StandInModule"], out.stdout[-500:]


def test_a_pipeline_with_a_tensorflow_component_keeps_the_real_library(tmp_path: Path) -> None:
    assert not pipeline_needs_tensorflow(REPO_ROOT / "config.yml")
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: WhitespaceTokenizer\n  - name: DIETClassifier\npolicies: []\n")
    assert pipeline_needs_tensorflow(config)
