"""The foundation's vertical slice: one question answered end to end.

Real Rasa server (trained model, REST channel) → real action server (rasa-sdk) →
real retrieval (FAISS + BM25 over the committed knowledge base) → answer citing
the procedure's code, link and documents.
"""

from __future__ import annotations

import pytest

from indexer.dossier import clean_name, dossier, short_name
from knowledge.store import load_procedures
from tthc.stack.servers import Bot

pytestmark = pytest.mark.slow


def _text(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_birth_registration_documents_through_rest_webhook(bot: Bot) -> None:
    """The first reply lists the ordinary-case documents; the special cases, the notes and the
    documents' full wording are one button away, and together they show every row of the record."""
    sender = "slice-test-1"
    first = bot.say(sender, "Đăng ký khai sinh cần giấy tờ gì?")
    answer = _text(first)
    assert "1.001193" in answer
    procedure = next(p for p in load_procedures() if p.code == "1.001193")
    assert procedure.source_url and procedure.source_url in answer
    for document in dossier(procedure).ordinary:
        assert short_name(document).rstrip("…")[:40] in answer, document.name
    payloads = [b["payload"] for m in first for b in m.get("buttons") or []]
    shown = answer
    for part in ("cases", "notes", "documents:full"):
        payload = next(p for p in payloads if f'"info_type": "{part}"' in p)
        shown += _text(bot.say(sender, payload))
    for document in procedure.documents:
        assert clean_name(document.name)[:40] in shown, document.name


def test_conversation_is_stored_in_sqlite_tracker(bot: Bot) -> None:
    import json
    import sqlite3

    bot.say("slice-test-2", "xin chào")
    with sqlite3.connect(bot.tracker_db) as db:
        rows = db.execute(
            "select data from events where sender_id = ? and type_name = 'user'", ("slice-test-2",)
        ).fetchall()
    assert any(json.loads(row[0]).get("text") == "xin chào" for row in rows), (
        "the citizen's message is stored"
    )
