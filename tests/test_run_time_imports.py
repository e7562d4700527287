"""What answering questions loads: the API and the action server use the int8 ONNX query encoder
and underthesea's segmenter only, never torch or sentence-transformers (those build the index)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

ANSWER_THROUGH_API_AND_ACTIONS = """
import asyncio, json, sys
from fastapi.testclient import TestClient
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from api.main import create_app
from bot.actions.procedure_actions import ActionAnswerQuestion

with TestClient(create_app()) as client:
    body = client.get("/api/answer", params={"q": "làm lại căn cước bị mất cần gì"}).json()
    assert body["kind"] == "procedure", body
message = {"text": "dang ky khai sinh can giay to gi", "intent": {"name": "ask_procedure"}, "entities": []}
tracker = Tracker("t", {}, message, [], False, None, {}, "action_listen")
dispatcher = CollectingDispatcher()
asyncio.run(ActionAnswerQuestion().run(dispatcher, tracker, {}))
assert "1.001193" in dispatcher.messages[0]["text"], dispatcher.messages
heavy = ("torch", "transformers", "sentence_transformers", "tensorflow")
print(json.dumps([name for name in heavy if name in sys.modules]))
"""


@pytest.mark.slow
def test_answering_through_the_api_and_the_actions_loads_no_torch(tmp_path: Path) -> None:
    env = {**os.environ, "TTHC_STAFF_DB": str(tmp_path / "staff.db"), "TTHC_RATE_LIMIT_IP_PER_S": "0"}
    run = subprocess.run(
        [sys.executable, "-c", ANSWER_THROUGH_API_AND_ACTIONS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == []
