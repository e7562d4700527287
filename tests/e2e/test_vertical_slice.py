"""The foundation's vertical slice: one question answered end to end.

Real Rasa server (trained model, REST channel) → real action server (rasa-sdk) →
real retrieval (FAISS + BM25 over the committed knowledge base) → answer citing
the procedure's code, link and documents.
"""

from __future__ import annotations

import pytest

from knowledge.store import load_procedures
from tests.e2e.servers import Bot

pytestmark = pytest.mark.slow


def _text(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_birth_registration_documents_through_rest_webhook(bot: Bot) -> None:
    answer = _text(bot.say("slice-test-1", "Đăng ký khai sinh cần giấy tờ gì?"))
    assert "1.001193" in answer
    procedure = next(p for p in load_procedures() if p.code == "1.001193")
    assert procedure.source_url and procedure.source_url in answer
    # every document of the record is listed (the composer drops list bullets such as "- ")
    for document in procedure.documents:
        name = document.name.lstrip("-*•+ ").strip()
        assert name[:40] in answer, document.name


def test_conversation_is_stored_in_sqlite_tracker(bot: Bot) -> None:
    import sqlite3

    bot.say("slice-test-2", "xin chào")
    with sqlite3.connect(bot.tracker_db) as db:
        rows = db.execute("select count(*) from events where sender_id = ?", ("slice-test-2",)).fetchone()
    assert rows[0] > 0
